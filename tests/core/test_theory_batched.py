"""Tests of the batched replica solver (solve_gcm_grid), Spectrum reuse and the reference solver."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.linalg

from tlrepro.theory import (
    GCMConvergenceWarning,
    SolverNotConverged,
    Spectrum,
    separability_threshold,
    solve_gcm,
    solve_gcm_grid,
    solve_gcm_reference,
    spectrum,
)

H = 60


def _two_teachers(seed: int = 3):
    """Omega = A A^T and two teachers b_k = A beta_k (rho_p,k = |beta_k|^2) with their own rho_k.

    Generative model as in test_theory_gcm: v = A g, lambda0_k = beta_k . g + noise, so that
    E[v v^T] = Omega, E[lambda0_k v] = b_k, E[lambda0_k^2] = rho_k >= rho_p,k.
    """
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((H, H)) / np.sqrt(H) + np.eye(H)
    bs, rhos = [], []
    for proj, rho in ((0.5, 1.3), (0.2, 0.9)):
        beta = rng.standard_normal(H)
        beta *= np.sqrt(proj * rho) / np.linalg.norm(beta)
        bs.append(A @ beta)
        rhos.append(rho)
    return A @ A.T, np.stack(bs), np.array(rhos)


# ------------------------------------------------------------------ batched == solve_gcm, line by line
def test_grid_equals_solve_gcm_per_line():
    """Every (teacher, lambda) line of the grid is what solve_gcm gives for it, same tolerance.

    The rows of a batch never mix, so in practice the lines agree bit for bit; the test allows 1e-12.
    """
    Om, bs, rhos = _two_teachers()
    sp = spectrum(Om, bs[0], rhos[0])
    alphas = np.geomspace(0.2, 10.0, 12)
    lams = np.array([1e-7, 1e-2])  # two quadrature sizes (400 and 250 nodes per half)
    g = solve_gcm_grid(sp, bs, rhos, alphas=alphas, lams=lams)
    assert g.shape == (2, 2, 12)
    assert g.converged.all()
    for i in range(2):
        sp_i = sp.with_teacher(bs[i], rhos[i])
        for j, lam in enumerate(lams):
            ref = solve_gcm(sp_i, alphas=alphas, lam=lam)
            line = g.line(i, j)
            np.testing.assert_array_equal(line.alpha, alphas)
            np.testing.assert_array_equal(line.converged, ref.converged)
            np.testing.assert_array_equal(line.n_iter, ref.n_iter)
            for name in ("V", "q", "m", "Vhat", "qhat", "mhat", "test_error", "train_loss"):
                np.testing.assert_allclose(getattr(line, name), getattr(ref, name), rtol=1e-12, atol=0,
                                           err_msg=f"{name}, teacher {i}, lam {lam:g}")
            assert (line.rho, line.rho_p, line.n_quad) == (ref.rho, ref.rho_p, ref.n_quad)


def test_grid_own_teacher_and_matrix_input():
    """bs=None uses the Spectrum's own teacher; Omega as a matrix gives the same numbers."""
    Om, bs, rhos = _two_teachers()
    sp = spectrum(Om, bs[1], rhos[1])
    al = np.array([0.5, 3.0])
    own = solve_gcm_grid(sp, alphas=al, lams=1e-3)
    mat = solve_gcm_grid(Om, bs[1], rhos[1], alphas=al, lams=[1e-3])
    one = solve_gcm(sp, alphas=al, lam=1e-3)
    for s in (own, mat):
        assert s.shape == (1, 1, 2)
        np.testing.assert_allclose(s.test_error, one.test_error, rtol=1e-12, atol=0)


