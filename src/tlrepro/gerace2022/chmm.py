"""Correlated hidden-manifold model (CHMM), Gerace et al. 2022, section 2.1, eqs. (1)-(5).

A hidden-manifold model (HMM) is a pair (F, theta), F in R^{L x D}, theta in R^L. A sample is

    c ~ N(0, I_L),   x = ReLU(c F / sqrt(L)),   lam0 = c . theta / sqrt(L),   y = sign(lam0)

(eq. 1; sign(0) is mapped to +1, a measure-zero event). The CHMM couples a source HMM (F_s, theta_s)
with a target HMM (F_t, theta_t) obtained from the source by

* eqs. (4)-(5), latent-dimension change L_t != L_s: the first min(L_s, L_t) rows of F_t / components
  of theta_t are copied from the source, the rest are fresh N(0, 1);
* eq. (2), feature perturbation (eta) and substitution (rho): the first round(rho * L_shared) shared
  rows are replaced by fresh Gaussians, the remaining shared rows become eta F_s + sqrt(1 - eta^2) F~;
* eq. (3), teacher perturbation (q): shared components theta_t = q theta_s + sqrt(1 - q^2) theta~.

All transformations are applied together by one generator (seeded by ``seed``). When L_t != L_s the
copy of eqs. (4)-(5) is applied first and eta / rho / q then act on the shared part only
(L_shared = min(L_s, L_t) rows / components; for L_t == L_s this is exactly the paper's round(rho L_s)).
Fresh rows / components beyond L_shared are untouched by eta / rho / q (they are already independent).

Multi-label CHMM (appendix B): with ``classes=K`` the teachers are (L, K) matrices, one column per
class; a sample's label is the index of the largest coordinate of the teacher field c theta / sqrt(L)
(an integer in 0..K-1), and eqs. (2)-(5) act on every column alike. Binary models keep 1-D teachers and
labels in {-1, +1}; ``n_outputs`` (1 or K) tells the two apart downstream.

Order of the random draws in ``make_chmm`` (fixed, so a seed reproduces a model bit-for-bit):
F_s (L_s x D), theta_s (L_s[, K]), F~ (L_shared x D), theta~ (L_shared[, K]), fresh rows
(L_t - L_shared x D, only if L_t > L_s), fresh teacher components (L_t - L_shared[, K], only if L_t > L_s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CHMM", "make_chmm", "sample_hmm"]


def _as_rng(rng) -> np.random.Generator:
    """Accept an int seed, a SeedSequence or a Generator (returned as is)."""
    return np.random.default_rng(rng)


def sample_hmm(F, theta, M: int, rng, *, return_latent: bool = False):
    """Draw M samples of the HMM (F, theta), paper eq. (1).

    Returns ``(X, y)`` with X (M, D) float32 and y (M,) float32 in {-1, +1}; with
    ``return_latent=True`` returns ``(X, y, lam0)`` where lam0 = c . theta / sqrt(L) (float64) is the
    teacher field (y = sign(lam0)). The latent vectors c are drawn in float32 (one (M, L) block from
    ``rng``); the product c F is computed in float32, the teacher field in float64.
    A multi-label teacher theta (L, K) gives lam0 (M, K) and y = argmax(lam0) (int64 in 0..K-1).
    """
    F = np.asarray(F)
    theta = np.asarray(theta, dtype=np.float64)
    if F.ndim != 2 or theta.ndim not in (1, 2) or theta.shape[0] != F.shape[0]:
        raise ValueError(f"F must be (L, D) and theta (L,) or (L, K), got {F.shape} and {theta.shape}")
    M = int(M)
    if M < 0:
        raise ValueError(f"M must be >= 0, got {M}")
    rng = _as_rng(rng)
    L = F.shape[0]
    c = rng.standard_normal((M, L), dtype=np.float32)
    X = c @ (F.astype(np.float32, copy=False) * np.float32(1.0 / np.sqrt(L)))
    np.maximum(X, 0.0, out=X)
    lam0 = (c.astype(np.float64) @ theta) / np.sqrt(L)
    if theta.ndim == 2:
        y = np.argmax(lam0, axis=1).astype(np.int64)
    else:
        y = np.where(lam0 >= 0.0, 1.0, -1.0).astype(np.float32)
    if return_latent:
        return X, y, lam0
    return X, y


@dataclass(frozen=True, eq=False)  # eq=False: numpy fields; compare arrays explicitly
class CHMM:
    """Source and target HMMs: F_s (L_s, D), theta_s (L_s,), F_t (L_t, D), theta_t (L_t,), float64.

    Multi-label models have teachers theta_s (L_s, K) and theta_t (L_t, K)."""

    F_s: np.ndarray
    theta_s: np.ndarray
    F_t: np.ndarray
    theta_t: np.ndarray

    def __post_init__(self):
        if self.F_s.ndim != 2 or self.F_t.ndim != 2 or self.F_s.shape[1] != self.F_t.shape[1]:
            raise ValueError(f"F_s, F_t must be 2-D with equal D, got {self.F_s.shape}, {self.F_t.shape}")
        for name, F, theta in (("s", self.F_s, self.theta_s), ("t", self.F_t, self.theta_t)):
            if theta.ndim not in (1, 2) or theta.shape[0] != F.shape[0]:
                raise ValueError(f"theta_{name} must have shape ({F.shape[0]},) or ({F.shape[0]}, K), "
                                 f"got {theta.shape}")
        if self.theta_s.shape[1:] != self.theta_t.shape[1:]:
            raise ValueError(f"source and target teachers must have the same number of outputs, got "
                             f"{self.theta_s.shape} and {self.theta_t.shape}")

    @property
    def D(self) -> int:
        return int(self.F_s.shape[1])

    @property
    def L_s(self) -> int:
        return int(self.F_s.shape[0])

    @property
    def L_t(self) -> int:
        return int(self.F_t.shape[0])

    @property
    def n_outputs(self) -> int:
        """1 for the binary model (labels +-1), K for the multi-label model (labels 0..K-1)."""
        return 1 if self.theta_s.ndim == 1 else int(self.theta_s.shape[1])

    def sample_source(self, M: int, rng):
        """(X (M, D) float32, y (M,) float32 in {-1, +1}) from the source HMM."""
        return sample_hmm(self.F_s, self.theta_s, M, rng)

    def sample_target(self, M: int, rng):
        """(X, y) from the target HMM."""
        return sample_hmm(self.F_t, self.theta_t, M, rng)

    def sample_source_latent(self, M: int, rng):
        """(X, y, lam0) from the source HMM, lam0 = c . theta_s / sqrt(L_s)."""
        return sample_hmm(self.F_s, self.theta_s, M, rng, return_latent=True)

    def sample_target_latent(self, M: int, rng):
        """(X, y, lam0) from the target HMM, lam0 = c . theta_t / sqrt(L_t) (the teacher field)."""
        return sample_hmm(self.F_t, self.theta_t, M, rng, return_latent=True)

    # The task protocol shared with ``image_tasks.FiniteTask`` (what the training and simulation code
    # needs from a source/target pair): source sets, target training sets and target test batches.
    def source_sets(self, M: int, M_val: int, instance: int):
        """(X, y, X_val, y_val) for source training: fresh draws keyed by the instance."""
        from ..seeding import rng

        X, y = self.sample_source(M, rng(instance, "source-train"))
        Xv, yv = self.sample_source(M_val, rng(instance, "source-val"))
        return X, y, Xv, yv

    def source_test(self, n: int, instance: int):
        """(X, y): n fresh source samples to report the source network's test error."""
        from ..seeding import rng

        return self.sample_source(n, rng(instance, "source-test"))

    def train_set(self, M: int, rng):
        """(X, y): M fresh target samples."""
        return self.sample_target(M, rng)

    def test_batches(self, n_test: int, rng, chunk: int = 8192):
        """Yield (X, y) target batches of at most ``chunk`` fresh samples, n_test in all."""
        done = 0
        while done < n_test:
            m = min(chunk, n_test - done)
            yield self.sample_target(m, rng)
            done += m

    def save(self, path) -> None:
        """Write the four arrays to an .npz file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            np.savez(fh, F_s=self.F_s, theta_s=self.theta_s, F_t=self.F_t, theta_t=self.theta_t)

    @classmethod
    def load(cls, path) -> "CHMM":
        with np.load(Path(path)) as z:
            return cls(F_s=z["F_s"], theta_s=z["theta_s"], F_t=z["F_t"], theta_t=z["theta_t"])


def _check_unit(name: str, value: float) -> float:
    value = float(value)
    if not (0.0 <= value <= 1.0):  # also rejects NaN
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return value


def _check_size(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def make_chmm(*, D: int, L_s: int, L_t: int, eta: float, rho: float, q: float, seed,
              classes: int | None = None) -> CHMM:
    """Build a CHMM (see the module docstring for the exact construction and draw order).

    eta = 1, rho = 0, q = 1, L_t = L_s gives identical source and target (F_t == F_s exactly).
    classes=None: the binary model of the main text; classes=K >= 2: the multi-label model (appendix B).
    """
    D = _check_size("D", D)
    L_s = _check_size("L_s", L_s)
    L_t = _check_size("L_t", L_t)
    eta = _check_unit("eta", eta)
    rho = _check_unit("rho", rho)
    q = _check_unit("q", q)
    if classes is not None and (_check_size("classes", classes) < 2):
        raise ValueError(f"classes must be >= 2 (or None for the binary model), got {classes}")
    out = () if classes is None else (int(classes),)  # trailing teacher shape
    rng = _as_rng(seed)

    F_s = rng.standard_normal((L_s, D))
    theta_s = rng.standard_normal((L_s, *out))

    L_sh = min(L_s, L_t)
    F_tilde = rng.standard_normal((L_sh, D))
    theta_tilde = rng.standard_normal((L_sh, *out))

    # eq. (2) on the shared rows
    n_sub = int(round(rho * L_sh))
    F_shared = eta * F_s[:L_sh] + np.sqrt(1.0 - eta**2) * F_tilde
    F_shared[:n_sub] = F_tilde[:n_sub]
    # eq. (3) on the shared components
    theta_shared = q * theta_s[:L_sh] + np.sqrt(1.0 - q**2) * theta_tilde

    # eqs. (4)-(5): fresh rows / components beyond the shared block
    if L_t > L_sh:
        F_t = np.concatenate([F_shared, rng.standard_normal((L_t - L_sh, D))], axis=0)
        theta_t = np.concatenate([theta_shared, rng.standard_normal((L_t - L_sh, *out))])
    else:
        F_t, theta_t = F_shared, theta_shared
    return CHMM(F_s=F_s, theta_s=theta_s, F_t=F_t, theta_t=theta_t)
