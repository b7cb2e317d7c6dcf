"""gerace2023's jobs, one call each: the datasets (CIFAR-10 pool, Gaussian and autoencoder clones), a source
network, a defrosting profile. Datasets are dicts of arrays: ``x``/``y`` (the pool: uint8 images, int64
labels), ``x_test``/``y_test``, and ``stats`` (per-channel mean and std of ``x`` on the 0-255 scale, used
to standardise every image of the dataset).

Seeds (``tlrepro.seeding.derive_seed``): a clone from (clone, "clone"), a source network from (dataset,
seed), a profile's target subset and re-initialisation from (target, n, seed): the depths of one profile
share both (paired), and the depths of one (source, seed) share the source network. An IDC profile's
training subset, test subset and re-initialisation come from ("idc", n, seed). A similarity profile compares
the source networks of one seed; compliant learning starts from the GM source's initialisation (shared) or
the CIFAR-10 source's, and draws its batches as the CIFAR-10 source does (paired with it at every λ).
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from .clones import reconstruct, train_autoencoder
from .data import subsample, with_stats
from .representations import cosine_distance, elastic_penalty, similarity_profile
from .resnet import IMAGENET_STATS, ResNet18Units
from .train import defrost_profile, evaluate, image_transform, standardise, train_network
from .wrn import WideResNet

__all__ = ["autoencoder_clone", "train_source", "profile", "idc_profile", "similarity", "compliant"]


def _stats(ds: Mapping) -> dict:
    return {"mean": list(map(float, ds["stats_mean"])), "std": list(map(float, ds["stats_std"]))}


def autoencoder_clone(cifar: Mapping[str, np.ndarray], *, size: int, cfg: Mapping[str, Any], seed: int,
                      device: str = "cpu", log=None) -> tuple[dict, dict]:
    """The reconstructions of the pool and of the test images by an autoencoder trained on the pool, and
    a record of its training (per-epoch MSE, test reconstruction MSE on the [-1, 1] scale)."""
    t0 = time.perf_counter()
    model, history = train_autoencoder(cifar["x"], size=size, epochs=cfg["epochs"], batch_size=cfg["batch_size"],
                                       lr=cfg["lr"], lr_min=cfg["lr_min"], warmup_epochs=cfg["warmup_epochs"],
                                       channels=cfg["channels"], seed=seed, device=device, log=log)
    rec_test = reconstruct(model, cifar["x_test"], device=device)
    mse = float(np.mean(((rec_test.astype(np.float64) - cifar["x_test"]) / 127.5) ** 2))
    ds = with_stats({"x": reconstruct(model, cifar["x"], device=device), "y": cifar["y"],
                     "x_test": rec_test, "y_test": cifar["y_test"]})
    return ds, {"size": size, "train_mse": history, "test_mse": mse, "seconds": time.perf_counter() - t0}


def _tensors(ds: Mapping, idx=None, test: bool = False):
    x, y = (ds["x_test"], ds["y_test"]) if test else (ds["x"], ds["y"])
    if idx is not None:
        x, y = x[idx], y[idx]
    xs, _ = standardise(x, _stats(ds))
    return xs, torch.as_tensor(y, dtype=torch.long)


def train_source(ds: Mapping, net_cfg: Mapping, cfg: Mapping, *, seed: int, device: str = "cpu",
                 log=None) -> tuple[WideResNet, dict]:
    """A WRN trained from scratch on the whole pool of ``ds``; its accuracy on the dataset's test images."""
    net = _network(net_cfg, seed=seed).to(device)
    x, y = _tensors(ds)
    res = train_network(net, x, y, cfg, seed=seed, device=device, log=log)
    acc = evaluate(net, *_tensors(ds, test=True), device=device)
    return net, {"seed": seed, "steps": res.steps, "seconds": res.seconds, "test_accuracy": acc,
                 "train_accuracy": evaluate(net, x, y, device=device)}


def profile(source: WideResNet, target: Mapping, n_per_class: int, depths: Sequence[int], cfg: Mapping, *,
            seed: int, device: str = "cpu", log=None) -> pd.DataFrame:
    """The defrosting profile of ``source`` on ``n_per_class`` target images per class (0: the whole pool)."""
    idx = subsample(target["y"], n_per_class, seed, what="n_per_class")
    x, y = _tensors(target, idx)
    xt, yt = _tensors(target, test=True)
    rows = defrost_profile(source, depths, x, y, xt, yt, cfg, seed=seed, device=device, log=log)
    out = pd.DataFrame(rows)
    out.insert(0, "n_train", len(idx))
    return out


