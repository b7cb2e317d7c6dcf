"""Feature maps v = ReLU(x W1^T / D) and their population statistics (Monte Carlo).

Conventions (docs/theory-gcm.md): everything downstream uses CENTRED features v - mu, with mu = E[v]
the Monte Carlo population mean stored in ``Population.mean``. With lam0 = c . theta_t / sqrt(L_t) the
target teacher field,

    omega = E[(v - mu)(v - mu)^T]   (H, H)   centred covariance, normalised by n (not n - 1)
    b     = E[lam0 (v - mu)]        (H,)     = E[lam0 v] in the population since E[lam0] = 0; the
                                             estimator uses the sample-centred features
    rho   = E[lam0^2]                        (lam0 is known to be centred: not re-centred)

``estimate_population`` streams over chunks: features in float32 (BLAS sgemm), sums in float64
(Sum v, Sum (v - s)(v - s)^T with a fixed shift s = mean of the first chunk to avoid cancellation,
Sum lam0 v, Sum lam0, Sum lam0^2). Memory is O(H^2 + chunk * (D + L + H)).

A multi-label CHMM (teacher fields lam0 in R^K) gives b (H, K) and rho (K, K) = E[lam0 lam0^T]; the
replica theory is binary-only, so there these serve the centring (``mean``) and diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chmm import CHMM, sample_hmm

__all__ = ["relu_features", "Population", "PopulationAccumulator", "estimate_population"]


def relu_features(X, W1, *, chunk: int = 8192) -> np.ndarray:
    """v = ReLU(X W1^T / D) as float32 (M, H); the matmul runs in float32, ``chunk`` rows at a time."""
    X = np.asarray(X)
    W1 = np.asarray(W1)
    if X.ndim != 2 or W1.ndim != 2 or X.shape[1] != W1.shape[1]:
        raise ValueError(f"X must be (M, D) and W1 (H, D), got {X.shape} and {W1.shape}")
    D = X.shape[1]
    Wt = np.ascontiguousarray((W1.astype(np.float64) / D).T, dtype=np.float32)  # (D, H), 1/D folded in
    out = np.empty((X.shape[0], W1.shape[0]), dtype=np.float32)
    for i in range(0, X.shape[0], chunk):
        np.matmul(X[i : i + chunk].astype(np.float32, copy=False), Wt, out=out[i : i + chunk])
    np.maximum(out, 0.0, out=out)
    return out


@dataclass(frozen=True, eq=False)  # eq=False: numpy fields; compare arrays explicitly
class Population:
    """Population statistics of the centred features (see module docstring)."""

    omega: np.ndarray
    b: np.ndarray
    rho: float | np.ndarray  # (K, K) for a multi-label teacher
    mean: np.ndarray
    n_samples: int

    def save(self, path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            np.savez(fh, omega=self.omega, b=self.b, rho=np.asarray(self.rho, np.float64), mean=self.mean,
                     n_samples=np.int64(self.n_samples))

    def require_binary(self, what: str) -> "Population":
        """Self, or a ValueError when the teacher is multi-label (the replica theory is binary-only)."""
        if np.ndim(self.rho):
            raise ValueError(f"{what} needs a binary teacher, but these statistics come from a "
                             f"multi-label CHMM ({np.shape(self.rho)[0]} classes, config key chmm.classes): "
                             "the replica theory covers binary classification only; multi-label "
                             "figures use simulations")
        return self

    @classmethod
    def load(cls, path) -> "Population":
        with np.load(Path(path)) as z:
            rho = z["rho"]
            return cls(omega=z["omega"], b=z["b"], rho=float(rho) if rho.ndim == 0 else rho, mean=z["mean"],
                       n_samples=int(z["n_samples"]))


class PopulationAccumulator:
    """Streaming float64 sums for ``Population``; feed (V, lam0) chunks with ``update``.

    lam0 is (m,) for a binary teacher, (m, K) with ``outputs=K`` for a multi-label one."""

    def __init__(self, H: int, outputs: int = 1):
        self.H = int(H)
        self.out = () if outputs == 1 else (int(outputs),)
        self.n = 0
        self.shift = None
        self.s_v = np.zeros(self.H)
        self.s_vv = np.zeros((self.H, self.H))  # Sum (v - shift)(v - shift)^T
        self.s_lv = np.zeros((self.H, *self.out))  # Sum lam0 (v - shift)
        self.s_l = np.zeros(self.out)
        self.s_ll = np.zeros(self.out * 2)

    def update(self, V, lam0) -> None:
        V = np.asarray(V)
        lam0 = np.asarray(lam0, dtype=np.float64)
        if V.ndim != 2 or V.shape[1] != self.H or lam0.shape != (V.shape[0], *self.out):
            raise ValueError(f"V must be (m, {self.H}) and lam0 {('m', *self.out)}, got {V.shape}, "
                             f"{lam0.shape}")
        if V.shape[0] == 0:
            return
        if self.shift is None:
            self.shift = V.mean(axis=0, dtype=np.float64)
        Vc = V.astype(np.float64) - self.shift
        self.n += V.shape[0]
        self.s_v += Vc.sum(axis=0)
        self.s_vv += Vc.T @ Vc  # numpy dispatches A^T A to syrk (float64)
        self.s_lv += Vc.T @ lam0
        self.s_l += lam0.sum(axis=0)
        self.s_ll += lam0.T @ lam0

    def finalize(self) -> Population:
        if self.n == 0:
            raise ValueError("no samples accumulated")
        n = self.n
        d = self.s_v / n  # mean - shift
        omega = self.s_vv / n - np.outer(d, d)
        omega = 0.5 * (omega + omega.T)
        b = self.s_lv / n - np.multiply.outer(d, self.s_l / n)  # = mean of lam0 (v - mean)
        rho = self.s_ll / n
        return Population(omega=omega, b=b, rho=float(rho) if rho.ndim == 0 else rho,
                          mean=self.shift + d, n_samples=n)


def estimate_population(chmm: CHMM, W1, *, n_samples: int, seed, chunk: int = 8192,
                        target: bool = True) -> Population:
    """Monte Carlo population statistics of v = relu_features(x, W1) under the target (or source) HMM.

    Sampling scheme (reproducible): rng = np.random.default_rng(seed); chunks of min(chunk, remaining)
    samples, each drawn with ``chmm.sample_target_latent(m, rng)`` (``sample_source_latent`` if
    target=False), in order.
    """
    n_samples = int(n_samples)
    if n_samples < 1:
        raise ValueError(f"n_samples must be >= 1, got {n_samples}")
    W1 = np.asarray(W1)
    if W1.ndim != 2 or W1.shape[1] != chmm.D:
        raise ValueError(f"W1 must be (H, {chmm.D}), got {W1.shape}")
    F, theta = (chmm.F_t, chmm.theta_t) if target else (chmm.F_s, chmm.theta_s)
    F32 = F.astype(np.float32)  # converted once, not per chunk
    rng = np.random.default_rng(seed)
    acc = PopulationAccumulator(W1.shape[0], chmm.n_outputs)
    done = 0
    while done < n_samples:
        m = min(chunk, n_samples - done)
        X, _, lam0 = sample_hmm(F32, theta, m, rng, return_latent=True)
        acc.update(relu_features(X, W1, chunk=chunk), lam0)
        done += m
    return acc.finalize()
