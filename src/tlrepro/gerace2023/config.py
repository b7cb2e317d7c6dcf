"""The gerace2023 config section: cross-key rules its schema cannot express, each message naming the key;
and the datasets and profiles the figures need (read by the rule file)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .units import n_units

__all__ = ["problems", "datasets", "profiles", "figures", "idc_training", "idc_enabled", "similarity_sources",
           "lambda_label"]

RESNET = ("imagenet", "idc")  # the ResNet-18 panels: ImageNet weights -> IDC patches


def figures(section: Mapping[str, Any]) -> list[str]:
    return [k for k in section if k != "setup"]


def profiles(section: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """(source, target, n_per_class) of every WRN profile the figures draw, without repeats."""
    out = []
    for fig in figures(section):
        for p in section[fig].get("panels", []):
            if p["source"] in RESNET:
                continue
            out += [(p["source"], p["target"], n) for n in p["n_per_class"]]
    return sorted(set(out), key=out.index)


def idc_training(section: Mapping[str, Any]) -> dict:
    """The IDC panels' training: the target training with setup.idc.training's changes."""
    return {**section["setup"]["target_training"], **section["setup"]["idc"]["training"]}


def idc_enabled(section: Mapping[str, Any], mirror: str | None = None) -> bool:
    """Whether the workflow builds the ImageNet -> IDC panels: setup.idc.use, where ``auto`` means when the
    user has provided the patches (already converted, or an archive or folder in ``<mirror>/idc/``)."""
    use = section["setup"]["idc"]["use"]
    if use != "auto":
        return bool(use)
    from ..data import canonical_path
    from ..data.fetch import resolve_mirror
    from ..data.registry import get

    if canonical_path("breast_idc").is_file():
        return True
    root = resolve_mirror(mirror)
    folder = root / get("breast_idc").subdir if root is not None else None
    return bool(folder is not None and folder.is_dir() and any(folder.iterdir()))


def datasets(section: Mapping[str, Any]) -> list[str]:
    """The datasets the WRN profiles use (cifar10 and the clones), sources and targets."""
    names = [d for s, t, _ in profiles(section) for d in (s, t)] + similarity_sources(section)
    return sorted(set(names), key=names.index)


def similarity_sources(section: Mapping[str, Any]) -> list[str]:
    """The clones whose source networks the similarity figures compare with the CIFAR-10 network."""
    names = [c for fig in figures(section) for c in section[fig].get("clones", [])]
    return sorted(set(names), key=names.index)


def lambda_label(lam: float) -> str:
    """A coupling strength as it appears in file names (its shortest exact form: 0, 0.001, 1)."""
    return repr(float(lam)).removesuffix(".0") if float(lam).is_integer() else repr(float(lam))


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
    for block, tt in (("target_training", setup["target_training"]), ("idc.training", idc_training(section))):
        if tt["cache_prefix"] and (tt["augment"] != "none" or tt["bn"] != "frozen"):
            yield (f"{key}.{block}: cache_prefix needs augment: none and bn: frozen (a frozen prefix computes "
                   "the same features only then); set cache_prefix: false")
    idc_depths = setup["idc"]["depths"]
    if idc_depths != sorted(idc_depths):
        yield f"{key}.idc.depths must increase, got {idc_depths}"
    for fig in figures(section):
        for i, c in enumerate(section[fig].get("clones", [])):
            if c == "cifar10":
                yield (f"config key gerace2023.{fig}.clones[{i}] = cifar10: the clones are compared with the "
                       "CIFAR-10 network; list clones only (gm, isogm, L<size>)")
        if "compliant" in section[fig]:
            comp = section[fig]["compliant"]
            lams = comp["lambdas"]
            if 0 not in lams:
                yield f"config key gerace2023.{fig}.compliant.lambdas = {lams} must include 0 (the reference)"
            if lams != sorted(lams) or len(set(lams)) != len(lams):
                yield f"config key gerace2023.{fig}.compliant.lambdas must increase strictly, got {lams}"
            if comp["units"] > units:
                yield (f"config key gerace2023.{fig}.compliant.units = {comp['units']}: WRN-{depth}-"
                       f"{setup['network']['widen']} has {units} units; couple at most {units}")
        for i, p in enumerate(section[fig].get("panels", [])):
            where = f"config key gerace2023.{fig}.panels[{i}]"
            if (p["source"] in RESNET) != (p["target"] in RESNET):
                yield f"{where}: the ResNet-18 panel goes from imagenet to idc, got {p['source']} -> {p['target']}"
            if p["source"] == p["target"]:
                yield f"{where}: source and target are both {p['source']}; a transfer needs two datasets"
        claims = section[fig].get("claims", {})
        idc_sizes = [n for p in section[fig].get("panels", []) if p["source"] in RESNET for n in p["n_per_class"]]
        if idc_sizes and fig == "fig3":  # Fig. 3's claim about vanilla freezing with 10 times more data
            for k in ("idc_vanilla_sizes", "idc_equivalence_margin"):
                if k not in claims:
                    yield f"config key gerace2023.{fig}.claims.{k} is missing: the ImageNet -> IDC panel's claim needs it"
            vs = claims.get("idc_vanilla_sizes", [])
            if vs and not set(vs) <= set(idc_sizes):
                yield (f"config key gerace2023.{fig}.claims.idc_vanilla_sizes = {vs}: both sizes must be among the "
                       f"IDC panel's n_per_class {idc_sizes}")
        for k in ("top_depth_min", "bottom_depth_max"):
            if k in claims and claims[k] not in depths:
                yield (f"config key gerace2023.{fig}.claims.{k} = {claims[k]} is not one of the simulated "
                       f"depths {depths}")
