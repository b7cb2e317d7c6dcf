"""Tests of the replica solver of the Gaussian covariate model (tlrepro.theory.gcm)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.special import expit

from tlrepro.theory import (
    GCMConvergenceWarning,
    SolverNotConverged,
    Spectrum,
    logistic_prox,
    separability_threshold,
    solve_gcm,
    spectrum,
)


def _random_model(H: int = 60, proj: float = 0.3, seed: int = 0):
    """A non-trivial (Omega, b, rho) from an explicit generative model.

    v = A g with g ~ N(0, I_H); lambda0 = beta . g + sqrt(rho - |beta|^2) z.  Then Omega = A A^T,
    b = E[lambda0 v] = A beta, rho_p = b^T Omega^-1 b = |beta|^2 = proj * rho.
    """
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((H, H)) / np.sqrt(H) + np.eye(H)
    beta = rng.standard_normal(H)
    rho = 1.3
    beta *= np.sqrt(proj * rho) / np.linalg.norm(beta)
    return A, beta, A @ A.T, A @ beta, rho


# ------------------------------------------------------------------ invariances
def test_invariance_teacher_scale():
    """theta -> c theta, i.e. (b, rho) -> (c b, c^2 rho): the sign labels, hence eps_g, are unchanged."""
    _, _, Om, b, rho = _random_model(H=50, proj=0.4)
    al = np.array([0.5, 2.0, 6.0])
    ref = solve_gcm(Om, b, rho, alphas=al, lam=1e-2, tol=1e-11)
    assert ref.converged.all()
    for c in (0.1, 7.0):
        s = solve_gcm(Om, c * b, c**2 * rho, alphas=al, lam=1e-2, tol=1e-11)
        assert s.converged.all()
        np.testing.assert_allclose(s.test_error, ref.test_error, atol=1e-6, rtol=0)


def test_invariance_feature_scale():
    """(Omega, b, lam) -> (c^2 Omega, c b, c^2 lam): w -> w/c gives the same predictor and objective."""
    _, _, Om, b, rho = _random_model(H=50, proj=0.4, seed=1)
    al = np.array([0.5, 2.0, 6.0])
    ref = solve_gcm(Om, b, rho, alphas=al, lam=1e-3, tol=1e-11)
    for c in (0.2, 5.0):
        s = solve_gcm(c**2 * Om, c * b, rho, alphas=al, lam=c**2 * 1e-3, tol=1e-11)
        assert s.converged.all()
        np.testing.assert_allclose(s.test_error, ref.test_error, atol=1e-6, rtol=0)


# ------------------------------------------------------------------ separability threshold
def test_threshold_cover_when_teacher_invisible():
    """b = 0: labels independent of the features, Cover's alpha* = 2 for any non-singular Omega."""
    _, _, Om, _, rho = _random_model(H=40)
    assert separability_threshold(Om, np.zeros(40), rho) == pytest.approx(2.0, rel=1e-10)


def test_threshold_monotone_and_infinite():
    """alpha* grows with the projected teacher power rho_p and is infinite when rho_p = rho."""
    H = 30
    Om = np.diag(np.linspace(0.5, 2.0, H))
    e = np.zeros(H)
    e[3] = 1.0
    om3 = Om[3, 3]
    vals = []
    for proj in (0.0, 0.2, 0.5, 0.8, 0.95, 0.99):
        b = np.sqrt(proj * om3) * e  # rho_p = b^2 / omega_3 = proj
        sp = spectrum(Om, b, 1.0)
        assert sp.rho_p == pytest.approx(proj, abs=1e-12)
        vals.append(separability_threshold(sp))
    assert vals[0] == pytest.approx(2.0, rel=1e-10)
    assert np.all(np.diff(vals) > 0), vals
    assert separability_threshold(Om, np.sqrt(om3) * e, 1.0) == np.inf


