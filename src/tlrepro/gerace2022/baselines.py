"""Simulated baselines on the target task: TF / RF logistic regressions (the 2L / ft-TF networks,
which need torch, are in ``network_baselines``).

TF / RF (paper eq. 6): w = argmin sum_mu l(y_mu, (v_mu - mu) . w / sqrt(H)) + (lam / 2) ||w||^2 with
l(y, f) = log(1 + exp(-y f)), on CENTRED features (mu = population mean from ``features``). TF uses the
transferred first layer, RF a random N(0, 1) one; the caller passes W1 and mu, ``model`` is a label.

Randomness: for a given (seed, M = round(alpha H)) the training set, the test set and the network
seed come from ``np.random.SeedSequence([seed, M, k])`` with k = 0 (train), 1 (test), 2 (network).
They do not depend on W1, the model label or the position of alpha in ``alphas``, so TF, RF, 2L and
ft-TF rows at equal (seed, alpha) use the same training AND test samples (paired comparisons).

Multi-label tasks (integer labels 0..K-1, appendix B) use the softmax (multinomial) logistic regression
W = argmin sum_mu [logsumexp(f_mu) - f_mu,y_mu] + (lam / 2) ||W||_F^2, f = (v - mu) W / sqrt(H), W (H, K),
and predict argmax f.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from .chmm import CHMM
from .features import relu_features

__all__ = ["START", "fit_logistic", "simulate_fixed_features", "simulate_gaussian_equivalent", "sample_rng",
           "with_start_rows", "save_readouts", "load_readouts"]

COLUMNS = ["model", "alpha", "M", "seed", "test_error", "train_loss", "train_error", "n_iter", "converged"]
_TRAIN, _TEST, _NET = 0, 1, 2

#: Column of the ft-TF rows: the test error of the network's starting point, the TF solution.
START = "start_test_error"


def with_start_rows(sims: pd.DataFrame, name: str = "TF-start") -> pd.DataFrame:
    """``sims`` plus one ``name`` row per ft-TF row carrying its starting point's test error (the TF
    solution fitted on the same samples), for comparisons paired with ft-TF and 2L. Without a
    ``start_test_error`` column (tables written before it), ``sims`` unchanged."""
    if START not in sims.columns:
        return sims
    start = sims[(sims["model"] == "ft-TF") & sims[START].notna()].copy()
    start["model"], start["test_error"] = name, start[START]
    start[["train_loss", "train_error"]] = math.nan
    return pd.concat([sims, start], ignore_index=True)


def sample_rng(seed: int, M: int, stream: int) -> np.random.Generator:
    """The generator of stream 0 (train) / 1 (test) / 2 (network seed) for (seed, M)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(M), int(stream)]))


def fit_logistic(V_train, y_train, *, lam: float, max_iter: int = 10000, tol: float = 1e-7,
                 classes: int | None = None):
    """Fit w = argmin sum l(y, V w / sqrt(H)) + (lam/2) ||w||^2 with scikit-learn (lbfgs, no intercept).

    V_train must already be centred by the caller. Equivalent to LogisticRegression(C=1/lam,
    fit_intercept=False, penalty="l2", solver="lbfgs") on V/sqrt(H) (sklearn >= 1.8 spells the l2
    penalty as the default l1_ratio=0; lam=0 gives C=inf, no penalty). Returns (w (H,) float64,
    {"n_iter": int, "converged": bool}); converged is False if lbfgs hit max_iter or warned.
    classes=K: the softmax regression on integer labels 0..K-1 (returns W (H, K)), see ``_fit_softmax``.
    """
    V = np.asarray(V_train, dtype=np.float64)
    y = np.asarray(y_train, dtype=np.float64)
    if lam < 0:
        raise ValueError(f"lam must be >= 0, got {lam}")
    H = V.shape[1]
    if classes is not None:
        return _fit_softmax(V / math.sqrt(H), np.asarray(y_train), int(classes), lam=lam,
                            max_iter=max_iter, tol=tol)
    if np.unique(y).size == 1:  # tiny training sets can hold one class: sklearn refuses them
        return _fit_logistic_one_class(V / math.sqrt(H), y, lam=lam, max_iter=max_iter, tol=tol)
    C = math.inf if lam == 0 else 1.0 / lam
    clf = LogisticRegression(C=C, fit_intercept=False, solver="lbfgs", max_iter=int(max_iter), tol=tol)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(V / math.sqrt(H), y)
    n_iter = int(np.max(clf.n_iter_))
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    # sklearn's coef_ refers to classes_ = [-1, 1], i.e. positive scores predict +1, as wanted
    w = clf.coef_.ravel().astype(np.float64)
    return w, {"n_iter": n_iter, "converged": bool(n_iter < max_iter and not warned)}


