"""The fine-tuning loop: full-batch training with a tidy per-step metrics table.

Step t of the table describes the weights w_t after t updates (t = 0 ... steps): the training loss,
training balanced accuracy and gradient norm of the forward/backward pass at w_t (train mode, on all
training images), the weight changes w_t vs w_0 (see :mod:`.tracking`), and, every ``eval_every``
steps and at the last one, the evaluation loss (with its standard error over images) and balanced
accuracy (eval mode). One row per (step, scope): scope "network" carries the step-level quantities,
the per-layer rows have NaN there. The last measurement pass does not update the weights and its
batch-norm running statistics are discarded, so the returned model is exactly w_steps.
"""

from __future__ import annotations

import logging
import math
from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from ..devices import pick_device
from .images import ImageSet
from .tracking import NETWORK, WeightTracker, balanced_accuracy

STEP_COLUMNS = ("train_loss", "train_balanced_accuracy", "eval_loss", "eval_loss_sem",
                "balanced_accuracy", "n_eval")


def make_optimizer(params, settings: Mapping[str, Any]) -> torch.optim.Optimizer:
    """``settings``: name (adam | sgd), lr, weight_decay, momentum (sgd only)."""
    name, lr, wd = settings["name"], float(settings["lr"]), float(settings.get("weight_decay", 0.0))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=float(settings.get("momentum", 0.0)),
                               weight_decay=wd)
    raise ValueError(f"optimizer name must be 'adam' or 'sgd', got {name!r}")


@torch.no_grad()
def evaluate(model: nn.Module, data: ImageSet, *, device: torch.device | str,
             batch_size: int = 500) -> dict[str, float]:
    """Mean cross-entropy (and its standard error over images) and balanced accuracy, eval mode."""
    model.eval()
    losses, preds, labels = [], [], []
    for start in range(0, len(data), batch_size):
        x, y = data.tensors(device, start, start + batch_size)
        logits = model(x)
        losses.append(F.cross_entropy(logits, y, reduction="none").double())
        preds.append(logits.argmax(1))
        labels.append(y)
    loss, y = torch.cat(losses), torch.cat(labels)
    sem = float(loss.std() / math.sqrt(loss.numel())) if loss.numel() > 1 else math.nan
    return {"eval_loss": float(loss.mean()), "eval_loss_sem": sem,
            "balanced_accuracy": balanced_accuracy(y, torch.cat(preds)), "n_eval": float(len(data))}


def finetune(model: nn.Module, train: ImageSet, evalset: ImageSet, *, steps: int,
             optimizer: Mapping[str, Any], eval_every: int = 1, eval_batch_size: int = 500,
             device: torch.device | str = "auto", name: str = "model",
             log: logging.Logger | None = None) -> pd.DataFrame:
    """Train ``model`` (moved to ``device``, modified in place) for ``steps`` full-batch steps on
    ``train``; return the metrics table (module docstring) with columns model, step, scope, ...

    Deterministic for a given model and data: no sampling happens here. On the CPU two runs are
    bit-identical; on CUDA cuDNN is asked for deterministic kernels (``torch.backends.cudnn``, global
    settings of the process), but a few CUDA kernels (adaptive average pooling backward) accumulate
    with atomics, so GPU runs agree only up to float rounding."""
    if steps < 0 or eval_every < 1:
        raise ValueError(f"need steps >= 0 and eval_every >= 1, got {steps}, {eval_every}")
    dev = pick_device(device) if str(device) == "auto" else torch.device(device)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    model.to(dev)
    x, y = train.tensors(dev)
    tracker = WeightTracker(model)
    opt = make_optimizer(tracker.params, optimizer)
    raw, step_rows = [], np.full((steps + 1, len(STEP_COLUMNS)), np.nan)
    for step in range(steps + 1):
        last = step == steps
        if step % eval_every == 0 or last:
            ev = evaluate(model, evalset, device=dev, batch_size=eval_batch_size)
            step_rows[step, 2:] = [ev[c] for c in STEP_COLUMNS[2:]]
        buffers = {k: v.clone() for k, v in model.state_dict().items()} if last else None
        model.train()
        opt.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        raw.append(tracker.raw())
        step_rows[step, :2] = [float(loss.detach()), balanced_accuracy(y, logits.detach().argmax(1))]
        if last:
            model.load_state_dict(buffers)  # weights unchanged; batch-norm statistics restored
        else:
            opt.step()
        if log is not None and (step % eval_every == 0 or last):
            log.info("%s step %d: train loss %.4f, eval loss %.4f, balanced accuracy %.4f", name, step,
                     *step_rows[step, [0, 2, 4]])
    out = tracker.frame(np.stack(raw))
    is_net = (out["scope"] == NETWORK).to_numpy()
    for j, col in enumerate(STEP_COLUMNS):
        out[col] = np.nan
        out.loc[is_net, col] = step_rows[:, j]
    out.insert(0, "model", name)
    out["device"] = str(dev)
    return out