def test_threshold_units_with_singular_omega():
    """Singular Omega: alpha* counts samples per rank; in units of H it is scaled by rank/H."""
    H, r = 40, 25
    rng = np.random.default_rng(3)
    B = rng.standard_normal((H, r))
    Om = B @ B.T / r
    sp = spectrum(Om, np.zeros(H), 1.0)
    assert sp.rank == r
    assert separability_threshold(sp, units="rank") == pytest.approx(2.0, rel=1e-10)
    assert separability_threshold(sp) == pytest.approx(2.0 * r / H, rel=1e-10)


def _separable(X: np.ndarray, y: np.ndarray) -> bool:
    """LP feasibility of y_mu w . x_mu >= 1 for all mu (strict linear separability, no intercept)."""
    res = linprog(
        np.zeros(X.shape[1]), A_ub=-(y[:, None] * X), b_ub=-np.ones(y.size), bounds=(None, None),
        method="highs",
    )
    return res.status == 0


def test_threshold_matches_linear_programming():
    """Fraction of separable sampled data sets crosses 1/2 around alpha* (H = 50).

    Tolerance: at finite H the separable probability goes from 1 to 0 over a window of relative width
    ~ 1/sqrt(2H) around alpha* (exact for Cover's case, where P(separable) = P(Bin(M-1, 1/2) < H) ~
    Phi(-delta sqrt(2H)) at M = alpha*(1+delta) H).  We test at alpha*(1 -/+ delta) with
    delta = 2.5/sqrt(2H) = 0.25, where the separable fraction should be ~0.95 / ~0.02; with 40 draws
    each, the probability of landing on the wrong side of 1/2 by chance is < 1e-6.
    """
    H = 50
    A, beta, Om, b, rho = _random_model(H=H, proj=0.5, seed=4)
    a_star = separability_threshold(Om, b, rho)
    assert 2.0 < a_star < 5.0
    rng = np.random.default_rng(11)
    delta = 2.5 / np.sqrt(2 * H)
    n_draw = 40
    fracs = []
    for f in (1 - delta, 1 + delta):
        M = int(round(f * a_star * H))
        ok = 0
        for _ in range(n_draw):
            g = rng.standard_normal((M, H))
            lam0 = g @ beta + np.sqrt(rho - beta @ beta) * rng.standard_normal(M)
            ok += _separable(g @ A.T, np.sign(lam0))
        fracs.append(ok / n_draw)
    assert fracs[0] > 0.5 > fracs[1], (a_star, fracs)


# ------------------------------------------------------------------ simulation
def test_agrees_with_sklearn_simulation():
    """Plain teacher-student: Omega = I_H, b = sqrt(rho_p) u (|u| = 1), rho > rho_p.

    Exact generative model of (Omega, b, rho): v ~ N(0, I_H), lambda0 = sqrt(rho_p) u.v + sqrt(rho - rho_p) z,
    y = sign(lambda0); indeed E[v v^T] = I, E[lambda0 v] = b, E[lambda0^2] = rho.  Fit
    LogisticRegression(C=1/lam) on V/sqrt(H) (summed loss + lam/2 |w|^2) and compute the exact test error
    from the overlaps m = b.w/sqrt(H), q = |w|^2/H.  Theory within 3 standard errors of the seed mean.
    """
    from sklearn.linear_model import LogisticRegression

    H, rho, rho_p, lam, n_seeds = 200, 1.0, 0.8, 0.05, 16
    rng = np.random.default_rng(0)
    u = rng.standard_normal(H)
    u /= np.linalg.norm(u)
    b = np.sqrt(rho_p) * u
    sp = spectrum(np.eye(H), b, rho)
    alphas = np.array([0.5, 2.0, 8.0])  # alpha* ~ 4.14
    th = solve_gcm(sp, alphas=alphas, lam=lam)
    assert th.converged.all()
    for a, eps_th in zip(alphas, th.test_error):
        M = int(a * H)
        errs = []
        for seed in range(n_seeds):
            r = np.random.default_rng(1000 + seed)
            X = r.standard_normal((M, H))
            y = np.sign(np.sqrt(rho_p) * X @ u + np.sqrt(rho - rho_p) * r.standard_normal(M))
            clf = LogisticRegression(C=1.0 / lam, fit_intercept=False, tol=1e-7, max_iter=10000)
            w = clf.fit(X / np.sqrt(H), y).coef_.ravel()
            m, q = b @ w / np.sqrt(H), w @ w / H
            errs.append(np.arccos(m / np.sqrt(rho * q)) / np.pi)
        errs = np.asarray(errs)
        se = errs.std(ddof=1) / np.sqrt(n_seeds)
        assert abs(errs.mean() - eps_th) < 3 * se, (a, eps_th, errs.mean(), se)


