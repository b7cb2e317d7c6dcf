"""gerace2023's claims about its defrosting profiles (Figs. 1, 3, 4, 7), compliant learning (Fig. 5) and the
similarity of representations (Figs. 6, 8, 9), as verdicts on the produced tables.

A profile is the test accuracy at every transfer depth k (units kept frozen), averaged over the seeds
(realisations: source network, target subset, initialisation). Its optimum k* is the depth of the highest
mean accuracy; the numbers of every verdict carry the means, their standard errors and k*. The ImageNet -> IDC
panels (ResNet-18, its own depths ``idc_depths``) need data the user provides: with their profiles their claims
are judged like the others; without them they are "not evaluated" (never passed).

Similarity claims are judged on the per-seed tables (one row per clone, seed and unit; the clone's network is
compared with the CIFAR-10 network of the same seed, so differences between clones are paired by seed).
Compliant learning's claims compare every coupling λ with λ = 0 paired by seed (the same initialisation and
batches).
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..claims import WORKFLOW_CHECK, Verdict, z_bound

__all__ = ["summarise_profiles", "optimum", "has_profiles", "fig1_claims", "fig2_checks", "fig3_claims", "fig4_claims",
           "fig7_claims", "idc_claim", "fig5_claims", "similarity_claims", "fig9_claims", "unit_means",
           "MEASURES"]

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


def has_profiles(summary: pd.DataFrame, p: Mapping) -> bool:
    """Whether the summary holds the profiles of panel ``p`` (an IDC panel has none without the data)."""
    return bool(((summary["source"] == p["source"]) & (summary["target"] == p["target"])).any()) if len(summary) else False


def idc_claim(id: str, claim: str, idc: pd.DataFrame | None) -> Verdict:
    """A claim about the ImageNet -> IDC panels: not evaluated without the data (the status says why)."""
    status = idc.iloc[0].to_dict() if idc is not None and len(idc) else {"status": "no status"}
    return Verdict(id, claim, False, {"status": status.get("status"), "details": status.get("details")},
                   SOURCE, evaluated=False)


def fig1_claims(summary: pd.DataFrame, panels: Sequence[Mapping], depths: Sequence[int],
                settings: Mapping[str, Any], idc: pd.DataFrame | None,
                idc_depths: Sequence[int] = ()) -> list[Verdict]:
    """'The optimal accuracy can be achieved by either keeping almost all the layers frozen, or by
    re-optimizing all the layers, or by freezing only part of the layers (panels (a), (d) and (b-c))'."""
    top, bottom = int(settings["top_depth_min"]), int(settings["bottom_depth_max"])
    expect = ["top", "interior", "interior", "bottom"]  # panels a, b, c, d as in the caption
    out = []
    for letter, p, where in zip("abcd", panels, expect):
        n = p["n_per_class"][0]
        deepest = max(idc_depths or depths) if p["source"] == "imagenet" else max(depths)
        text = {"top": f"near the top (k* >= {top})", "bottom": f"near 0 (k* <= {bottom})",
                "interior": f"interior (0 < k* < {deepest})"}[where]
        claim = f"({letter}) {p['source']} -> {p['target']} at {n or 'all'} per class: the optimum is {text}."
        if not has_profiles(summary, p) and p["source"] == "imagenet":
            out.append(idc_claim(f"fig1{letter}:optimum_{where}", claim, idc))
            continue
        o = optimum(summary, p["source"], p["target"], n)
        ok = {"top": o["k_star"] >= top, "bottom": o["k_star"] <= bottom,
              "interior": 0 < o["k_star"] < deepest}[where]
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
    panel = summary[(summary["source"] == source) & (summary["target"] == target)]
    for k in sorted(panel["k"].unique()):  # the panel's own depths (a ResNet-18 panel has its own)
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


