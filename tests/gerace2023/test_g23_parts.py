"""gerace2023's parts: the Wide-ResNet family and its units, the clones, the data split, and cached-prefix
training against frozen-prefix training."""

import numpy as np
import pytest
import torch

from tlrepro.gerace2023.clones import fit_gaussian_clone, reconstruct, train_autoencoder
from tlrepro.gerace2023.data import DataSizeError, cifar_split, resize, subsample
from tlrepro.gerace2023.train import (defrost_network, defrost_profile, evaluate, standardise, steps_for,
                                     train_network)
from tlrepro.gerace2023.wrn import WideResNet, count_parameters, n_units

torch.set_num_threads(1)


def test_wrn_28_4_has_the_papers_size_and_15_units():
    net = WideResNet(28, 4)
    assert count_parameters(net) == 5_849_050
    assert net.n_units == n_units(28) == 15 and WideResNet(16, 1).n_units == 9
    assert WideResNet(28, 4).down_sampling_units() == [6, 10]
    with pytest.raises(ValueError, match="divisible by 6"):
        WideResNet(20, 1)


def test_units_compose_to_the_network():
    net = WideResNet(10, 2).eval()
    x = torch.randn(4, 3, 16, 16)
    with torch.no_grad():
        full = net(x)
        for k in range(net.n_units):
            assert torch.allclose(net(net(x, 0, k), k), full, atol=1e-5)
    assert full.shape == (4, 10)


def test_defrosting_freezes_the_prefix_and_checks_k():
    src = WideResNet(10, 1)
    net = defrost_network(src, 2, seed=0)
    for i in range(2):
        assert all(not p.requires_grad for p in net.units[i].parameters())
        assert all(torch.equal(a, b) for a, b in zip(net.units[i].state_dict().values(),
                                                     src.units[i].state_dict().values()))
    assert all(p.requires_grad for p in net.units[2].parameters())
    other = defrost_network(src, 4, seed=0)  # the same initialisation of the retrained units at every k
    assert torch.equal(net.units[5].fc.weight, other.units[5].fc.weight)
    with pytest.raises(ValueError, match="k = 6 is outside 0..5"):
        defrost_network(src, 6, seed=0)


def test_cached_prefix_training_equals_frozen_prefix_training():
    """Frozen batch norms, no augmentation: training the rest of the network on the prefix's cached output
    gives the same network and accuracy as training the whole network with the prefix frozen."""
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(256, 3, 8, 8, generator=gen), torch.randint(0, 10, (256,), generator=gen)
    xt, yt = torch.randn(64, 3, 8, 8, generator=gen), torch.randint(0, 10, (64,), generator=gen)
    src = WideResNet(10, 1)
    cfg = dict(lr=0.05, momentum=0.9, weight_decay=5e-4, batch_size=32, epochs=2, augment="none", bn="frozen")
    cached = defrost_profile(src, [0, 2, 4], x, y, xt, yt, dict(cfg, cache_prefix=True), seed=3)
    frozen = defrost_profile(src, [0, 2, 4], x, y, xt, yt, dict(cfg, cache_prefix=False), seed=3)
    assert [r["cached"] for r in cached] == [False, True, True] and not any(r["cached"] for r in frozen)
    for a, b in zip(cached, frozen):
        assert a["accuracy"] == pytest.approx(b["accuracy"], abs=1 / 64 + 1e-9) and a["steps"] == b["steps"]
    # 4 steps of 32 see 128 of the 256 images: running the prefix on all of them would cost more, no caching
    few = defrost_profile(src, [2], x, y, xt, yt, dict(cfg, cache_prefix=True, epochs=1, max_steps=4), seed=3)
    assert few[0]["steps"] == 4 and not few[0]["cached"]


