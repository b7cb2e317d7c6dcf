"""lauditi2025's closed forms: the general ridgeless fine-tuning loss against a direct finite-D simulation,
its special cases (Results 2 and 4 as limits), the spike, and the errors on bad arguments."""

import math

import numpy as np
import pytest

from tlrepro.claims import z_bound
from tlrepro.lauditi2025 import finetune_loss, linear_probe_loss, result2, result4, spike
from tlrepro.lauditi2025.theory import kernel_constants


def simulate(D: int, nu2: float, a, C, draws: int, rng) -> tuple[float, float]:
    """Ridgeless kernel regression with Sigma = I + U C U^T, U = [b, g] random orthonormal, on P2 = nu2 D
    Gaussian inputs and the noise-free target t = a_s b + a_g g + r: mean and SE over draws of
    ||beta_hat - t||^2, the test loss on isotropic inputs. Written independently of the library."""
    losses = []
    for _ in range(draws):
        Q, _ = np.linalg.qr(rng.standard_normal((D, 3)))
        b, g, r = Q.T
        t = a[0] * b + a[1] * g + math.sqrt(max(0.0, 1 - a[0] ** 2 - a[1] ** 2)) * r
        U = np.stack([b, g], 1)
        Sigma = np.eye(D) + U @ C @ U.T
        X = rng.standard_normal((int(round(nu2 * D)), D))
        coef = np.linalg.solve(X @ Sigma @ X.T, X @ t)
        losses.append(np.sum((Sigma @ X.T @ coef - t) ** 2))
    losses = np.array(losses)
    return float(losses.mean()), float(losses.std(ddof=1) / math.sqrt(draws))


# (c1, c2, c3): c1^2 > c2 c3 (indefinite), c1^2 = c2 c3 (rank one, the caption's), c1^2 < c2 c3
KERNELS = {"c1^2 > c2 c3": (0.9, 0.5, 0.3), "c1^2 = c2 c3": (1.0, 2.0, 0.5), "c1^2 < c2 c3": (0.3, 2.0, 0.5)}


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_general_formula_matches_a_direct_simulation(name):
    """D = 400, 30 draws per point, over nu2 and two alignments: every point within 3 standard errors
    (the Student-t bound for 30 draws)."""
    c1, c2, c3 = KERNELS[name]
    C = np.array([[c2, c1], [c1, c3]])
    rng = np.random.default_rng(sum(map(ord, name)))
    bound = z_bound(3.0, 29)
    for a in ((0.8, 0.1), (0.3, 0.6)):
        for nu2 in (0.2, 0.5, 0.8):
            mean, se = simulate(400, nu2, a, C, 30, rng)
            theory = float(finetune_loss(nu2, a[0], a[1], c1, c2, c3))
            assert abs(mean - theory) <= bound * se, (name, a, nu2, mean, se, theory)


def test_the_simulation_can_tell_a_wrong_formula():
    """The check has power: the linear probe's 1 - nu2 is many standard errors off where the spike helps."""
    rng = np.random.default_rng(0)
    mean, se = simulate(400, 0.5, (0.9, 0.0), np.array([[3.0, 0.0], [0.0, 0.0]]), 30, rng)
    assert abs(mean - 0.5) > 10 * se and abs(mean - float(finetune_loss(0.5, 0.9, 0.0, 0.0, 3.0, 0.0))) < 3 * se


def test_formula_edges_and_vectorisation():
    nu2 = np.array([0.1, 0.5, 0.99, 1.0, 2.0])
    assert np.allclose(finetune_loss(nu2, 0.5, 0.2, 0.0, 0.0, 0.0), linear_probe_loss(nu2))
    assert np.allclose(finetune_loss(nu2, 0.5, 0.2, 0.3, 1.0, 0.4)[3:], 0.0)
    assert float(finetune_loss(1e-9, 1.0, 0.0, 0.0, 5.0, 0.0)) == pytest.approx(1.0)  # no data: loss 1
    assert finetune_loss(nu2, 0.5, 0.2, 0.3, 1.0, 0.4).shape == nu2.shape


def test_negative_transfer_needs_a_negative_eigenvalue():
    """L <= 1 - nu2 for every positive semi-definite C; an indefinite C (c1^2 > c2 c3) with the target
    along its negative direction exceeds the probe."""
    rng = np.random.default_rng(1)
    nu2 = np.linspace(0.05, 0.95, 19)
    for _ in range(200):
        A = rng.standard_normal((2, 2))
        C = A @ A.T * rng.uniform(0, 5)
        a = rng.uniform(-1, 1, 2)
        a /= max(1.0, np.linalg.norm(a) * 1.01)
        assert np.all(finetune_loss(nu2, a[0], a[1], C[0, 1], C[0, 0], C[1, 1]) <= 1 - nu2 + 1e-12)
    c1, c2, c3 = 0.8, 0.5, 0.3  # eigenvalues 1.2 and -0.4
    w, V = np.linalg.eigh(np.array([[c2, c1], [c1, c3]]))
    a = 0.9 * V[:, 0]
    assert np.all(finetune_loss(nu2, a[0], a[1], c1, c2, c3) > 1 - nu2)