def _vanilla_10x(summary: pd.DataFrame, p: Mapping, settings: Mapping[str, Any], deepest: int) -> Verdict:
    """'The optimal transfer with 5x10^3 images per class achieves a performance comparable with vanilla
    freezing (the whole feature extractor kept, only the head trained: the deepest k) with 10 times more data',
    as an equivalence test: |difference| plus its bound of SEs within the margin."""
    small, large = (int(n) for n in settings["idc_vanilla_sizes"])
    margin, n_sigma = float(settings["idc_equivalence_margin"]), float(settings["n_sigma"])
    best = optimum(summary, p["source"], p["target"], small)
    s_best = _one(summary, p["source"], p["target"], small).set_index("k").loc[best["k_star"]]
    s_van = _one(summary, p["source"], p["target"], large).set_index("k").loc[deepest]
    diff = float(s_best["mean"] - s_van["mean"])
    se = math.hypot(s_best["sem"], s_van["sem"])
    bound = z_bound(n_sigma, max(1, int(s_best["n"] + s_van["n"] - 2)))
    return Verdict("fig3:idc_optimal_matches_vanilla_10x",
                   f"ImageNet -> IDC: 'the optimal transfer with 5x10^3 images per class achieves a performance "
                   f"comparable with vanilla freezing with 10 times more data': the accuracy at k* with {small} per "
                   f"class and at k = {deepest} with {large} per class differ by less than {margin:g} (the "
                   f"difference plus its bound of SEs).", bool(abs(diff) + bound * se <= margin),
                   {"optimal": {"n_per_class": small, **best}, "vanilla": {"n_per_class": large, "k": deepest,
                    "accuracy": float(s_van["mean"]), "sem": float(s_van["sem"])}, "difference": diff, "se": se,
                    "z_bound": bound, "margin": margin}, SOURCE)


def fig3_claims(summary: pd.DataFrame, panels: Sequence[Mapping], settings: Mapping[str, Any],
                idc: pd.DataFrame | None, pool_per_class: int, idc_depths: Sequence[int] = ()) -> list[Verdict]:
    n_sigma = float(settings["n_sigma"])
    out = []
    for p in panels:
        if p["source"] == "imagenet" and not has_profiles(summary, p):
            for id, claim in (("fig3:imagenet:optimum_not_deeper_with_size", "ImageNet -> IDC: k* does not "
                               "move deeper as the target set grows."),
                              ("fig3:imagenet:accuracy_grows_with_size", "ImageNet -> IDC: the accuracy grows "
                               "with the target set's size."),
                              ("fig3:idc_optimal_matches_vanilla_10x", "ImageNet -> IDC: the optimal transfer "
                               "with 5x10^3 images per class achieves a performance comparable with vanilla "
                               "freezing with 10 times more data.")):
                out.append(idc_claim(id, claim, idc))
            continue
        if p["source"] == "imagenet":
            out.append(_vanilla_10x(summary, p, settings, max(idc_depths)))
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


# ---- Compliant learning (Fig. 5) and representation similarity (Figs. 6, 8, 9)

#: similarity measures: column -> (label, True when larger means more similar)
MEASURES = {"information_imbalance": ("information imbalance", False), "cka": ("CKA (linear, debiased)", True),
            "spearman": ("neighbour-rank Spearman", True), "overlap": ("neighbourhood overlap", True)}


def _paired(a: pd.Series, b: pd.Series, n_sigma: float) -> dict[str, Any]:
    """The seed-paired differences a − b (Series indexed by seed): their mean, SE, z and its Student-t bound
    (reported), and whether every seed's difference is positive (judged: with 2 to 5 seeds the t bound of a
    paired mean is 235 to 6.6 and no realistic difference reaches it)."""
    d = (a - b).dropna()
    m = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
    z = m / se if se > 0 else (math.inf if m > 0 else -math.inf if m < 0 else 0.0)
    return {"difference": m, "se": se, "z": z, "z_bound": z_bound(n_sigma, len(d) - 1), "seeds": len(d),
            "per_seed": [round(float(x), 5) for x in d], "every_seed_positive": bool(len(d) and (d > 0).all())}


