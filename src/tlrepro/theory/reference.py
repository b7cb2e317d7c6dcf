"""Reference solver of the GCM replica equations: one point at a time, plain numerics.

It solves the same equations as :func:`tlrepro.theory.gcm.solve_gcm` (``docs/theory-gcm.md``, b-form,
logistic loss, sign teacher) with deliberately independent numerics, so that the two can cross-check
each other, and it is the baseline of the fast solvers' speed claim (benchmarks/bench_solver_grid.py):

  * one (alpha, lambda) point per call; no warm start: every solve starts from the generic point
    (hats = ``COLD_START_HATS`` * alpha, then the prior step), as the fast solver's cold start does;
  * plain damped fixed-point iteration x <- (1 - d) x_new + d x_old on (V, q, m), no acceleration, with
    the same RELATIVE convergence test;
  * xi-integrals by QUADPACK adaptive quadrature (scipy.integrate.quad) on (-inf, 0] and [0, inf) (split
    at the jump of Z0 at xi = 0), instead of fixed Gauss-Legendre nodes on [-12, 12];
  * the proximal point by Brent's method (scipy.optimize.brentq) in its bracket [omega, omega + V],
    one scalar at a time, memoised within a channel step (the hat integrands share their nodes);
  * prior sums as plain dot products over the eigenvalues of Omega.

Shared with the fast solver: the equations, the y -> -y symmetry (sum over y = twice the y = +1 term),
f = sigma(-z) for (z - omega)/V at the root, and the argument checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize

from .gcm import COLD_START_HATS, _as_spectrum, _check_iteration, _check_lam

__all__ = ["ReferenceSolution", "solve_gcm_reference"]

_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
_EPS = float(np.finfo(float).eps)


@dataclass
class ReferenceSolution:
    """Fixed point at one (alpha, lambda); n_prox counts scalar prox solves (the unit of work)."""

    alpha: float
    lam: float
    V: float
    q: float
    m: float
    Vhat: float
    qhat: float
    mhat: float
    test_error: float
    train_loss: float
    converged: bool
    n_iter: int
    rel_change: float
    rho: float
    rho_p: float
    n_prox: int


def _sigmoid(x: float) -> float:
    """1 / (1 + e^{-x}) without overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _prox_plus(omega: float, V: float) -> float:
    """y = +1 logistic prox: the root of z - omega - V sigma(-z), increasing in z, in [omega, omega + V]."""
    lo, hi = omega, omega + V

    def g(z: float) -> float:
        return z - omega - V * _sigmoid(-z)

    if g(lo) >= 0.0:  # V sigma(-omega) underflows: the root is omega itself
        return lo
    if g(hi) <= 0.0:
        return hi
    return optimize.brentq(g, lo, hi, xtol=1e-14, rtol=4.0 * _EPS, maxiter=500)


def _prior(w: np.ndarray, t: np.ndarray, lam: float, Vh: float, qh: float, mh: float):
    """(Vhat, qhat, mhat') -> (V, q, m): sums over the eigenvalues w_i of Omega, t_i = (u_i . b)^2."""
    d = lam + Vh * w
    H = w.size
    V = float(np.sum(w / d)) / H
    q = qh * float(np.sum((w / d) ** 2)) / H + mh * mh * float(np.dot(t, w / (d * d)))
    m = mh * float(np.dot(t, 1.0 / d))
    return V, q, m


def _gauss_integral(fun, epsabs: float, epsrel: float, limit: int) -> float:
    """E_xi[fun(xi)], xi ~ N(0, 1), by adaptive quadrature on (-inf, 0] and [0, inf)."""

    def integrand(x: float) -> float:
        return math.exp(-0.5 * x * x) * _INV_SQRT2PI * fun(x)

    kw = dict(epsabs=epsabs, epsrel=epsrel, limit=limit)
    return integrate.quad(integrand, -np.inf, 0.0, **kw)[0] + integrate.quad(integrand, 0.0, np.inf, **kw)[0]


