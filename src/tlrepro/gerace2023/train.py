"""Training and layer-wise defrosting of Wide-ResNets (gerace2023 sections 2-3).

Training: SGD with momentum, weight decay, batch size and a cosine learning-rate schedule from ``lr`` to 0
(the paper: 0.9, 5e-4, 128, 0.1, 200 epochs), optional augmentation (random crop with 4-pixel padding and
horizontal flip), inputs standardised per channel with the statistics of the dataset they come from.

Defrosting: for a transfer depth k the network is initialised from ``seed`` (so every k shares the same
initialisation of the units it retrains), units 1..k are loaded from the source network and frozen, the
rest is trained on the target. Frozen batch norms keep the source statistics (``bn: frozen``, eval mode)
or re-estimate them on the target (``bn: adapt``). With frozen statistics and no augmentation the frozen
prefix computes the same function of every image at every step, so its output is computed once and only
the rest of the network is trained on it (``cache_prefix``): the same result, faster (tested) whenever the
SGD steps see at least as many images as the training set holds (otherwise the prefix is not cached).

The networks are any with WideResNet's interface (``units``, ``n_units``, ``forward(x, start, stop)``,
``fresh(classes)``): the Wide-ResNets and ResNet-18 (``tlrepro.gerace2023.resnet``). ``transform`` maps a batch
of stored images to the network's input on the batch's device (``image_transform``: uint8 patches resized and
standardised batch by batch, so a large set of small images is never held at the network's resolution).

On a GPU (``mixed_precision`` None = whether the device is CUDA): bf16 autocast (no loss scaling needed),
channels-last tensors, and the training data moved to the device once. The CPU path is plain float32.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from .wrn import WideResNet

__all__ = ["standardise", "image_transform", "train_network", "evaluate", "defrost_network", "defrost_profile",
           "TrainResult", "steps_for"]

Transform = Callable[[torch.Tensor], torch.Tensor] | None


def standardise(images: np.ndarray, stats: Mapping[str, Sequence[float]] | None = None):
    """uint8 (n, H, W, 3) -> float32 tensor (n, 3, H, W) with zero mean and unit std per channel; the
    statistics are those of ``images`` unless given ({"mean": [...], "std": [...]} on the 0-255 scale)."""
    x = torch.as_tensor(images, dtype=torch.float32).permute(0, 3, 1, 2)
    if stats is None:
        stats = {"mean": x.mean((0, 2, 3)).tolist(), "std": x.std((0, 2, 3)).tolist()}
    mean = torch.tensor(stats["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(stats["std"]).view(1, 3, 1, 1)
    return (x - mean) / std, stats


def image_transform(size: int, stats: Mapping[str, Sequence[float]]) -> Callable[[torch.Tensor], torch.Tensor]:
    """uint8 (n, H, W, 3) -> float32 (n, 3, size, size): bilinear resizing (when H != size), then the
    per-channel standardisation ``stats`` ({"mean": [...], "std": [...]}, 0-255 scale)."""
    mean = torch.tensor(stats["mean"], dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(stats["std"], dtype=torch.float32).view(1, 3, 1, 1)

    def transform(x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 3, 1, 2).float()
        if x.shape[-2:] != (size, size):
            x = nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
        return (x - mean.to(x.device)) / std.to(x.device)

    return transform


def _augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    n, _, H, W = x.shape
    padded = nn.functional.pad(x, (4, 4, 4, 4), mode="constant", value=0.0)
    dx = torch.randint(0, 9, (n,), generator=gen)
    dy = torch.randint(0, 9, (n,), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    out = torch.empty_like(x)
    for i in range(n):
        img = padded[i, :, dy[i]:dy[i] + H, dx[i]:dx[i] + W]
        out[i] = img.flip(-1) if flip[i] else img
    return out


def _on_gpu(device: str) -> bool:
    return str(device).startswith("cuda")


def _autocast(device: str, on: bool):
    """bf16 autocast on ``device`` when ``on`` (mixed precision), else nothing."""
    return torch.autocast(torch.device(device).type, dtype=torch.bfloat16) if on else contextlib.nullcontext()


def _layout(x: torch.Tensor, on: bool) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if on and x.dim() == 4 else x


def steps_for(n: int, cfg: Mapping[str, Any]) -> int:
    """SGD steps of one training: ``epochs`` passes over n images at ``batch_size``, clipped to
    [``min_steps``, ``max_steps``] (the reduced scales cap the cost of large target sets)."""
    steps = cfg["epochs"] * math.ceil(n / cfg["batch_size"])
    return int(min(max(steps, cfg.get("min_steps", 0)), cfg.get("max_steps", steps)))


@dataclass
class TrainResult:
    steps: int
    seconds: float
    final_loss: float


def train_network(net: WideResNet, x: torch.Tensor, y: torch.Tensor, cfg: Mapping[str, Any], *, seed: int,
                  start: int = 0, frozen_bn: Sequence[nn.Module] = (), device: str = "cpu",
                  transform: Transform = None, mixed_precision: bool | None = None,
                  penalty: Callable[[], torch.Tensor] | None = None, log=None) -> TrainResult:
    """Train units ``start``.. of ``net`` on inputs ``x`` (the output of unit ``start`` - 1, or images, through
    ``transform`` when given) with the config's SGD schedule; parameters with requires_grad False stay fixed,
    modules in ``frozen_bn`` stay in eval mode. ``penalty``: a term added to every step's loss (the elastic
    coupling of compliant learning); the reported loss is the data's. ``mixed_precision``: see the module
    docstring."""
    fast = _on_gpu(device) if mixed_precision is None else mixed_precision
    if _on_gpu(device):  # the data kept on the device: no copy per step
        x, y = x.to(device), y.to(device)
    if fast:
        net.to(memory_format=torch.channels_last)
    gen = torch.Generator().manual_seed(seed)
    params = [p for p in net.units[start:].parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"], weight_decay=cfg["weight_decay"])
    steps = steps_for(len(x), cfg)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
    net.train()
    for m in frozen_bn:
        m.eval()
    bs, done, t0, loss = cfg["batch_size"], 0, time.perf_counter(), float("nan")
    augment = cfg.get("augment", "none") == "crop_flip" and start == 0
    while done < steps:
        order = torch.randperm(len(x), generator=gen).to(x.device)
        for i in range(0, len(x), bs):
            idx = order[i:i + bs]
            xb = x[idx]
            if transform is not None:
                xb = transform(xb.to(device))
            if augment:
                xb = _augment(xb, gen)
            with _autocast(device, fast):
                out = net(_layout(xb.to(device), fast), start)
            loss_t = nn.functional.cross_entropy(out.float(), y[idx].to(device))
            opt.zero_grad(set_to_none=True)
            (loss_t if penalty is None else loss_t + penalty()).backward()
            opt.step()
            sched.step()
            done += 1
            if done >= steps:
                break
        loss = float(loss_t.detach())  # once per epoch: no device synchronisation per step
        if not math.isfinite(loss):
            raise RuntimeError(f"training diverged (loss {loss}); lower lr (config key 'lr' = {cfg['lr']})")
    if log is not None:
        log.info("trained units %d.. for %d steps in %.1fs, last batch loss %.4f", start + 1, steps,
                 time.perf_counter() - t0, loss)
    return TrainResult(steps, time.perf_counter() - t0, loss)


@torch.no_grad()
def _forward(net: WideResNet, x: torch.Tensor, start: int, stop: int | None, batch_size: int, device: str,
             transform: Transform, fast: bool) -> torch.Tensor:
    """Units start..stop-1 of ``net`` (eval mode) on ``x`` in batches, float32 on the CPU."""
    net.eval()
    out = []
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size].to(device)
        xb = xb if transform is None else transform(xb)
        with _autocast(device, fast):
            out.append(net(_layout(xb, fast), start, stop).float().cpu())
    return torch.cat(out)


@torch.no_grad()
def evaluate(net: WideResNet, x: torch.Tensor, y: torch.Tensor, start: int = 0, batch_size: int = 1000,
             device: str = "cpu", transform: Transform = None, mixed_precision: bool | None = None) -> float:
    """Accuracy of ``net`` (eval mode) from unit ``start`` on."""
    fast = _on_gpu(device) if mixed_precision is None else mixed_precision
    pred = _forward(net, x, start, None, batch_size, device, transform, fast).argmax(1)
    return int((pred == y.cpu()).sum()) / max(1, len(x))


@torch.no_grad()
def _prefix(net: WideResNet, x: torch.Tensor, k: int, batch_size: int = 1000, device: str = "cpu",
            transform: Transform = None, mixed_precision: bool | None = None) -> torch.Tensor:
    fast = _on_gpu(device) if mixed_precision is None else mixed_precision
    return _forward(net, x, 0, k, batch_size, device, transform, fast)


def defrost_network(source: WideResNet, k: int, seed: int, classes: int | None = None) -> WideResNet:
    """A copy of the architecture (with ``classes`` outputs, default the source's) initialised from ``seed``,
    with units 1..k from ``source``, frozen."""
    if not 0 <= k < source.n_units:
        raise ValueError(f"transfer depth k = {k} is outside 0..{source.n_units - 1}: {source.name} has "
                         f"{source.n_units} units and its output layer is always retrained")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = source.fresh(classes)
    for i in range(k):
        net.units[i].load_state_dict(copy.deepcopy(source.units[i].state_dict()))
        for p in net.units[i].parameters():
            p.requires_grad_(False)
    return net


def defrost_profile(source: WideResNet, depths: Sequence[int], x_train: torch.Tensor, y_train: torch.Tensor,
                    x_test: torch.Tensor, y_test: torch.Tensor, cfg: Mapping[str, Any], *, seed: int,
                    classes: int | None = None, transform: Transform = None, device: str = "cpu",
                    mixed_precision: bool | None = None, log=None) -> list[dict]:
    """Test accuracy after training at every transfer depth k of ``depths`` (rows: k, accuracy, steps,
    seconds, cached); ``classes``: the target's, when the source's head has another size."""
    rows = []
    bn_frozen = cfg["bn"] == "frozen"
    # caching runs the prefix once on every training image; without it the prefix runs on the images the SGD
    # steps draw: cache only when the steps see at least the whole set (the same result either way)
    seen = steps_for(len(x_train), cfg) * cfg["batch_size"]
    for k in depths:
        net = defrost_network(source, k, seed, classes).to(device)
        cache = (bool(cfg["cache_prefix"]) and k > 0 and bn_frozen and cfg.get("augment", "none") == "none"
                 and len(x_train) <= seen)
        t0 = time.perf_counter()
        if cache:
            feats, test_feats = (_prefix(net, x, k, device=device, transform=transform, mixed_precision=mixed_precision)
                                 for x in (x_train, x_test))
            res = train_network(net, feats, y_train, cfg, seed=seed, start=k, device=device,
                                mixed_precision=mixed_precision)
            acc = evaluate(net, test_feats, y_test, start=k, device=device, mixed_precision=mixed_precision)
        else:
            frozen = [m for m in net.units[:k].modules() if isinstance(m, nn.BatchNorm2d)] if bn_frozen else []
            res = train_network(net, x_train, y_train, cfg, seed=seed, frozen_bn=frozen, device=device,
                                transform=transform, mixed_precision=mixed_precision)
            acc = evaluate(net, x_test, y_test, device=device, transform=transform, mixed_precision=mixed_precision)
        rows.append({"k": k, "accuracy": acc, "steps": res.steps, "seconds": time.perf_counter() - t0,
                     "cached": cache})
        if log is not None:
            log.info("k = %d: accuracy %.4f after %d steps (%.1fs%s)", k, acc, res.steps, rows[-1]["seconds"],
                     ", prefix cached" if cache else "")
    return rows