def fig5_claims(runs: pd.DataFrame, settings: Mapping[str, Any]) -> list[Verdict]:
    """``runs``: one row per (lambda, seed) with test_accuracy and distance_first."""
    n_sigma = float(settings["n_sigma"])
    lams = sorted(runs["lambda"].unique())
    acc = runs.pivot(index="seed", columns="lambda", values="test_accuracy")
    dist = runs.pivot(index="seed", columns="lambda", values="distance_first")
    margin = float(settings["accuracy_margin"])
    rows = [{"lambda": lam, **_paired(acc[lam], acc[0.0], n_sigma)} for lam in lams if lam > 0]
    ok = all(max(abs(x) for x in r["per_seed"]) <= margin for r in rows)
    out = [Verdict("fig5:accuracy_unaffected_by_coupling",
                   "'This constraint does not downgrade its generalization performance': at every lambda and in "
                   f"every seed the accuracy is within {margin:g} of lambda = 0's (the same initialisation and "
                   "batches).",
                   bool(ok), {"accuracy": {str(k): float(v) for k, v in acc.mean().items()}, "versus_zero": rows,
                              "margin": margin}, SOURCE)]
    rise = float(settings["distance_rise_margin"])
    steps = [{"from": a, "to": b, **_paired(dist[b], dist[a], n_sigma)} for a, b in zip(lams, lams[1:])]
    end = _paired(dist[0.0], dist[lams[-1]], n_sigma)
    ok = all(r["difference"] <= rise for r in steps) and end["every_seed_positive"]
    out.append(Verdict("fig5:distance_falls_with_coupling",
                       "The cosine distance between the first-layer weights of the target and the GM source "
                       f"network falls as lambda grows: no step up in lambda raises its mean by more than {rise:g}, "
                       "and the largest lambda lowers it from lambda = 0 in every seed.",
                       bool(ok), {"distance": {str(k): float(v) for k, v in dist.mean().items()}, "steps": steps,
                                  "zero_minus_largest": end}, SOURCE))
    d0, target, tol = float(dist[0.0].mean()), float(settings["distance_at_zero"]), float(settings["distance_tolerance"])
    out.append(Verdict("fig5:distance_about_paper_at_zero",
                       f"Without coupling the first-layer cosine distance is about {target:g} (the paper's Fig. 5): "
                       f"within {tol:g}.", bool(abs(d0 - target) <= tol),
                       {"distance_at_zero": d0, "sem": float(dist[0.0].std(ddof=1) / math.sqrt(len(dist)))
                        if len(dist) > 1 else None, "paper": target, "tolerance": tol}, SOURCE))
    return out


