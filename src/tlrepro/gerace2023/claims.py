"""gerace2023's claims about its defrosting profiles (Figs. 1, 3, 4, 7), as verdicts on the produced tables.

A profile is the test accuracy at every transfer depth k (units kept frozen), averaged over the seeds
(realisations: source network, target subset, initialisation). Its optimum k* is the depth of the highest
mean accuracy; the numbers of every verdict carry the means, their standard errors and k*. Claims about the
ImageNet -> IDC panels need data the user provides; without them they are "not evaluated" (never passed).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..claims import WORKFLOW_CHECK, Verdict, z_bound

__all__ = ["summarise_profiles", "optimum", "fig1_claims", "fig2_checks", "fig3_claims", "fig4_claims",
           "fig7_claims", "idc_claim"]

SOURCE = "Gerace et al. 2023"


def summarise_profiles(profiles: pd.DataFrame) -> pd.DataFrame:
    """Mean, SE and count of the accuracy per (source, target, n_per_class, k)."""
    g = profiles.groupby(["source", "target", "n_per_class", "k"])["accuracy"]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    out["sem"] = out["std"].fillna(0) / np.sqrt(out["n"])
    return out


def _one(summary: pd.DataFrame, source: str, target: str, n: int) -> pd.DataFrame:
    s = summary[(summary["source"] == source) & (summary["target"] == target) & (summary["n_per_class"] == n)]
    if s.empty:
        raise KeyError(f"no profile {source} -> {target} at n_per_class = {n}")
    return s.sort_values("k")


def optimum(summary: pd.DataFrame, source: str, target: str, n: int) -> dict[str, Any]:
    s = _one(summary, source, target, n)
    best = s.loc[s["mean"].idxmax()]
    return {"k_star": int(best["k"]), "accuracy": float(best["mean"]), "sem": float(best["sem"]),
            "profile": {int(k): round(float(m), 4) for k, m in zip(s["k"], s["mean"])}}


def idc_claim(id: str, claim: str, idc: pd.DataFrame | None) -> Verdict:
    """A claim about the ImageNet -> IDC panels: not evaluated without the data (the status says why)."""
    status = idc.iloc[0].to_dict() if idc is not None and len(idc) else {"status": "no status"}
    return Verdict(id, claim, False, {"status": status.get("status"), "details": status.get("details")},
                   SOURCE, evaluated=False)


def fig1_claims(summary: pd.DataFrame, panels: Sequence[Mapping], depths: Sequence[int],
                settings: Mapping[str, Any], idc: pd.DataFrame | None) -> list[Verdict]:
    """'The optimal accuracy can be achieved by either keeping almost all the layers frozen, or by
    re-optimizing all the layers, or by freezing only part of the layers (panels (a), (d) and (b-c))'."""
    top, bottom = int(settings["top_depth_min"]), int(settings["bottom_depth_max"])
    expect = ["top", "interior", "interior", "bottom"]  # panels a, b, c, d as in the caption
    out = []
    for letter, p, where in zip("abcd", panels, expect):
        n = p["n_per_class"][0]
        text = {"top": f"near the top (k* >= {top})", "bottom": f"near 0 (k* <= {bottom})",
                "interior": f"interior (0 < k* < {max(depths)})"}[where]
        claim = f"({letter}) {p['source']} -> {p['target']} at {n or 'all'} per class: the optimum is {text}."
        if p["source"] == "imagenet":
            out.append(idc_claim(f"fig1{letter}:optimum_{where}", claim, idc))
            continue
        o = optimum(summary, p["source"], p["target"], n)
        ok = {"top": o["k_star"] >= top, "bottom": o["k_star"] <= bottom,
              "interior": 0 < o["k_star"] < max(depths)}[where]
        out.append(Verdict(f"fig1{letter}:optimum_{where}", claim, bool(ok), o, SOURCE))
    return out


