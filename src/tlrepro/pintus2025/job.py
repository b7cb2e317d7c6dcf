"""One job of the experiment: fine-tune one model (new | pretrained) and slice its loss landscape.

Data: the training set is 5 images per digit of the official MNIST training split, the evaluation set
``n_eval_per_class`` images per digit of the official test split (held out: never trained on); both
drawn once from seeds derived from ``seed``, so the two models see the same images. The two models
share the initialisation of everything they do not load (the new ``fc`` layer; for the new model, all
of it) and the landscape directions' Gaussian draws."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import pandas as pd

from ..finetune import ImageSet, balanced_indices, build_model, finetune, loss_landscape
from ..devices import pick_device
from ..seeding import derive_seed
from .config import MODELS


@dataclass
class JobResult:
    metrics: pd.DataFrame    # per step and scope (tlrepro.finetune.loop)
    landscape: pd.DataFrame  # model, center, alpha, beta, loss, accuracy


def seed_for(cfg: Mapping[str, Any], purpose: str) -> int:
    return derive_seed(int(cfg["seed"]), "pintus2025", purpose)


def prepare_data(ds: Any, cfg: Mapping[str, Any]):
    """(train, eval) ImageSets from a dataset with x_train, y_train, x_test, y_test (uint8 images)."""
    size = int(cfg["image_size"])
    tr = balanced_indices(ds.y_train, int(cfg["n_train_per_class"]), seed_for(cfg, "train-subset"))
    ev = balanced_indices(ds.y_test, int(cfg["n_eval_per_class"]), seed_for(cfg, "eval-subset"))
    return (ImageSet(ds.x_train[tr], ds.y_train[tr], size),
            ImageSet(ds.x_test[ev], ds.y_test[ev], size))


def run_model(name: str, ds: Any, cfg: Mapping[str, Any], *, device: str = "auto",
              mirror: str | os.PathLike | None = None, arch: str | Callable | None = None,
              log: logging.Logger | None = None) -> JobResult:
    """Fine-tune model ``name`` ("new" or "pretrained") per ``cfg`` (keys of ``config.CONFIG``).

    ``arch`` overrides ``cfg["arch"]`` (tests inject a tiny network; pretrained needs a name)."""
    if name not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    train, evalset = prepare_data(ds, cfg)
    dev = pick_device(device)
    net = build_model(arch or cfg["arch"], pretrained=MODELS[name], weights=cfg["weights"],
                      mirror=mirror, seed=seed_for(cfg, "init")).to(dev)
    land = cfg["landscape"]

    def landscape() -> pd.DataFrame:
        x, y = train.tensors(dev)
        return loss_landscape(net, x, y, seed=seed_for(cfg, "landscape"), span=float(land["span"]),
                              points=int(land["points"]))

    initial = landscape() if land["center"] == "initial" else None
    metrics = finetune(net, train, evalset, steps=int(cfg["steps"]), optimizer=cfg["optimizer"],
                       eval_every=int(cfg["eval_every"]), eval_batch_size=int(cfg["eval_batch_size"]),
                       device=dev, name=name, log=log)
    grid = initial if initial is not None else landscape()
    grid.insert(0, "model", name)
    grid.insert(1, "center", land["center"])
    return JobResult(metrics, grid)