def unit_means(sim: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The per-seed mean of ``measure`` over units: rows seed, columns source (clone)."""
    return sim.groupby(["seed", "source"])[measure].mean().unstack("source")


def _order(means: Mapping[str, float], larger_is_similar: bool) -> list[str]:
    """Clones from the least to the most similar to CIFAR-10 by a measure's unit mean."""
    return sorted(means, key=lambda c: means[c], reverse=not larger_is_similar)


def similarity_claims(fig: str, sim: pd.DataFrame, clones: Sequence[str], settings: Mapping[str, Any], *,
                      down_units: Sequence[int], body_units: int, judged_elsewhere: Iterable[str] = (),
                      profiles: pd.DataFrame | None = None, panels: Sequence[Mapping] = ()) -> list[Verdict]:
    """The information-imbalance claims of Figs. 6 and 8. ``clones`` from the least to the most faithful;
    ``body_units``: the units of the network's body (the stem and the blocks, before the final norm and the
    head); ``judged_elsewhere``: clones whose monotonicity another figure already judges (each verdict
    counted once); ``profiles``, ``panels``: Fig. 6's defrosting profiles on the whole pool."""
    n_sigma = float(settings["n_sigma"])
    ii = sim.pivot_table(index=["source", "unit"], columns="seed", values="information_imbalance")
    mean = ii.mean(axis=1)
    out = []
    own = [c for c in clones if c not in set(judged_elsewhere)]
    if own:
        drops = []
        for c in own:
            units = sorted(ii.loc[c].index)
            for u, v in zip(units, units[1:]):
                drops.append({"clone": c, "from": int(u), "to": int(v),
                              **_paired(ii.loc[(c, u)], ii.loc[(c, v)], n_sigma)})
        margin = float(settings["drop_margin"])
        worst = max(drops, key=lambda r: r["difference"])
        out.append(Verdict(f"{fig}:ii_does_not_decrease_with_depth",
                           "'The II is generally increasing as a function of the depth': for "
                           f"{', '.join(own)}, no unit-to-unit fall of the mean II exceeds {margin:g}.",
                           bool(worst["difference"] <= margin),
                           {"largest_fall": worst, "margin": margin,
                            "ii": {c: {int(u): round(float(mean[(c, u)]), 4) for u in ii.loc[c].index} for c in own}},
                           SOURCE))
    means = unit_means(sim, "information_imbalance")
    least = float(settings["min_difference"])
    pairs = [{"less": a, "more": b, **_paired(means[a], means[b], n_sigma)} for a, b in zip(clones, clones[1:])]
    out.append(Verdict(f"{fig}:ii_ordered_by_clone_fidelity",
                       "The II (averaged over units) falls as the clone approximates CIFAR-10 better: "
                       f"{' > '.join(clones)}, every step in every seed, by at least {least:g} on average.",
                       all(r["every_seed_positive"] and r["difference"] >= least for r in pairs),
                       {"unit_mean_ii": {c: float(means[c].mean()) for c in clones}, "steps": pairs}, SOURCE))
    if fig != "fig6":
        return out
    near, last = float(settings["near_zero"]), int(settings["last_units"])
    best = clones[-1]
    n_all = int(ii.loc[best].index.max())
    upto = [u for u in sorted(ii.loc[best].index) if u <= n_all - last]
    rows = []
    for u in upto:
        vals = ii.loc[(best, u)].dropna()
        se = float(vals.std(ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else math.nan
        rows.append({"unit": int(u), "mean": float(vals.mean()), "se": se, "largest": float(vals.max())})
    out.append(Verdict(f"{fig}:{best}_near_zero_until_last_units",
                       f"'The topological similarity in the case of {best} is almost perfect until the very last "
                       f"layers': its II is at most {near:g} in every seed at every unit but the last {last}.",
                       all(r["largest"] <= near for r in rows),
                       {"units": rows, "near_zero": near}, SOURCE))
    inc = []
    for s in ii.columns:
        for c in clones:
            curve = ii.loc[c][s]
            for u in range(2, body_units + 1):
                inc.append({"seed": s, "clone": c, "unit": u, "down": u in down_units,
                            "increment": float(curve.loc[u] - curve.loc[u - 1])})
    inc = pd.DataFrame(inc)
    per_seed = inc.groupby(["seed", "down"])["increment"].mean().unstack("down")
    jump = _paired(per_seed[True], per_seed[False], n_sigma)
    out.append(Verdict(f"{fig}:ii_jumps_at_down_sampling_units",
                       "'The main II jumps happen in correspondence with the down-sampling layers': the mean "
                       f"increment of the II at the down-sampling units {list(down_units)} exceeds the mean "
                       "increment at the other units of the body, in every seed (all clones together).",
                       jump["every_seed_positive"],
                       {"down_sampling_minus_other": jump,
                        "mean_increment": {"down": float(per_seed[True].mean()), "other": float(per_seed[False].mean())}},
                       SOURCE))
    if profiles is not None and len(profiles) and panels:
        dep = {}
        for c in clones:
            above = [int(u) for u in sorted(ii.loc[c].index) if mean[(c, u)] > near]
            dep[c] = above[0] if above else n_all + 1
        kstar = {p["source"]: optimum(profiles, p["source"], p["target"], p["n_per_class"][0])["k_star"]
                 for p in panels}
        bad = [(a, b) for a in clones for b in clones if dep[a] < dep[b] and kstar[a] > kstar[b]]
        out.append(Verdict(f"{fig}:ii_departure_matches_optimum",
                           "'The connection between the topological similarity of the representations and the "
                           "transfer learning behavior observed in the layer-wise-defrosting profile': a clone whose "
                           f"II leaves 0 (exceeds {near:g}) at an earlier unit has an optimum k* no deeper.",
                           not bad, {"departure_unit": dep, "k_star": kstar, "inversions": bad}, SOURCE))
    return out


def fig9_claims(sim: pd.DataFrame, clones: Sequence[str]) -> list[Verdict]:
    """CKA, neighbour-rank Spearman and the overlap order the clones as the II does (unit means)."""
    ii = unit_means(sim, "information_imbalance").mean()
    ref = _order({c: float(ii[c]) for c in clones}, False)
    out = []
    for m in ("cka", "spearman", "overlap"):
        label, larger = MEASURES[m]
        means = unit_means(sim, m).mean()
        order = _order({c: float(means[c]) for c in clones}, larger)
        out.append(Verdict(f"fig9:{m}_orders_clones_like_ii",
                           f"'The behaviour of the three metrics is qualitatively similar to the one already "
                           f"observed for the II': the {label}, averaged over units, orders the clones as the II "
                           "does (least to most similar).", order == ref,
                           {"order": order, "ii_order": ref, "unit_mean": {c: float(means[c]) for c in clones},
                            "unit_mean_ii": {c: float(ii[c]) for c in clones}}, SOURCE))
    return out
