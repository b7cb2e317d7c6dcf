"""gerace2023's jobs, one call each: the datasets (CIFAR-10 pool, Gaussian and autoencoder clones), a source
network, a defrosting profile. Datasets are dicts of arrays: ``x``/``y`` (the pool: uint8 images, int64
labels), ``x_test``/``y_test``, and ``stats`` (per-channel mean and std of ``x`` on the 0-255 scale, used
to standardise every image of the dataset).

Seeds (``tlrepro.seeding.derive_seed``): a clone from (clone, "clone"), a source network from (dataset,
seed), a profile's target subset and re-initialisation from (target, n, seed): the depths of one profile
share both (paired), and the depths of one (source, seed) share the source network.
"""

from __future__ import annotations

import time
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from .clones import reconstruct, train_autoencoder
from .data import subsample, with_stats
from .train import defrost_profile, evaluate, standardise, train_network
from .wrn import WideResNet

__all__ = ["autoencoder_clone", "train_source", "profile"]


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
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = WideResNet(net_cfg["depth"], net_cfg["widen"]).to(device)
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
