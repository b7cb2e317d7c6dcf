"""gerace2022 phase diagrams (Figs. 3, 5, A.1-A.3): test-error differences over (grid value, M/H),
drawn from the row experiments of a grid, and the paper's claims about them checked on the data.

TF and RF come from the replica theory (averaged over CHMM instances), 2L and ft-TF from simulations,
as in the paper ("the 2L and ft-TF ... are instead purely numerical"). A difference ``A-B`` is
A − B: negative where A generalises better (blue in the paper's diverging colour map).

The multi-label diagrams of appendix B (Figs. B.1, B.2) have no theory: every model is simulated
(``theory=None``), and their claims include a comparison with the binary diagram they extend."""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..claims import Verdict, summarise, theory_matches_simulation, welch_dof, within_sem, z_bound
from .curves import converged_theory, thresholds

__all__ = ["DIFFERENCES", "cut_table", "diagram", "grid_table", "phase_claims", "spot_checks"]

SOURCE = "Gerace et al. 2022, Sec. 4.1-4.2 and appendix A"

#: Diagrams: name -> (model A, model B); the diagram shows A − B.
DIFFERENCES = {"TF-2L": ("TF", "2L"), "TF-RF": ("TF", "RF"), "ft-TF-TF": ("ft-TF", "TF")}


def grid_table(theory: pd.DataFrame | None, sims: pd.DataFrame,
               values: Mapping[str, float]) -> pd.DataFrame:
    """One row per (grid row, alpha, model): mean test error and its standard error.

    ``theory`` and ``sims`` carry a ``row`` column (the row experiment); ``values`` maps row -> grid
    value. TF and RF are the converged replica theory (SEM over CHMM instances, 0 with one instance);
    2L and ft-TF the simulated mean and SEM. ``theory=None`` (multi-label grids): all four simulated."""
    if theory is None:
        out = summarise(sims[sims["model"].isin(["TF", "RF", "2L", "ft-TF"])], by=("row", "model", "alpha"))
        out["value"] = out["row"].map(values)
        return out[["row", "value", "model", "alpha", "mean", "sem", "n"]]
    th = converged_theory(theory)
    per_inst = th.groupby(["row", "model", "alpha", "instance"])["test_error"].mean().reset_index()
    t = summarise(per_inst, by=("row", "model", "alpha"))
    s = summarise(sims[sims["model"].isin(["2L", "ft-TF"])], by=("row", "model", "alpha"))
    out = pd.concat([t, s], ignore_index=True)
    out["value"] = out["row"].map(values)
    return out[["row", "value", "model", "alpha", "mean", "sem", "n"]]