# ------------------------------------------------------------------ batched == reference solver
def test_grid_agrees_with_reference_solver():
    """Default grid settings vs the reference (adaptive quad, plain damping, tol 1e-9): |d eps_g| < 1e-6.

    Two teachers, two lambdas (one small: V ~ 1/lambda below alpha*), alphas below and above each
    teacher's separability threshold alpha*.
    """
    Om, bs, rhos = _two_teachers()
    sp = spectrum(Om, bs[0], rhos[0])
    lams = np.array([1e-5, 1e-1])
    a_star = np.array([separability_threshold(sp.with_teacher(b, r)) for b, r in zip(bs, rhos)])
    factors = np.array([0.5, 2.0])  # below / above alpha*
    assert np.all(a_star > 2.0)
    for i in range(2):
        al = a_star[i] * factors
        g = solve_gcm_grid(sp, bs[i:i + 1], rhos[i:i + 1], alphas=al, lams=lams)
        assert g.converged.all()
        sp_i = sp.with_teacher(bs[i], rhos[i])
        for j, lam in enumerate(lams):
            line = g.line(0, j)
            for k, a in enumerate(al):
                r = solve_gcm_reference(sp_i, alpha=a, lam=lam)
                assert r.converged, (i, lam, a, r.rel_change)
                assert abs(r.test_error - line.test_error[k]) < 1e-6, (i, lam, a, r.test_error, line.test_error[k])
                assert abs(r.train_loss - line.train_loss[k]) < 1e-6 * max(1.0, r.train_loss)


def test_reference_reports_nonconvergence():
    Om, bs, rhos = _two_teachers()
    r = solve_gcm_reference(Om, bs[0], rhos[0], alpha=1.0, lam=1e-3, max_iter=4)
    assert not r.converged and r.n_iter == 4 and r.rel_change >= 1e-9
    with pytest.raises(ValueError, match="alpha"):
        solve_gcm_reference(Om, bs[0], rhos[0], alpha=-1.0, lam=1e-3)
    with pytest.raises(ValueError, match="lam"):
        solve_gcm_reference(Om, bs[0], rhos[0], alpha=1.0, lam=0.0)


# ------------------------------------------------------------------ per-point convergence flags
def test_grid_per_point_convergence_flags():
    """A max_iter that the lambda = 1 line meets and the lambda = 1e-7 line (below alpha*) does not."""
    Om, bs, rhos = _two_teachers()
    sp = spectrum(Om, bs[0], rhos[0])
    al = np.array([0.5, 1.0, 8.0])
    lams = [1.0, 1e-7]
    full = solve_gcm_grid(sp, bs, rhos, alphas=al, lams=lams)
    assert full.converged.all()
    max_it = 20
    assert np.all(full.grid("n_iter")[:, 0] <= max_it)  # lambda = 1 converges within max_it ...
    assert np.any(full.grid("n_iter")[:, 1] > max_it)  # ... lambda = 1e-7 needs more (below alpha*)
    with pytest.warns(GCMConvergenceWarning, match=r"solve_gcm_grid: \d+ of 12 points did not converge"):
        s = solve_gcm_grid(sp, bs, rhos, alphas=al, lams=lams, max_iter=max_it)
    expect = full.n_iter <= max_it
    np.testing.assert_array_equal(s.converged, expect)
    assert np.all(s.rel_change[s.converged] < 1e-7)
    assert np.all(s.rel_change[~s.converged] >= 1e-7)
    assert np.all(s.n_iter[~s.converged] == max_it)
    # the converged points are untouched by their unconverged batch-mates
    np.testing.assert_array_equal(s.test_error[expect], full.test_error[expect])
    df = s.to_frame()
    assert df["converged"].tolist() == expect.tolist()
    with pytest.raises(SolverNotConverged, match=r"\(teacher, lam, alpha\)"):
        solve_gcm_grid(sp, bs, rhos, alphas=al, lams=lams, max_iter=max_it, strict=True)


# ------------------------------------------------------------------ one eigendecomposition
_EIG_NAMES = ("eigh", "eigvalsh", "eig", "svd")


@pytest.fixture
def eig_calls(monkeypatch):
    """Count every eigen/singular-value decomposition through numpy.linalg and scipy.linalg."""
    calls: list[str] = []
    for mod, prefix in ((np.linalg, "numpy"), (scipy.linalg, "scipy")):
        for name in _EIG_NAMES:
            orig = getattr(mod, name)

            def counted(*a, _orig=orig, _name=f"{prefix}.{name}", **k):
                calls.append(_name)
                return _orig(*a, **k)

            monkeypatch.setattr(mod, name, counted)
    return calls


