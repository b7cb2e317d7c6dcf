"""Per-step diagnostics of a network's parameters: gradient norm, weight-norm change and weight-direction
(angle) change relative to the start, for the whole network and per layer.

Layer = scope: every named module that owns parameters directly (a convolution, a batch norm, the
``fc`` layer), its weight and bias taken together as one vector. Per module rather than per tensor
because a tensor that starts at zero (batch-norm shifts of a random network) has no relative change
and no angle; the module vector of a batch norm (scales 1, shifts 0) does.

With w the scope's parameters at a step and w0 those at the start (all in float64):
  weight_norm_change = | ||w|| - ||w0|| | / ||w0||     (relative magnitude change, >= 0)
  weight_norm_ratio  = ||w|| / ||w0||                  (its sign: grew > 1, shrank < 1)
  distance           = ||w - w0|| / ||w0||             (relative displacement)
  angle_change       = angle(w, w0) in radians, from the three norms with Kahan's stable triangle
                       formula (arccos of the cosine loses half the digits for small angles)
  grad_norm          = ||dL/dw|| of the training loss at w
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

NETWORK = "network"
RAW = ("w_sq", "w0_sq", "d_sq", "g_sq")  # squared norms summed per scope: ||w||, ||w0||, ||w-w0||, ||g||


def balanced_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor) -> float:
    """Mean over the classes present in ``y_true`` of the fraction of them predicted correctly
    (scikit-learn's ``balanced_accuracy_score``, without its adjustment option)."""
    classes, inverse = torch.unique(y_true, return_inverse=True)
    support = torch.bincount(inverse, minlength=classes.numel())
    hits = torch.bincount(inverse[y_pred == y_true], minlength=classes.numel())
    return float((hits.double() / support).mean())


@dataclass(frozen=True)
class Scopes:
    """The tracked parameters, grouped by the module owning them."""

    params: list[nn.Parameter]
    names: list[str]          # module names, in module order
    kinds: list[str]          # module class names
    index: torch.Tensor       # scope of every tensor in ``params``
    n_params: np.ndarray      # number of parameters per scope


def module_scopes(model: nn.Module) -> Scopes:
    """Every module owning trainable parameters (recurse=False), in ``named_modules`` order."""
    params, names, kinds, index, sizes, seen = [], [], [], [], [], set()
    for name, module in model.named_modules():
        own = [p for p in module.parameters(recurse=False) if p.requires_grad and id(p) not in seen]
        if not own:
            continue
        seen.update(map(id, own))
        params += own
        index += [len(names)] * len(own)
        names.append(name or type(module).__name__)
        kinds.append(type(module).__name__)
        sizes.append(sum(p.numel() for p in own))
    return Scopes(params, names, kinds, torch.tensor(index), np.array(sizes))


def angle_between(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Angle (radians) between two vectors of norms ``a`` and ``b`` whose difference has norm ``c``.

    Kahan's numerically stable formula for the angle of a triangle opposite side ``c``; NaN where a
    vector is zero."""
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c)))
    a, b = np.maximum(a, b), np.minimum(a, b)
    mu = np.where(b >= c, c - (a - b), b - (a - c))
    num = np.clip(((a - b) + c) * mu, 0.0, None)
    den = (a + (b + c)) * ((a - c) + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, 2.0 * np.arctan(np.sqrt(num / den)), np.nan)


class WeightTracker:
    """Remembers a model's parameters at construction (w0) and measures the current ones against them."""

    def __init__(self, model: nn.Module) -> None:
        self.scopes = module_scopes(model)
        self.initial = [p.detach().clone() for p in self.scopes.params]
        self._w0_sq = self._norms_sq(self.initial)

    @property
    def params(self) -> list[nn.Parameter]:
        return self.scopes.params

    @staticmethod
    def _norms_sq(tensors) -> torch.Tensor:
        return torch.stack([torch.linalg.vector_norm(t, dtype=torch.float64) for t in tensors]) ** 2

    def raw(self) -> np.ndarray:
        """Squared norms (columns ``RAW``) of the network (row 0) and of every scope (rows 1...)."""
        ps = [p.detach() for p in self.params]
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        per_tensor = torch.stack([self._norms_sq(ps), self._w0_sq,
                                  self._norms_sq([p - p0 for p, p0 in zip(ps, self.initial)]),
                                  self._norms_sq(grads)], dim=1).cpu()  # one sync; sums on the CPU
        per_scope = per_tensor.new_zeros(len(self.scopes.names), len(RAW))  # (deterministic order)
        per_scope.index_add_(0, self.scopes.index, per_tensor)
        return torch.cat([per_tensor.sum(0, keepdim=True), per_scope]).numpy()

    def frame(self, raw: np.ndarray) -> pd.DataFrame:
        """Metrics from stacked ``raw()`` results (steps, 1 + scopes, 4): one row per step and scope."""
        raw = np.asarray(raw, dtype=np.float64).reshape(-1, 1 + len(self.scopes.names), len(RAW))
        n_steps, n_rows = raw.shape[:2]
        w, w0, d, g = (np.sqrt(raw[..., i]).ravel() for i in range(len(RAW)))
        with np.errstate(divide="ignore", invalid="ignore"):
            metrics = {"grad_norm": g, "weight_norm": w,
                       "weight_norm_change": np.abs(w - w0) / w0, "weight_norm_ratio": w / w0,
                       "distance": d / w0, "angle_change": angle_between(w, w0, d)}
        return pd.DataFrame({
            "step": np.repeat(np.arange(n_steps), n_rows),
            "scope": np.tile([NETWORK, *self.scopes.names], n_steps),
            "kind": np.tile([NETWORK, *self.scopes.kinds], n_steps),
            "depth": np.tile(np.arange(-1, n_rows - 1), n_steps),
            "n_params": np.tile([self.scopes.n_params.sum(), *self.scopes.n_params], n_steps),
            **metrics,
        })
