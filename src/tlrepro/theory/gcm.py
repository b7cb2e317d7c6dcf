"""Replica (saddle-point) solver of the Gaussian covariate model (GCM) for logistic regression.

Model (b-form of ``docs/theory-gcm.md``): features v ~ N(0, Omega) (H-dim), teacher field lambda0 with
E[lambda0^2] = rho and E[lambda0 v] = b, label y = sign(lambda0).  The estimator minimises the logistic
loss SUMMED over the M = alpha*H samples of (w . v / sqrt(H)) plus (lam/2)||w||^2.  With
b = Phi^T theta / sqrt(L) and mhat' = sqrt(gamma) mhat, gamma never appears.

Overlaps: V, q = w^T Omega w / H, m = b^T w / sqrt(H); test error arccos(m / sqrt(rho q)) / pi.

Numerics (why they are the way they are):
  * the spectrum of Omega is computed once (:func:`spectrum`) and shared by every alpha and lambda; the
    :class:`Spectrum` keeps the eigenvectors, so a new teacher b is projected on them without another
    eigendecomposition (:meth:`Spectrum.with_teacher`), and :func:`solve_gcm_grid` solves a whole
    (teacher, lambda, alpha) grid as one flat vectorised batch;
  * the xi-integral of the channel is split at 0 (the sign teacher makes Z0 jump there) and done by
    Gauss-Legendre on [-12, 0] and [0, 12]; only the y = +1 branch is evaluated, the y = -1 branch being
    its mirror image under xi -> -xi, so the sum over y is twice the y = +1 integral;
  * the logistic proximal point is found by Newton's method safeguarded by bisection in its bracket,
    warm-started from the previous outer iterate (plain Newton oscillates for V >~ 10);
  * the whole batch of points (the alphas of one line, or every (teacher, lambda, alpha) of a grid) is
    iterated at once, arrays of shape (n_points, n_nodes); every point has its own iterate and
    convergence flag, converged points are frozen, and rows never mix (a line solved inside a grid gives
    the same numbers as solved alone);
  * warm starts along alpha: alphas are solved in DECREASING order in a few chunks (``n_chunks``); each
    chunk is vectorised, and each of its points starts from the converged solution of the nearest
    already-solved (larger) alpha.  Large alpha converges fast from a generic start, and the hard region
    (small lambda, below the separability threshold, where V ~ 1/lambda and q ~ log^2(1/lambda)) is entered
    from its neighbour instead of from scratch;
  * the fixed-point map is damped on (V, q, m), optionally accelerated by Anderson mixing on
    (log V, log q, log m) with a fall-back to the damped step; the convergence test is RELATIVE.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Sequence

import numpy as np
from scipy import optimize, special

if TYPE_CHECKING:  # pragma: no cover
    import pandas

__all__ = [
    "COLD_START_HATS",
    "Spectrum",
    "GCMSolution",
    "GCMGridSolution",
    "SolverNotConverged",
    "GCMConvergenceWarning",
    "spectrum",
    "solve_gcm",
    "solve_gcm_grid",
    "separability_threshold",
    "logistic_prox",
    "default_n_quad",
]

_EPS = np.finfo(float).eps
_XI_MAX = 12.0  # Gaussian mass beyond 12 is ~1e-33: negligible
_SQRT2PI = math.sqrt(2.0 * math.pi)


class SolverNotConverged(RuntimeError):
    """Raised by ``solve_gcm(strict=True)`` when some alpha did not reach the tolerance."""


class GCMConvergenceWarning(RuntimeWarning):
    """Emitted when some alpha values did not converge (the solution flags them converged=False)."""


# --------------------------------------------------------------------------------------------------
# spectral data
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spectrum:
    """Spectral data of (Omega, b): eigenvalues omega_i >= 0, t_i = (u_i . b)^2 and teacher power rho.

    Computed once (O(H^3)) and shared by every alpha, lambda.  ``rank_rtol`` sets which eigenvalues are
    treated as zero (omega_i <= rank_rtol * max(omega)); the t_i on those are dropped by the solver, since
    b = E[lambda0 v] must lie in the range of Omega.

    ``basis`` (optional, H x H, columns = eigenvectors u_i, as made by :func:`spectrum`) lets a new teacher
    be projected without another eigendecomposition: :meth:`project`, :meth:`with_teacher`.
    """

    omega: np.ndarray
    t: np.ndarray
    rho: float
    rank_rtol: float = 1e-10
    basis: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        omega = np.asarray(self.omega, dtype=float).ravel()
        t = np.asarray(self.t, dtype=float).ravel()
        if omega.shape != t.shape:
            raise ValueError(f"Spectrum: omega has {omega.size} entries but t has {t.size}")
        if self.basis is not None:
            U = np.asarray(self.basis, dtype=float)
            if U.shape != (omega.size, omega.size):
                raise ValueError(f"Spectrum: basis must be {omega.size} x {omega.size}, got {U.shape}")
            object.__setattr__(self, "basis", U)
        if omega.size == 0:
            raise ValueError("Spectrum: empty spectrum (H = 0)")
        if not (np.all(np.isfinite(omega)) and np.all(np.isfinite(t))):
            raise ValueError("Spectrum: omega and t must be finite")
        if np.any(t < 0):
            raise ValueError("Spectrum: t_i = (u_i . b)^2 must be >= 0")
        omega = np.clip(omega, 0.0, None)
        if not np.any(omega > 0):
            raise ValueError("Spectrum: Omega is zero (no positive eigenvalue)")
        rho = float(self.rho)
        if not (np.isfinite(rho) and rho > 0):
            raise ValueError(f"Spectrum: rho must be > 0 (got {self.rho})")
        object.__setattr__(self, "omega", omega)
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "rho", rho)
        rho_p = self.rho_p
        if rho_p > rho * (1.0 + 1e-9):
            raise ValueError(
                f"rho = {rho:.6g} is smaller than the projected teacher power rho_p = b^T Omega^+ b = "
                f"{rho_p:.6g}: (Omega, b, rho) is not a valid covariance (E[lambda0^2] >= rho_p)"
            )

    @property
    def H(self) -> int:
        """Feature dimension (number of eigenvalues, zero ones included)."""
        return int(self.omega.size)

    @property
    def _pos(self) -> np.ndarray:
        return self.omega > self.rank_rtol * float(self.omega.max())

    @property
    def rank(self) -> int:
        """Numerical rank of Omega (eigenvalues above ``rank_rtol * max``)."""
        return int(np.count_nonzero(self._pos))

    @property
    def rho_p(self) -> float:
        """Projected teacher power b^T Omega^+ b = sum t_i / omega_i over the positive eigenvalues."""
        pos = self._pos
        return float(np.sum(self.t[pos] / self.omega[pos]))

    @property
    def t_range(self) -> np.ndarray:
        """t_i with the components on the null space of Omega set to zero (what the solver uses)."""
        return np.where(self._pos, self.t, 0.0)

    def project(self, b: np.ndarray) -> np.ndarray:
        """t = (U^T b)^2 for b of shape (H,) -> (H,), or a stack of teachers (n, H) -> (n, H).

        Uses the stored eigenvectors: O(H^2) per teacher, no eigendecomposition.
        """
        if self.basis is None:
            raise ValueError(
                "this Spectrum has no eigenvectors (basis=None): build it with spectrum(Omega, b, rho) to "
                "project new teachers"
            )
        bv = np.asarray(b, dtype=float)
        if bv.ndim not in (1, 2) or bv.shape[-1] != self.H:
            raise ValueError(f"shape mismatch: b must have shape ({self.H},) or (n, {self.H}), got {bv.shape}")
        if not np.all(np.isfinite(bv)):
            raise ValueError("b must be finite")
        return _project(self.basis, bv)

    def with_teacher(self, b: np.ndarray, rho: float) -> "Spectrum":
        """The Spectrum of (Omega, b, rho) for a new teacher, sharing this eigenbasis (no eigh)."""
        if np.ndim(b) != 1:
            raise ValueError(f"with_teacher takes one teacher b of shape ({self.H},), got shape {np.shape(b)}")
        return Spectrum(omega=self.omega, t=self.project(b), rho=rho, rank_rtol=self.rank_rtol, basis=self.basis)


def _project(U: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(U^T b)^2 for one teacher (H,), or row by row for (n, H): one matrix-vector product per teacher, so
    that each row is bit-for-bit the projection spectrum() computes for that teacher alone."""
    if b.ndim == 1:
        return (U.T @ b) ** 2
    return np.stack([(U.T @ row) ** 2 for row in b]) if b.shape[0] else np.zeros((0, U.shape[0]))


