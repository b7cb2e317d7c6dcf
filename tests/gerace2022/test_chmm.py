"""Tests of the CHMM generator (tlrepro.gerace2022.chmm), gerace2022 eqs. 1-5.

Statistical tolerances are multiples of the standard error (SE) stated next to each check; seeds are
fixed, so the tests are deterministic, but they fail if the construction is wrong.
"""

import numpy as np
import pytest

from tlrepro.gerace2022.chmm import CHMM, make_chmm, sample_hmm

BASE = dict(D=60, L_s=30, L_t=30, eta=0.7, rho=0.2, q=0.8)


def _row_corr(A, B):
    A = A - A.mean(axis=1, keepdims=True)
    B = B - B.mean(axis=1, keepdims=True)
    return (A * B).sum(1) / np.sqrt((A * A).sum(1) * (B * B).sum(1))


def test_same_seed_identical_different_seed_differs():
    a, b, c = make_chmm(**BASE, seed=3), make_chmm(**BASE, seed=3), make_chmm(**BASE, seed=4)
    for name in ("F_s", "theta_s", "F_t", "theta_t"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        assert not np.array_equal(getattr(a, name), getattr(c, name))
    Xa, ya = a.sample_target(100, 7)
    Xb, yb = b.sample_target(100, np.random.default_rng(7))
    np.testing.assert_array_equal(Xa, Xb)
    np.testing.assert_array_equal(ya, yb)
    assert not np.array_equal(Xa, a.sample_target(100, 8)[0])


@pytest.mark.parametrize("L_s,L_t", [(30, 45), (45, 30), (30, 30)])
def test_shapes_and_dtypes(L_s, L_t):
    m = make_chmm(**{**BASE, "L_s": L_s, "L_t": L_t}, seed=0)
    assert (m.D, m.L_s, m.L_t) == (60, L_s, L_t)
    assert m.F_s.shape == (L_s, 60) and m.F_t.shape == (L_t, 60)
    assert m.theta_s.shape == (L_s,) and m.theta_t.shape == (L_t,)
    X, y, lam = m.sample_target_latent(50, 0)
    assert X.shape == (50, 60) and X.dtype == np.float32 and (X >= 0).all()
    assert y.shape == (50,) and y.dtype == np.float32
    np.testing.assert_array_equal(y, np.where(lam >= 0, 1.0, -1.0))  # y = sign(teacher field)
    Xs, ys = m.sample_source(50, 0)
    assert Xs.shape == (50, 60) and ys.dtype == np.float32


def test_teacher_cosine_and_label_agreement():
    # Realised cosine of theta_s, theta_t: for L i.i.d. components the SE of the sample cosine
    # around q is (1 - q^2) / sqrt(L) (delta method); allow 4 SE.
    q, L = 0.8, 3000
    m = make_chmm(D=2, L_s=L, L_t=L, eta=1.0, rho=0.0, q=q, seed=11)
    cos = m.theta_s @ m.theta_t / np.linalg.norm(m.theta_s) / np.linalg.norm(m.theta_t)
    assert abs(cos - q) < 4 * (1 - q**2) / np.sqrt(L)

    # Label agreement on the SAME latent vectors (same rng state -> same c in sample_hmm): for Gaussian
    # c, P(sign(c.theta_s) = sign(c.theta_t)) = 1 - arccos(cos)/pi exactly. 3 binomial SE.
    M = 40000
    m2 = make_chmm(D=2, L_s=200, L_t=200, eta=1.0, rho=0.0, q=0.6, seed=12)
    cos2 = m2.theta_s @ m2.theta_t / np.linalg.norm(m2.theta_s) / np.linalg.norm(m2.theta_t)
    _, ys = sample_hmm(m2.F_s, m2.theta_s, M, np.random.default_rng(5))
    _, yt = sample_hmm(m2.F_t, m2.theta_t, M, np.random.default_rng(5))
    p = 1 - np.arccos(cos2) / np.pi
    assert abs((ys == yt).mean() - p) < 3 * np.sqrt(p * (1 - p) / M)
    assert (ys != yt).any()  # q < 1 really changes labels


def test_feature_perturbation_and_substitution():
    # Per-row sample correlation over D columns: SE ~ (1 - eta^2)/sqrt(D) around eta and 1/sqrt(D)
    # around 0; 50 rows are checked at once, so allow 4/sqrt(D) on the max deviation.
    D, L, eta, rho = 4000, 50, 0.6, 0.2
    m = make_chmm(D=D, L_s=L, L_t=L, eta=eta, rho=rho, q=1.0, seed=2)
    r = _row_corr(m.F_s, m.F_t)
    n_sub = round(rho * L)
    assert np.abs(r[:n_sub]).max() < 4 / np.sqrt(D)
    assert np.abs(r[n_sub:] - eta).max() < 4 / np.sqrt(D)
    np.testing.assert_array_equal(m.theta_s, m.theta_t)  # q = 1: teacher untouched
    # Feature entries stay N(0,1): variance of all target entries within 5 SE (SE = sqrt(2/n)).
    assert abs(m.F_t.var() - 1) < 5 * np.sqrt(2 / m.F_t.size)


def test_identity_transfer_is_exact():
    m = make_chmm(D=20, L_s=10, L_t=10, eta=1.0, rho=0.0, q=1.0, seed=0)
    np.testing.assert_array_equal(m.F_s, m.F_t)
    np.testing.assert_array_equal(m.theta_s, m.theta_t)


def test_latent_dimension_change_eqs_4_5():
    up = make_chmm(D=20, L_s=10, L_t=16, eta=1.0, rho=0.0, q=1.0, seed=1)
    np.testing.assert_array_equal(up.F_t[:10], up.F_s)
    np.testing.assert_array_equal(up.theta_t[:10], up.theta_s)
    # the added rows are fresh draws: uncorrelated with everything (not copies)
    assert np.abs(np.corrcoef(up.F_t[10:], up.F_s)[:6, 6:]).max() < 0.99
    down = make_chmm(D=20, L_s=10, L_t=4, eta=1.0, rho=0.0, q=1.0, seed=1)
    np.testing.assert_array_equal(down.F_t, down.F_s[:4])
    np.testing.assert_array_equal(down.theta_t, down.theta_s[:4])
    # eta / q act on the shared block only when combined with L_t != L_s
    mix = make_chmm(D=20, L_s=10, L_t=16, eta=0.5, rho=0.0, q=0.5, seed=1)
    assert not np.array_equal(mix.F_t[:10], mix.F_s)
    np.testing.assert_array_equal(mix.F_s, up.F_s)  # source identical for the same seed


@pytest.mark.parametrize(
    "kw,name",
    [({"eta": 1.5}, "eta"), ({"rho": -0.1}, "rho"), ({"q": 2.0}, "q"), ({"eta": float("nan")}, "eta"),
     ({"D": 0}, "D"), ({"L_s": 0}, "L_s"), ({"L_t": -3}, "L_t"), ({"D": 2.5}, "D")],
)
def test_invalid_arguments(kw, name):
    with pytest.raises(ValueError, match=name):
        make_chmm(**{**BASE, **kw}, seed=0)


def test_labels_balanced_and_pm1():
    # P(y = +1) = 1/2 exactly for any fixed teacher; mean(y) has SE 1/sqrt(M): 3 SE.
    M = 20000
    m = make_chmm(**BASE, seed=9)
    for X, y in (m.sample_source(M, 1), m.sample_target(M, 2)):
        assert set(np.unique(y)) == {-1.0, 1.0}
        assert abs(y.mean()) < 3 / np.sqrt(M)


def test_save_load_roundtrip(tmp_path):
    m = make_chmm(**{**BASE, "L_t": 40}, seed=5)
    m.save(tmp_path / "sub" / "m.npz")
    m2 = CHMM.load(tmp_path / "sub" / "m.npz")
    for name in ("F_s", "theta_s", "F_t", "theta_t"):
        np.testing.assert_array_equal(getattr(m, name), getattr(m2, name))
    assert m2.L_t == 40