def _fit_logistic_one_class(X, y, *, lam: float, max_iter: int, tol: float):
    """The same objective when every label is equal: sum log(1 + exp(-y X w)) + (lam/2) ||w||^2 has a
    finite minimiser for lam > 0 (along the labels' mean direction); L-BFGS on it directly."""
    from scipy.optimize import minimize

    if lam <= 0:
        raise ValueError("a training set with a single class has no finite logistic fit without "
                         "L2 regularisation (lam > 0)")
    Z = X * y[:, None]

    def fun(w):
        m = Z @ w
        return np.logaddexp(0.0, -m).sum() + 0.5 * lam * w @ w, -Z.T @ _sigmoid(-m) + lam * w

    res = minimize(fun, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B",
                   options={"maxiter": int(max_iter), "gtol": tol, "ftol": 0.0})
    return res.x, {"n_iter": int(res.nit), "converged": bool(res.success)}


def _fit_softmax(X, y, K: int, *, lam: float, max_iter: int, tol: float):
    """Multinomial logistic regression sum_mu CE(y_mu, X_mu W) + (lam/2) ||W||^2 by L-BFGS.

    The same objective as scikit-learn's multinomial LogisticRegression(C=1/lam, fit_intercept=False),
    but over all K classes even when a small training set misses some (sklearn would drop them and
    return fewer columns); lam > 0 keeps the absent classes' weights finite."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp, softmax

    if lam <= 0:
        raise ValueError("the softmax regression needs L2 regularisation (lam > 0)")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= K):
        raise ValueError(f"labels must lie in 0..{K - 1}, got {y.min()}..{y.max()}")
    M, H = X.shape
    onehot = np.zeros((M, K))
    onehot[np.arange(M), y] = 1.0

    def fun(w):
        W = w.reshape(H, K)
        F = X @ W
        loss = float((logsumexp(F, axis=1) - F[np.arange(M), y]).sum()) + 0.5 * lam * float(w @ w)
        return loss, (X.T @ (softmax(F, axis=1) - onehot) + lam * W).ravel()

    res = minimize(fun, np.zeros(H * K), jac=True, method="L-BFGS-B",
                   options={"maxiter": int(max_iter), "gtol": tol, "ftol": 0.0})
    return res.x.reshape(H, K), {"n_iter": int(res.nit), "converged": bool(res.success)}


def _sigmoid(x) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _logistic_loss(y, f) -> np.ndarray:
    """Per-sample loss: log(1 + exp(-y f)), or the softmax cross-entropy for f (M, K)."""
    if f.ndim == 2:
        from scipy.special import logsumexp

        return logsumexp(f, axis=1) - f[np.arange(len(f)), np.asarray(y, dtype=np.int64)]
    return np.logaddexp(0.0, -y * f)


def _errors(y, f) -> np.ndarray:
    """Per-sample 0-1 error: sign(f) (0 counts as +1) vs y, or argmax f vs the class index."""
    if f.ndim == 2:
        return np.argmax(f, axis=1) != y
    return np.where(f >= 0, 1.0, -1.0) != y


def _test_error_fixed(task, W1, mean, w, n_test, rng, chunk) -> float:
    """0-1 error of the linear readout on the task's target test batches (n_test samples)."""
    H = W1.shape[0]
    wrong, done = 0, 0
    for X, y in task.test_batches(n_test, rng, chunk):
        f = (relu_features(X, W1).astype(np.float64) - mean) @ w / math.sqrt(H)
        wrong += int(_errors(y, f).sum())
        done += len(y)
    return wrong / done


def _classes(task) -> int | None:
    """K for a multi-label task, None for a binary one."""
    return None if task.n_outputs == 1 else int(task.n_outputs)


def _training_sets(task, alphas, H: int, seeds):
    """Yield (alpha, M, seed, X, y): M = round(alpha H) target samples from stream 0 of (seed, M).

    ``task``: a ``CHMM`` or an ``image_tasks.FiniteTask`` (the task protocol: ``train_set``,
    ``test_batches``, ``D``)."""
    for alpha in alphas:
        M = int(round(alpha * H))
        if M < 1:
            raise ValueError(f"alpha={alpha} gives M={M} < 1")
        for seed in seeds:
            X, y = task.train_set(M, sample_rng(seed, M, _TRAIN))
            yield float(alpha), M, int(seed), X, y