def spectrum(
    omega: np.ndarray,
    b: np.ndarray,
    rho: float,
    *,
    sym_rtol: float = 1e-8,
    neg_rtol: float = 1e-8,
    rank_rtol: float = 1e-10,
) -> Spectrum:
    """Eigendecompose Omega (H x H, symmetric PSD) and project b on its eigenvectors.

    Raises ValueError on a non-square or non-symmetric Omega, a b of the wrong shape, eigenvalues more
    negative than round-off (``-neg_rtol * max|omega|``), rho <= 0 or rho < rho_p.
    """
    Om = _check_square(omega)
    bv = np.asarray(b, dtype=float)
    H = Om.shape[0]
    if bv.ndim != 1 or bv.shape[0] != H:
        raise ValueError(f"shape mismatch: b must have shape ({H},) to match Omega, got {bv.shape}")
    if not (np.all(np.isfinite(Om)) and np.all(np.isfinite(bv))):
        raise ValueError("Omega and b must be finite")
    rho = float(rho)
    if not (np.isfinite(rho) and rho > 0):
        raise ValueError(f"rho must be > 0 (got {rho})")
    w, U = _eigh_checked(Om, sym_rtol=sym_rtol, neg_rtol=neg_rtol)
    t = _project(U, bv)
    return Spectrum(omega=w, t=t, rho=rho, rank_rtol=rank_rtol, basis=U)


def _check_square(omega: np.ndarray) -> np.ndarray:
    """Omega as a float array, or ValueError if it is not a square matrix."""
    Om = np.asarray(omega, dtype=float)
    if Om.ndim != 2 or Om.shape[0] != Om.shape[1]:
        raise ValueError(f"Omega must be a square H x H matrix, got shape {Om.shape}")
    return Om


def _eigh_checked(Om: np.ndarray, *, sym_rtol: float = 1e-8, neg_rtol: float = 1e-8):
    """(eigenvalues clipped at 0, eigenvectors) of a symmetric PSD Omega: the only O(H^3) step.

    ValueError on a zero or non-finite Omega, asymmetry beyond ``sym_rtol`` or an eigenvalue more negative
    than ``-neg_rtol * max|omega|``.
    """
    if not np.all(np.isfinite(Om)):
        raise ValueError("Omega must be finite")
    scale = float(np.max(np.abs(Om))) if Om.size else 0.0
    if scale == 0.0:
        raise ValueError("Omega is zero")
    asym = float(np.max(np.abs(Om - Om.T)))
    if asym > sym_rtol * scale:
        raise ValueError(f"Omega is not symmetric: max|Omega - Omega^T| = {asym:.3g} (scale {scale:.3g})")
    w, U = np.linalg.eigh(0.5 * (Om + Om.T))
    wmax = float(np.max(np.abs(w)))
    if w.min() < -neg_rtol * wmax:
        raise ValueError(
            f"Omega has a negative eigenvalue {w.min():.3g} beyond round-off (max |eigenvalue| {wmax:.3g}): "
            "not a covariance matrix"
        )
    return np.clip(w, 0.0, None), U


