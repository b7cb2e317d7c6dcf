"""Memory a job of the gerace2022 pipeline needs, estimated from its experiment config, and a check
that fails before allocating when the machine cannot hold it (``tlrepro.memory.require``).

The estimates count the largest arrays each rule holds at once (float64 unless noted), times a
safety factor for temporaries; they feed the rules' ``mem_mb`` resource (so SLURM and
``--resources mem_mb=...`` schedule by them) and ``check`` at the start of every job."""

from __future__ import annotations

import math
from typing import Any, Mapping

from ..memory import ResourceError, require

__all__ = ["ResourceError", "estimate", "check"]

IMAGE_D = {"mnist": 784, "emnist_letters": 784, "notmnist_small": 784, "cifar10": 3072}
SAFETY = 2.0  # temporaries of numpy / torch / scikit-learn on top of the named arrays
BASE = 300 * 2**20  # interpreter, numpy, torch


def _largest_m(exp: Mapping[str, Any], block: str) -> int:
    return int(math.ceil(max(exp[block]["alphas"]) * exp["H"]))


def estimate(rule: str, exp: Mapping[str, Any]) -> tuple[int, str]:
    """(bytes, what dominates) for ``rule`` on experiment config ``exp`` (a gerace2022 section)."""
    H = exp["H"]
    if "chmm" in exp:
        D = exp["chmm"]["D"]
        L = exp["chmm"]["L_s"] + exp["chmm"]["L_t"]
        feats = L * D * 8 * 2
    else:  # an image task: the pools of the dataset replace the generative features
        D = IMAGE_D.get(exp["dataset"], 3072)
        L, feats = 0, 3 * 150_000 * D * 4
    if rule in ("g22_chmm_instance", "g22_image_task"):
        need = feats
        what = (f"generative features ((L_s + L_t) x D = {L} x {D})" if L else
                f"image pools (up to 150000 images of D = {D} pixels)")
    elif rule == "g22_train_source":
        n = exp["source"]["M"] + exp["source"]["M_val"]
        need = n * D * (8 + 4) + feats
        what = f"source data ((source.M + source.M_val) x D = {n} x {D}, float64 + float32 copy)"
    elif rule == "g22_random_features":
        need, what = H * D * 8 * 2, f"first layer (H x D = {H} x {D})"
    elif rule == "g22_population":
        need = 3 * H * H * 8 + 8192 * (D + H) * 8 + feats
        what = f"Omega (H x H = {H} x {H}) and sample batches"
    elif rule in ("g22_theory", "g22_theory_scan"):
        need, what = 4 * H * H * 8, f"Omega and its eigenvectors (H x H = {H} x {H})"
    elif rule in ("g22_simulate_fixed_features", "g22_simulate_gaussian_equivalent"):
        M = _largest_m(exp, "simulation")
        need = M * (D + 2 * H) * 8 + 3 * H * H * 8 + feats
        what = f"training set (max alpha x H = {M} samples of D = {D} inputs and H = {H} features)"
    elif rule == "g22_readout_gaussianity":
        n = exp["readout_check"]["n_fit"]
        need = n * (D * 4 + H * 4 + 2 * H * 8) + 8192 * (D + 2 * H) * 8 + H * H * 8 + feats
        what = f"fit set (readout_check.n_fit = {n} samples of D = {D} inputs and H = {H} features)"
    elif rule in ("g22_simulate_twolayer", "g22_simulate_finetune"):
        from .config import seeds_for

        net = exp["networks"]  # the seeds of one alpha train together (stacked float32 sets, their sources)
        M = max(int(math.ceil(a * H)) * seeds_for(a, net["seeds"]) for a in net["alphas"])
        need = M * (D * 8 + D * 4 * 2 + 2 * H * 8) + feats
        what = (f"training sets of one alpha, all seeds (max alpha x H x seeds = {M} samples of D = {D} "
                "inputs)")
    else:
        raise ValueError(f"no memory model for rule {rule!r}")
    return int(BASE + SAFETY * need), what


def check(rule: str, exp: Mapping[str, Any], key: str, available: int | None = None) -> int:
    """Raise ``ResourceError`` naming the config keys to change if ``rule`` needs more memory than is
    available here; return the estimate in bytes."""
    need, what = estimate(rule, exp)
    return require(need, job=f"rule {rule}", what=f"{what} of config {key}", available=available,
                   fix=(f"Reduce {key}.H, {key}.chmm.D or the sample counts ({key}.source.M, the "
                        "largest alphas)"))