def idc_profile(state: Mapping[str, torch.Tensor], idc, n_per_class: int, setup: Mapping[str, Any],
                cfg: Mapping[str, Any], *, seed: int, device: str = "cpu", log=None) -> pd.DataFrame:
    """The defrosting profile of torchvision's ResNet-18 with the ImageNet ``state`` on ``n_per_class`` IDC
    training patches per class (``idc``: the canonical dataset, split by patient), tested on
    ``setup["n_test_per_class"]`` test patches per class drawn for this run (the paper: 10^4 in all, class
    balanced); the patches are resized to ``setup["image_size"]`` and standardised with ImageNet's statistics
    batch by batch. ``setup``: the config's gerace2023.setup.idc; ``cfg``: the target training."""
    idx = subsample(idc.y_train, n_per_class, seed, what="config key gerace2023.fig*.panels[imagenet].n_per_class")
    test = subsample(idc.y_test, int(setup["n_test_per_class"]), seed,
                     what="config key gerace2023.setup.idc.n_test_per_class")
    source = ResNet18Units(1000, state).to(device)
    transform = image_transform(int(setup["image_size"]), IMAGENET_STATS)
    x, y = torch.from_numpy(idc.x_train[idx]), torch.as_tensor(idc.y_train[idx], dtype=torch.long)
    xt, yt = torch.from_numpy(idc.x_test[test]), torch.as_tensor(idc.y_test[test], dtype=torch.long)
    rows = defrost_profile(source, setup["depths"], x, y, xt, yt, cfg, seed=seed, classes=2, transform=transform,
                           device=device, log=log)
    out = pd.DataFrame(rows)
    out.insert(0, "n_train", len(idx))
    out.insert(1, "n_test", len(test))
    return out


def _network(net_cfg: Mapping, state: Mapping[str, torch.Tensor] | None = None, seed: int | None = None) -> WideResNet:
    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(seed)
        net = WideResNet(net_cfg["depth"], net_cfg["widen"])
    if state is not None:
        net.load_state_dict(state)
    return net


def similarity(cifar: Mapping, source_state: Mapping, target_state: Mapping, net_cfg: Mapping, cfg: Mapping, *,
               device: str = "cpu", log=None) -> pd.DataFrame:
    """The similarity profile (every unit) of a source network against the CIFAR-10 network on the CIFAR-10
    test images (``cfg["n_per_class"]`` per class, 0: all, the first ones in the test set's order)."""
    x, y = _tensors(cifar, test=True)
    n = int(cfg["n_per_class"])
    if n:
        counts = np.bincount(y.numpy())
        if n > counts.min():
            raise ValueError(f"config key gerace2023.setup.similarity.n_per_class = {n} exceeds the {counts.min()} "
                             "test images per class: lower it (0 takes them all)")
        keep = np.sort(np.concatenate([np.flatnonzero(y.numpy() == c)[:n] for c in range(len(counts))]))
        x = x[keep]
    source, target = _network(net_cfg, source_state), _network(net_cfg, target_state)
    units = list(range(1, source.n_units + 1))
    out = similarity_profile(source.to(device), target.to(device), x, units, cfg, device=device, log=log)
    out.insert(0, "points", len(x))
    return out


def compliant(cifar: Mapping, anchor_state: Mapping, net_cfg: Mapping, cfg: Mapping, *, lam: float, units: int,
              init_seed: int, seed: int, device: str = "cpu", log=None) -> dict:
    """Compliant learning: a network initialised from ``init_seed`` trained on the whole CIFAR-10 pool with
    the elastic penalty λ‖θ − θ_anchor‖² on its first ``units`` units (the anchor: the GM source network);
    its test accuracy and the cosine distance of its first layer's weights to the anchor's."""
    anchor = _network(net_cfg, anchor_state)
    net = _network(net_cfg, seed=init_seed).to(device)
    if not 1 <= units <= net.n_units:
        raise ValueError(f"config key gerace2023.fig5.compliant.units = {units}: {net.name} has {net.n_units} units")
    d_init = cosine_distance(net.units[0].weight, anchor.units[0].weight)
    x, y = _tensors(cifar)
    penalty = elastic_penalty(net, anchor.to(device), units, lam) if lam > 0 else None
    res = train_network(net, x, y, cfg, seed=seed, device=device, penalty=penalty, log=log)
    acc = evaluate(net, *_tensors(cifar, test=True), device=device)
    per_unit = [cosine_distance(torch.cat([p.flatten() for p in net.units[i].parameters()]),
                                torch.cat([q.flatten() for q in anchor.units[i].parameters()])) for i in range(units)]
    return {"lambda": lam, "units": units, "test_accuracy": acc, "distance_first": cosine_distance(
        net.units[0].weight, anchor.units[0].weight), "distance_first_init": d_init,
        "distance_coupled_mean": float(np.mean(per_unit)), "steps": res.steps, "seconds": res.seconds,
        "final_loss": res.final_loss}
