"""The fixed-readout test of Gaussian equivalence: exact where the features are Gaussian, and able to
detect a monotone non-linear dependence on the teacher field."""

import math

import numpy as np
import pytest

from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.features import Population, estimate_population
from tlrepro.gerace2022.readout_gaussianity import (best_readout_check, check_readout, gaussian_readout_error,
                                          sample_moment_gap)


def _population(cov: np.ndarray) -> Population:
    """Population statistics of a Gaussian (lam0, v) with joint covariance ``cov`` (lam0 first)."""
    return Population(omega=cov[1:, 1:], b=cov[1:, 0], rho=float(cov[0, 0]), mean=np.zeros(len(cov) - 1),
                      n_samples=0)


def _random_cov(n: int, seed: int) -> np.ndarray:
    A = np.random.default_rng(seed).standard_normal((n, n))
    return A @ A.T / n + 0.1 * np.eye(n)


def test_centred_readout_error_is_arccos_of_the_correlation():
    pop = _population(_random_cov(6, 1))
    w = np.random.default_rng(2).standard_normal(5)
    corr = (w @ pop.b) / math.sqrt((w @ pop.omega @ w) * pop.rho)
    assert gaussian_readout_error(pop, w) == pytest.approx(math.acos(corr) / math.pi, abs=1e-9)
    # scale invariance of a sign readout
    assert gaussian_readout_error(pop, 7.0 * w, 0.0) == pytest.approx(gaussian_readout_error(pop, w), abs=1e-12)


@pytest.mark.parametrize("c0", [0.0, 0.4, -1.3])
def test_prediction_matches_gaussian_samples(c0):
    """On samples that ARE Gaussian with the population moments, measured and predicted errors agree
    within 4 standard errors of the measurement (the prediction's quadrature error is < 1e-9)."""
    cov = _random_cov(8, 3)
    rng = np.random.default_rng(4)
    S = rng.multivariate_normal(np.zeros(8), cov, size=400_000)
    pop = _population(cov)
    w = rng.standard_normal(7)
    chk = check_readout("gaussian", S[:, 1:], S[:, 0], pop, w, c0)
    assert abs(chk.z) < 4.0, chk
    assert abs(chk.z_sample) < 4.0, chk
    assert 0.02 < chk.error < 0.98


def test_monotone_nonlinear_feature_breaks_the_prediction():
    """v1 = lam0^3 orders the samples exactly like lam0 (error 0), but its correlation with lam0 is
    3 / sqrt(15), for which the Gaussian model predicts arccos(3 / sqrt(15)) / pi = 0.218."""
    rng = np.random.default_rng(5)
    lam0 = rng.standard_normal(100_000)
    V = np.stack([lam0**3, rng.standard_normal(lam0.size)], axis=1)
    omega = np.diag([15.0, 1.0])
    pop = Population(omega=omega, b=np.array([3.0, 0.0]), rho=1.0, mean=np.zeros(2), n_samples=0)
    chk = check_readout("cubic", V, lam0, pop, np.array([1.0, 0.0]))
    assert chk.error == 0.0
    assert chk.gaussian_error == pytest.approx(math.acos(3 / math.sqrt(15)) / math.pi, abs=1e-9)
    assert chk.z > 50
    assert chk.z_sample > 50 and chk.gaussian_error_sample > 0.2  # the sample moments do not rescue it


def test_degenerate_readout_is_an_error():
    pop = _population(_random_cov(3, 6))
    with pytest.raises(ValueError, match="degenerate readout"):
        gaussian_readout_error(pop, np.zeros(2))


def test_best_readout_on_a_small_chmm_is_reported_with_its_uncertainty():
    """End to end on a small CHMM with random features: a readout of every requested kind, each with an
    error, a standard error from the test-set size, and a Gaussian prediction in [0, 1/2]."""
    chmm = make_chmm(D=60, L_s=12, L_t=12, eta=1.0, rho=0.0, q=1.0, seed=7)
    W1 = np.random.default_rng(8).standard_normal((40, 60))
    pop = estimate_population(chmm, W1, n_samples=20_000, seed=9)
    w = np.random.default_rng(10).standard_normal(40)
    checks = best_readout_check(chmm, W1, pop, n_fit=2000, n_test=20_000, seed=11, extra={"random": (w, 0.0)})
    assert [c.readout for c in checks] == ["logistic regression on 2000 samples", "random"]
    for c in checks:
        assert 0.0 <= c.gaussian_error <= 1.0
        assert c.sem == pytest.approx(math.sqrt(c.error * (1 - c.error) / 20_000))
    assert checks[0].error < 0.35 and checks[0].corr > 0.5  # the fitted readout has learned the teacher


def test_sample_moments_separate_a_wrong_population_from_non_gaussian_features():
    """Gaussian samples judged against population moments that are off (b 3 % too small, as a poor Monte
    Carlo estimate would be): the population prediction fails, the sample-moment one does not."""
    cov = _random_cov(6, 12)
    rng = np.random.default_rng(13)
    S = rng.multivariate_normal(np.zeros(6), cov, size=400_000)
    pop = _population(cov)
    w = np.linalg.solve(pop.omega, pop.b)  # the best readout: most sensitive to b
    off = Population(omega=pop.omega, b=0.97 * pop.b, rho=pop.rho, mean=pop.mean, n_samples=0)
    chk = check_readout("gaussian", S[:, 1:], S[:, 0], off, w)
    assert chk.z > 5 and abs(chk.z_sample) < 4, chk


def test_sample_moment_gap_standard_error_is_calibrated():
    """Over independent Gaussian replicates the gap / jackknife SEM has a spread near 1 (0.6-1.5 for 30
    replicates: the 99.9 % range of a chi distribution with 29 degrees of freedom is 0.6-1.5)."""
    rng = np.random.default_rng(14)
    C = np.array([[1.0, 0.8], [0.8, 1.0]])
    zs = []
    for _ in range(30):
        lam_z = rng.multivariate_normal([0.0, 0.0], C, size=20_000)
        zs.append(sample_moment_gap(lam_z[:, 1] + 0.2, lam_z[:, 0])["z"])
    assert 0.6 < float(np.std(zs, ddof=1)) < 1.5, zs
    assert abs(float(np.mean(zs))) < 3 * 1.5 / math.sqrt(30)
    with pytest.raises(ValueError, match="jackknife"):
        sample_moment_gap(np.ones(10), np.ones(10))