class _Channel:
    """The channel step at fixed (V, q, m): hats and training loss as Gaussian integrals over xi."""

    def __init__(self, V: float, q: float, m: float, rho: float):
        self.V, self.sq = V, math.sqrt(q)
        V0 = max(rho - m * m / q, 1e-14 * rho)  # > 0 by Cauchy-Schwarz; guard round-off only
        self.k = m / (self.sq * math.sqrt(V0))  # Z0 = Phi(k xi)
        self.dz_norm = _INV_SQRT2PI / math.sqrt(V0)
        self._z: dict[float, float] = {}

    def z(self, xi: float) -> float:
        """Proximal point at omega = sqrt(q) xi (memoised: the integrands share their nodes)."""
        z = self._z.get(xi)
        if z is None:
            z = self._z[xi] = _prox_plus(self.sq * xi, self.V)
        return z

    def Z0(self, xi: float) -> float:
        return 0.5 * math.erfc(-self.k * xi / math.sqrt(2.0))

    def vhat(self, xi: float) -> float:
        f = _sigmoid(-self.z(xi))
        lpp = f * (1.0 - f)
        return self.Z0(xi) * lpp / (1.0 + self.V * lpp)

    def qhat(self, xi: float) -> float:
        f = _sigmoid(-self.z(xi))
        return self.Z0(xi) * f * f

    def mhat(self, xi: float) -> float:
        a = self.k * xi
        return math.exp(-0.5 * a * a) * self.dz_norm * _sigmoid(-self.z(xi))

    def loss(self, xi: float) -> float:
        z = self.z(xi)
        return self.Z0(xi) * (max(-z, 0.0) + math.log1p(math.exp(-abs(z))))


def solve_gcm_reference(
    omega_or_spectrum,
    b: np.ndarray | None = None,
    rho: float | None = None,
    *,
    alpha: float,
    lam: float,
    tol: float = 1e-9,
    max_iter: int = 20000,
    damping: float = 0.5,
    epsabs: float = 1e-14,
    epsrel: float = 1e-11,
    limit: int = 200,
) -> ReferenceSolution:
    """Solve the replica fixed point at ONE (alpha, lambda) by plain damped iteration from a cold start.

    Arguments as :func:`~tlrepro.theory.gcm.solve_gcm` (a Spectrum, or Omega with b and rho); ``epsabs``,
    ``epsrel`` and ``limit`` go to every scipy.integrate.quad call.  Stops when the relative change of
    (V, q, m) is below ``tol`` (converged=True) or after ``max_iter`` iterations (converged=False).
    """
    sp = _as_spectrum(omega_or_spectrum, b, rho)
    lam_f = _check_lam(lam)
    a = float(alpha)
    if not (np.isfinite(a) and a > 0):
        raise ValueError(f"alpha must be finite and > 0 (got {alpha})")
    _check_iteration(tol, max_iter, damping)
    w, t, rho_f = sp.omega, sp.t_range, sp.rho
    quad_kw = dict(epsabs=epsabs, epsrel=epsrel, limit=limit)

    x = _prior(w, t, lam_f, *(c * a for c in COLD_START_HATS))
    hats = (math.nan, math.nan, math.nan)
    rel, it, converged, n_prox = math.inf, 0, False, 0
    for it in range(1, int(max_iter) + 1):
        ch = _Channel(*x, rho_f)
        hats = tuple(2.0 * a * _gauss_integral(fn, **quad_kw) for fn in (ch.vhat, ch.qhat, ch.mhat))
        n_prox += len(ch._z)
        x_new = _prior(w, t, lam_f, *hats)
        rel = max(abs(xn - xo) / abs(xo) for xn, xo in zip(x_new, x))
        if not math.isfinite(rel):
            break
        if rel < tol:
            x, converged = x_new, True
            break
        x = tuple((1.0 - damping) * xn + damping * xo for xn, xo in zip(x_new, x))
    V, q, m = x
    ch = _Channel(V, q, m, rho_f)  # the training loss at the returned point
    train_loss = 2.0 * _gauss_integral(ch.loss, **quad_kw)
    n_prox += len(ch._z)
    test_error = math.acos(min(1.0, max(-1.0, m / math.sqrt(rho_f * q)))) / math.pi
    return ReferenceSolution(
        alpha=a, lam=lam_f, V=V, q=q, m=m, Vhat=hats[0], qhat=hats[1], mhat=hats[2], test_error=test_error,
        train_loss=train_loss, converged=converged, n_iter=it, rel_change=rel, rho=rho_f, rho_p=sp.rho_p,
        n_prox=n_prox,
    )
