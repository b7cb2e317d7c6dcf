"""Gaussian equivalence of ONE fixed linear readout: a direct test of the assumption the replica theory rests on.

The theory replaces the features v by a Gaussian vector with the same first two moments as (lam0, v)
(population ``mean``, ``omega``, ``b``, ``rho``; see ``features``). For a fixed readout
z = w . (v - mu) + c0 that assumption predicts the error P(sign z != sign lam0) from three numbers,
Var z = w^T Omega w, Cov(z, lam0) = w^T b and rho = Var lam0, plus the offset c0. Comparing this
prediction with the error the readout actually makes on fresh samples isolates the Gaussian-equivalence
step: no training, no solver, no finite-sample learning enters. A monotone but non-linear dependence of
z on lam0 (what a learned low-rank "spike" of the first layer gives) makes the true error lower than the
Gaussian prediction at the same correlation.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from .chmm import CHMM
from ..claims import WORKFLOW_CHECK, Verdict
from .features import Population, relu_features

__all__ = ["ReadoutCheck", "gaussian_readout_error", "bivariate_sign_error", "sample_moment_gap",
           "check_readout", "source_network_readout", "best_readout_check", "readout_verdicts"]


def gaussian_readout_error(pop: Population, w, c0: float = 0.0, *, n_grid: int = 4001) -> float:
    """P(sign(z) != sign(lam0)) for z = w . (v - mu) + c0 when (lam0, v) is Gaussian with the moments of
    ``pop``. Conditional on lam0, z is normal with mean c0 + (w.b / rho) lam0 and variance
    w^T Omega w - (w.b)^2 / rho; the remaining 1-D integral over lam0 is done on a grid (Simpson's
    rule over +-8 standard deviations; with c0 = 0 it equals arccos(corr) / pi)."""
    pop.require_binary("the Gaussian readout error")
    w = np.asarray(w, dtype=np.float64)
    return bivariate_sign_error(c0, float(w @ pop.omega @ w), float(w @ pop.b), float(pop.rho), n_grid=n_grid)


def bivariate_sign_error(mean: float, var: float, cov: float, rho: float, *, n_grid: int = 4001) -> float:
    """P(sign(z) != sign(lam0)) for a Gaussian pair with E z = ``mean``, E lam0 = 0, Var z = ``var``,
    Cov(z, lam0) = ``cov`` and Var lam0 = ``rho`` (see ``gaussian_readout_error``)."""
    c0 = float(mean)
    if var <= 0.0 or rho <= 0.0:
        raise ValueError(f"degenerate readout: Var z = {var}, Var lam0 = {rho}")
    sd = math.sqrt(max(var - cov * cov / rho, 0.0))
    t = np.linspace(0.0, 8.0, n_grid | 1)  # lam0 / sqrt(rho) >= 0; odd count for Simpson
    dens = np.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)
    shift = cov / math.sqrt(rho) * t
    if sd == 0.0:  # z is a deterministic linear function of lam0
        wrong_pos = (c0 + shift < 0).astype(float)
        wrong_neg = (c0 - shift > 0).astype(float)
    else:
        wrong_pos = ndtr(-(c0 + shift) / sd)  # lam0 > 0 but z < 0
        wrong_neg = ndtr((c0 - shift) / sd)  # lam0 < 0 but z > 0
    f = dens * (wrong_pos + wrong_neg)
    h = t[1] - t[0]
    return float(h / 3.0 * (f[0] + f[-1] + 4.0 * f[1:-1:2].sum() + 2.0 * f[2:-1:2].sum()))


def _field_error(z, lam0) -> tuple[float, float]:
    """(error, standard error) of sign(z) against sign(lam0)."""
    z, lam0 = np.asarray(z, dtype=np.float64), np.asarray(lam0, dtype=np.float64)
    if z.shape != lam0.shape or z.size == 0:
        raise ValueError(f"readout and lam0 must have matching, non-empty shapes, got {z.shape}, {lam0.shape}")
    err = float(np.mean(np.sign(z) != np.sign(lam0)))
    return err, math.sqrt(max(err * (1.0 - err), 1.0 / z.size) / z.size)


@dataclass(frozen=True)
class ReadoutCheck:
    """One readout: its measured error (with standard error), the Gaussian-equivalent prediction, the
    correlation of z with lam0 and z = (prediction - measured) / sem.

    The ``*_sample`` fields repeat the comparison with the Gaussian pair that has the first two moments of
    (z, lam0) on the test samples themselves (``sample_moment_gap``): what differs from the prediction
    then is the shape of the joint law alone, not a Monte Carlo error of the population moments. NaN
    when not computed."""

    readout: str
    error: float
    sem: float
    gaussian_error: float
    corr: float
    z: float
    gaussian_error_sample: float = math.nan
    sem_sample: float = math.nan
    z_sample: float = math.nan

    def to_dict(self) -> dict:
        return asdict(self)


def check_readout(name: str, V, lam0, pop: Population, w, c0: float = 0.0) -> ReadoutCheck:
    """Compare the error of the readout (w, c0) on centred samples (V, lam0) with its Gaussian prediction."""
    z = np.asarray(V, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + float(c0)
    return _check_field(name, z, lam0, pop, w, c0)


def _check_field(name: str, z, lam0, pop: Population, w, c0: float) -> ReadoutCheck:
    err, sem = _field_error(z, lam0)
    g = gaussian_readout_error(pop, w, c0)
    w = np.asarray(w, dtype=np.float64)
    corr = float(w @ pop.b) / math.sqrt(float(w @ pop.omega @ w) * float(pop.rho))
    gap = sample_moment_gap(z, lam0)
    return ReadoutCheck(name, err, sem, g, corr, (g - err) / sem, gap["gaussian_error"], gap["sem"], gap["z"])


def _moment_prediction(z: np.ndarray, lam0: np.ndarray) -> tuple[float, float]:
    """(Gaussian prediction from the sample moments of (z, lam0), that prediction minus the measured error)."""
    c = np.cov(z, lam0)
    pred = bivariate_sign_error(float(z.mean()), float(c[0, 0]), float(c[0, 1]), float(c[1, 1]))
    return pred, pred - float(np.mean(np.sign(z) != np.sign(lam0)))


def sample_moment_gap(z, lam0, *, n_blocks: int = 50) -> dict[str, float]:
    """Gaussian-pair prediction with the SAMPLE moments of (z, lam0) against the measured sign error.

    Returns the prediction, the gap prediction - measured, its delete-one-block jackknife standard error
    over ``n_blocks`` contiguous blocks (both terms come from the same samples, so their errors are
    correlated and the measurement's binomial error is not the gap's) and z = gap / sem. A Gaussian pair
    gives |z| of order 1 whatever the Monte Carlo error of any population estimate; a non-linear
    dependence of z on lam0 does not."""
    z, lam0 = np.asarray(z, dtype=np.float64), np.asarray(lam0, dtype=np.float64)
    n = z.size
    if n < 2 * n_blocks:
        raise ValueError(f"need at least {2 * n_blocks} samples for {n_blocks} jackknife blocks, got {n}")
    pred, gap = _moment_prediction(z, lam0)
    block = np.arange(n) * n_blocks // n
    loo = np.array([_moment_prediction(z[block != k], lam0[block != k])[1] for k in range(n_blocks)])
    sem = math.sqrt((n_blocks - 1) / n_blocks * float(((loo - loo.mean()) ** 2).sum()))
    return {"gaussian_error": pred, "gap": gap, "sem": sem, "z": gap / sem if sem > 0 else math.nan}


def source_network_readout(featuremap, pop: Population) -> dict[str, tuple[np.ndarray, float]]:
    """The source network's own readout as an ``extra`` of ``best_readout_check``: it predicts
    sign(w2 . v) on uncentred v, i.e. w = w2 and c0 = w2 . mu on centred features. Empty when the
    feature map has no second layer (random features)."""
    if "w2" not in featuremap:
        return {}
    w2 = np.asarray(featuremap["w2"], dtype=np.float64)
    return {"source network's second layer": (w2, float(w2 @ pop.mean))}


def best_readout_check(chmm: CHMM, W1, pop: Population, *, n_fit: int = 20000, n_test: int = 200000,
                       C: float = 1e4, seed=0, extra: dict | None = None,
                       chunk: int = 8192) -> list[ReadoutCheck]:
    """The check for a (near-)best linear readout of the target features: a logistic regression fitted
    on ``n_fit`` fresh target samples (weak L2, C), tested on ``n_test`` others drawn ``chunk`` at a
    time; ``extra`` maps names to further (w, c0) readouts (e.g. the source network's own second layer)
    tested on the same samples. ``seed``: anything ``np.random.default_rng`` accepts."""
    rng = np.random.default_rng(seed)
    X, y = chmm.sample_target(n_fit, rng)
    V = relu_features(X, W1) - pop.mean
    del X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = LogisticRegression(C=C, max_iter=5000, tol=1e-6).fit(V, y)
    del V
    readouts = {f"logistic regression on {n_fit} samples": (fit.coef_[0], float(fit.intercept_[0])),
                **(extra or {})}
    Wr = np.stack([np.asarray(w, dtype=np.float64) for w, _ in readouts.values()], axis=1)  # (H, k)
    c0 = np.array([c for _, c in readouts.values()], dtype=np.float64)
    Z, lam = np.empty((n_test, len(readouts))), np.empty(n_test)
    for i in range(0, n_test, chunk):
        m = min(chunk, n_test - i)
        Xt, _, lam0 = chmm.sample_target_latent(m, rng)
        Z[i : i + m] = (relu_features(Xt, W1) - pop.mean) @ Wr + c0
        lam[i : i + m] = lam0
    return [_check_field(name, Z[:, j], lam, pop, w, c) for j, (name, (w, c)) in enumerate(readouts.items())]


def readout_verdicts(table: pd.DataFrame | None, n_sigma: float, prefix: str = "") -> list[Verdict]:
    """One verdict per model (``features_gaussian_equivalent_<model>``, ids prefixed by ``prefix``) from
    the tables of the rule ``g22_readout_gaussianity`` (columns model, instance, readout, error, sem,
    gaussian_error, corr, z; a phase diagram adds ``row``): it passes when every readout's |z| <= n_sigma.
    No table, no verdict."""
    if table is None or not len(table):
        return []
    out = []
    for model, rows in table.groupby("model"):
        z = rows["z"].abs()
        out.append(Verdict(
            f"{prefix}features_gaussian_equivalent_{model}",
            f"The Gaussian-equivalence step the theory rests on holds for the {model} features: fixed "
            "linear readouts err on fresh CHMM samples as the Gaussian model with the same Omega, b, rho "
            f"predicts (within {n_sigma:g} standard errors).",
            bool((z <= n_sigma).all()),
            {"n_sigma": n_sigma, "max_abs_z": float(z.max()),
             "readouts": rows.drop(columns="model").to_dict(orient="records")},
            f"{WORKFLOW_CHECK} (diagnostic of the GET assumption, not a claim of the paper)"))
    return out