def test_mixed_precision_path_trains_like_float32():
    """The GPU path (bf16 autocast, channels-last), forced on the CPU: it trains the same network to a loss
    and an accuracy close to float32's, and leaves the weights channels-last."""
    gen = torch.Generator().manual_seed(1)
    x, y = torch.randn(256, 3, 8, 8, generator=gen), torch.randint(0, 4, (256,), generator=gen)
    x = x + 2.0 * torch.nn.functional.one_hot(y, 4).float()[:, :3, None, None]  # class 3: no shift
    cfg = dict(lr=0.05, momentum=0.9, weight_decay=5e-4, batch_size=32, epochs=4, augment="none")
    results = {}
    for fast in (False, True):
        torch.manual_seed(0)
        net = WideResNet(10, 1, classes=4)
        res = train_network(net, x, y, cfg, seed=2, mixed_precision=fast)
        results[fast] = (res.final_loss, evaluate(net, x, y, mixed_precision=fast), net)
    (loss32, acc32, _), (loss16, acc16, net16) = results[False], results[True]
    assert acc32 > 0.5  # it learned something, so the comparison means something
    assert abs(loss16 - loss32) < 0.1 and abs(acc16 - acc32) < 0.05
    conv = next(m for m in net16.modules() if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_steps_and_standardisation():
    assert steps_for(1000, {"epochs": 2, "batch_size": 128, "min_steps": 0, "max_steps": 10 ** 9}) == 16
    assert steps_for(10, {"epochs": 200, "batch_size": 128, "min_steps": 300, "max_steps": 400}) == 300
    assert steps_for(10 ** 6, {"epochs": 200, "batch_size": 128, "min_steps": 0, "max_steps": 400}) == 400
    imgs = np.random.default_rng(0).integers(0, 256, (50, 8, 8, 3), dtype=np.uint8)
    x, stats = standardise(imgs)
    assert x.shape == (50, 3, 8, 8) and torch.allclose(x.mean((0, 2, 3)), torch.zeros(3), atol=1e-5)
    x2, _ = standardise(imgs[:10], stats)
    assert torch.allclose(x2, x[:10])


def _images(n_per_class=40, size=8, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(10), n_per_class)
    base = rng.uniform(40, 200, (10, size, size, 3))
    x = np.clip(base[y] + rng.normal(0, 20, (len(y), size, size, 3)), 0, 255).astype(np.uint8)
    return x, y


def test_gaussian_clone_matches_the_datas_means_and_covariances():
    x, y = _images(300)
    gm = fit_gaussian_clone(x, y)
    iso = fit_gaussian_clone(x, y, isotropic=True)
    rng = np.random.default_rng(1)
    labels = np.repeat(np.arange(10), 3000)
    samples = gm.sample(labels, rng, clip=False).reshape(len(labels), 64, 3)
    data = x.astype(float).reshape(len(x), 64, 3)
    for c in (0, 7):
        for ch in (0, 2):
            s, d = samples[labels == c, :, ch], data[y == c, :, ch]
            assert np.allclose(s.mean(0), d.mean(0), atol=4 * 20 / np.sqrt(3000))
            cov_s, cov_d = np.cov(s, rowvar=False), np.cov(d, rowvar=False)
            assert np.abs(cov_s - cov_d).max() < 0.15 * np.abs(cov_d).max()
    assert np.allclose(iso.chol[3, 1], iso.chol[3, 1][0, 0] * np.eye(64))  # isotropic
    assert gm.sample(y[:5], rng).dtype == np.uint8


def test_autoencoder_error_falls_with_the_bottleneck():
    """Images on a 6-dimensional manifold: bottlenecks of 1, 3 and 12 units reconstruct them increasingly
    well (measured: mean squared error 1722, 654, 61 on the 0-255 scale; the data's variance is 3159)."""
    rng = np.random.default_rng(0)
    basis = rng.normal(0, 1, (6, 8, 8, 3))
    coef = rng.normal(0, 1, (512, 6))
    x = np.clip(128 + 25 * np.einsum("nk,khwc->nhwc", coef, basis), 0, 255).astype(np.uint8)
    errors = []
    for size in (1, 3, 12):
        model, history = train_autoencoder(x, size=size, epochs=150, batch_size=64, lr=3e-3, lr_min=1e-4,
                                           warmup_epochs=2, channels=16, seed=0)
        rec = reconstruct(model, x)
        errors.append(float(np.mean((rec.astype(float) - x) ** 2)))
        assert history[-1] < history[0] / 1.5
    assert errors[0] > 2 * errors[1] > 4 * errors[2], errors


def test_split_subsample_and_resize():
    x, y = _images(30, size=32)
    split = cifar_split(x, y, x, y, {"seed": 0, "n_test_per_class": 5, "test_from": "train", "image_size": 16})
    assert split["x_pool"].shape == (250, 16, 16, 3) and np.bincount(split["y_test"]).tolist() == [5] * 10
    assert np.array_equal(resize(x[:1], 16)[0, 0, 0], np.rint(x[0, :2, :2].reshape(4, 3).mean(0)).astype(np.uint8))
    idx = subsample(split["y_pool"], 7, seed=1)
    assert np.bincount(split["y_pool"][idx]).tolist() == [7] * 10
    assert len(subsample(split["y_pool"], 0, seed=1)) == 250
    with pytest.raises(DataSizeError, match="30 images per class requested but class 0 has 25"):
        subsample(split["y_pool"], 30, seed=1, what="n_per_class")