# ------------------------------------------------------------------ replica-specific checks
def test_train_loss_vanishes_below_threshold():
    """At small lambda the training loss -> 0 below alpha* (data separable) and stays > 0 above."""
    _, _, Om, b, rho = _random_model(H=60, proj=0.5, seed=2)
    a_star = separability_threshold(Om, b, rho)
    al = a_star * np.array([0.3, 0.7, 1.4, 3.0])
    s = solve_gcm(Om, b, rho, alphas=al, lam=1e-7)
    assert s.converged.all()
    assert np.all(s.train_loss[:2] < 1e-4), s.train_loss
    assert np.all(s.train_loss[2:] > 1e-2), s.train_loss
    # below the threshold V ~ 1/lambda (and q grows like log^2(1/lambda): max-margin limit); finite above
    assert np.all(s.V[:2] > 1e3 * s.V[2:].max()), s.V
    assert np.all(s.q[:2] > 10 * s.q[2:].max()), s.q


@pytest.mark.parametrize("lam", [1e-7, 1e-3, 1.0])
def test_quadrature_converged(lam):
    """Doubling the number of Gauss-Legendre nodes changes eps_g by < 1e-8 (default n_quad)."""
    _, _, Om, b, rho = _random_model(H=60, proj=0.3, seed=5)
    sp = spectrum(Om, b, rho)
    al = np.array([0.3, 1.5, 3.0, 10.0])
    s1 = solve_gcm(sp, alphas=al, lam=lam, tol=1e-12)
    s2 = solve_gcm(sp, alphas=al, lam=lam, tol=1e-12, n_quad=2 * s1.n_quad)
    assert s1.converged.all() and s2.converged.all()
    assert np.max(np.abs(s1.test_error - s2.test_error)) < 1e-8


@pytest.mark.parametrize("V", [1e-3, 1.0, 10.0, 1e4, 1e7])
def test_prox_residual_machine_precision(V):
    """z = prox solves g(z) = z - omega - V y sigma(-y z) = 0 to machine precision, for y = +-1.

    Backward error: |g(z)| <= 8 eps (|z| + |omega| + V sigma + g'(z)|z|), the round-off of evaluating g
    near the root (g' = 1 + V l'' amplifies the last-ulp uncertainty of z); forward error: g changes
    sign within a few ulps of z (plus the round-off of the terms of g, divided by g').
    """
    eps = np.finfo(float).eps
    om = np.concatenate([-np.logspace(-4, 4, 200), [0.0], np.logspace(-4, 4, 200)])
    for y in (1.0, -1.0):
        z = logistic_prox(om, V, y)

        def g(zz):
            return zz - om - y * V * expit(-y * zz)

        pull = V * expit(-y * z)
        gp = 1.0 + V * expit(z) * expit(-z)
        scale = np.abs(z) + np.abs(om) + pull + gp * np.abs(z)
        assert np.all(np.abs(g(z)) <= 8 * eps * scale), np.max(np.abs(g(z)) / scale) / eps
        up = z + 4 * np.spacing(np.abs(z)) + 4 * eps * (np.abs(om) + pull) / gp
        dn = z - 4 * np.spacing(np.abs(z)) - 4 * eps * (np.abs(om) + pull) / gp
        assert np.all(g(dn) <= 0) and np.all(g(up) >= 0)
        # inside the bracket [min(omega, omega + yV), max(...)]
        assert np.all(z >= np.minimum(om, om + y * V)) and np.all(z <= np.maximum(om, om + y * V))


