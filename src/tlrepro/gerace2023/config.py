"""The gerace2023 config section: cross-key rules its schema cannot express, each message naming the key;
and the datasets and profiles the figures need (read by the rule file)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .units import n_units

__all__ = ["problems", "datasets", "profiles", "figures"]

RESNET = ("imagenet", "idc")  # the ResNet-18 panels: ImageNet weights -> IDC patches


def figures(section: Mapping[str, Any]) -> list[str]:
    return [k for k in section if k != "setup"]


def profiles(section: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """(source, target, n_per_class) of every WRN profile the figures draw, without repeats."""
    out = []
    for fig in figures(section):
        for p in section[fig]["panels"]:
            if p["source"] in RESNET:
                continue
            out += [(p["source"], p["target"], n) for n in p["n_per_class"]]
    return sorted(set(out), key=out.index)


def datasets(section: Mapping[str, Any]) -> list[str]:
    """The datasets the WRN profiles use (cifar10 and the clones), sources and targets."""
    names = [d for s, t, _ in profiles(section) for d in (s, t)]
    return sorted(set(names), key=names.index)


def problems(section: Mapping[str, Any]) -> Iterator[str]:
    setup = section["setup"]
    key = "config key gerace2023.setup"
    depth = setup["network"]["depth"]
    if (depth - 4) % 6:
        yield f"{key}.network.depth = {depth}: a WRN depth d needs (d - 4) divisible by 6 (10, 16, 22, 28, ...)"
        return
    units = n_units(depth)
    depths = setup["depths"]
    if depths != sorted(depths):
        yield f"{key}.depths must increase, got {depths}"
    if max(depths) > units - 1:
        yield (f"{key}.depths: a transfer depth k = {max(depths)} is beyond WRN-{depth}-"
               f"{setup['network']['widen']}'s {units} units (its output layer is always retrained: k <= "
               f"{units - 1}); use depths up to {units - 1}")
    for block in ("source_training", "target_training"):
        t = setup[block]
        if t["min_steps"] > t["max_steps"]:
            yield f"{key}.{block}.min_steps exceeds max_steps"
    tt = setup["target_training"]
    if tt["cache_prefix"] and (tt["augment"] != "none" or tt["bn"] != "frozen"):
        yield (f"{key}.target_training.cache_prefix needs augment: none and bn: frozen (a frozen prefix "
               "computes the same features only then); set cache_prefix: false")
    for fig in figures(section):
        for i, p in enumerate(section[fig]["panels"]):
            where = f"config key gerace2023.{fig}.panels[{i}]"
            if (p["source"] in RESNET) != (p["target"] in RESNET):
                yield f"{where}: the ResNet-18 panel goes from imagenet to idc, got {p['source']} -> {p['target']}"
            if p["source"] == p["target"]:
                yield f"{where}: source and target are both {p['source']}; a transfer needs two datasets"
        claims = section[fig].get("claims", {})
        for k in ("top_depth_min", "bottom_depth_max"):
            if k in claims and claims[k] not in depths:
                yield (f"config key gerace2023.{fig}.claims.{k} = {claims[k]} is not one of the simulated "
                       f"depths {depths}")
