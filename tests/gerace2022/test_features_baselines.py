"""Tests of the feature statistics (tlrepro.gerace2022.features) and the simulated baselines (tlrepro.gerace2022.baselines)."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from tlrepro.gerace2022.baselines import (COLUMNS, START, fit_logistic, load_readouts, sample_rng, save_readouts,
                                          simulate_fixed_features, with_start_rows)
from tlrepro.gerace2022.network_baselines import simulate_networks
from tlrepro.gerace2022.chmm import CHMM, make_chmm
from tlrepro.gerace2022.features import Population, estimate_population, relu_features

D, L, H = 40, 20, 16


@pytest.fixture(scope="module")
def chmm():
    return make_chmm(D=D, L_s=L, L_t=L, eta=0.8, rho=0.1, q=0.9, seed=0)


@pytest.fixture(scope="module")
def W1():
    return np.random.default_rng(1).standard_normal((H, D))


def test_relu_features(W1):
    X = np.abs(np.random.default_rng(2).standard_normal((1000, D))).astype(np.float32)
    V = relu_features(X, W1)
    assert V.dtype == np.float32 and V.shape == (1000, H)
    np.testing.assert_allclose(V, np.maximum(X.astype(np.float64) @ W1.T / D, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(relu_features(X, W1, chunk=7), V, rtol=1e-6, atol=1e-7)


def test_population_matches_dense(chmm, W1):
    # Reproduce the documented sampling scheme (chunks of 1024 from one default_rng(seed)), then compute
    # the statistics densely in float64 on the same float32 features: must agree to 1e-10 relative.
    n, chunk, seed = 5000, 1024, 3
    pop = estimate_population(chmm, W1, n_samples=n, seed=seed, chunk=chunk)
    rng = np.random.default_rng(seed)
    Vs, lams = [], []
    for i in range(0, n, chunk):
        X, _, lam = chmm.sample_target_latent(min(chunk, n - i), rng)
        Vs.append(relu_features(X, W1))
        lams.append(lam)
    V = np.concatenate(Vs).astype(np.float64)
    lam = np.concatenate(lams)
    mean = V.mean(0)
    omega = np.cov(V.T, bias=True)
    b = ((V - mean) * lam[:, None]).mean(0)

    def rel(a, ref):
        return np.linalg.norm(a - ref) / np.linalg.norm(ref)

    assert pop.n_samples == n
    assert rel(pop.mean, mean) < 1e-10
    assert rel(pop.omega, omega) < 1e-10
    assert rel(pop.b, b) < 1e-10
    assert abs(pop.rho - np.mean(lam**2)) / pop.rho < 1e-10
    np.testing.assert_array_equal(pop.omega, pop.omega.T)
    assert pop.omega.dtype == np.float64 and pop.b.shape == (H,)


def test_population_known_answer():
    # D = L = 1, F = theta = 1: x = ReLU(c), lam0 = c, and v_h = a_h ReLU(c) for a_h >= 0 (0 for a_h < 0).
    # Exact: mean = a E[ReLU c] = a / sqrt(2 pi), b = a E[c ReLU c] = a / 2, rho = 1,
    # omega = a a^T Var(ReLU c) = a a^T (1/2 - 1/(2 pi)). Tolerance: 4 MC standard errors, with the
    # per-sample variances Var(ReLU c) = 1/2 - 1/(2pi), Var(c ReLU c) = 3/2 - 1/4, Var(c^2) = 2,
    # Var((ReLU c - mu)^2) estimated from an independent sample.
    one = np.ones((1, 1))
    m = CHMM(F_s=one, theta_s=np.ones(1), F_t=one, theta_t=np.ones(1))
    a = np.array([1.0, 2.0, -1.0, 0.5])
    n = 200_000
    pop = estimate_population(m, a[:, None], n_samples=n, seed=0)
    ap = np.maximum(a, 0)
    var_relu = 0.5 - 1 / (2 * np.pi)
    se = 4 / math.sqrt(n)
    np.testing.assert_allclose(pop.mean, ap / math.sqrt(2 * np.pi), atol=se * math.sqrt(var_relu) * ap.max())
    np.testing.assert_allclose(pop.b, ap / 2, atol=se * math.sqrt(1.25) * ap.max())
    assert abs(pop.rho - 1) < se * math.sqrt(2)
    c = np.random.default_rng(99).standard_normal(n)
    sd_sq = np.std((np.maximum(c, 0) - 1 / math.sqrt(2 * np.pi)) ** 2)
    np.testing.assert_allclose(pop.omega, np.outer(ap, ap) * var_relu, atol=se * sd_sq * ap.max() ** 2)
    assert pop.omega[2, 2] == 0 and pop.b[2] == 0  # the dead unit
    # target=False uses the source model (identical here): same numbers for the same seed
    pop_s = estimate_population(m, a[:, None], n_samples=n, seed=0, target=False)
    np.testing.assert_array_equal(pop_s.omega, pop.omega)


def test_population_independent_estimates_agree(chmm, W1):
    # b from n samples vs a brute-force estimate on 2n independent samples: each component's difference
    # has SE sqrt(s^2/n + s^2/(2n)), s = std of lam0 (v - mu); 16 components, allow 4.5 SE.
    n = 20000
    p1 = estimate_population(chmm, W1, n_samples=n, seed=10)
    X, _, lam = chmm.sample_target_latent(2 * n, np.random.default_rng(11))
    V = relu_features(X, W1).astype(np.float64)
    terms = lam[:, None] * (V - V.mean(0))
    s = terms.std(0)
    z = (p1.b - terms.mean(0)) / (s * math.sqrt(1 / n + 1 / (2 * n)))
    assert np.abs(z).max() < 4.5
    assert abs(p1.rho - np.mean(chmm.theta_t**2)) < 4.5 * math.sqrt(2 / n) * np.mean(chmm.theta_t**2)


def test_population_save_load(tmp_path, chmm, W1):
    pop = estimate_population(chmm, W1, n_samples=500, seed=0)
    pop.save(tmp_path / "p.npz")
    p2 = Population.load(tmp_path / "p.npz")
    np.testing.assert_array_equal(p2.omega, pop.omega)
    np.testing.assert_array_equal(p2.b, pop.b)
    np.testing.assert_array_equal(p2.mean, pop.mean)
    assert (p2.rho, p2.n_samples) == (pop.rho, pop.n_samples)


def test_fit_logistic_matches_sklearn_and_stationarity():
    rng = np.random.default_rng(4)
    V = rng.standard_normal((200, H))
    y = np.sign(V[:, 0] + 0.5 * rng.standard_normal(200))
    lam = 0.3
    w, info = fit_logistic(V, y, lam=lam)
    ref = LogisticRegression(C=1 / lam, fit_intercept=False, solver="lbfgs", max_iter=10000, tol=1e-7)
    ref.fit(V / math.sqrt(H), y)
    np.testing.assert_allclose(w, ref.coef_.ravel(), rtol=1e-12, atol=1e-12)
    assert info["converged"] and info["n_iter"] > 0
    # stationarity of sum l(y, V w/sqrt H) + (lam/2)||w||^2 (checks the summed-loss / C = 1/lam convention)
    f = V @ w / math.sqrt(H)
    grad = -(y / (1 + np.exp(y * f))) @ V / math.sqrt(H) + lam * w
    assert np.abs(grad).max() < 1e-4
    w0, info0 = fit_logistic(V, y, lam=lam, max_iter=1)
    assert not info0["converged"]


def _centred(chmm, W1, n=20000):
    return estimate_population(chmm, W1, n_samples=n, seed=7).mean


def test_simulate_fixed_features(chmm, W1):
    W_rf = np.random.default_rng(5).standard_normal((H, D))
    kw = dict(alphas=[2.0, 5.0], H=H, lam=0.1, seeds=[0, 1], n_test=3000)
    mean_tf, mean_rf = _centred(chmm, W1), _centred(chmm, W_rf)
    tf = simulate_fixed_features(chmm, W1, mean_tf, model="TF", **kw)
    assert list(tf.columns) == COLUMNS and len(tf) == 4
    assert set(tf.model) == {"TF"} and list(tf.M) == [32, 32, 80, 80]
    assert tf.converged.all() and tf.n_iter.gt(0).all()
    # it learns something: with 3000 test points the SE of an error ~0.5 is 0.009, so < 0.45 at alpha=5
    # is > 5 SE below chance (16 random-ish units on a 20-dim latent: far from perfect)
    assert tf.test_error[tf.alpha == 5.0].mean() < 0.45
    # deterministic, and independent of the position of alpha in the list
    pd.testing.assert_frame_equal(tf, simulate_fixed_features(chmm, W1, mean_tf, model="TF", **kw))
    rev = simulate_fixed_features(chmm, W1, mean_tf, model="TF", **{**kw, "alphas": [5.0]})
    pd.testing.assert_frame_equal(rev.reset_index(drop=True), tf.iloc[2:].reset_index(drop=True))
    # TF and RF rows at equal (seed, alpha) use the same, seed-derived, test set: recompute both rows'
    # errors on the draw of stream (seed, M, 1) and compare exactly
    rf = simulate_fixed_features(chmm, W_rf, mean_rf, model="RF", **kw)
    for df, W, mu in ((tf, W1, mean_tf), (rf, W_rf, mean_rf)):
        row = df.iloc[1]
        Xtr, ytr = chmm.sample_target(int(row.M), sample_rng(int(row.seed), int(row.M), 0))
        w, _ = fit_logistic(relu_features(Xtr, W).astype(np.float64) - mu, ytr, lam=0.1)
        Xte, yte = chmm.sample_target(3000, sample_rng(int(row.seed), int(row.M), 1))
        f = (relu_features(Xte, W).astype(np.float64) - mu) @ w / math.sqrt(H)
        assert np.mean(np.where(f >= 0, 1.0, -1.0) != yte) == row.test_error
        ftr = (relu_features(Xtr, W).astype(np.float64) - mu) @ w / math.sqrt(H)
        assert row.train_loss == pytest.approx(np.logaddexp(0, -ytr * ftr).mean(), rel=1e-10)


def test_simulate_networks(chmm, W1):
    mean = _centred(chmm, W1)
    common = dict(alphas=[3.0], H=H, seeds=[0], n_test=2000, lr=1e-3, batch_size=16, l2=0.1, device="cpu")
    # ft-TF with zero epochs is exactly the TF solution on the shared train / test draw: same test error
    # up to float32-vs-float64 sign flips of outputs at |f| ~ 1e-6 (allow 2 of 2000 test points)
    ft0 = simulate_networks(chmm, model="ft-TF", epochs=0, W1_init=W1, mean=mean, lam_tf=0.1, **common)
    tf = simulate_fixed_features(chmm, W1, mean, alphas=[3.0], H=H, lam=0.1, seeds=[0], n_test=2000, model="TF")
    assert list(ft0.columns) == COLUMNS + [START]
    assert abs(ft0.test_error.iloc[0] - tf.test_error.iloc[0]) <= 2 / 2000
    # the recorded start is the TF solution on the same draw, whatever the number of epochs
    assert ft0[START].iloc[0] == ft0.test_error.iloc[0]
    ft3 = simulate_networks(chmm, model="ft-TF", epochs=3, W1_init=W1, mean=mean, lam_tf=0.1, **common)
    assert ft3[START].iloc[0] == ft0[START].iloc[0] and ft3.test_error.iloc[0] != ft0.test_error.iloc[0]
    both = with_start_rows(pd.concat([tf, ft3], ignore_index=True))
    start = both[both.model == "TF-start"]
    assert len(start) == 1 and start.test_error.iloc[0] == ft3[START].iloc[0]
    assert with_start_rows(tf) is tf  # no ft-TF column: unchanged
    assert ft0.train_loss.iloc[0] == pytest.approx(tf.train_loss.iloc[0], rel=1e-4)
    two = simulate_networks(chmm, model="2L", epochs=3, **common)
    assert list(two.columns) == COLUMNS and two.n_iter.iloc[0] == 3 and two.converged.iloc[0]
    pd.testing.assert_frame_equal(two, simulate_networks(chmm, model="2L", epochs=3, **common))
    with pytest.raises(ValueError, match="W1_init"):
        simulate_networks(chmm, model="ft-TF", epochs=1, **common)


def test_finetune_from_the_tf_simulations_readouts_is_bit_identical(tmp_path, chmm, W1):
    """ft-TF starts from the readouts the TF simulation fitted and saved (rule g22_simulate_fixed_features),
    instead of fitting them again: the same table, bit for bit, as when it fits its own. The TF
    simulation covers only some (alpha, seed) sets here: the others are fitted by ft-TF itself."""
    import tlrepro.gerace2022.network_baselines as nb

    mean = _centred(chmm, W1)
    readouts = {}
    simulate_fixed_features(chmm, W1, mean, alphas=[2.0, 3.0], H=H, lam=0.1, seeds=[0, 1], n_test=500,
                            model="TF", readouts=readouts)
    assert sorted(readouts) == [(32, 0), (32, 1), (48, 0), (48, 1)]
    save_readouts(tmp_path / "r.npz", readouts, lam=0.1, H=H)
    loaded = load_readouts(tmp_path / "r.npz", lam=0.1, H=H)
    assert loaded.keys() == readouts.keys() and all(np.array_equal(loaded[k], readouts[k]) for k in loaded)
    with pytest.raises(ValueError, match="lam=0.1.*forcerun"):
        load_readouts(tmp_path / "r.npz", lam=0.2, H=H)
    with pytest.raises(ValueError, match="H=16.*forcerun"):
        load_readouts(tmp_path / "r.npz", lam=0.1, H=H + 1)
    common = dict(alphas=[3.0, 4.0], H=H, seeds=[0, 1, 2], n_test=500, lr=1e-3, batch_size=16, l2=0.1,
                  device="cpu", model="ft-TF", epochs=2, W1_init=W1, mean=mean, lam_tf=0.1)
    fits = []
    real_fit = nb.fit_logistic
    nb.fit_logistic = lambda *a, **k: fits.append(1) or real_fit(*a, **k)
    try:
        own = simulate_networks(chmm, **common)
        n_own = len(fits)
        reused = simulate_networks(chmm, tf_readouts=loaded, **common)
    finally:
        nb.fit_logistic = real_fit
    assert n_own == 6 and len(fits) - n_own == 4  # alpha = 3 seeds 0, 1 came from the file
    pd.testing.assert_frame_equal(own, reused, check_exact=True)
    with pytest.raises(ValueError, match=r"\(48, 2\).*forcerun"):  # the workflow requires them all
        simulate_networks(chmm, tf_readouts=loaded, require_readouts=True, **common)
    assert not own.equals(simulate_networks(chmm, tf_readouts={k: -w for k, w in loaded.items()}, **common))


@pytest.mark.parametrize("parametrisation", ["eq6", "keras"])
def test_finetune_starts_from_the_tf_solution_in_both_parametrisations(chmm, W1, parametrisation):
    """With inputs scaled by s, centre s*mu and readout w_TF/s make the network exactly the TF
    function: zero epochs of fine-tuning reproduce TF's test error and training loss."""
    from tlrepro.gerace2022.nets import input_scale

    mean = _centred(chmm, W1)
    s = input_scale(parametrisation, chmm.D)
    common = dict(alphas=[3.0], H=H, seeds=[0], n_test=2000, lr=1e-3, batch_size=16, l2=0.1, device="cpu")
    ft0 = simulate_networks(chmm, model="ft-TF", epochs=0, W1_init=W1, mean=mean, lam_tf=0.1,
                            input_scale=s, **common)
    tf = simulate_fixed_features(chmm, W1, mean, alphas=[3.0], H=H, lam=0.1, seeds=[0], n_test=2000, model="TF")
    assert abs(ft0.test_error.iloc[0] - tf.test_error.iloc[0]) <= 2 / 2000
    assert ft0.train_loss.iloc[0] == pytest.approx(tf.train_loss.iloc[0], rel=1e-4)