def _as_spectrum(omega_or_spectrum, b, rho) -> Spectrum:
    if isinstance(omega_or_spectrum, Spectrum):
        if b is not None or rho is not None:
            raise ValueError("pass either a Spectrum, or (Omega, b, rho); not a Spectrum together with b/rho")
        return omega_or_spectrum
    if b is None or rho is None:
        raise ValueError("b and rho are required when Omega is given as a matrix")
    return spectrum(omega_or_spectrum, b, rho)


# --------------------------------------------------------------------------------------------------
# proximal operator of the logistic loss
# --------------------------------------------------------------------------------------------------
def _prox_plus(w: np.ndarray, V: np.ndarray, z0: np.ndarray | None = None, max_iter: int = 200) -> np.ndarray:
    """Root z of g(z) = z - w - V sigma(-z) (y = +1 prox), vectorised; V broadcastable to w.

    Newton safeguarded by bisection inside the bracket [w, w + V], where g(w) < 0 < g(w + V); iterated
    until every step is below a few ulps (typically 3-6 iterations from a warm start).  The Newton
    step is accepted on the CLOSED bracket, and always when it is already below the achievable accuracy:
    the root can sit on a bracket end to round-off (z = w + V once sigma(-z) rounds to 1), and bisecting
    the still-wide bracket there throws the converged root away (50-70 bisection steps per call).
    Converged nodes are frozen, so each node's result does not depend on the rest of the batch.
    """
    w = np.asarray(w, dtype=float)
    V = np.broadcast_to(np.asarray(V, dtype=float), w.shape)
    lo = w.copy()
    hi = w + V
    if z0 is None:
        # one Newton step from the lower end of the bracket
        s = special.expit(-w)
        z = w + V * s / (1.0 + V * s * (1.0 - s))
    else:
        z = np.clip(z0, lo, hi)
    dx_old = hi - lo  # step sizes of the previous two iterations (rtsafe-style safeguard)
    dx = dx_old.copy()
    fixed = np.zeros(w.shape, dtype=bool)
    for _ in range(max_iter):
        sm = special.expit(-z)
        g = z - w - V * sm
        gp = 1.0 + V * sm * (1.0 - sm)
        pos = g > 0
        hi = np.where(pos, z, hi)
        lo = np.where(g < 0, z, lo)
        zn = z - g / gp
        # achievable absolute accuracy of the root: round-off of the terms of g, divided by g'
        acc = 2.0 * _EPS * (np.abs(z) + (np.abs(w) + V * sm) / gp + 1e-300)
        # bisect when Newton leaves the (closed: the root can be an end to round-off, e.g. z = w + V when
        # sigma(-z) rounds to 1) bracket or does not halve the step of two iterations ago,
        # unless the Newton step is already below the achievable accuracy (z is the root)
        bad = (~((zn >= lo) & (zn <= hi)) | (np.abs(zn - z) > 0.5 * np.abs(dx_old))) & (np.abs(zn - z) > acc)
        zn = np.where(bad, 0.5 * (lo + hi), zn)
        zn = np.where((g == 0.0) | fixed, z, zn)
        step = np.abs(zn - z)
        dx_old, dx = dx, step
        z = zn
        fixed |= (step <= acc) | (hi - lo <= acc)
        if np.all(fixed):
            break
    return z


def logistic_prox(omega: np.ndarray, V: np.ndarray | float, y: np.ndarray | float = 1.0) -> np.ndarray:
    """Proximal point z = argmin_z (z - omega)^2/(2V) + log(1 + exp(-y z)), for y in {+1, -1}.

    Uses z_{-1}(omega) = -z_{+1}(-omega).  Accurate to a few ulps for any V > 0.
    """
    om = np.asarray(omega, dtype=float)
    yv = np.asarray(y, dtype=float)
    Vv = np.asarray(V, dtype=float)
    if np.any(Vv <= 0):
        raise ValueError("V must be > 0")
    if not np.all(np.isin(yv, (-1.0, 1.0))):
        raise ValueError("y must be +1 or -1")
    om, Vv, yv = np.broadcast_arrays(om, Vv, yv)
    return yv * _prox_plus(yv * om, Vv)


# --------------------------------------------------------------------------------------------------
# quadrature
# --------------------------------------------------------------------------------------------------
def default_n_quad(lam: float) -> int:
    """Gauss-Legendre nodes PER HALF of the xi-line; more at small lambda where V ~ 1/lambda."""
    if lam <= 1e-6:
        return 400
    if lam <= 1e-3:
        return 250
    return 150


@functools.lru_cache(maxsize=32)
def _legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes/weights on [-1, 1], cached (read-only arrays)."""
    x, wl = special.roots_legendre(int(n))
    x.setflags(write=False)
    wl.setflags(write=False)
    return x, wl


def _xi_nodes(n_half: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and Gaussian-weighted weights on [-12, 0] U [0, 12] (n_half nodes each)."""
    x, wl = _legendre(int(n_half))
    xi_p = 0.5 * _XI_MAX * (x + 1.0)
    w_p = 0.5 * _XI_MAX * wl * np.exp(-0.5 * xi_p**2) / _SQRT2PI
    xi = np.concatenate([-xi_p[::-1], xi_p])
    wt = np.concatenate([w_p[::-1], w_p])
    return xi, wt


# --------------------------------------------------------------------------------------------------
# solution containers
# --------------------------------------------------------------------------------------------------
@dataclass
class _PointArrays:
    """The per-point arrays of a solution (shared by single curves and grids)."""

    alpha: np.ndarray
    lam: np.ndarray
    V: np.ndarray
    q: np.ndarray
    m: np.ndarray
    Vhat: np.ndarray
    qhat: np.ndarray
    mhat: np.ndarray
    test_error: np.ndarray
    train_loss: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    rel_change: np.ndarray