def test_one_eigendecomposition_for_all_teachers_and_lambdas(eig_calls):
    Om, bs, rhos = _two_teachers()
    kw = dict(alphas=[0.5, 4.0], lams=[1e-1, 1e-3])
    g = solve_gcm_grid(Om, bs, rhos, **kw)  # matrix in: exactly one eigh for 2 teachers x 2 lambdas
    assert eig_calls == ["numpy.eigh"]
    assert g.converged.all()
    eig_calls.clear()
    sp = spectrum(Om, bs[0], rhos[0])
    assert eig_calls == ["numpy.eigh"]
    eig_calls.clear()
    g2 = solve_gcm_grid(sp, bs, rhos, **kw)  # Spectrum in: no eigendecomposition at all
    sp1 = sp.with_teacher(bs[1], rhos[1])
    solve_gcm(sp1, alphas=[0.5, 4.0], lam=1e-3)
    separability_threshold(sp1)
    assert eig_calls == []
    np.testing.assert_array_equal(g2.test_error, g.test_error)


def test_spectrum_reuse():
    """with_teacher / project reuse the eigenbasis and equal a fresh spectrum() bit for bit."""
    Om, bs, rhos = _two_teachers()
    sp = spectrum(Om, bs[0], rhos[0])
    fresh = spectrum(Om, bs[1], rhos[1])
    sp1 = sp.with_teacher(bs[1], rhos[1])
    np.testing.assert_array_equal(sp1.t, fresh.t)
    np.testing.assert_array_equal(sp1.omega, fresh.omega)
    assert sp1.basis is sp.basis and sp1.rho == rhos[1]
    assert sp1.rho_p == pytest.approx(fresh.rho_p, rel=1e-14)
    np.testing.assert_array_equal(sp.project(bs), np.stack([sp.t, sp1.t]))
    bare = Spectrum(omega=sp.omega, t=sp.t, rho=sp.rho)
    with pytest.raises(ValueError, match="eigenvectors"):
        bare.project(bs[1])
    with pytest.raises(ValueError, match="rho_p"):
        sp.with_teacher(bs[0], 0.4 * rhos[0])


# ------------------------------------------------------------------ container and inputs
def test_grid_frame_and_bad_inputs():
    Om, bs, rhos = _two_teachers()
    sp = spectrum(Om, bs[0], rhos[0])
    al = np.array([4.0, 0.5, 1.0])
    g = solve_gcm_grid(sp, list(bs), rhos, alphas=al, lams=[1e-2, 1e-1])
    df = g.to_frame()
    assert len(df) == 12
    assert {"teacher", "alpha", "lam", "test_error", "train_loss", "converged", "n_iter", "rho", "rho_p",
            "n_quad"} <= set(df.columns)
    assert df.groupby(["teacher", "lam"]).size().tolist() == [3] * 4
    np.testing.assert_array_equal(g.grid("alpha")[1, 0], al)  # input order kept
    np.testing.assert_array_equal(g.grid("rho")[:, 0, 0], rhos)
    with pytest.raises(IndexError):
        g.line(2, 0)
    kw = dict(alphas=[1.0], lams=1e-2)
    with pytest.raises(ValueError, match="shape"):
        solve_gcm_grid(sp, bs[:, :-1], rhos, **kw)
    with pytest.raises(ValueError, match="rhos"):
        solve_gcm_grid(sp, bs, [1.0, 1.0, 1.0], **kw)
    with pytest.raises(ValueError, match="rho_p"):
        solve_gcm_grid(sp, bs, 0.1, **kw)
    with pytest.raises(ValueError, match="required"):
        solve_gcm_grid(Om, **kw)
    with pytest.raises(ValueError, match="lam"):
        solve_gcm_grid(sp, bs, rhos, alphas=[1.0], lams=[1e-2, 0.0])
    with pytest.raises(ValueError, match="alphas"):
        solve_gcm_grid(sp, bs, rhos, alphas=[-1.0], lams=1e-2)
    with pytest.raises(ValueError, match="eigenvectors"):
        solve_gcm_grid(Spectrum(omega=sp.omega, t=sp.t, rho=sp.rho), bs, rhos, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GCMConvergenceWarning)
        solve_gcm_grid(sp, bs, rhos, **kw)