def test_input_scale():
    from tlrepro.gerace2022.nets import input_scale

    assert input_scale("eq6", 784) == 1.0 and input_scale("keras", 784) == 784.0
    with pytest.raises(ValueError, match="parametrisation"):
        input_scale("torch", 784)


def test_single_class_training_set_has_the_regularised_minimiser():
    """M = round(alpha H) can be a handful of samples of one class (Fig. A.2 at small H): the L2 fit
    is still defined. For one sample x = v/sqrt(H) with label -1 the minimiser is w = -a x/|x|, a the
    root of |x| / (1 + e^{a|x|}) = lam a (the scalar stationarity condition), found by bisection."""
    import math
    from scipy.optimize import brentq
    from tlrepro.gerace2022.baselines import fit_logistic
    v = np.random.default_rng(3).standard_normal((1, 40))
    H, lam = v.shape[1], 1e-3
    x = v[0] / math.sqrt(H)
    n = np.linalg.norm(x)
    a = brentq(lambda a: -n * math.exp(-np.logaddexp(0.0, a * n)) + lam * a, 0.0, 1e4)
    w, info = fit_logistic(v, np.array([-1.0]), lam=lam)
    assert info["converged"]
    np.testing.assert_allclose(w, -a * x / n, rtol=1e-5, atol=1e-8)
    with pytest.raises(ValueError, match="single class"):
        fit_logistic(v, np.array([1.0]), lam=0.0)
