"""The gerace2022 config section: cross-key rules its schema ``$defs`` cannot express, and the seed tiers
of its learning curves."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from ..config import ConfigError

__all__ = ["problems", "seeds_for", "simulation_covers_networks"]


def problems(section: Mapping[str, Any]) -> Iterator[str]:
    """Rules across the keys of the gerace2022 config section: ordered ranges, seed tiers that cover
    every alpha, consistent sizes, grids that suit their parameter. One message per problem."""
    for fig, exp in section.items():
        base = f"gerace2022.{fig}"
        if "alpha_min" in exp.get("theory", {}) and exp["theory"]["alpha_min"] >= exp["theory"]["alpha_max"]:
            yield f"config key {base}.theory.alpha_min must be smaller than alpha_max"
        for block in ("simulation", "networks"):
            if block not in exp:
                continue
            tiers = exp[block]["seeds"]
            bounds = [t["up_to_alpha"] for t in tiers]
            if bounds != sorted(bounds) or len(set(bounds)) != len(bounds):
                yield f"config key {base}.{block}.seeds: up_to_alpha must increase strictly"
            too_big = [a for a in exp[block]["alphas"] if a > bounds[-1]]
            if too_big:
                yield (f"config key {base}.{block}.seeds: no seed tier covers alpha {too_big}; "
                       f"raise the last up_to_alpha to at least {max(too_big)}")
        if "source" in exp and exp["source"]["batch_size"] > exp["source"]["M"]:
            yield f"config key {base}.source.batch_size exceeds source.M"
        if "complexity" in exp and exp["complexity"]["min"] >= exp["complexity"]["max"]:
            yield f"config key {base}.complexity.min must be smaller than complexity.max"
        if "grid" in exp:
            yield from _grid_problems(base, exp)
            ref = (exp.get("claims") or {}).get("binary_counterpart")
            other = section.get(ref) or {}
            if ref and other.get("grid", {}).get("param") != exp["grid"]["param"]:
                yield (f"config key {base}.claims.binary_counterpart: {ref} must be a grid over the "
                       f"same parameter ({exp['grid']['param']}) to be compared cell by cell")
        for side in ("source", "target"):
            spec = (exp.get("task") or {}).get(side)
            if spec is None:
                continue
            if spec["labels"] == "groups" and "groups" not in spec:
                yield f"config key {base}.task.{side}.groups is required when labels is groups"
            if spec["transform"] == "edge" and "edge_alpha" not in spec:
                yield f"config key {base}.task.{side}.edge_alpha is required when transform is edge"


_INTEGER_PARAMS = {"chmm.L_t", "H", "source.M", "source.max_epochs", "source.M_val"}


def _grid_problems(base: str, exp: Mapping[str, Any]):
    """A grid's values must suit its parameter; each row must be a valid experiment."""
    g = exp["grid"]
    key, vals = f"config key {base}.grid", g["values"]
    if vals != sorted(vals) or len(set(vals)) != len(vals):
        yield f"{key}.values must increase strictly"
    if g["param"] in _INTEGER_PARAMS:
        bad = [v for v in vals if v != int(v) or v < 1]
        if bad:
            yield f"{key}.values: {g['param']} takes positive integers, got {bad}"
    elif any(v > 1 for v in vals):
        yield f"{key}.values: {g['param']} lies in [0, 1], got {[v for v in vals if v > 1]}"
    comp = g["complement"]
    if comp is not None:
        if any(comp["total"] - v < 1 for v in vals):
            yield (f"{key}.complement.total = {comp['total']} leaves {comp['param']} < 1 for "
                   f"values {[v for v in vals if comp['total'] - v < 1]}")
    if g["param"] == "source.M" and min(vals) < exp["source"]["batch_size"]:
        yield f"{key}.values: every source size must be at least source.batch_size"


def seeds_for(alpha: float, tiers: list[Mapping[str, Any]]) -> int:
    """Number of seeds for ``alpha`` from a list of {up_to_alpha, n} tiers (first tier that covers it)."""
    for tier in tiers:
        if alpha <= tier["up_to_alpha"] * (1 + 1e-12):
            return int(tier["n"])
    raise ConfigError(f"no seed tier covers alpha={alpha}")


def simulation_covers_networks(cfg: Mapping[str, Any]) -> bool:
    """Whether an experiment's TF / RF simulation fits every (alpha, seed) set its networks train on: each
    network alpha simulated, with at least as many seeds (an alpha's seeds are a prefix of one sequence,
    ``job.simulate_per_alpha``). ft-TF then starts from the TF simulation's readouts instead of fitting
    them again (rule g22_simulate_finetune); otherwise it fits its own, and needs no TF simulation."""
    sim, net = cfg.get("simulation"), cfg.get("networks")
    if not sim or not net:
        return False
    simulated = {float(a) for a in sim["alphas"]}
    return all(float(a) in simulated and seeds_for(a, net["seeds"]) <= seeds_for(a, sim["seeds"])
               for a in net["alphas"])