def simulate_fixed_features(task: CHMM, W1, mean, *, alphas, H: int, lam: float, seeds, n_test: int,
                            model: str, max_iter: int = 10000, tol: float = 1e-7,
                            chunk: int = 8192, readouts: dict | None = None) -> pd.DataFrame:
    """TF / RF learning curves by direct simulation (one row per (alpha, seed)).

    For each alpha, seed: M = round(alpha H) target samples (stream 0), centred features v - mean,
    ``fit_logistic``; test error on n_test fresh target samples (stream 1, the same for every model);
    train_loss = mean of l over the training samples (no penalty, the theory's convention) and
    train_error the training 0-1 error.

    readouts: a dict to fill with the fitted readouts, {(M, seed): w}: ft-TF starts from the TF ones
    (``save_readouts``, ``network_baselines.simulate_networks``).
    """
    W1 = np.asarray(W1)
    mean = np.asarray(mean, dtype=np.float64)
    if W1.shape != (H, task.D) or mean.shape != (H,):
        raise ValueError(f"W1 must be ({H}, {task.D}) and mean ({H},), got {W1.shape}, {mean.shape}")
    rows = []
    classes = _classes(task)
    for alpha, M, seed, X, y in _training_sets(task, alphas, H, seeds):
        V = relu_features(X, W1).astype(np.float64) - mean
        w, info = fit_logistic(V, y, lam=lam, max_iter=max_iter, tol=tol, classes=classes)
        if readouts is not None:
            readouts[(M, seed)] = w
        f = V @ w / math.sqrt(H)
        test_err = _test_error_fixed(task, W1, mean, w, n_test, sample_rng(seed, M, _TEST), chunk)
        rows.append((model, alpha, M, seed, test_err, float(_logistic_loss(y, f).mean()),
                     float(_errors(y, f).mean()), info["n_iter"], info["converged"]))
    return pd.DataFrame(rows, columns=COLUMNS)


def save_readouts(path, readouts: dict, *, lam: float, H: int) -> None:
    """Write the readouts of ``simulate_fixed_features`` ({(M, seed): w}) with the lam and H they were
    fitted at (``load_readouts`` checks them)."""
    keys = sorted(readouts)
    w = np.stack([readouts[k] for k in keys]) if keys else np.zeros((0, H))
    np.savez(path, M=np.array([k[0] for k in keys], dtype=np.int64),
             seed=np.array([k[1] for k in keys], dtype=np.int64), w=w, lam=lam, H=H)


def load_readouts(path, *, lam: float, H: int) -> dict:
    """The readouts ``save_readouts`` wrote, {(M, seed): w}; a ValueError if they were fitted at another
    lam or H than the caller's (they would not be the fits it wants)."""
    with np.load(path) as z:
        if float(z["lam"]) != float(lam) or int(z["H"]) != int(H):
            raise ValueError(f"{path}: readouts fitted at lam={float(z['lam'])}, H={int(z['H'])}, wanted "
                             f"lam={lam}, H={H}: rebuild it (snakemake --forcerun g22_simulate_fixed_features)")
        return {(int(m), int(s)): w for m, s, w in zip(z["M"], z["seed"], z["w"])}


def simulate_gaussian_equivalent(omega, b, rho: float, *, alphas, lam: float, seeds,
                                 rank_rtol: float = 1e-10, model: str = "GEQ") -> pd.DataFrame:
    """Simulate exactly the model the replica equations describe, for given population (Ω, b, ρ).

    v ~ N(0, Ω) and the teacher field λ0 = bᵀΩ⁺v + √(ρ − ρ_p) z are jointly Gaussian with the same
    covariances as the real features; y = sign(λ0). Each fit's test error is exact, arccos(m/√(ρq))/π
    with m = w·b/√H and q = wᵀΩw/H, so only the training set fluctuates. Comparing the theory with this
    separates the solver (and finite-size effects) from the Gaussian-equivalence assumption, which is
    what a CHMM simulation tests on top. Rows as ``simulate_fixed_features`` (train_loss per sample)."""
    omega = np.asarray(omega, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    H = b.shape[0]
    ev, U = np.linalg.eigh(omega)
    keep = ev > rank_rtol * ev.max()
    root = U[:, keep] * np.sqrt(ev[keep])            # Ω = root rootᵀ on its range
    proj = U[:, keep] @ ((U[:, keep].T @ b) / ev[keep])  # Ω⁺ b
    noise = math.sqrt(max(rho - float(b @ proj), 0.0))
    rows = []
    for alpha in alphas:
        M = int(round(alpha * H))
        for seed in seeds:
            r = sample_rng(seed, M, _TRAIN)
            V = r.standard_normal((M, int(keep.sum()))) @ root.T
            y = np.where(V @ proj + noise * r.standard_normal(M) >= 0, 1.0, -1.0)
            w, info = fit_logistic(V, y, lam=lam)
            m, q = float(w @ b) / math.sqrt(H), float(w @ omega @ w) / H
            err = math.acos(max(-1.0, min(1.0, m / math.sqrt(rho * q)))) / math.pi
            f = V @ w / math.sqrt(H)
            rows.append((model, float(alpha), M, int(seed), err, float(_logistic_loss(y, f).mean()),
                         float(_errors(y, f).mean()), info["n_iter"], info["converged"]))
    return pd.DataFrame(rows, columns=COLUMNS)