def diagram(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The cells of diagram ``name`` ("TF-2L", "TF-RF" or "ft-TF-TF"): value, alpha, diff, sem, at the
    alphas where both models have a number (theory alphas for TF-RF, simulated alphas otherwise)."""
    a, b = DIFFERENCES[name]
    key = ["row", "value", "alpha"]
    left = table[table["model"] == a].set_index(key)[["mean", "sem"]].add_suffix("_a")
    right = table[table["model"] == b].set_index(key)[["mean", "sem"]].add_suffix("_b")
    both = left.join(right, how="inner")
    out = pd.DataFrame({"diff": both["mean_a"] - both["mean_b"],
                        "sem": np.hypot(both["sem_a"], both["sem_b"])}).reset_index()
    return out.sort_values(["value", "alpha"]).reset_index(drop=True)


def cut_table(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Every model at one M/H (Fig. 5b): value, model, mean, sem. Fails naming the missing alpha."""
    hit = table[np.isclose(table["alpha"], alpha, rtol=1e-9)]
    missing = {"TF", "RF", "2L", "ft-TF"} - set(hit["model"])
    if missing:
        raise KeyError(f"no {sorted(missing)} result at M/H = {alpha:g}: add it to the grid's "
                       "networks.alphas (the theory is solved at every simulated alpha)")
    return hit.sort_values(["model", "value"]).reset_index(drop=True)


def _region(cells: pd.DataFrame, values: Sequence[float] | None = None,
            alpha_max: float | None = None, alpha_min: float | None = None) -> pd.DataFrame:
    sel = np.ones(len(cells), bool)
    if values is not None:
        lo, hi = values
        sel &= (cells["value"] >= lo - 1e-12) & (cells["value"] <= hi + 1e-12)
    if alpha_max is not None:
        sel &= cells["alpha"] <= alpha_max * (1 + 1e-12)
    if alpha_min is not None:
        sel &= cells["alpha"] >= alpha_min * (1 - 1e-12)
    return cells[sel]


def _cells(region: pd.DataFrame) -> list[dict[str, float]]:
    return [{"value": float(r.value), "alpha": float(r.alpha), "diff": float(r.diff),
             "sem": float(r.sem), "z": (float(r.diff / r.sem) if r.sem > 0 else None)}
            for r in region.itertuples()]


def sign_verdict(id: str, claim: str, cells: pd.DataFrame, *, sign: int, every: bool = True,
                 source: str = SOURCE) -> Verdict:
    """The difference has sign ``sign`` (−1: A better, +1: B better) in every cell of the region
    (``every``) or in at least one. An empty region fails (nothing was checked)."""
    ok = (np.sign(cells["diff"]) == sign) if len(cells) else pd.Series([], dtype=bool)
    passed = bool(len(cells)) and bool(ok.all() if every else ok.any())
    return Verdict(id, claim, passed, {"n_cells": int(len(cells)), "n_with_sign": int(ok.sum()),
                                       "mean_diff": float(cells["diff"].mean()) if len(cells) else None,
                                       "cells": _cells(cells)}, source)


def spot_checks(theory: pd.DataFrame, sims: pd.DataFrame, rows: Iterable[str], *, n_sigma: float,
                peak_halfwidth_log10: float, panel: str) -> list[Verdict]:
    """Theory vs simulation at the simulated spot alphas of every row (TF and RF): |theory − mean| ≤
    n_sigma SEM outside the interpolation peak; one verdict per model over all rows."""
    out = []
    for model in ("TF", "RF"):
        per_row, ok, zs = [], True, []
        for row in rows:
            th, sm = theory[theory["row"] == row], sims[sims["row"] == row]
            v = theory_matches_simulation(
                converged_theory(th), summarise(sm), model=model, alpha_star=thresholds(th)[model],
                n_sigma=n_sigma, peak_halfwidth_log10=peak_halfwidth_log10, claim="")
            ok &= v.passed
            zs += [abs(p["z"]) for p in v.numbers["points"] if not p["in_peak_excluded"]]
            per_row.append({"row": row, "passed": v.passed, "points": v.numbers["points"]})
        out.append(Verdict(
            f"{panel}:theory_matches_simulation_{model}",
            f"Theory spot checks: the replica {model} test error agrees with the {model} simulations at "
            f"the simulated M/H of every row ({within_sem(n_sigma)}, outside the "
            "interpolation peak).", bool(ok), {"max_abs_z": max(zs, default=None), "rows": per_row},
            "the issue's 'theory spot checks' (the paper validates the theory in Fig. 2b)"))
    return out


def _converged(theory: pd.DataFrame, panel: str) -> Verdict:
    bad = theory[~theory["converged"].astype(bool)]
    return Verdict(f"{panel}:theory_converged", "The replica equations are solved at every point of "
                   "every row.", bool(len(bad) == 0),
                   {"n_points": int(len(theory)), "n_not_converged": int(len(bad)),
                    "not_converged": bad[["row", "model", "alpha"]].to_dict(orient="records")[:20]},
                   "this workflow (solver check)")


def _mirror_pairs(values: Sequence[float], centre: float) -> list[tuple[float, float]]:
    vals = sorted(set(values))
    return [(v, 2 * centre - v) for v in vals if v < centre and any(math.isclose(2 * centre - v, w)
                                                                    for w in vals)]


def phase_claims(kind: str, panel: str, table: pd.DataFrame, theory: pd.DataFrame | None,
                 sims: pd.DataFrame, s: Mapping[str, Any],
                 reference: pd.DataFrame | None = None) -> list[Verdict]:
    """The claims of one diagram panel, by the kind of diagram the figure is (its ``claims.kind``).

    kinds: correlation_2l (Figs. 3a, A.1), negative_transfer (3b), finetune (3c),
    asymmetric (5a), asymmetric_cut (5b), width (A.2), source_size (A.3); multi-label (no theory,
    ``theory=None``): multilabel_correlation (B.1), multilabel_asymmetric (B.2), which compare with
    ``reference``, the ``grid_table`` of the binary counterpart.
    settings ``s``: small_alpha_max, large_alpha_min, correlated [lo, hi], uncorrelated [lo, hi],
    n_sigma, peak_halfwidth_log10, plus cut_alpha / centre / min_sign_agreement where the kind
    needs them."""
    p = f"{panel}:"
    if kind.startswith("multilabel_"):
        return _multilabel_claims(kind, p, table, s, reference)
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    rows = sorted(table["row"].unique(), key=lambda r: int(r.rsplit("_r", 1)[1]))
    v: list[Verdict] = [_converged(theory, panel)]
    v += spot_checks(theory, sims, rows, n_sigma=float(s["n_sigma"]),
                     peak_halfwidth_log10=float(s["peak_halfwidth_log10"]), panel=panel)
    if kind == "correlation_2l":
        d = diagram(table, "TF-2L")
        v.append(sign_verdict(
            p + "tf_beats_2l_low_samples_high_correlation",
            f"'TF can outperform 2L when the number of samples is low enough, or when the level of "
            f"correlation is sufficiently strong': TF − 2L < 0 in every cell with M/H <= {small:g} and "
            f"a correlated row (grid value in {list(s['correlated'])}).",
            _region(d, s["correlated"], alpha_max=small), sign=-1))
        v.append(sign_verdict(
            p + "2l_better_large_samples_low_correlation",
            f"'2L becomes the better algorithm when the size of the target dataset is large enough' "
            f"(appendix A.1): TF − 2L > 0 in every cell with M/H >= {large:g} and an uncorrelated row "
            f"(grid value in {list(s['uncorrelated'])}).",
            _region(d, s["uncorrelated"], alpha_min=large), sign=+1))
    elif kind == "negative_transfer":
        d = diagram(table, "TF-RF")
        v.append(sign_verdict(
            p + "negative_transfer_corner",
            f"'A corner of the phase diagram where the performance of TF is sub-optimal with respect "
            f"to learning with random features' (negative transfer): TF − RF > 0 somewhere with "
            f"M/H <= {small:g} and an uncorrelated row (grid value in {list(s['uncorrelated'])}).",
            _region(d, s["uncorrelated"], alpha_max=small), sign=+1, every=False))
        v.append(sign_verdict(
            p + "positive_transfer_correlated",
            f"Transfer helps for correlated tasks with little data (TF − RF < 0 in every cell with "
            f"M/H <= {small:g} and grid value in {list(s['correlated'])}).",
            _region(d, s["correlated"], alpha_max=small), sign=-1))
    elif kind == "finetune":
        d = diagram(table, "ft-TF-TF")
        v.append(sign_verdict(
            p + "finetune_helps_low_correlation_large_samples",
            f"'The red shaded region, highlighting this improvement, is found at lower correlations "
            f"... and higher number of training samples': ft-TF − TF < 0 somewhere with M/H >= "
            f"{large:g} and grid value in {list(s['uncorrelated'])}.",
            _region(d, s["uncorrelated"], alpha_min=large), sign=-1, every=False))
        v.append(sign_verdict(
            p + "finetune_overfits_small_samples",
            f"'At small number of samples, instead, this procedure leads to over-fitting': ft-TF − TF "
            f"> 0 in every cell with M/H <= {small:g}.", _region(d, alpha_max=small), sign=+1))
        low = _region(d, s["uncorrelated"], alpha_min=large)["diff"].mean()
        high = _region(d, s["correlated"], alpha_min=large)["diff"].mean()
        v.append(Verdict(
            p + "finetune_gain_larger_at_low_correlation",
            f"Fine-tuning helps more at low than at high correlation (mean ft-TF − TF over M/H >= "
            f"{large:g}: uncorrelated rows below correlated rows).",
            bool(np.isfinite(low) and np.isfinite(high) and low < high),
            {"mean_uncorrelated": float(low), "mean_correlated": float(high)}, SOURCE))
    elif kind == "asymmetric":
        d = diagram(table, "TF-RF")
        v.append(_asymmetry(p, _region(d, alpha_max=small), float(s["centre"]), small,
                            "TF − RF (theory)"))
    elif kind == "asymmetric_cut":
        v += _cut_claims(p, table, s)
    elif kind == "width":
        for name in ("TF-2L", "TF-RF"):
            d = diagram(table, name)
            lowest = d[np.isclose(d["alpha"], d["alpha"].min())]
            v.append(sign_verdict(
                p + f"tf_better_low_samples_{name.split('-')[1]}",
                f"'TF is found to perform better in the low number of samples regime': {name} < 0 "
                f"at the smallest M/H ({d['alpha'].min():g}) for every width H.", lowest, sign=-1))
        a_star = {row: thresholds(theory[theory["row"] == row])["TF"] for row in rows}
        vals = table.drop_duplicates("row").set_index("row")["value"]
        stars = np.array([a_star[r] for r in rows])
        v.append(Verdict(
            p + "threshold_shifts_with_width",
            "'The diagonal line corresponding to the separability threshold, which shifts ... as H is "
            "varied': the TF threshold alpha* changes monotonically with H, by more than 10% over the "
            "grid.", bool(len(stars) > 1 and (np.all(np.diff(stars) > 0) or np.all(np.diff(stars) < 0))
                          and stars.max() > 1.1 * stars.min()),
            {"alpha_star_TF": {str(vals[r]): float(a_star[r]) for r in rows}}, SOURCE))
        d = diagram(table, "TF-RF")
        big = _region(d, alpha_min=large)
        L = float(s["latent_dim"])
        below, above = big[big["value"] < L]["diff"].abs().mean(), big[big["value"] > L]["diff"].abs().mean()
        v.append(Verdict(
            p + "tf_rf_gap_narrows_beyond_latent_dim",
            f"'Once the number of learned features becomes larger than the number of generative "
            f"features H > L ... the improvement obtained by TF over RF becomes less pronounced if the "
            f"number of samples is sufficient': mean |TF − RF| at M/H >= {large:g} smaller for H > L "
            f"than for H < L (L = {L:g}).",
            bool(np.isfinite(below) and np.isfinite(above) and above < below),
            {"mean_abs_gap_H_below_L": float(below), "mean_abs_gap_H_above_L": float(above)}, SOURCE))
    elif kind == "source_size":
        v += _source_size_claims(p, table, theory, sims, rows, s)
    else:
        raise ValueError(f"unknown phase-diagram claims kind {kind!r}")
    return v


def _asymmetry(p: str, cells: pd.DataFrame, centre: float, small: float, what: str) -> Verdict:
    """Mirror rows value = centre ∓ d: the gain (negative difference) is larger on the left."""
    per_value = cells.groupby("value")["diff"].mean()
    pairs = _mirror_pairs(list(per_value.index), centre)
    rows = [{"left": l, "right": r, "left_diff": float(per_value[l]),
             "right_diff": float(per_value[r])} for l, r in pairs]
    ok = bool(rows) and all(x["left_diff"] < x["right_diff"] for x in rows)
    return Verdict(
        p + "larger_gain_when_target_simpler",
        f"'On the right [target more complex] the performance gain of TF is smaller. When instead the "
        f"target task is simpler, the test performance of TF is highly improved, especially at low "
        f"numbers of samples': for every pair of L_t mirrored about {centre:g}, {what} averaged over "
        f"M/H <= {small:g} is lower on the left.", ok, {"pairs": rows}, SOURCE)


def _cut_claims(p: str, table: pd.DataFrame, s: Mapping[str, Any]) -> list[Verdict]:
    cut = cut_table(table, float(s["cut_alpha"]))
    m = cut.pivot(index="value", columns="model", values="mean")
    se = cut.pivot(index="value", columns="model", values="sem")
    a = float(s["cut_alpha"])
    out = []
    for other in ("RF", "2L"):
        gap = m[other] - m["TF"]
        out.append(Verdict(
            p + f"tf_beats_{other.lower()}_at_cut",
            f"'In the low number of samples regime ... TF greatly outperforms RF and 2L': TF below "
            f"{other} at M/H = {a:g} for every L_t.", bool((gap > 0).all()),
            {"gap": {str(k): float(g) for k, g in gap.items()},
             "z": {str(k): float(gap[k] / math.hypot(se.loc[k, other], se.loc[k, 'TF']))
                   if math.hypot(se.loc[k, other], se.loc[k, "TF"]) > 0 else None for k in gap.index}},
            SOURCE))
    diff = (m["TF"] - m["RF"]).rename("diff").reset_index().assign(alpha=a)
    out.append(_asymmetry(p, diff, float(s["centre"]), a, "TF − RF"))
    ft = m["ft-TF"] - m["TF"]
    lo, hi = ft.index.min(), ft.index.max()
    z_lo = ft[lo] / math.hypot(se.loc[lo, "ft-TF"], se.loc[lo, "TF"]) \
        if math.hypot(se.loc[lo, "ft-TF"], se.loc[lo, "TF"]) > 0 else None
    out.append(Verdict(
        p + "finetune_detrimental_small_Lt",
        f"'When L_t is small, ft-TF is detrimental': ft-TF above TF at the smallest L_t ({lo:g}).",
        bool(ft[lo] > 0), {"ft_minus_tf": float(ft[lo]), "z": z_lo}, SOURCE))
    out.append(Verdict(
        p + "finetune_better_at_large_Lt",
        f"'When L_t is instead large, ft-TF can slightly improve performance': ft-TF − TF lower at the "
        f"largest L_t ({hi:g}) than at the smallest ({lo:g}), and not above 0 there.",
        bool(ft[hi] < ft[lo] and ft[hi] <= 0),
        {"ft_minus_tf": {str(k): float(x) for k, x in ft.items()}}, SOURCE))
    return out


def _source_size_claims(p: str, table: pd.DataFrame, theory: pd.DataFrame, sims: pd.DataFrame,
                        rows: Sequence[str], s: Mapping[str, Any]) -> list[Verdict]:
    n_sigma, small = float(s["n_sigma"]), float(s["small_alpha_max"])
    first, last = rows[0], rows[-1]
    sm = summarise(sims[(sims["row"] == first) & sims["model"].isin(["TF", "RF"])])
    piv = sm.pivot(index="alpha", columns="model", values="mean")
    sem = sm.pivot(index="alpha", columns="model", values="sem")
    n = sm.pivot(index="alpha", columns="model", values="n")
    z = (piv["TF"] - piv["RF"]) / np.hypot(sem["TF"], sem["RF"])
    bound = pd.Series({a: z_bound(n_sigma, welch_dof(sem.at[a, "TF"], n.at[a, "TF"], sem.at[a, "RF"],
                                                     n.at[a, "RF"])) for a in z.index}, dtype=float)
    out = [Verdict(
        p + "tf_indistinguishable_from_rf_small_source",
        f"'Below a critical value of the number of samples M1 ... the performance of TF in the target "
        f"task is indistinguishable from RF': at the smallest source size, the TF and RF simulations "
        f"agree ({within_sem(n_sigma)}) at every simulated M/H.",
        bool(len(z) and (z.abs() <= bound).all()),
        {"row": first, "z": {str(a): float(x) for a, x in z.items()},
         "z_bound": {str(a): float(x) for a, x in bound.items()}}, SOURCE)]
    d = diagram(table, "TF-RF")
    out.append(sign_verdict(
        p + "learned_features_help_large_source",
        f"With a large source dataset the learned features help: TF − RF < 0 at every M/H <= "
        f"{small:g} for the largest source size.", _region(d[d["row"] == last], alpha_max=small),
        sign=-1))
    return out


def sign_agreement(p: str, table: pd.DataFrame, reference: pd.DataFrame | None, name: str,
                   min_fraction: float) -> Verdict:
    """Diagram ``name`` has the sign of the binary counterpart's in at least ``min_fraction`` of the
    cells both share (same grid value and M/H). No shared cell fails: nothing was compared."""
    claim = (f"'The salient features of the diagrams are still there' (appendix B): the multi-label "
             f"{name} diagram has the sign of the binary one in at least {min_fraction:.0%} of the "
             f"(grid value, M/H) cells both have.")
    source = "Gerace et al. 2022, appendix B"
    if reference is None:
        return Verdict(p + f"matches_binary_{name}", claim, False, {"error": "no binary counterpart given"},
                       source)
    key = ["value", "alpha"]
    mine = diagram(table, name).round({"alpha": 12}).set_index(key)
    ref = diagram(reference, name).round({"alpha": 12}).set_index(key)
    both = mine[["diff", "sem"]].join(ref[["diff"]].rename(columns={"diff": "binary"}), how="inner")
    agree = np.sign(both["diff"]) == np.sign(both["binary"])
    frac = float(agree.mean()) if len(both) else float("nan")
    return Verdict(p + f"matches_binary_{name}", claim, bool(len(both) and frac >= min_fraction),
                   {"n_cells": int(len(both)), "fraction_same_sign": frac,
                    "differing_cells": [{"value": float(v), "alpha": float(a), "multilabel": float(r["diff"]),
                                         "binary": float(r["binary"])}
                                        for (v, a), r in both[~agree].iterrows()]}, source)


def _multilabel_claims(kind: str, p: str, table: pd.DataFrame, s: Mapping[str, Any],
                       reference: pd.DataFrame | None) -> list[Verdict]:
    """Appendix B: the binary claims, on simulated diagrams, and the match with the binary diagram."""
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    agree = float(s["min_sign_agreement"])
    v: list[Verdict] = []
    if kind == "multilabel_correlation":
        d = diagram(table, "TF-2L")
        v.append(sign_verdict(
            p + "tf_beats_2l_low_samples_high_correlation",
            f"B.1(a): 'the largest impact of transfer learning when the number of samples in the target "
            f"dataset is low and when the similarity between the two sets is large enough': TF − 2L < 0 "
            f"in every cell with M/H <= {small:g} and grid value in {list(s['correlated'])}.",
            _region(d, s["correlated"], alpha_max=small), sign=-1, source="Gerace et al. 2022, appendix B"))
        d = diagram(table, "TF-RF")
        v.append(sign_verdict(
            p + "negative_transfer_corner",
            f"B.1(b): 'The comparison between TF and RF shows again negative transfer for low eta and low "
            f"sample complexity in the target': TF − RF > 0 somewhere with M/H <= {small:g} and grid "
            f"value in {list(s['uncorrelated'])}.",
            _region(d, s["uncorrelated"], alpha_max=small), sign=+1, every=False,
            source="Gerace et al. 2022, appendix B"))
        d = diagram(table, "ft-TF-TF")
        hi = _region(d, s["correlated"], alpha_max=small)["diff"].mean()
        lo = _region(d, s["uncorrelated"], alpha_min=large)["diff"].mean()
        v.append(Verdict(
            p + "tf_advantage_over_finetune_low_samples_high_correlation",
            f"B.1(c): TF's advantage over ft-TF (ft-TF − TF) is larger with few samples and similar tasks "
            f"(M/H <= {small:g}, grid value in {list(s['correlated'])}) than with many samples and "
            f"dissimilar tasks (M/H >= {large:g}, grid value in {list(s['uncorrelated'])}).",
            bool(np.isfinite(hi) and np.isfinite(lo) and hi > lo),
            {"mean_correlated_small": float(hi), "mean_uncorrelated_large": float(lo)},
            "Gerace et al. 2022, appendix B"))
        names = ("TF-2L", "TF-RF", "ft-TF-TF")
    elif kind == "multilabel_asymmetric":
        d = diagram(table, "TF-RF")
        v.append(_asymmetry(p, _region(d, alpha_max=small), float(s["centre"]), small,
                            "TF − RF (simulations)"))
        d = diagram(table, "TF-2L")
        v.append(sign_verdict(
            p + "tf_beats_2l_low_samples",
            f"'The most beneficial case occurs for low sample complexity': TF − 2L < 0 in every cell with "
            f"M/H <= {small:g}.", _region(d, alpha_max=small), sign=-1,
            source="Gerace et al. 2022, appendix B"))
        names = ("TF-RF",)
    else:
        raise ValueError(f"unknown phase-diagram claims kind {kind!r}")
    return v + [sign_agreement(p, table, reference, n, agree) for n in names]