def test_prox_symmetry():
    om = np.linspace(-20, 20, 41)
    np.testing.assert_allclose(logistic_prox(om, 3.0, -1.0), -logistic_prox(-om, 3.0, 1.0), rtol=0, atol=0)


# ------------------------------------------------------------------ non-convergence
def test_nonconvergence_reported_and_strict():
    _, _, Om, b, rho = _random_model(H=40, proj=0.4, seed=6)
    al = np.array([0.5, 2.0, 8.0])
    with pytest.warns(GCMConvergenceWarning, match=r"did not converge.*alpha"):
        s = solve_gcm(Om, b, rho, alphas=al, lam=1e-6, max_iter=3)
    assert not s.converged.all()
    assert np.all(s.n_iter[~s.converged] == 3)
    assert np.all(s.rel_change[~s.converged] >= 1e-7)
    with pytest.raises(SolverNotConverged, match=r"alpha = \[.*0\.5"):
        solve_gcm(Om, b, rho, alphas=al, lam=1e-6, max_iter=3, strict=True)
    # with enough iterations: converged, and no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", GCMConvergenceWarning)
        s = solve_gcm(Om, b, rho, alphas=al, lam=1e-6)
    assert s.converged.all()


def test_solution_order_and_frame():
    _, _, Om, b, rho = _random_model(H=30, seed=7)
    al = np.array([3.0, 0.5, 10.0, 1.0])
    s = solve_gcm(Om, b, rho, alphas=al, lam=1e-2)
    np.testing.assert_array_equal(s.alpha, al)
    assert np.all(np.diff(s.test_error[np.argsort(al)]) < 0)  # learning curve decreases with alpha
    df = s.to_frame()
    assert len(df) == 4 and {"alpha", "test_error", "train_loss", "converged", "n_iter"} <= set(df.columns)


# ------------------------------------------------------------------ input validation
def test_bad_inputs():
    _, _, Om, b, rho = _random_model(H=20, proj=0.5, seed=8)
    kw = dict(alphas=[1.0], lam=1e-2)
    with pytest.raises(ValueError, match="shape"):
        solve_gcm(Om, b[:-1], rho, **kw)
    with pytest.raises(ValueError, match="square"):
        solve_gcm(Om[:, :-1], b, rho, **kw)
    Om_ns = Om.copy()
    Om_ns[0, 1] += 0.1
    with pytest.raises(ValueError, match="symmetric"):
        solve_gcm(Om_ns, b, rho, **kw)
    with pytest.raises(ValueError, match="negative eigenvalue"):
        solve_gcm(Om - 2 * np.eye(20) * np.linalg.eigvalsh(Om).max(), b, rho, **kw)
    with pytest.raises(ValueError, match="lam"):
        solve_gcm(Om, b, rho, alphas=[1.0], lam=0.0)
    with pytest.raises(ValueError, match="alphas"):
        solve_gcm(Om, b, rho, alphas=[1.0, -2.0], lam=1e-2)
    with pytest.raises(ValueError, match="rho must be > 0"):
        solve_gcm(Om, b, 0.0, **kw)
    with pytest.raises(ValueError, match="rho_p"):
        solve_gcm(Om, b, 0.4 * rho, **kw)  # rho_p = 0.5 rho > 0.4 rho
    with pytest.raises(ValueError, match="rho_p"):
        separability_threshold(Om, b, 0.4 * rho)
    sp = spectrum(Om, b, rho)
    with pytest.raises(ValueError, match="either a Spectrum"):
        solve_gcm(sp, b, rho, **kw)
    with pytest.raises(ValueError, match="omega has"):
        Spectrum(omega=np.ones(3), t=np.ones(4), rho=1.0)