def test_result2_is_the_nu1_to_infinity_limit():
    """nu1 >= 1: the gradient-flow kernel is a spike chi along b alone, exactly Result 2; the caption's
    constants reach it as nu1 -> 1."""
    nu2 = np.linspace(0.05, 0.95, 10)
    for gamma1 in (0.5, 1.0, 3.0):
        chi = float(spike(gamma1))
        for nu1 in (1.0, 2.0, 10.0):
            c = kernel_constants(nu1, gamma1, "gradient_flow")
            assert np.allclose(finetune_loss(nu2, 0.7, 0.0, *c), result2(nu2, 0.7, chi), atol=1e-14)
        assert np.allclose(finetune_loss(nu2, 0.7, 0.0, *kernel_constants(1.0 - 1e-9, gamma1, "caption")),
                           result2(nu2, 0.7, chi), atol=1e-6)
    assert float(result2(0.5, 0.0, 5.0)) == pytest.approx(0.5)  # no alignment: the probe
    losses = [float(result2(0.5, a, 2.0)) for a in (0.0, 0.3, 0.6, 0.9)]
    assert all(np.diff(losses) < 0)  # strictly decreasing in alpha_s (Fig. 1a)


@pytest.mark.parametrize("nu1", [0.25, 0.5, 1.0])
def test_result4_is_the_gamma1_to_infinity_limit(nu1):
    """The general formula with the gradient-flow spike tends to Result 4's ridgeless form as gamma1 grows
    (the gap falls like 1 / gamma1); the spike-only form, 1 - (u . a)^2, is the nu2-independent one."""
    nu2 = np.linspace(0.05, 0.95, 10)
    target = result4(nu2, nu1, 0.8, 0.1 if nu1 < 1 else 0.0)
    gaps = [np.max(np.abs(finetune_loss(nu2, 0.8, 0.1 if nu1 < 1 else 0.0,
                                        *kernel_constants(nu1, g, "gradient_flow")) - target))
            for g in (1e2, 1e4, 1e6)]
    assert gaps[0] < 0.2 and gaps[1] < gaps[0] / 50 and gaps[2] < 1e-5
    only = result4(nu2, nu1, 0.8, 0.1 if nu1 < 1 else 0.0, reading="spike_only")
    assert np.ptp(only) == 0 and np.allclose(target, (1 - nu2) * only)


def test_spike_only_readout_by_simulation():
    """A readout on the spike direction alone (a least-squares fit of y on u . x) loses 1 - (u . a)^2 for
    any nu2: Result 4's nu2-independent form, checked at D = 400."""
    rng = np.random.default_rng(2)
    D, nu1, a = 400, 0.5, (0.8, 0.1)
    ua = math.sqrt(nu1) * a[0] + math.sqrt(1 - nu1) * a[1]
    for nu2 in (0.1, 0.5):
        losses = []
        for _ in range(20):
            Q, _ = np.linalg.qr(rng.standard_normal((D, 3)))
            b, g, r = Q.T
            t = a[0] * b + a[1] * g + math.sqrt(1 - a[0] ** 2 - a[1] ** 2) * r
            u = math.sqrt(nu1) * b + math.sqrt(1 - nu1) * g
            X = rng.standard_normal((int(nu2 * D), D))
            s = X @ u
            w = (s @ (X @ t)) / (s @ s)
            losses.append(np.sum((w * u - t) ** 2))
        assert np.mean(losses) == pytest.approx(1 - ua ** 2, abs=4 * np.std(losses) / math.sqrt(20) + 0.01)


def test_spike_readings():
    assert float(spike(0.0)) == 0.0 and float(spike(1.0)) == pytest.approx(math.sqrt(2) - 1)
    assert np.allclose(spike([0.0, 0.6, 1.0], "printed"), [0.0, -0.2, -1.0])
    with pytest.raises(ValueError, match="not real for"):
        spike(2.0, "printed")
    with pytest.raises(ValueError, match="reading must be one of"):
        spike(1.0, "minus")


@pytest.mark.parametrize("call,message", [
    (lambda: finetune_loss(0.5, 1.2, 0.0, 0, 0, 0), "alpha_s is a cosine"),
    (lambda: finetune_loss(0.5, 0.0, -1.5, 0, 0, 0), "alpha_g is a cosine"),
    (lambda: finetune_loss(0.5, 0.8, 0.7, 0, 0, 0), "exceeds 1"),
    (lambda: finetune_loss(0.0, 0.5, 0.0, 0, 0, 0), "nu2 = P2 / D must be positive"),
    (lambda: finetune_loss([0.5, -0.1], 0.5, 0.0, 0, 0, 0), "nu2 = P2 / D must be positive"),
    (lambda: finetune_loss(0.5, 0.5, 0.0, 0.0, -1.5, 0.0), "I \\+ C is not positive definite"),
    (lambda: finetune_loss(0.5, 0.5, 0.0, 2.0, 1.0, 1.0), "I \\+ C is not positive definite"),
    (lambda: result4(0.5, 0.5, 0.8, 0.7), "exceeds 1"),
    (lambda: kernel_constants(2.0, 1.0, "caption"), "nu1 <= 1"),
])
def test_bad_arguments_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_caption_constants_give_a_loss_monotone_in_gamma1():
    """The finding docs/lauditi2025.md reports: with Fig. 2a's rank-one constants the loss is monotone in
    gamma1 under both readings of chi, so no interior optimum exists."""
    for nu1 in (0.3, 0.7):
        for a_g in (0.0, 0.1):
            for reading, top in (("plus", 8.0), ("printed", 1.0)):
                grid = np.linspace(top / 100, top, 100)
                for nu2 in (0.6, 0.9):
                    loss = [float(finetune_loss(nu2, 0.8, a_g, *kernel_constants(nu1, g, "caption", reading)))
                            for g in grid]
                    d = np.diff(loss)
                    assert np.all(d <= 1e-15) or np.all(d >= -1e-15), (nu1, a_g, reading, nu2)
