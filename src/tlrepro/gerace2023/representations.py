"""Layer-wise representations of Wide-ResNets and their similarity (gerace2023 Figs. 6, 8, 9), and compliant
learning's elastic coupling and weight distance (Fig. 5).

A unit's representation of a point is the unit's output (for a convolutional unit a feature map, flattened,
or average-pooled to ``pool`` x ``pool`` first when ``pool`` > 0). Two networks are compared unit by unit on
the same points, ``tlrepro.similarity`` computing the measures: the source network's representation is
``a`` and the target's ``b``, so the information imbalance is the paper's source -> target direction.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd
import torch
from torch import nn

from ..similarity import all_measures
from .wrn import WideResNet

__all__ = ["unit_representations", "similarity_profile", "elastic_penalty", "cosine_distance"]


@torch.no_grad()
def unit_representations(net: WideResNet, x: torch.Tensor, units: Sequence[int], *, pool: int = 0,
                         batch_size: int = 500, device: str = "cpu") -> dict[int, torch.Tensor]:
    """The outputs of the 1-based ``units`` of ``net`` (eval mode) on ``x``, one (N, features) float32 CPU
    tensor per unit; convolutional maps average-pooled to ``pool`` x ``pool`` when ``pool`` > 0."""
    bad = [u for u in units if not 1 <= u <= net.n_units]
    if bad:
        raise ValueError(f"units {bad} are outside 1..{net.n_units}: {net.name} has {net.n_units} units")
    net.eval()
    want, last = set(units), max(units)
    out: dict[int, list[torch.Tensor]] = {u: [] for u in units}
    for i in range(0, len(x), batch_size):
        h = x[i:i + batch_size].to(device)
        for u in range(1, last + 1):
            h = net.units[u - 1](h)
            if u in want:
                r = nn.functional.adaptive_avg_pool2d(h, pool) if pool > 0 and h.dim() == 4 else h
                out[u].append(r.flatten(1).float().cpu())
    return {u: torch.cat(v) for u, v in out.items()}


def similarity_profile(source: WideResNet, target: WideResNet, x: torch.Tensor, units: Sequence[int],
                       cfg: Mapping, *, device: str = "cpu", log=None) -> pd.DataFrame:
    """The similarity measures between ``source``'s and ``target``'s representations of ``x`` at every unit
    (rows: unit, features, information_imbalance (source -> target), information_imbalance_reverse, overlap,
    cka, spearman). ``cfg``: pool, k_ii, k_overlap, k_spearman."""
    rows = []
    reps = [unit_representations(net, x, units, pool=int(cfg["pool"]), device=device) for net in (source, target)]
    for u in units:
        a, b = reps[0][u], reps[1][u]
        m = all_measures(a, b, ii_k=int(cfg["k_ii"]), overlap_k=int(cfg["k_overlap"]),
                         spearman_k=int(cfg["k_spearman"]), device=device)
        rows.append({"unit": u, "features": a.shape[1], **m})
        if log is not None:
            log.info("unit %d (%d features): II %.3f, overlap %.3f, CKA %.3f, Spearman %.3f", u, a.shape[1],
                     m["information_imbalance"], m["overlap"], m["cka"], m["spearman"])
    return pd.DataFrame(rows)


def elastic_penalty(net: WideResNet, anchor: WideResNet, units: int, lam: float):
    """λ ‖θ − θ_anchor‖² over the parameters of units 1..``units`` (a closure for ``train_network``)."""
    pairs = [(p, q.detach().clone()) for i in range(units)
             for p, q in zip(net.units[i].parameters(), anchor.units[i].parameters())]

    def penalty() -> torch.Tensor:
        return lam * sum(((p - q.to(p.device)) ** 2).sum() for p, q in pairs)

    return penalty


def cosine_distance(a: torch.Tensor, b: torch.Tensor) -> float:
    """1 − cos(a, b) of two weight tensors, flattened."""
    a, b = a.detach().flatten().double(), b.detach().flatten().double()
    return float(1.0 - (a @ b) / (a.norm() * b.norm()))
