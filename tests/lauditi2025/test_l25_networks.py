"""lauditi2025's networks and tasks: the mean-field gradient step, the readouts, the exact alignments, the
spike of trained linear networks, and fine-tuned readouts against the theory at the measured kernel."""

import math

import numpy as np
import pytest
import torch

from tlrepro.claims import z_bound
from tlrepro.lauditi2025 import spike
from tlrepro.lauditi2025.curves import kernel_regression_loss
from tlrepro.lauditi2025.experiments import linear_finetune
from tlrepro.lauditi2025.networks import MeanFieldNet, TrainingDiverged, fit_readout, network_gamma
from tlrepro.lauditi2025.tasks import (
    check_classes,
    cifar_task,
    class_pair_split,
    linear_source,
    preprocess,
    target_direction,
)
from tlrepro.lauditi2025.theory import kernel_constants

torch.set_num_threads(1)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_gradient_step_is_the_mean_field_update(activation):
    """One step of MeanFieldNet.train equals gradient descent on 1/2 sum (f - y)^2 with learning rate
    eta gamma^2 N, computed by autograd."""
    D, N, P, gamma, eta = 7, 11, 5, 0.3, 0.01
    net = MeanFieldNet.init(D, N, activation, seed=3)
    X = torch.randn(P, D, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = torch.randn(P, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    W, z = net.W.clone().requires_grad_(), net.z.clone().requires_grad_()
    h = X @ W.T / math.sqrt(D)
    f = (h if activation == "linear" else torch.relu(h)) @ z / (gamma * N)
    (0.5 * torch.sum((f - y) ** 2)).backward()
    net.train(X, y, gamma=gamma, eta=eta, time=eta)
    lr = eta * gamma ** 2 * N
    assert torch.allclose(net.W, W.detach() - lr * W.grad, atol=1e-13)
    assert torch.allclose(net.z, z.detach() - lr * z.grad, atol=1e-13)


def test_training_fits_and_divergence_names_eta():
    task = linear_source(30, 2.0, np.random.default_rng(0))
    X, y = torch.tensor(task.X), torch.tensor(task.y)
    net = MeanFieldNet.init(30, 200, "relu", seed=0)
    first = 0.5 * float(((net.output(X, 0.2) - y) ** 2).sum())
    assert net.train(X, y, gamma=0.2, eta=0.02, time=4.0) < 0.2 * first
    with pytest.raises(TrainingDiverged, match="lower the time step eta"):
        MeanFieldNet.init(30, 200, "linear", seed=0).train(X, y, gamma=5.0, eta=5.0, time=50.0)


def test_readouts_are_the_minimum_norm_solution():
    rng = np.random.default_rng(0)
    for P, N in ((40, 300), (80, 60)):  # interpolating, and least squares
        F = torch.tensor(rng.standard_normal((P, N)))
        y = torch.tensor(rng.standard_normal(P))
        ref = torch.tensor(np.linalg.lstsq(F.numpy(), y.numpy(), rcond=None)[0])
        assert torch.allclose(fit_readout(F, y), ref, atol=1e-9)
        assert torch.allclose(fit_readout(F, y, "gradient_flow", tol=1e-12), ref, atol=1e-6)
    K = rng.standard_normal((30, 5)) @ rng.standard_normal((5, 30))
    K = K @ K.T
    assert kernel_regression_loss(K[:20, :20], K[20:, :20], np.ones(20), np.ones(10)) >= 0


@pytest.mark.parametrize("nu1", [0.3, 0.5, 2.0])
def test_linear_source_sets_the_projection_and_alignments_exactly(nu1):
    D = 60
    task = linear_source(D, nu1, np.random.default_rng(1))
    f = min(round(nu1 * D) / D, 1.0)
    Q, _ = np.linalg.qr(task.X.T)
    proj = Q @ (Q.T @ task.b)
    assert np.linalg.norm(task.b) == pytest.approx(1) and np.linalg.norm(task.g) == pytest.approx(1)
    assert task.b @ task.g == pytest.approx(0, abs=1e-12)
    assert proj @ proj == pytest.approx(f, abs=1e-12)
    u = math.sqrt(f) * task.b + math.sqrt(1 - f) * task.g
    assert np.allclose(Q @ (Q.T @ u), u, atol=1e-10) if f < 1 else np.allclose(proj, task.b)
    t = target_direction(task.b, task.g, 0.6, 0.1, np.random.default_rng(2))
    assert (t @ task.b, t @ task.g, t @ t) == pytest.approx((0.6, 0.1, 1.0))


def test_linear_networks_show_the_spike_and_it_sharpens_with_width():
    """nu1 = 2 (the source spans the space), gamma1 = 2: b^T (W^T W / N) b - 1 against chi(2) = 1.236, at
    two widths, 4 networks each; the wider networks are closer."""
    D, gamma1 = 40, 2.0
    task = linear_source(D, 2.0, np.random.default_rng(3))
    X, y, b = torch.tensor(task.X), torch.tensor(task.y), torch.tensor(task.b)
    dev = {}
    for N in (100, 3000):
        chis = []
        for seed in range(4):
            net = MeanFieldNet.init(D, N, "linear", seed=seed)
            net.train(X, y, gamma=network_gamma(gamma1, D, "per_sqrt_D"), eta=0.05, time=20)
            chis.append(float(b @ net.input_kernel() @ b) - 1)
        dev[N] = abs(np.mean(chis) - float(spike(gamma1)))
    assert dev[3000] < 0.05 * float(spike(gamma1)) and dev[3000] < dev[100]


def test_fine_tuned_readouts_match_the_theory_at_the_measured_kernel():
    """The issue's check: readouts fitted on trained linear networks (D = 100, N = 4000, 8 repetitions)
    against finetune_loss at the c's measured on each network, within the Student-t bound of 3 SE."""
    cfg = dict(D=100, gamma_units="per_sqrt_D", kernel_model="gradient_flow", chi_reading="plus",
               readout="lstsq", source=dict(nu1=[0.5], gamma1=[2.0], eta=0.05, t1=40.0),
               target=dict(alpha_s=[0.8], alpha_g=[0.1], nu2=[0.3, 0.7]))
    df = linear_finetune(cfg, 4000, range(8))
    ft = df[df["model"] == "finetuned"]
    bound = z_bound(3.0, 7)
    for nu2, g in ft.groupby("nu2"):
        d = g["loss"] - g["theory_measured"]
        assert abs(d.mean()) <= bound * d.std(ddof=1) / math.sqrt(len(d)), (nu2, d.mean(), d.std())
    assert (ft["loss"] < df[df["model"] == "probe"]["loss"].to_numpy()).mean() > 0.5  # the spike helps here
    # the measured c's follow the gradient-flow model (a rank-one spike along the data's projection)
    c = ft.groupby("repetition")[["c1", "c2", "c3"]].first().mean()
    model = np.array(kernel_constants(0.5, 2.0))
    assert np.allclose(c.to_numpy(), model, atol=0.08), (c.to_numpy(), model)


def test_class_pairs_are_disjoint_balanced_and_checked():
    labels = np.repeat(np.arange(10), 50)
    sp = class_pair_split(labels, (0, 1), (0, 9), n_source=40, n_target=30, n_test=21,
                          rng=np.random.default_rng(0))
    idx = [sp["source"], sp["target"], sp["test"]]
    assert len(np.unique(np.concatenate(idx))) == sum(map(len, idx))
    assert set(labels[sp["source"]]) == {0, 1} and set(labels[sp["target"]]) == {0, 9}
    assert np.all(sp["source_y"][labels[sp["source"]] == 0] == 1) and sp["target_y"].sum() == 0
    with pytest.raises(ValueError, match="class 0 needs"):
        class_pair_split(labels, (0, 1), (0, 9), n_source=80, n_target=40, n_test=20,
                         rng=np.random.default_rng(0))
    for bad in ((0, 10), (3, 3), (1,)):
        with pytest.raises(ValueError, match="CIFAR-10"):
            check_classes(bad)


def test_preprocessing_and_the_cifar_task():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 32, 32, 3), dtype=np.uint8)
    x = preprocess(images, size=14, mean=0.5, std=0.25)
    gray = images.astype(float) @ [0.299, 0.587, 0.114] / 255
    assert x.shape == (12, 196) and abs(x.mean() - (gray.mean() - 0.5) / 0.25) < 0.05
    cfg = {"classes": {"source": [0, 1], "target": [0, 9]}, "preprocess": {"size": 8, "mean": 0.5, "std": 0.25},
           "split": {"test_from": "train", "n_test": 6, "seed": 1}, "source": {"P1": 8}}
    labels = np.repeat(np.arange(10), 12)
    imgs = rng.integers(0, 256, (120, 32, 32, 3), dtype=np.uint8)
    task = cifar_task(imgs, labels, imgs[:20], labels[:20], cfg, n_target=6)
    assert task["x_source"].shape == (8, 64) and len(task["y_target"]) == 6 and len(task["y_test"]) == 6
    cfg["split"]["test_from"] = "test"
    task = cifar_task(imgs, labels, imgs, labels, cfg, n_target=6)
    assert set(labels[task["index_test"]]) <= {0, 9}
