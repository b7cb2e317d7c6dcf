"""2-D loss-landscape slices with filter-normalised random directions (Li et al. 2018, "Visualizing
the loss landscape of neural nets").

A direction d has the shape of the parameters; each filter d_i of a weight with >= 2 dimensions (a
convolution's output channel, a linear layer's output row) is a Gaussian draw rescaled to the norm of
the corresponding filter of the weights, ||d_i|| = ||w_i||. One-dimensional parameters (biases,
batch-norm scales and shifts) get d = 0, Li et al.'s default ("ignore biasbn"). The slice is the loss
f(a, b) = L(w + a d1 + b d2) on a square grid a, b in [-span, span], evaluated in eval mode (batch-norm
running statistics and other buffers as they are) with ``torch.func.functional_call``, so the model
itself is never modified.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call


def filter_normalized_direction(model: nn.Module, generator: torch.Generator) -> dict[str, torch.Tensor]:
    """One random direction per named parameter (see module docstring); drawn on the CPU with
    ``generator`` so that it does not depend on the device, then moved to the parameter's device."""
    out = {}
    for name, p in model.named_parameters():
        w = p.detach()
        if w.ndim <= 1:
            out[name] = torch.zeros_like(w)
            continue
        d = torch.randn(w.shape, generator=generator, dtype=w.dtype).to(w.device)
        scale = w.flatten(1).norm(dim=1) / d.flatten(1).norm(dim=1).clamp_min(1e-12)
        out[name] = d * scale.view(-1, *([1] * (w.ndim - 1)))
    return out


def grid_coordinates(span: float, points: int) -> np.ndarray:
    """``points`` (odd) equally spaced values in [-span, span] whose middle one is exactly 0."""
    if points < 1 or points % 2 == 0:
        raise ValueError(f"points must be odd (the centre on the grid), got {points}")
    half = (points - 1) // 2
    return span * np.arange(-half, half + 1) / max(half, 1)


@torch.no_grad()
def loss_landscape(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int,
                   span: float = 1.0, points: int = 11,
                   directions: tuple[dict, dict] | None = None) -> pd.DataFrame:
    """Cross-entropy and accuracy on (x, y) at w + a d1 + b d2 for a, b on the grid: a table with
    columns alpha (a), beta (b), loss, accuracy. Directions from a CPU generator seeded with ``seed``
    unless given."""
    if directions is None:
        gen = torch.Generator().manual_seed(int(seed))
        directions = (filter_normalized_direction(model, gen), filter_normalized_direction(model, gen))
    d1, d2 = directions
    model.eval()
    params = {n: p.detach() for n, p in model.named_parameters()}
    buffers = dict(model.named_buffers())
    coords = grid_coordinates(span, points)
    rows = []
    for a in coords:
        for b in coords:
            moved = {n: w + float(a) * d1[n] + float(b) * d2[n] for n, w in params.items()}
            logits = functional_call(model, {**moved, **buffers}, (x,))
            rows.append((a, b, float(F.cross_entropy(logits, y)),
                         float((logits.argmax(1) == y).double().mean())))
    return pd.DataFrame(rows, columns=["alpha", "beta", "loss", "accuracy"])