def fig2_checks(sources: Iterable[Mapping], minimum: float) -> list[Verdict]:
    """This workflow's check: every source network learned its task (test accuracy above ``minimum``)."""
    recs = list(sources)
    accs = {f"{r['dataset']} #{i}": r["test_accuracy"] for i, r in enumerate(recs)}
    return [Verdict("sources_learned", f"Every source network's test accuracy on its own dataset is above "
                    f"{minimum:g} (chance: 0.1).", bool(accs) and min(accs.values()) > minimum,
                    {"accuracy": accs}, WORKFLOW_CHECK)]


def _paired_sizes(summary: pd.DataFrame, source: str, target: str, sizes: Sequence[int], n_sigma: float):
    """For every k: the accuracy at consecutive sizes (unpaired: different subsets), their differences
    and z against the Welch-type bound (the seeds' SEs)."""
    rows = []
    for k in sorted(summary["k"].unique()):
        for a, b in zip(sizes, sizes[1:]):
            x, y = (_one(summary, source, target, n).set_index("k").loc[k] for n in (a, b))
            se = math.hypot(x["sem"], y["sem"])
            dof = max(1, int(x["n"] + y["n"] - 2))
            diff = float(y["mean"] - x["mean"])
            rows.append({"k": int(k), "from": a, "to": b, "difference": diff, "se": se,
                         "z": diff / se if se > 0 else (math.inf if diff > 0 else -math.inf if diff < 0 else 0.0),
                         "z_bound": z_bound(n_sigma, dof)})
    return rows


def _ordered(sizes: Sequence[int], pool: int) -> list[int]:
    """Sizes in increasing order, 0 (the whole pool) last."""
    return sorted(sizes, key=lambda n: pool if n == 0 else n)


def fig3_claims(summary: pd.DataFrame, panels: Sequence[Mapping], settings: Mapping[str, Any],
                idc: pd.DataFrame | None, pool_per_class: int) -> list[Verdict]:
    n_sigma = float(settings["n_sigma"])
    out = []
    for p in panels:
        if p["source"] == "imagenet":
            out.append(idc_claim("fig3:idc_optimal_matches_vanilla_10x",
                                 "ImageNet -> IDC: the optimal transfer with 5x10^3 images per class achieves a "
                                 "performance comparable with vanilla freezing with 10 times more data.", idc))
            continue
        sizes = _ordered(p["n_per_class"], pool_per_class)
        opts = {n: optimum(summary, p["source"], p["target"], n) for n in sizes}
        ks = [opts[n]["k_star"] for n in sizes]
        out.append(Verdict(f"fig3:{p['source']}:optimum_not_deeper_with_size",
                           f"{p['source']} -> {p['target']}: 'the optimum of the defrosting profile shifts "
                           f"backward in the layers, as the size of the target training set is increased': "
                           f"k* does not move deeper as n grows (sizes {sizes}, 0 = the whole pool).",
                           bool(all(b <= a for a, b in zip(ks, ks[1:]))),
                           {"k_star": dict(zip(map(str, sizes), ks)), "optima": {str(n): opts[n] for n in sizes}},
                           SOURCE))
        steps = _paired_sizes(summary, p["source"], p["target"], sizes, n_sigma)
        ends = _paired_sizes(summary, p["source"], p["target"], [sizes[0], sizes[-1]], n_sigma)
        ok = all(r["z"] >= -r["z_bound"] for r in steps) and all(r["z"] > r["z_bound"] for r in ends)
        out.append(Verdict(f"fig3:{p['source']}:accuracy_grows_with_size",
                           f"{p['source']} -> {p['target']}: 'the generalization accuracy on the target task "
                           f"generally increases with larger amounts of training data': at every k no step up "
                           f"in n lowers the accuracy significantly and the largest set beats the smallest "
                           f"significantly.", bool(ok), {"steps": steps, "ends": ends}, SOURCE))
    return out