@dataclass
class GCMSolution(_PointArrays):
    """Fixed point for each alpha (arrays of shape (n_alpha,), in the order of the input alphas)."""

    rho: float = float("nan")
    rho_p: float = float("nan")
    n_quad: int = 0

    _COLUMNS: ClassVar[tuple[str, ...]] = (
        "alpha", "lam", "V", "q", "m", "Vhat", "qhat", "mhat",
        "test_error", "train_loss", "converged", "n_iter", "rel_change",
    )

    def to_frame(self) -> "pandas.DataFrame":
        """Tidy table: one row per alpha, one column per quantity (plus rho, rho_p, n_quad)."""
        import pandas as pd

        df = pd.DataFrame({c: np.asarray(getattr(self, c)) for c in self._COLUMNS})
        df["rho"] = self.rho
        df["rho_p"] = self.rho_p
        df["n_quad"] = self.n_quad
        return df


@dataclass
class GCMGridSolution(_PointArrays):
    """Fixed points of a (teacher, lambda, alpha) grid, as flat per-point arrays.

    Points are in C order of ``shape = (n_teachers, n_lams, n_alphas)`` (alpha fastest); ``teacher`` is
    the teacher's index, ``lam``/``alpha`` its values; rho, rho_p and n_quad are per point too.
    ``alphas`` / ``lams`` are the input grids.  :meth:`grid` reshapes a column to ``shape``,
    :meth:`line` extracts one (teacher, lambda) learning curve as a :class:`GCMSolution`.
    """

    teacher: np.ndarray
    rho: np.ndarray
    rho_p: np.ndarray
    n_quad: np.ndarray
    alphas: np.ndarray
    lams: np.ndarray

    _COLUMNS: ClassVar[tuple[str, ...]] = ("teacher",) + GCMSolution._COLUMNS + ("rho", "rho_p", "n_quad")

    @property
    def shape(self) -> tuple[int, int, int]:
        """(n_teachers, n_lams, n_alphas)."""
        return (self.teacher.size // (self.lams.size * self.alphas.size), self.lams.size, self.alphas.size)

    def grid(self, name: str) -> np.ndarray:
        """Column ``name`` reshaped to (n_teachers, n_lams, n_alphas)."""
        return np.asarray(getattr(self, name)).reshape(self.shape)

    def line(self, teacher: int, lam_index: int) -> GCMSolution:
        """The learning curve of one teacher at lams[lam_index] (alphas in input order)."""
        nt, nl, na = self.shape
        if not (0 <= teacher < nt and 0 <= lam_index < nl):
            raise IndexError(f"line ({teacher}, {lam_index}) outside the grid {self.shape[:2]}")
        s = slice((teacher * nl + lam_index) * na, (teacher * nl + lam_index + 1) * na)
        return GCMSolution(
            **{c: np.asarray(getattr(self, c))[s].copy() for c in GCMSolution._COLUMNS},
            rho=float(self.rho[s][0]), rho_p=float(self.rho_p[s][0]), n_quad=int(self.n_quad[s][0]),
        )

    def to_frame(self) -> "pandas.DataFrame":
        """Tidy table: one row per (teacher, lambda, alpha) point, one column per quantity."""
        import pandas as pd

        return pd.DataFrame({c: np.asarray(getattr(self, c)) for c in self._COLUMNS})


# --------------------------------------------------------------------------------------------------
# the two steps of the fixed-point map
# --------------------------------------------------------------------------------------------------
def _prior(sp_w: np.ndarray, sp_t: np.ndarray, lam, Vh, qh, mh):
    """(Vhat, qhat, mhat') -> (V, q, m), arrays of shape (n,).

    sp_t: (H,) shared by the batch or (n, H) per point; lam: scalar or (n,) per point.
    """
    H = sp_w.size
    lam_c = lam if np.ndim(lam) == 0 else np.asarray(lam)[:, None]
    den = lam_c + Vh[:, None] * sp_w[None, :]
    inv = 1.0 / den
    inv2 = inv * inv
    tt = np.atleast_2d(sp_t)
    V = (sp_w[None, :] * inv).sum(1) / H
    q = qh * ((sp_w**2)[None, :] * inv2).sum(1) / H + mh**2 * ((tt * sp_w) * inv2).sum(1)
    m = mh * (tt * inv).sum(1)
    return V, q, m


def _channel(alpha, V, q, m, rho, xi, wt, z_prev=None):
    """(V, q, m) -> (Vhat, qhat, mhat', train_loss, z); y=+1 branch over all xi, doubled (symmetry).

    alpha, V, q, m, rho: shape (n,) (rho may be a scalar); xi, wt: quadrature nodes/weights.
    """
    sq = np.sqrt(q)[:, None]
    V0 = np.maximum(rho - m**2 / q, 1e-14 * rho)[:, None]
    om = sq * xi[None, :]
    a = (m[:, None] / sq) * xi[None, :] / np.sqrt(V0)
    Z0 = special.ndtr(a)
    dZ0 = np.exp(-0.5 * a * a) / (_SQRT2PI * np.sqrt(V0))
    Vc = V[:, None]
    # warm start from the previous root: the first Newton step from it is the first-order update of the
    # root to the new (omega, V) (shifting it by the change of omega instead is poor when V l'' >> 1)
    z = _prox_plus(om, Vc, z_prev)
    f = special.expit(-z)  # (z - omega)/V at the root, for y = +1
    lpp = f * (1.0 - f)
    two_a = 2.0 * alpha
    Vh = two_a * (wt * Z0 * lpp / (1.0 + Vc * lpp)).sum(1)
    qh = two_a * (wt * Z0 * f * f).sum(1)
    mh = two_a * (wt * dZ0 * f).sum(1)
    tl = 2.0 * (wt * Z0 * np.logaddexp(0.0, -z)).sum(1)
    return Vh, qh, mh, tl, z


def _test_error(q, m, rho):
    c = np.clip(m / np.sqrt(rho * q), -1.0, 1.0)
    return np.arccos(c) / np.pi


def _solve_batch(sp_w, T, rho, lam, alpha, x0, xi, wt, tol, max_iter, damping, anderson):
    """Iterate a flat batch of points from starting points x0 = (V, q, m) (each shape (n,)).

    Every point has its own alpha, lam, rho (shape (n,)) and projections T (n, H); the rows never mix
    (the batch only shares array operations), so a point's result does not depend on its batch-mates
    beyond round-off.  Returns dict of arrays.  Converged points are frozen; unconverged points keep
    their last iterate.
    """
    n = alpha.size
    V, q, m = (np.array(a, dtype=float) for a in x0)
    Vh = np.zeros(n)
    qh = np.zeros(n)
    mh = np.zeros(n)
    tl = np.full(n, np.nan)
    conv = np.zeros(n, dtype=bool)
    dead = np.zeros(n, dtype=bool)
    nit = np.zeros(n, dtype=int)
    rel = np.full(n, np.inf)
    z = np.zeros((n, xi.size))
    have_z = False
    # Anderson history on y = log(V, q, m): residuals and iterates, shape (n, k, 3)
    mA = int(anderson)
    hist_x: list[np.ndarray] = []
    hist_f: list[np.ndarray] = []
    for it in range(1, max_iter + 1):
        act = np.flatnonzero(~(conv | dead))
        if act.size == 0:
            break
        rho_a = rho[act]
        Vh_a, qh_a, mh_a, tl_a, z_a = _channel(
            alpha[act], V[act], q[act], m[act], rho_a, xi, wt, z[act] if have_z else None
        )
        z[act] = z_a
        have_z = True
        Vn, qn, mn = _prior(sp_w, T[act], lam[act], Vh_a, qh_a, mh_a)
        Vh[act], qh[act], mh[act], tl[act] = Vh_a, qh_a, mh_a, tl_a
        xo = np.stack([V[act], q[act], m[act]], 1)
        xn = np.stack([Vn, qn, mn], 1)
        r = np.max(np.abs(xn - xo) / np.maximum(np.abs(xo), 1e-300), axis=1)
        r = np.where(np.isfinite(r), r, np.inf)
        rel[act] = r
        nit[act] = it
        done = r < tol
        # damped update (in the original variables)
        xd = (1.0 - damping) * xn + damping * xo
        if mA > 0:
            # Anderson mixing on log-variables, full batch (frozen rows are simply ignored)
            g_full = np.log(np.stack([V, q, m], 1))
            fx = np.zeros((n, 3))
            with np.errstate(all="ignore"):
                fx[act] = np.log(np.maximum(xn, 1e-300)) - np.log(xo)
            hist_x.append(g_full.copy())
            hist_f.append(fx)
            if len(hist_x) > mA + 1:
                hist_x.pop(0)
                hist_f.pop(0)
            if len(hist_x) >= 2:
                Xh = np.stack(hist_x, 1)[act]  # (na, k, 3)
                Fh = np.stack(hist_f, 1)[act]
                dF = np.diff(Fh, axis=1)  # (na, k-1, 3)
                dX = np.diff(Xh, axis=1)
                A = np.einsum("nid,njd->nij", dF, dF)
                rhs = np.einsum("nid,nd->ni", dF, Fh[:, -1])
                k1 = A.shape[1]
                reg = 1e-10 * (np.trace(A, axis1=1, axis2=2)[:, None, None] + 1e-300) * np.eye(k1)
                try:
                    gam = np.linalg.solve(A + reg, rhs[..., None])[..., 0]
                    beta = 1.0 - damping
                    ya = Xh[:, -1] + beta * Fh[:, -1] - np.einsum("ni,nid->nd", gam, dX + beta * dF)
                    with np.errstate(all="ignore"):
                        xa = np.exp(ya)
                        ok = np.all(np.isfinite(xa), axis=1) & (xa[:, 2] ** 2 < rho_a * xa[:, 1])
                    # keep the accelerated step within a factor e^2 of the damped one
                    ok &= np.all(np.abs(ya - np.log(xd)) < 2.0, axis=1)
                    xd = np.where(ok[:, None], xa, xd)
                except np.linalg.LinAlgError:
                    pass
        # guard V0 = rho - m^2/q > 0
        bad = xd[:, 2] ** 2 >= xd[:, 1] * rho_a * (1.0 - 1e-12)
        if np.any(bad):
            xd[bad, 2] = np.sqrt(xd[bad, 1] * rho_a[bad] * (1.0 - 1e-12)) * 0.999
        upd = act[~done]
        V[upd], q[upd], m[upd] = xd[~done, 0], xd[~done, 1], xd[~done, 2]
        # converged points: store the undamped fixed point (consistent with the stored hats)
        fin = act[done]
        V[fin], q[fin], m[fin] = xn[done, 0], xn[done, 1], xn[done, 2]
        conv[fin] = True
        blown = ~np.all(np.isfinite(xd), axis=1) & ~done
        if np.any(blown):
            # a blown-up point cannot recover: freeze it, report it unconverged
            dead[act[blown]] = True
            rel[act[blown]] = np.inf
    conv = conv & ~dead & np.isfinite(rel) & (rel < tol)
    return dict(V=V, q=q, m=m, Vh=Vh, qh=qh, mh=mh, tl=tl, conv=conv, nit=nit, rel=rel)


# hats (Vhat, qhat, mhat') = COLD_START_HATS * alpha: the generic starting point of every cold start
COLD_START_HATS: tuple[float, float, float] = (0.5, 0.2, 0.5)


def _initial_point(sp_w: np.ndarray, T: np.ndarray, lam, alpha: np.ndarray):
    """Generic start: prior step at hats proportional to alpha (T: (H,) or (n, H); lam: scalar or (n,))."""
    a = np.asarray(alpha, dtype=float)
    Vh, qh, mh = (c * a for c in COLD_START_HATS)
    return _prior(sp_w, T, lam, Vh, qh, mh)


_SOL_KEYS = ("V", "q", "m", "Vh", "qh", "mh", "tl", "rel")


def _solve_lines(sp_w, T, rho, lam, al, xi, wt, tol, max_iter, damping, anderson, n_chunks):
    """Solve n_lines alpha-lines (line i: projections T[i], rho[i], lam[i]) over the alphas ``al``.

    Alphas are taken in DECREASING order in ``n_chunks`` chunks; chunk k of EVERY line is one flat
    vectorised batch (n_lines * chunk size points).  Within a line, a chunk starts from the converged
    solution of that line's nearest (in log alpha) already-solved alpha, or from the generic point if
    the line has none.  Returns (dict of (n_lines, n_alpha) arrays, converged, n_iter).
    """
    nl, na = T.shape[0], al.size
    chunks = np.array_split(np.argsort(-al, kind="stable"), n_chunks)
    out = {k: np.full((nl, na), np.nan) for k in _SOL_KEYS}
    conv = np.zeros((nl, na), dtype=bool)
    nit = np.zeros((nl, na), dtype=int)
    log_al = np.log(al)
    solved = np.zeros(0, dtype=int)
    for ch in chunks:
        nc = ch.size
        li = np.repeat(np.arange(nl), nc)  # line of each flat point
        ai = np.tile(ch, nl)  # alpha index of each flat point
        T_p, rho_p, lam_p, a_p = T[li], rho[li], lam[li], al[ai]
        x0 = _initial_point(sp_w, T_p, lam_p, a_p)
        if solved.size:
            good = conv[:, solved]  # (nl, n_solved)
            dist = np.abs(log_al[ch][:, None] - log_al[solved][None, :])  # (nc, n_solved)
            dist = np.where(good[:, None, :], dist[None, :, :], np.inf)  # (nl, nc, n_solved)
            src = solved[np.argmin(dist, axis=2)].ravel()
            warm = np.repeat(good.any(axis=1), nc)
            x0 = tuple(np.where(warm, out[k][li, src], x) for k, x in zip(("V", "q", "m"), x0))
        res = _solve_batch(sp_w, T_p, rho_p, lam_p, a_p, x0, xi, wt, tol, max_iter, damping, anderson)
        for k in _SOL_KEYS:
            out[k][li, ai] = res[k]
        conv[li, ai] = res["conv"]
        nit[li, ai] = res["nit"]
        solved = np.concatenate([solved, ch])
    return out, conv, nit


# --------------------------------------------------------------------------------------------------
# argument checks shared by the solvers
# --------------------------------------------------------------------------------------------------
def _check_lam(lam: float) -> float:
    lam_f = float(lam)
    if not (np.isfinite(lam_f) and lam_f > 0):
        raise ValueError(f"lam must be > 0 (got {lam}); lam = 0 is not supported (q diverges below alpha*)")
    return lam_f


def _check_alphas(alphas) -> np.ndarray:
    al = np.atleast_1d(np.asarray(alphas, dtype=float))
    if al.ndim != 1 or al.size == 0:
        raise ValueError("alphas must be a non-empty 1-D sequence")
    if not np.all(np.isfinite(al)) or np.any(al <= 0):
        raise ValueError(f"alphas must be finite and > 0 (got min {np.min(al)})")
    return al


def _check_iteration(tol: float, max_iter: int, damping: float) -> None:
    if not (0.0 <= damping < 1.0):
        raise ValueError(f"damping must be in [0, 1) (got {damping})")
    if not (tol > 0):
        raise ValueError("tol must be > 0")
    if int(max_iter) < 1:
        raise ValueError("max_iter must be >= 1")


def _n_quad_for(lam: float, n_quad: int | None) -> int:
    nq = default_n_quad(lam) if n_quad is None else int(n_quad)
    if nq < 8:
        raise ValueError("n_quad must be >= 8")
    return nq


def _n_chunks_for(n_alpha: int, n_chunks: int | None) -> int:
    """Default: about one chunk per 10 alphas, at most 4."""
    if n_chunks is None:
        n_chunks = int(min(4, max(1, math.ceil(n_alpha / 10))))
    return int(max(1, min(n_chunks, n_alpha)))


def _report(msg: str, ok: bool, strict: bool) -> None:
    """Non-convergence: raise SolverNotConverged (strict) or warn GCMConvergenceWarning."""
    if ok:
        return
    if strict:
        raise SolverNotConverged(msg)
    warnings.warn(msg, GCMConvergenceWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------------
# public solvers
# --------------------------------------------------------------------------------------------------
def solve_gcm(
    omega_or_spectrum,
    b: np.ndarray | None = None,
    rho: float | None = None,
    *,
    alphas: Sequence[float] | np.ndarray | float,
    lam: float,
    tol: float = 1e-7,
    max_iter: int = 20000,
    damping: float = 0.5,
    n_quad: int | None = None,
    strict: bool = False,
    n_chunks: int | None = None,
    anderson: int = 5,
) -> GCMSolution:
    """Solve the replica fixed point for every alpha in ``alphas`` at ridge ``lam``.

    ``omega_or_spectrum`` is either a :class:`Spectrum` (then b, rho must be None) or the H x H matrix
    Omega (then b (H,) and rho are required).  ``n_quad`` = Gauss-Legendre nodes per half of the
    xi-line (default :func:`default_n_quad`).  ``n_chunks``: alphas are solved in decreasing order in
    this many vectorised chunks, each warm-started from the nearest larger solved alpha (default:
    about one chunk per 10 alphas, at most 4).  ``anderson``: Anderson depth (0 = plain damping).

    Non-convergence is reported: converged=False for those alphas and a GCMConvergenceWarning naming
    them; with ``strict=True`` a :class:`SolverNotConverged` is raised instead.
    """
    sp = _as_spectrum(omega_or_spectrum, b, rho)
    lam_f = _check_lam(lam)
    al = _check_alphas(alphas)
    _check_iteration(tol, max_iter, damping)
    nq = _n_quad_for(lam_f, n_quad)
    xi, wt = _xi_nodes(nq)
    rho_f = sp.rho
    n = al.size
    out, conv, nit = _solve_lines(
        sp.omega, sp.t_range[None, :], np.array([rho_f]), np.array([lam_f]), al, xi, wt, tol,
        int(max_iter), damping, anderson, _n_chunks_for(n, n_chunks),
    )
    out = {k: v[0] for k, v in out.items()}
    conv, nit = conv[0], nit[0]
    te = _test_error(out["q"], out["m"], rho_f)
    sol = GCMSolution(
        alpha=al.copy(), lam=np.full(n, lam_f), V=out["V"], q=out["q"], m=out["m"],
        Vhat=out["Vh"], qhat=out["qh"], mhat=out["mh"], test_error=te, train_loss=out["tl"],
        converged=conv, n_iter=nit, rel_change=out["rel"], rho=rho_f, rho_p=sp.rho_p, n_quad=nq,
    )
    bad = np.flatnonzero(~conv)
    _report(
        f"solve_gcm: {bad.size} of {n} alpha values did not converge (lam={lam_f:g}, tol={tol:g}, "
        f"max_iter={max_iter}): alpha = {np.array2string(al[bad], precision=4, separator=', ')}; "
        f"last relative change = {np.array2string(out['rel'][bad], precision=3, separator=', ')}",
        bad.size == 0, strict,
    )
    return sol


def _teacher_spectra(sp_or_omega, bs, rhos) -> list[Spectrum]:
    """One Spectrum per target teacher, all sharing ONE eigendecomposition of Omega.

    A Spectrum with bs=None: its own teacher.  A Spectrum with bs: the teachers projected on its stored
    eigenvectors (no eigh).  A matrix Omega: bs and rhos required, Omega eigendecomposed once.
    """
    is_sp = isinstance(sp_or_omega, Spectrum)
    if is_sp and bs is None:
        if rhos is not None:
            raise ValueError("rhos given without bs: pass the teachers bs together with their rhos")
        return [sp_or_omega]
    if bs is None or rhos is None:
        raise ValueError("bs and rhos are required when Omega is given as a matrix, rhos when bs is given")
    Om = None if is_sp else _check_square(sp_or_omega)
    H = sp_or_omega.H if is_sp else Om.shape[0]
    B = np.asarray(bs, dtype=float)
    B = B[None, :] if B.ndim == 1 else B
    if B.ndim != 2 or B.shape[1] != H or B.shape[0] == 0:
        raise ValueError(f"shape mismatch: bs must have shape (n_teachers, {H}) (or ({H},)), got {np.shape(bs)}")
    R = np.asarray(rhos, dtype=float)
    if R.ndim > 1 or (R.ndim == 1 and R.size != B.shape[0]):
        raise ValueError(f"rhos must be a scalar or have one entry per teacher ({B.shape[0]}), got shape {R.shape}")
    R = np.broadcast_to(R, (B.shape[0],))
    if is_sp:
        w, U, rank_rtol = sp_or_omega.omega, sp_or_omega.basis, sp_or_omega.rank_rtol
        T = sp_or_omega.project(B)  # ValueError if this Spectrum has no eigenvectors
    else:
        if not np.all(np.isfinite(B)):
            raise ValueError("bs must be finite")
        w, U = _eigh_checked(Om)
        rank_rtol = Spectrum.rank_rtol  # the default, as in spectrum()
        T = _project(U, B)
    return [Spectrum(omega=w, t=T[i], rho=float(R[i]), rank_rtol=rank_rtol, basis=U) for i in range(B.shape[0])]


def solve_gcm_grid(
    sp_or_omega,
    bs: np.ndarray | Sequence[np.ndarray] | None = None,
    rhos: float | Sequence[float] | np.ndarray | None = None,
    *,
    alphas: Sequence[float] | np.ndarray | float,
    lams: Sequence[float] | np.ndarray | float,
    tol: float = 1e-7,
    max_iter: int = 20000,
    damping: float = 0.5,
    n_quad: int | None = None,
    strict: bool = False,
    n_chunks: int | None = None,
    anderson: int = 5,
) -> GCMGridSolution:
    """Solve a whole (teacher, lambda, alpha) grid that shares one Omega, with ONE eigendecomposition.

    ``sp_or_omega``: the H x H matrix Omega (eigendecomposed once here), or a :class:`Spectrum` from
    :func:`spectrum` (no eigendecomposition at all: teachers are projected on its stored eigenvectors;
    with bs=None its own teacher is used).  ``bs``: target teachers b = E[lambda0 v], shape
    (n_teachers, H) or a list of (H,) arrays; ``rhos``: their E[lambda0^2], a scalar or one per teacher.

    Every (teacher, lambda) pair is a line along alpha, solved exactly as :func:`solve_gcm` would (same
    tolerance, damping, Anderson, chunked warm starts along alpha, default n_quad per lambda), but all
    lines sharing a quadrature size are iterated together as one flat vectorised batch per alpha chunk.
    Convergence is per point (relative change of (V, q, m) below ``tol``); non-convergence is reported
    as in :func:`solve_gcm`.  Returns a :class:`GCMGridSolution` (``.to_frame()`` for a tidy table).
    """
    sps = _teacher_spectra(sp_or_omega, bs, rhos)
    lam_arr = np.atleast_1d(np.asarray(lams, dtype=float))
    if lam_arr.ndim != 1 or lam_arr.size == 0:
        raise ValueError("lams must be a non-empty 1-D sequence")
    lam_arr = np.array([_check_lam(x) for x in lam_arr])
    al = _check_alphas(alphas)
    _check_iteration(tol, max_iter, damping)
    nt, nl, na = len(sps), lam_arr.size, al.size
    w = sps[0].omega
    T_t = np.stack([s.t_range for s in sps])
    rho_t = np.array([s.rho for s in sps])
    rho_p_t = np.array([s.rho_p for s in sps])
    line_t = np.repeat(np.arange(nt), nl)  # lines in C order of (teacher, lambda)
    line_l = np.tile(np.arange(nl), nt)
    nq_line = np.array([_n_quad_for(lam_arr[j], n_quad) for j in line_l], dtype=int)
    out = {k: np.full((nt * nl, na), np.nan) for k in _SOL_KEYS}
    conv = np.zeros((nt * nl, na), dtype=bool)
    nit = np.zeros((nt * nl, na), dtype=int)
    n_ch = _n_chunks_for(na, n_chunks)
    for nq in np.unique(nq_line):
        sel = np.flatnonzero(nq_line == nq)
        xi, wt = _xi_nodes(int(nq))
        o, c, it = _solve_lines(
            w, T_t[line_t[sel]], rho_t[line_t[sel]], lam_arr[line_l[sel]], al, xi, wt, tol, int(max_iter),
            damping, anderson, n_ch,
        )
        for k in _SOL_KEYS:
            out[k][sel] = o[k]
        conv[sel], nit[sel] = c, it
    rep = na  # per-line quantities repeated over alpha
    rho_pt = np.repeat(rho_t[line_t], rep)
    flat = {k: v.ravel() for k, v in out.items()}
    sol = GCMGridSolution(
        teacher=np.repeat(line_t, rep), alpha=np.tile(al, nt * nl), lam=np.repeat(lam_arr[line_l], rep),
        V=flat["V"], q=flat["q"], m=flat["m"], Vhat=flat["Vh"], qhat=flat["qh"], mhat=flat["mh"],
        test_error=_test_error(flat["q"], flat["m"], rho_pt), train_loss=flat["tl"],
        converged=conv.ravel(), n_iter=nit.ravel(), rel_change=flat["rel"], rho=rho_pt,
        rho_p=np.repeat(rho_p_t[line_t], rep), n_quad=np.repeat(nq_line, rep), alphas=al.copy(),
        lams=lam_arr.copy(),
    )
    bad = np.flatnonzero(~sol.converged)
    shown = ", ".join(
        f"({sol.teacher[i]}, {sol.lam[i]:g}, {sol.alpha[i]:.4g})" for i in bad[:10]
    ) + (", ..." if bad.size > 10 else "")
    _report(
        f"solve_gcm_grid: {bad.size} of {sol.alpha.size} points did not converge (tol={tol:g}, "
        f"max_iter={max_iter}): (teacher, lam, alpha) = {shown}",
        bad.size == 0, strict,
    )
    return sol


# --------------------------------------------------------------------------------------------------
# separability threshold
# --------------------------------------------------------------------------------------------------
def _G(c: np.ndarray) -> np.ndarray:
    """G(c) = E_Z[(Z - c)_+^2] = (1 + c^2) Q(c) - c phi(c)."""
    return (1.0 + c * c) * special.ndtr(-c) - c * np.exp(-0.5 * c * c) / _SQRT2PI


def _dG(c: np.ndarray) -> np.ndarray:
    """G'(c) = -2 E[(Z - c)_+] = -2 (phi(c) - c Q(c))."""
    return -2.0 * (np.exp(-0.5 * c * c) / _SQRT2PI - c * special.ndtr(-c))


def separability_threshold(
    omega_or_spectrum,
    b: np.ndarray | None = None,
    rho: float | None = None,
    *,
    units: str = "H",
    n_quad: int = 400,
) -> float:
    """Separability (interpolation) threshold alpha* of the data (Gardner / Candes-Sur, no intercept).

    1/alpha*_r = min_{t>=0} E_s[P(s) G(t s) + (1 - P(s)) G(-t s)], P(s) = Phi(s sqrt(rho_p/(rho-rho_p))),
    counts samples per effective dimension r = rank(Omega).  ``units="H"`` (default) returns M*/H =
    alpha*_r * rank/H, directly comparable with the alpha of :func:`solve_gcm` (equal to alpha*_r when
    Omega is non-singular); ``units="rank"`` returns alpha*_r.  Returns np.inf when rho_p >= rho(1-1e-12)
    (a noiseless teacher inside the feature span: always separable).
    """
    sp = _as_spectrum(omega_or_spectrum, b, rho)
    if units not in ("H", "rank"):
        raise ValueError(f"units must be 'H' or 'rank' (got {units!r})")
    rho_f, rho_p = sp.rho, sp.rho_p
    if rho_p >= rho_f * (1.0 - 1e-12):
        return float("inf")
    kappa = math.sqrt(rho_p / (rho_f - rho_p))
    # s-quadrature on [0, 12] (by s -> -s symmetry, E[P G(ts) + (1-P) G(-ts)] = 2 E[P(s) G(t s)])
    x, wl = _legendre(int(n_quad))
    s_p = 0.5 * _XI_MAX * (x + 1.0)
    w_p = 0.5 * _XI_MAX * wl * np.exp(-0.5 * s_p**2) / _SQRT2PI
    s = np.concatenate([-s_p, s_p])
    ws = np.concatenate([w_p, w_p])
    P = special.ndtr(kappa * s)

    def f(tt: float) -> float:
        return float(2.0 * np.sum(ws * P * _G(tt * s)))

    def df(tt: float) -> float:
        return float(2.0 * np.sum(ws * P * s * _dG(tt * s)))

    if rho_p <= 0.0:
        inv = f(0.0)  # = 1/2: Cover's alpha* = 2
    else:
        # f is convex in t with f'(0) < 0: bracket the root of f' and solve it
        hi = 1.0
        while df(hi) < 0.0 and hi < 1e8:
            hi *= 2.0
        if df(hi) < 0.0:
            inv = f(hi)
        else:
            tstar = optimize.brentq(df, 0.0, hi, xtol=1e-14, rtol=1e-13)
            inv = f(tstar)
    if inv <= 0.0:
        return float("inf")
    a_r = 1.0 / inv
    if units == "rank":
        return float(a_r)
    return float(a_r * sp.rank / sp.H)