def fig4_claims(summary: pd.DataFrame, panels: Sequence[Mapping]) -> list[Verdict]:
    opts = {p["source"]: optimum(summary, p["source"], p["target"], p["n_per_class"][0]) for p in panels}
    k = {s: o["k_star"] for s, o in opts.items()}
    return [Verdict("fig4:isogm_optimum_is_zero", "'If the similarity of the two data sources is insufficient "
                    "(left panel), fully retraining the network ... is preferable': IsoGM -> CIFAR-10 has k* = 0.",
                    k.get("isogm") == 0, {"optima": opts}, SOURCE),
            Verdict("fig4:optimum_deepens_with_clone_fidelity", "'As the similarity between the two tasks is "
                    "increased, the optimal cut ... shifts towards the later layers': k*(IsoGM) <= k*(GM) <= "
                    "k*(L256).", bool(k["isogm"] <= k["gm"] <= k["L256"]), {"k_star": k}, SOURCE)]


def fig7_claims(summary: pd.DataFrame, panels: Sequence[Mapping], depths: Sequence[int],
                autoencoders: Iterable[Mapping], settings: Mapping[str, Any], pool_per_class: int) -> list[Verdict]:
    n_sigma = float(settings["n_sigma"])
    by = {p["source"]: p for p in panels}
    out = []
    iso = by["isogm"]
    rows = []
    for n in _ordered(iso["n_per_class"], pool_per_class):
        s = _one(summary, "isogm", iso["target"], n).set_index("k")
        top, zero = s.loc[max(depths)], s.loc[0]
        se = math.hypot(top["sem"], zero["sem"])
        diff = float(top["mean"] - zero["mean"])
        rows.append({"n_per_class": n, "deepest_minus_scratch": diff, "se": se,
                     "z": diff / se if se > 0 else 0.0, "z_bound": z_bound(n_sigma, max(1, int(top["n"] + zero["n"] - 2)))})
    out.append(Verdict("fig7:isogm_never_gains_from_full_transfer",
                       "'In the transfer direction IsoGM to CIFAR-10, transferring up to the very layer is never "
                       "beneficial, no matter the size of the target task': at no size is the deepest transfer "
                       "significantly better than training from scratch.",
                       all(r["z"] <= r["z_bound"] for r in rows), {"points": rows}, SOURCE))
    l256 = by["L256"]
    sizes = _ordered(l256["n_per_class"], pool_per_class)
    ks = {n: optimum(summary, "L256", l256["target"], n)["k_star"] for n in sizes}
    out.append(Verdict("fig7:L256_optimum_at_last_unit",
                       "'In the transfer direction L256 to CIFAR-10, ... it is always convenient to transfer up "
                       "to the very last layer, except at very huge training set sizes': k* is the deepest "
                       f"depth ({max(depths)}) at every size but the largest.",
                       all(ks[n] == max(depths) for n in sizes[:-1]), {"k_star": {str(n): k for n, k in ks.items()}},
                       SOURCE))
    l4 = by["L4"]
    sizes = _ordered(l4["n_per_class"], pool_per_class)
    ks4 = {n: optimum(summary, "L4", l4["target"], n)["k_star"] for n in sizes}
    smaller = [ks4[n] for n in sizes if 0 < n < 64]
    out.append(Verdict("fig7:L4_optimum_earlier_at_64",
                       "'The optimal transfer depth then shifts to the left in the L4 to CIFAR-10 transfer "
                       "experiment with 64 images per class': k* at 64 per class is below the k* of every "
                       "smaller size.", bool(64 in ks4 and smaller and ks4[64] < min(smaller)),
                       {"k_star": {str(n): k for n, k in ks4.items()}}, SOURCE))
    mse = {int(r["size"]): float(r["test_mse"]) for r in autoencoders}
    order = [mse[s] for s in sorted(mse)]
    out.append(Verdict("autoencoder_error_falls_with_bottleneck",
                       "The autoencoders' test reconstruction error falls with the bottleneck size "
                       "(the clones approximate CIFAR-10 with increasing fidelity).",
                       bool(len(order) > 1 and all(b < a for a, b in zip(order, order[1:]))),
                       {"test_mse": mse}, WORKFLOW_CHECK))
    return out
