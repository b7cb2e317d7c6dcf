"""gerace2022 phase diagrams (Figs. 3, 5, A.1-A.3): test-error differences over (grid value, M/H),
drawn from the row experiments of a grid, and the paper's claims about them checked on the data.

The drawn diagrams (``diagram``) are the paper's: TF and RF from the replica theory (averaged over CHMM
instances), 2L and ft-TF from simulations ("the 2L and ft-TF ... are instead purely numerical"). A
difference ``A-B`` is A − B: negative where A generalises better (blue in the paper's colour map).

The claims compare like with like (issue 19). A difference that involves a simulated network (2L,
ft-TF) is judged on paired simulations: per (row, alpha, instance, seed) the network against the TF
solution fitted on the same training and test samples, the ft-TF job's starting point
(``start_test_error``, rows of model ``TF-start``, ``baselines.with_start_rows``): ft-TF − TF-start and
TF-start − 2L (``paired_cells``). The replica TF is not subtracted from simulations: it differs from the
TF simulations by as much as the fine-tuning effects. TF − RF in the binary grids stays theory minus
theory. Regions, comparisons and equivalences use the pre-registered criteria of the config's
``claims:`` block (min_cells, min_effect, n_sigma, equivalence_margin, ...; ``claims.region_verdict``).

The multi-label diagrams of appendix B (Figs. B.1, B.2) have no theory: every model is simulated
(``theory=None``); their claims include the agreement with the binary diagram they extend, on the
features the paper names."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..claims import (
    WORKFLOW_CHECK,
    Verdict,
    equivalence_verdict,
    in_peak,
    paired_differences,
    pooled_difference,
    pooled_mean,
    region_verdict,
    summarise,
    theory_matches_simulation,
    within_sem,
    z_bound,
)
from .baselines import START, with_start_rows
from .curves import converged_theory, thresholds

__all__ = ["DIFFERENCES", "START_MODEL", "cut_table", "diagram", "figure_claims", "grid_table",
           "paired_cells", "phase_claims", "spot_checks", "theory_cells"]

SOURCE = "Gerace et al. 2022, Sec. 4.1-4.2 and appendix A"
SRC_3 = "Gerace et al. 2022, Sec. 4.1 (Fig. 3)"
SRC_5 = "Gerace et al. 2022, Sec. 4.2 (Fig. 5)"
SRC_A1 = "Gerace et al. 2022, appendix A.1 (Fig. A.1)"
SRC_A2 = "Gerace et al. 2022, appendix A.2 (Fig. A.2)"
SRC_A3 = "Gerace et al. 2022, appendix A.3 (Fig. A.3)"
SRC_B = "Gerace et al. 2022, appendix B"
SPOT_SOURCE = f"{WORKFLOW_CHECK} (theory spot checks; the paper validates its theory in Fig. 2b only)"

#: Diagrams: name -> (model A, model B); the diagram shows A − B.
DIFFERENCES = {"TF-2L": ("TF", "2L"), "TF-RF": ("TF", "RF"), "ft-TF-TF": ("ft-TF", "TF")}
#: The TF solution an ft-TF job starts from, on the ft-TF job's own samples (``baselines.with_start_rows``).
START_MODEL = "TF-start"
_CELL = ["row", "value", "alpha", "diff", "sem", "n"]


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
    """The cells of diagram ``name`` ("TF-2L", "TF-RF" or "ft-TF-TF") as drawn: value, alpha, diff,
    sem, at the alphas where both models have a number (theory alphas for TF-RF, simulated alphas
    otherwise). The claims use ``paired_cells`` / ``theory_cells`` instead."""
    a, b = DIFFERENCES[name]
    key = ["row", "value", "alpha"]
    left = table[table["model"] == a].set_index(key)[["mean", "sem"]].add_suffix("_a")
    right = table[table["model"] == b].set_index(key)[["mean", "sem"]].add_suffix("_b")
    both = left.join(right, how="inner")
    out = pd.DataFrame({"diff": both["mean_a"] - both["mean_b"],
                        "sem": np.hypot(both["sem_a"], both["sem_b"])}).reset_index()
    return out.sort_values(["value", "alpha"]).reset_index(drop=True)


def theory_cells(table: pd.DataFrame, name: str = "TF-RF") -> pd.DataFrame:
    """The cells of a theory-minus-theory diagram (binary TF − RF) for the claims: no pairs (``n`` NaN),
    so that ``claims.region_verdict`` judges them without a significance test (deterministic theory)."""
    d = diagram(table, name)
    d["n"] = np.nan
    return d[_CELL]


def _with_start(sims: pd.DataFrame) -> pd.DataFrame:
    ft = sims[sims["model"] == "ft-TF"]
    if START not in sims.columns or not ft[START].notna().any():
        raise ValueError(
            "the ft-TF simulations carry no start_test_error (tables written before the ft-TF jobs recorded "
            "their starting point): rebuild the ft-TF jobs (rule g22_simulate_finetune, "
            "results/gerace2022/<row>/sim-fttf-s<i>.csv) so that ft-TF and 2L are judged against the TF "
            "solution on the same samples")
    if (sims["model"] == START_MODEL).any():
        return sims
    return with_start_rows(sims, START_MODEL)


def paired_cells(sims: pd.DataFrame, a: str, b: str, values: Mapping[str, float]) -> pd.DataFrame:
    """The cells of the paired difference a − b per (row, alpha): mean over the (instance, seed) pairs
    both models have (the same training and test samples), its SEM and the number of pairs n.
    ``START_MODEL`` ("TF-start") is the TF starting point of each ft-TF job; asking for it without a
    ``start_test_error`` column raises, naming the jobs to rebuild. Columns: row, value, alpha, diff,
    sem, n."""
    if START_MODEL in (a, b):
        sims = _with_start(sims)
    d = paired_differences(sims, a, b, by=("row", "alpha"))
    out = pd.DataFrame({"row": d["row"], "value": d["row"].map(dict(values)).astype(float),
                        "alpha": d["alpha"].astype(float), "diff": d["mean"].astype(float),
                        "sem": d["sem"].astype(float), "n": d["n"].astype(float)})
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


def _at_alpha(cells: pd.DataFrame, alpha: float) -> pd.DataFrame:
    return cells[np.isclose(cells["alpha"], alpha, rtol=1e-9)]


def _abs(cells: pd.DataFrame) -> pd.DataFrame:
    return cells.assign(diff=cells["diff"].abs())


def _json_cells(cells: pd.DataFrame) -> list[dict[str, float | None]]:
    return [{c: (float(r[c]) if pd.notna(r[c]) else None) for c in ("value", "alpha", "diff", "sem", "n")
             if c in cells.columns} for _, r in cells.iterrows()]


# ---- the criteria (pre-registered in the config's claims: block) ------------------------------------

def _criteria(s: Mapping[str, Any], every: bool) -> str:
    return (f"at least {int(s['min_cells'])} cells, mean difference of size >= {float(s['min_effect']):g}"
            + (", the sign in every cell" if every else "")
            + f", significant where simulated ({within_sem(float(s['n_sigma']))}, pooled over the cells)")


def _region_claim(id: str, claim: str, cells: pd.DataFrame, *, sign: int, every: bool,
                  s: Mapping[str, Any], source: str) -> Verdict:
    return region_verdict(id, f"{claim} [{_criteria(s, every)}]", cells, sign=sign, every=every,
                          min_cells=int(s["min_cells"]), min_effect=float(s["min_effect"]),
                          n_sigma=float(s["n_sigma"]), source=source)


def _simulated(cells: pd.DataFrame) -> bool:
    """Simulated cells carry their number of pairs (theory cells n NaN), as in ``claims.region_verdict``."""
    return len(cells) > 0 and bool(cells["n"].notna().all())


def compare_regions(id: str, claim: str, first: pd.DataFrame, second: pd.DataFrame, *, sign: int,
                    s: Mapping[str, Any], source: str, extra: Mapping[str, Any] | None = None) -> Verdict:
    """The mean difference over region ``first`` lies above (``sign`` +1) or below (−1) the one over
    region ``second`` (each the mean of its cells, ``claims.pooled_mean``): both regions have at least
    min_cells cells, the gap has that sign with size >= min_effect and, where both are simulated, it is
    significant (|z| beyond the Student-t bound for n_sigma, Welch degrees of freedom)."""
    n_sigma, min_cells, min_effect = float(s["n_sigma"]), int(s["min_cells"]), float(s["min_effect"])
    pa, pb = (pooled_mean(c["diff"], c["sem"], c["n"]) for c in (first, second))
    d = pooled_difference(pa, pb)
    gap = d["gap"]
    simulated = _simulated(first) and _simulated(second)
    se, dof = (d["sem"], d["dof"]) if simulated else (math.nan, math.nan)
    z = gap / se if simulated and se > 0 else None
    bound = z_bound(n_sigma, dof) if simulated else None
    base = (len(first) >= min_cells and len(second) >= min_cells and bool(np.isfinite(gap))
            and sign * gap >= min_effect)
    passed = bool(base and (not simulated or (z is not None and sign * z > bound)))
    normal = bool(base and (not simulated or (z is not None and sign * z > n_sigma)))
    numbers = {"mean_first": pa["mean"], "mean_second": pb["mean"], "gap": gap, "sign": sign,
               "min_effect": min_effect, "min_cells": min_cells, "n_cells_first": len(first),
               "n_cells_second": len(second), "simulated": simulated, "z": z, "z_bound": bound,
               "cells_first": _json_cells(first), "cells_second": _json_cells(second), **(extra or {})}
    crit = (f" [each region at least {min_cells} cells; the gap of size >= {min_effect:g}, significant where "
            f"simulated ({within_sem(n_sigma)})]")
    return Verdict(id, claim + crit, passed, numbers, source, passed_normal=normal if simulated else None)


def _all_of(id: str, claim: str, parts: Mapping[str, Verdict], source: str,
            extra: Mapping[str, Any] | None = None) -> Verdict:
    """One verdict that holds when every part holds; each part's numbers are kept."""
    normals = [v.passed_normal if v.passed_normal is not None else v.passed for v in parts.values()]
    any_stat = any(v.passed_normal is not None for v in parts.values())
    numbers = {k: {"passed": v.passed, **v.numbers} for k, v in parts.items()}
    return Verdict(id, claim, bool(parts) and all(v.passed for v in parts.values()),
                   {**numbers, **(extra or {})}, source, passed_normal=all(normals) if any_stat else None)


# ---- workflow checks -------------------------------------------------------------------------------

def spot_checks(theory: pd.DataFrame, sims: pd.DataFrame, rows: Iterable[str], *, n_sigma: float,
                peak_halfwidth_log10: float, panel: str) -> list[Verdict]:
    """Theory vs simulation at the simulated spot alphas of every row (TF and RF): |theory − mean| ≤
    n_sigma SEM outside the interpolation peak; one verdict per model over all rows. This workflow's
    check of its theory (the paper validates its theory in Fig. 2b only)."""
    out = []
    for model in ("TF", "RF"):
        per_row, ok, ok_normal, zs = [], True, True, []
        for row in rows:
            th, sm = theory[theory["row"] == row], sims[sims["row"] == row]
            v = theory_matches_simulation(
                converged_theory(th), summarise(sm[sm["model"].isin(["TF", "RF"])]), model=model,
                alpha_star=thresholds(th)[model], n_sigma=n_sigma, peak_halfwidth_log10=peak_halfwidth_log10,
                claim="")
            ok &= v.passed
            ok_normal &= bool(v.passed_normal)
            zs += [abs(p["z"]) for p in v.numbers["points"] if not p["in_peak_excluded"]]
            per_row.append({"row": row, "passed": v.passed, "points": v.numbers["points"]})
        out.append(Verdict(
            f"{panel}:theory_matches_simulation_{model}",
            f"Theory spot checks: the replica {model} test error agrees with the {model} simulations at "
            f"the simulated M/H of every row ({within_sem(n_sigma)}, outside the "
            "interpolation peak).", bool(ok), {"max_abs_z": max(zs, default=None), "rows": per_row},
            SPOT_SOURCE, passed_normal=bool(ok_normal)))
    return out


def _converged(theory: pd.DataFrame, panel: str) -> Verdict:
    bad = theory[~theory["converged"].astype(bool)]
    return Verdict(f"{panel}:theory_converged", "The replica equations are solved at every point of "
                   "every row.", bool(len(bad) == 0),
                   {"n_points": len(theory), "n_not_converged": len(bad),
                    "not_converged": bad[["row", "model", "alpha"]].to_dict(orient="records")[:20]},
                   "this workflow (solver check)")


def _mirror_pairs(values: Sequence[float], centre: float) -> list[tuple[float, float]]:
    vals = sorted(set(values))
    return [(v, 2 * centre - v) for v in vals if v < centre and any(math.isclose(2 * centre - v, w)
                                                                    for w in vals)]


def _figure_name(figure: str | None) -> str | None:
    return None if figure is None else str(figure).rstrip("/").rsplit("/", 1)[-1]


# ---- the claims of one panel -----------------------------------------------------------------------

def phase_claims(kind: str, panel: str, table: pd.DataFrame, theory: pd.DataFrame | None,
                 sims: pd.DataFrame, s: Mapping[str, Any], reference: pd.DataFrame | None = None, *,
                 figure: str | None = None, reference_sims: pd.DataFrame | None = None) -> list[Verdict]:
    """The claims of one diagram panel, by the kind of diagram the figure is (its ``claims.kind``).

    kinds: correlation_2l (Figs. 3a and A.1: ``figure`` says which, the paper states different things
    about them), negative_transfer (3b), finetune (3c), asymmetric (5a), asymmetric_cut (5b), width
    (A.2), source_size (A.3); multi-label (no theory, ``theory=None``): multilabel_correlation (B.1),
    multilabel_asymmetric (B.2), which also check the same named features on their binary counterpart
    (``reference``: its ``grid_table``; ``reference_sims``: its simulations, for the paired claims).
    settings ``s``: the config's claims block (n_sigma, peak_halfwidth_log10, small_alpha_max,
    large_alpha_min, min_effect, min_cells, equivalence_margin, equivalence_level,
    overfit_train_error_max; correlated / uncorrelated [lo, hi], centre, cut_alpha, latent_dim where the
    kind needs them). Claims on 2L or ft-TF need the ft-TF jobs' ``start_test_error``."""
    p = f"{panel}:"
    if kind.startswith("multilabel_"):
        return _multilabel_claims(kind, p, table, sims, s, reference, reference_sims)
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    rows = sorted(table["row"].unique(), key=lambda r: int(r.rsplit("_r", 1)[1]))
    values = dict(zip(table["row"], table["value"]))
    v: list[Verdict] = [_converged(theory, panel)]
    v += spot_checks(theory, sims, rows, n_sigma=float(s["n_sigma"]),
                     peak_halfwidth_log10=float(s["peak_halfwidth_log10"]), panel=panel)
    if kind == "correlation_2l":
        v += _correlation_claims(p, _figure_name(figure), theory, sims, values, rows, s)
    elif kind == "negative_transfer":
        d = theory_cells(table, "TF-RF")
        v.append(_region_claim(
            p + "negative_transfer_corner",
            f"'A corner of the phase diagram (red shaded region) where the performance of TF is sub-optimal "
            f"with respect to learning with random features' (negative transfer): replica TF − RF > 0 over "
            f"the corner M/H <= {small:g}, grid value in {list(s['uncorrelated'])}.",
            _region(d, s["uncorrelated"], alpha_max=small), sign=+1, every=True, s=s, source=SRC_3))
        v.append(_region_claim(
            p + "positive_transfer_correlated",
            f"'Transfer learning helps most in the limited target data, high task correlation regime': "
            f"replica TF − RF < 0 over M/H <= {small:g}, grid value in {list(s['correlated'])}.",
            _region(d, s["correlated"], alpha_max=small), sign=-1, every=True, s=s, source=SRC_3))
    elif kind == "finetune":
        d = paired_cells(sims, "ft-TF", START_MODEL, values)
        v.append(_region_claim(
            p + "finetune_helps_low_correlation_large_samples",
            f"'The red shaded region, highlighting this improvement, is found at lower correlations ... and "
            f"higher number of training samples': ft-TF − TF-start < 0 (paired: each network against its own "
            f"TF starting point) over M/H >= {large:g}, grid value in {list(s['uncorrelated'])}.",
            _region(d, s["uncorrelated"], alpha_min=large), sign=-1, every=True, s=s, source=SRC_3))
        v.append(_region_claim(
            p + "finetune_overfits_small_samples",
            f"'At small number of samples, instead, this procedure leads to over-fitting': ft-TF − TF-start "
            f"> 0 (paired) over M/H <= {small:g}, every grid value.",
            _region(d, alpha_max=small), sign=+1, every=True, s=s, source=SRC_3))
        v.append(compare_regions(
            p + "finetune_gain_larger_at_low_correlation",
            f"The improvement by fine-tuning 'is found at lower correlations (where the transferred features "
            f"are not effective without fine-tuning)': over M/H >= {large:g}, the paired ft-TF − TF-start of "
            f"the uncorrelated rows {list(s['uncorrelated'])} lies below that of the correlated rows "
            f"{list(s['correlated'])}.",
            _region(d, s["uncorrelated"], alpha_min=large), _region(d, s["correlated"], alpha_min=large),
            sign=-1, s=s, source=SRC_3))
    elif kind == "asymmetric":
        d = diagram(table, "TF-RF")
        v.append(_asymmetry(p, _region(d, alpha_max=small), float(s["centre"]), small,
                            "TF − RF (theory)"))
    elif kind == "asymmetric_cut":
        v += _cut_claims(p, table, sims, values, s)
    elif kind == "width":
        v += _width_claims(p, table, theory, sims, values, rows, s)
    elif kind == "source_size":
        v += _source_size_claims(p, table, sims, values, rows, s)
    else:
        raise ValueError(f"unknown phase-diagram claims kind {kind!r}")
    return v


def _correlation_claims(p: str, fig: str | None, theory: pd.DataFrame, sims: pd.DataFrame,
                        values: Mapping[str, float], rows: Sequence[str], s: Mapping[str, Any]) -> list[Verdict]:
    """TF vs 2L over a correlation parameter: Fig. 3a (q, "or") or one panel of Fig. A.1 (eta / rho, "and")."""
    if fig not in ("fig3a", "figA1"):
        raise ValueError(f"claims kind 'correlation_2l' states the claims of Fig. 3a or Fig. A.1 (the paper says "
                         f"different things about them): pass figure='fig3a' or 'figA1', got {fig!r}")
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    d = paired_cells(sims, START_MODEL, "2L", values)
    a_star = {row: thresholds(theory[theory["row"] == row]).get("TF", math.nan) for row in rows}
    src = SRC_3 if fig == "fig3a" else SRC_A1
    quote = ("'TF can outperform 2L (blue shaded region) when the number of samples is low enough, or when "
             "the level of correlation is sufficiently strong' (where both hold)" if fig == "fig3a" else
             "'At low numbers of samples and high levels of feature correlation TF largely outperforms 2L'")
    out = [_region_claim(
        p + "tf_beats_2l_low_samples_high_correlation",
        f"{quote}: TF-start − 2L < 0 (paired: 2L against the TF solution on the same samples) over M/H <= "
        f"{small:g}, grid value in {list(s['correlated'])}.",
        _region(d, s["correlated"], alpha_max=small), sign=-1, every=True, s=s, source=src),
        _region_claim(
        p + "2l_better_large_samples_low_correlation",
        f"'2L becomes the better algorithm when the size of the target dataset is large enough' (appendix "
        f"A.1; the complement of Sec. 4.1's 'or'): TF-start − 2L > 0 (paired) over M/H >= {large:g}, grid "
        f"value in {list(s['uncorrelated'])}.",
        _region(d, s["uncorrelated"], alpha_min=large), sign=+1, every=True, s=s, source=src)]
    bump_quote = ("'The darker red region (around numbers of samples per hidden unit of order 1) is connected to "
                  "the appearance of the interpolation peak'" if fig == "fig3a" else
                  "'We also find again a region where TF overfits due to the closeness to the separability "
                  "threshold'")
    out.append(_threshold_bump(p, d, a_star, s, bump_quote, src))
    if fig == "fig3a":
        out.append(_region_claim(
            p + "tf_beats_2l_low_samples_every_correlation",
            f"'TF can outperform 2L when the number of samples is low enough' (first half of the 'or': "
            f"whatever the correlation, the weakly correlated rows included): TF-start − 2L < 0 (paired) over "
            f"M/H <= {small:g}, every grid value.",
            _region(d, alpha_max=small), sign=-1, every=True, s=s, source=SRC_3))
        out.append(_correlated_extent(p, d, a_star, s))
        out.append(_identical_task_equivalence(p, d, s))
    return out


def _threshold_bump(p: str, d: pd.DataFrame, a_star: Mapping[str, float], s: Mapping[str, Any],
                    quote: str, source: str) -> Verdict:
    """TF − 2L is red at each row's TF separability threshold and darker there than at the neighbouring
    simulated M/H (the interpolation peak of TF)."""
    hw = float(s["peak_halfwidth_log10"])
    at, bump, per_row = [], [], []
    for row, g in d.groupby("row"):
        g = g.sort_values("alpha").reset_index(drop=True)
        star = float(a_star.get(row, math.nan))
        if not math.isfinite(star) or len(g) < 3:
            per_row.append({"row": row, "alpha_star_TF": star, "used": False})
            continue
        dist = np.abs(np.log10(g["alpha"] / star))
        i = int(np.argmin(dist))
        if dist[i] > hw or i == 0 or i == len(g) - 1:
            per_row.append({"row": row, "alpha_star_TF": star, "nearest_alpha": float(g["alpha"][i]),
                            "used": False})
            continue
        c, lo, hi = g.loc[i], g.loc[i - 1], g.loc[i + 1]
        at.append(c)
        bump.append({"row": row, "value": c["value"], "alpha": c["alpha"],
                     "diff": c["diff"] - (lo["diff"] + hi["diff"]) / 2,
                     "sem": math.sqrt(c["sem"] ** 2 + (lo["sem"] ** 2 + hi["sem"] ** 2) / 4),
                     "n": min(c["n"], lo["n"], hi["n"])})
        per_row.append({"row": row, "alpha_star_TF": star, "threshold_alpha": float(c["alpha"]), "used": True})
    at_df = pd.DataFrame(at, columns=_CELL)
    bump_df = pd.DataFrame(bump, columns=_CELL)
    red = _region_claim("", "", at_df, sign=+1, every=False, s=s, source=source)
    dark = _region_claim("", "", bump_df, sign=+1, every=False, s=s, source=source)
    return _all_of(
        p + "tf_worse_than_2l_near_threshold",
        f"{quote}: at each row's TF separability threshold alpha*_TF (the simulated M/H nearest to it, within "
        f"{hw:g} decade, with a simulated M/H on either side), TF-start − 2L (paired) is positive (red) and "
        f"exceeds the mean of its two neighbouring M/H (darker); both pooled over the rows "
        f"[{_criteria(s, False)}].", {"red_at_threshold": red, "darker_than_neighbours": dark}, source,
        extra={"rows": per_row})


def _blue_extent(g: pd.DataFrame, star: float, hw: float) -> float:
    """The largest simulated M/H up to which TF-start − 2L < 0 in every cell of a row from the smallest
    M/H on, skipping the cells inside the row's TF interpolation peak; 0 when the first cell is not."""
    ext = 0.0
    for r in g.sort_values("alpha").itertuples():
        if in_peak(r.alpha, star, hw):
            continue
        if not r.diff < 0:
            break
        ext = float(r.alpha)
    return ext


def _correlated_extent(p: str, d: pd.DataFrame, a_star: Mapping[str, float], s: Mapping[str, Any]) -> Verdict:
    hw = float(s["peak_halfwidth_log10"])
    corr, unc = _region(d, s["correlated"]), _region(d, s["uncorrelated"])
    ext = {row: _blue_extent(g, float(a_star.get(row, math.nan)), hw) for row, g in d.groupby("row")}
    e_corr = min((ext[r] for r in corr["row"].unique()), default=math.nan)
    e_unc = max((ext[r] for r in unc["row"].unique()), default=math.nan)
    beyond = corr[(corr["alpha"] > e_unc * (1 + 1e-12)) & (corr["alpha"] <= e_corr * (1 + 1e-12))]
    beyond = beyond[[not in_peak(a, float(a_star.get(r, math.nan)), hw)
                     for r, a in zip(beyond["row"], beyond["alpha"])]]
    reg = _region_claim("", "", beyond, sign=-1, every=True, s=s, source=SRC_3)
    longer = bool(np.isfinite(e_corr) and np.isfinite(e_unc) and e_corr > e_unc)
    return Verdict(
        p + "tf_beats_2l_larger_samples_high_correlation",
        f"'... or when the level of correlation is sufficiently strong' (second half of the 'or'): the blue "
        f"region (TF-start − 2L < 0, paired, in every cell from the smallest M/H on, cells inside a row's TF "
        f"interpolation peak (within {hw:g} decade of alpha*_TF) left to the darker-red claim) reaches a "
        f"larger M/H in every correlated row {list(s['correlated'])} than in any uncorrelated row "
        f"{list(s['uncorrelated'])}, and the correlated cells beyond the uncorrelated reach pass the region "
        f"test [{_criteria(s, True)}].",
        bool(longer and reg.passed),
        {"extent_per_row": {str(r): e for r, e in ext.items()}, "extent_correlated_min": e_corr,
         "extent_uncorrelated_max": e_unc, "beyond": {"passed": reg.passed, **reg.numbers}}, SRC_3,
        passed_normal=bool(longer and (reg.passed_normal if reg.passed_normal is not None else reg.passed)))


def _identical_task_equivalence(p: str, d: pd.DataFrame, s: Mapping[str, Any]) -> Verdict:
    large, margin, level = float(s["large_alpha_min"]), float(s["equivalence_margin"]), float(s["equivalence_level"])
    claim = (f"'At q = 1, the transferred features are received from a source task that is identical to the "
             f"target, so it is to be expected that at high numbers of samples the performance of TF is "
             f"equivalent to 2L': at q = 1 and every simulated M/H >= {large:g}, the paired TF-start − 2L is "
             f"within ±{margin:g} (two one-sided tests at {level:g}: the {1 - 2 * level:.0%} interval inside "
             f"the margin).")
    iid = "tf_equivalent_to_2l_large_samples_identical_tasks"
    row = d[np.isclose(d["value"], 1.0)]
    if row.empty:
        return Verdict(p + iid, claim, False, {"error": "the grid has no q = 1 row"}, SRC_3)
    pts = _region(row, alpha_min=large).rename(columns={"diff": "mean"})
    return equivalence_verdict(p + iid, claim, pts, margin=margin, level=level, source=SRC_3)


def _asymmetry(p: str, cells: pd.DataFrame, centre: float, small: float, what: str,
               source: str = SRC_5) -> Verdict:
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
        f"M/H <= {small:g} is lower on the left.", ok, {"pairs": rows}, source)


def _cut_claims(p: str, table: pd.DataFrame, sims: pd.DataFrame, values: Mapping[str, float],
                s: Mapping[str, Any]) -> list[Verdict]:
    a, centre = float(s["cut_alpha"]), float(s["centre"])
    cut_table(table, a)  # every model must be there: fails naming the missing alpha
    rf = _at_alpha(theory_cells(table, "TF-RF"), a)
    tf2l = _at_alpha(paired_cells(sims, START_MODEL, "2L", values), a)
    ft = _at_alpha(paired_cells(sims, "ft-TF", START_MODEL, values), a)
    out = [
        _region_claim(p + "tf_beats_rf_at_cut",
                      f"'In the low number of samples regime ... TF greatly outperforms RF and 2L': replica "
                      f"TF − RF < 0 at M/H = {a:g} for every L_t.", rf, sign=-1, every=True, s=s, source=SRC_5),
        _region_claim(p + "tf_beats_2l_at_cut",
                      f"'In the low number of samples regime ... TF greatly outperforms RF and 2L': TF-start − "
                      f"2L < 0 (paired: 2L against the TF solution on the same samples) at M/H = {a:g} for "
                      f"every L_t.", tf2l, sign=-1, every=True, s=s, source=SRC_5),
        _asymmetry(p, rf, centre, a, "TF − RF (theory)"),
        _region_claim(p + "finetune_detrimental_small_Lt",
                      f"'When L_t is small, ft-TF is detrimental': ft-TF − TF-start > 0 (paired: each network "
                      f"against its own starting point) at M/H = {a:g} for every L_t < {centre:g}.",
                      ft[ft["value"] < centre], sign=+1, every=True, s=s, source=SRC_5),
        _region_claim(p + "finetune_better_at_large_Lt",
                      f"'When L_t is instead large, ft-TF can slightly improve performance': ft-TF − TF-start "
                      f"< 0 (paired) at M/H = {a:g} for every L_t > {centre:g}.",
                      ft[ft["value"] > centre], sign=-1, every=True, s=s, source=SRC_5)]
    fit_max = float(s["overfit_train_error_max"])
    net = sims[(sims["model"] == "2L") & np.isclose(sims["alpha"], a, rtol=1e-9)]
    train = net.groupby("row")["train_error"].mean()
    fits = {str(values.get(r, r)): float(e) for r, e in train.items()}
    fitted = bool(len(train)) and bool((train <= fit_max).all())
    worse = _region_claim("", "", _at_alpha(paired_cells(sims, "2L", START_MODEL, values), a), sign=+1,
                          every=True, s=s, source=SRC_5)
    out.append(Verdict(
        p + "2l_overfits_at_cut",
        f"'The fully trained 2L network is over-fitting due to the small dataset': at M/H = {a:g}, for every "
        f"L_t the 2L networks fit their training set (mean training error <= {fit_max:g}) and test worse "
        f"than TF: 2L − TF-start > 0 (paired) [{_criteria(s, True)}].",
        bool(fitted and worse.passed),
        {"train_error_2L": fits, "overfit_train_error_max": fit_max, "fits_training_set": fitted,
         "tests_worse_than_tf": {"passed": worse.passed, **worse.numbers}}, SRC_5,
        passed_normal=bool(fitted and (worse.passed_normal if worse.passed_normal is not None else worse.passed))))
    return out


def _width_claims(p: str, table: pd.DataFrame, theory: pd.DataFrame, sims: pd.DataFrame,
                  values: Mapping[str, float], rows: Sequence[str], s: Mapping[str, Any]) -> list[Verdict]:
    small, large, L = float(s["small_alpha_max"]), float(s["large_alpha_min"]), float(s["latent_dim"])
    tf2l = paired_cells(sims, START_MODEL, "2L", values)
    tfrf = theory_cells(table, "TF-RF")
    quote = "'TF is found to perform better in the low number of samples regime, as in all other experimental settings'"
    out = [
        _region_claim(p + "tf_better_low_samples_2L",
                      f"{quote}: TF-start − 2L < 0 (paired) at every M/H <= {small:g} for every width H.",
                      _region(tf2l, alpha_max=small), sign=-1, every=True, s=s, source=SRC_A2),
        _region_claim(p + "tf_better_low_samples_RF",
                      f"{quote}: replica TF − RF < 0 at every M/H <= {small:g} for every width H.",
                      _region(tfrf, alpha_max=small), sign=-1, every=True, s=s, source=SRC_A2)]
    a_star = {r: thresholds(theory[theory["row"] == r]).get("TF", math.nan) for r in rows}
    H = np.array([float(values[r]) for r in rows])
    stars = np.array([a_star[r] for r in rows])
    m_star = stars * H
    finite = bool(len(stars) > 1 and np.isfinite(stars).all())
    diagonal = finite and bool(np.all(np.diff(stars) > 0) or np.all(np.diff(stars) < 0))
    up = finite and bool(np.all(np.diff(m_star) > 0))
    out.append(Verdict(
        p + "threshold_shifts_with_width",
        "'In both diagrams we can clearly see the diagonal line corresponding to the separability threshold, "
        "which shifts to higher values as H (i.e. the number of parameters in the second layer) is varied'. "
        "The diagram's x axis is M/H: a threshold at a fixed number of samples per hidden unit would be a "
        "vertical line, so 'diagonal' means alpha*_TF changes monotonically with H; 'higher values' is read as "
        "the threshold's number of target samples M* = alpha*_TF H, which grows with H, the number of "
        "second-layer parameters (the parenthesis). Both on the replica TF thresholds, every width of the grid.",
        bool(diagonal and up),
        {"alpha_star_TF": {str(h): float(a) for h, a in zip(H, stars)},
         "M_star_TF": {str(h): float(m) for h, m in zip(H, m_star)}, "alpha_star_monotone": diagonal,
         "M_star_increases_with_H": up,
         "alpha_star_increases_with_H_other_reading_not_judged": finite and bool(np.all(np.diff(stars) > 0))},
        SRC_A2))
    big = _region(diagram(table, "TF-RF"), alpha_min=large)
    below, above = big[big["value"] < L]["diff"].abs().mean(), big[big["value"] > L]["diff"].abs().mean()
    out.append(Verdict(
        p + "tf_rf_gap_narrows_beyond_latent_dim",
        f"'Once the number of learned features becomes larger than the number of generative "
        f"features H > L ... the improvement obtained by TF over RF becomes less pronounced if the "
        f"number of samples is sufficient': mean |TF − RF| (theory) at M/H >= {large:g} smaller for H > L "
        f"than for H < L (L = {L:g}).",
        bool(np.isfinite(below) and np.isfinite(above) and above < below),
        {"mean_abs_gap_H_below_L": float(below), "mean_abs_gap_H_above_L": float(above)}, SRC_A2))
    hmax = max(H) if len(H) else math.nan
    narrow = {name: compare_regions(
        "", "", _abs(c[(c["value"] == hmax) & (c["alpha"] > small * (1 + 1e-12))]),
        _abs(c[(c["value"] < hmax) & (c["alpha"] > small * (1 + 1e-12))]), sign=-1, s=s, source=SRC_A2)
        for name, c in (("TF-2L", tf2l), ("TF-RF", tfrf))}
    out.append(_all_of(
        p + "differences_narrow_at_largest_width",
        f"'Both diagrams also seem to show that at very large H, and starting from intermediate values of the "
        f"number of samples, the differences between TF, 2L and RF seem to narrow': over M/H > {small:g}, the "
        f"mean |TF-start − 2L| (paired) and the mean |TF − RF| (theory) at the largest width H = {hmax:g} lie "
        f"below those of the smaller widths [each a region comparison: at least {int(s['min_cells'])} cells a "
        f"side, gap >= {float(s['min_effect']):g}, significant where simulated].", narrow, SRC_A2))
    gaps = {name: compare_regions("", "", _abs(c[c["value"] < L]), _abs(c[c["value"] > L]), sign=+1, s=s,
                                  source=SRC_A2)
            for name, c in (("TF-2L", tf2l), ("TF-RF", tfrf))}
    out.append(_all_of(
        p + "largest_gaps_below_latent_dim",
        f"Sec. 4.4: 'the biggest performance gaps between TF, RF and 2L are observed in the regime where H/L is "
        f"smaller than one': the mean |TF-start − 2L| (paired) and the mean |TF − RF| (theory) over the widths "
        f"H < L lie above those over H > L (L = {L:g}) [region comparisons as above].", gaps,
        "Gerace et al. 2022, Sec. 4.4 (Fig. A.2)"))
    return out


def _source_size_claims(p: str, table: pd.DataFrame, sims: pd.DataFrame, values: Mapping[str, float],
                        rows: Sequence[str], s: Mapping[str, Any]) -> list[Verdict]:
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    margin, level = float(s["equivalence_margin"]), float(s["equivalence_level"])
    first, last = rows[0], rows[-1]
    fixed = paired_differences(sims[sims["row"] == first], "TF", "RF", by=("alpha",))
    out = [equivalence_verdict(
        p + "tf_indistinguishable_from_rf_small_source",
        f"'Below a critical value of the number of samples M1 ... the performance of TF in the target task is "
        f"indistinguishable from RF': at the smallest source size (M1 = {values[first]:g}), the paired TF − RF "
        f"fixed-feature simulations (same samples) are within ±{margin:g} at every simulated M/H (two one-sided "
        f"tests at {level:g}: the {1 - 2 * level:.0%} interval inside the margin).",
        fixed, margin=margin, level=level, source=SRC_A3)]
    d = theory_cells(table, "TF-RF")
    out.append(_region_claim(
        p + "learned_features_help_large_source",
        f"With a large source dataset the learned features help ('the number of samples in the source task "
        f"needs to be sufficiently large in order for the transfer to be effective', Sec. 4.4): replica TF − "
        f"RF < 0 at every M/H <= {small:g} for the largest source size (M1 = {values[last]:g}).",
        _region(d[d["row"] == last], alpha_max=small), sign=-1, every=True, s=s, source=SRC_A3))
    tf2l = paired_cells(sims, START_MODEL, "2L", values)
    low = _region(tf2l, alpha_max=small)
    out.append(_region_claim(
        p + "tf_beats_2l_low_samples_large_source",
        f"Fig. A.3(a), TF vs 2L, with a source large enough to extract features: TF-start − 2L < 0 (paired) at "
        f"every M/H <= {small:g} for the largest source size (M1 = {values[last]:g}), as in the other "
        f"diagrams.", low[low["row"] == last], sign=-1, every=True, s=s, source=SRC_A3))
    out.append(compare_regions(
        p + "tf_advantage_over_2l_needs_large_source",
        f"Fig. A.3(a): 'the two-layer network trained on the source dataset is unable to extract good features "
        f"from the data below a critical value of the number of samples M1': over M/H <= {small:g}, the paired "
        f"TF-start − 2L at the smallest source size (M1 = {values[first]:g}) lies above that at the largest "
        f"(M1 = {values[last]:g}).", low[low["row"] == first], low[low["row"] == last], sign=+1, s=s,
        source=SRC_A3))
    out.append(_region_claim(
        p + "typical_scenario_large_target",
        f"'When the number of samples in the second task becomes larger, we reconnect with the typical scenario "
        f"already recorded in the previous experiments' (the second task is the target, of size M2): the "
        f"typical large-sample regime, 2L better than TF (TF-start − 2L > 0, paired), at every M/H >= {large:g} "
        f"for every source size.", _region(tf2l, alpha_min=large), sign=+1, every=True, s=s, source=SRC_A3))
    return out


# ---- figure-level claims (several panels) -----------------------------------------------------------

def figure_claims(kind: str, figure: str | None, sims: Mapping[str, pd.DataFrame],
                  rows: Mapping[str, Mapping[str, float]], settings: Mapping[str, Mapping[str, Any]]) -> list[Verdict]:
    """The claims that compare the panels of one figure, called once per figure with every panel's
    simulations, rows (row -> grid value) and settings. Fig. A.1: the rho diagram is the mirror image of
    the eta diagram. Other figures: none."""
    if kind == "correlation_2l" and _figure_name(figure) == "figA1":
        return [_mirror_similarity(_figure_name(figure), sims, rows, settings)]
    return []


def _mirror_similarity(fig: str, sims: Mapping[str, pd.DataFrame], rows: Mapping[str, Mapping[str, float]],
                       settings: Mapping[str, Mapping[str, Any]]) -> Verdict:
    panels = list(rows)
    mirrored = [q for q in panels if max(settings[q]["correlated"]) < min(settings[q]["uncorrelated"])]
    plain = [q for q in panels if q not in mirrored]
    r_min = float(settings[panels[0]]["min_pattern_correlation"]) if panels else math.nan
    claim = (f"'Apart from the fact that the diagram associated to rho is mirror image compared to the others, ... "
             f"the obtained phase diagrams are non just qualitatively equivalent, but also quantitatively similar': "
             f"the TF-start − 2L cells (paired) of the rho diagram, mirrored (rho -> 1 − rho), and of the eta "
             f"diagram at the same grid value and M/H correlate with a Pearson coefficient >= {r_min:g} (at least "
             f"3 matched cells: a correlation of 2 points is ±1 by construction). The similarity to Fig. 3a (q) is "
             f"not checked: that needs Fig. 3's tables.")
    iid = f"{fig}:rho_diagram_mirrors_eta_diagram"
    if len(mirrored) != 1 or len(plain) != 1:
        return Verdict(iid, claim, False, {"error": "needs one eta panel and one mirrored (rho) panel",
                                           "panels": panels}, SRC_A1)
    (m,), (e,) = mirrored, plain
    cm = paired_cells(sims[m], START_MODEL, "2L", rows[m]).assign(value=lambda x: (1.0 - x["value"]).round(9))
    ce = paired_cells(sims[e], START_MODEL, "2L", rows[e]).assign(value=lambda x: x["value"].round(9))
    key = ["value", "alpha"]
    both = pd.merge(ce.assign(alpha=ce["alpha"].round(12))[key + ["diff"]],
                    cm.assign(alpha=cm["alpha"].round(12))[key + ["diff"]], on=key, how="inner",
                    suffixes=("_eta", "_rho_mirrored")).dropna().set_index(key)
    n = len(both)
    ok_data = n >= 3 and both["diff_eta"].std() > 0 and both["diff_rho_mirrored"].std() > 0
    r = float(np.corrcoef(both["diff_eta"], both["diff_rho_mirrored"])[0, 1]) if ok_data else math.nan
    return Verdict(iid, claim, bool(ok_data and r >= r_min),
                   {"pearson_r": r, "min_pattern_correlation": r_min, "n_cells": n, "eta_panel": e,
                    "rho_panel": m, "cells": [{"value": float(v), "alpha": float(a), "eta": float(x["diff_eta"]),
                                               "rho_mirrored": float(x["diff_rho_mirrored"])}
                                              for (v, a), x in both.iterrows()]}, SRC_A1)


# ---- multi-label diagrams (appendix B) -------------------------------------------------------------

def _multilabel_features(kind: str, p: str, tf2l: pd.DataFrame, tfrf: pd.DataFrame, ft: pd.DataFrame | None,
                         s: Mapping[str, Any], rf_data: str) -> dict[str, tuple[str, Verdict]]:
    """The named features of a B.1 / B.2 diagram, judged on the given cells: feature id -> (the diagram
    it is a feature of, verdict). Called on the multi-label cells and on the binary counterpart's."""
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    out: dict[str, tuple[str, Verdict]] = {}
    if kind == "multilabel_correlation":
        out["tf_beats_2l_low_samples_high_correlation"] = ("TF-2L", _region_claim(
            p + "tf_beats_2l_low_samples_high_correlation",
            f"B.1(a): 'the largest impact of transfer learning when the number of samples in the target dataset "
            f"is low and when the similarity between the two sets is large enough': TF-start − 2L < 0 (paired) "
            f"over M/H <= {small:g}, grid value in {list(s['correlated'])}.",
            _region(tf2l, s["correlated"], alpha_max=small), sign=-1, every=True, s=s, source=SRC_B))
        out["negative_transfer_corner"] = ("TF-RF", _region_claim(
            p + "negative_transfer_corner",
            f"B.1(b): 'The comparison between TF and RF shows again negative transfer for low eta and low sample "
            f"complexity in the target': TF − RF > 0 ({rf_data}) over the corner M/H <= {small:g}, grid value "
            f"in {list(s['uncorrelated'])}.",
            _region(tfrf, s["uncorrelated"], alpha_max=small), sign=+1, every=True, s=s, source=SRC_B))
        out["tf_advantage_over_finetune_low_samples_high_correlation"] = ("ft-TF-TF", compare_regions(
            p + "tf_advantage_over_finetune_low_samples_high_correlation",
            f"B.1(c): TF vs ft-TF shows 'the largest impact of transfer learning when the number of samples in "
            f"the target dataset is low and when the similarity between the two sets is large enough': the "
            f"paired ft-TF − TF-start is larger with few samples and similar tasks (M/H <= {small:g}, grid value "
            f"in {list(s['correlated'])}) than with many samples and dissimilar tasks (M/H >= {large:g}, grid "
            f"value in {list(s['uncorrelated'])}).",
            _region(ft, s["correlated"], alpha_max=small), _region(ft, s["uncorrelated"], alpha_min=large),
            sign=+1, s=s, source=SRC_B))
    elif kind == "multilabel_asymmetric":
        out["larger_gain_when_target_simpler"] = ("TF-RF", _asymmetry(
            p, _region(tfrf, alpha_max=small), float(s["centre"]), small, f"TF − RF ({rf_data})",
            source=f"{SRC_B} (Fig. B.2: 'the same features of figure 5')"))
        out["tf_beats_2l_low_samples"] = ("TF-2L", _region_claim(
            p + "tf_beats_2l_low_samples",
            f"B.2: 'the most beneficial case occurs for low sample complexity': TF-start − 2L < 0 (paired) over "
            f"M/H <= {small:g}, every grid value.", _region(tf2l, alpha_max=small), sign=-1, every=True, s=s,
            source=SRC_B))
    else:
        raise ValueError(f"unknown phase-diagram claims kind {kind!r}")
    return out


def _multilabel_claims(kind: str, p: str, table: pd.DataFrame, sims: pd.DataFrame, s: Mapping[str, Any],
                       reference: pd.DataFrame | None, reference_sims: pd.DataFrame | None) -> list[Verdict]:
    """Appendix B: the named features on the multi-label simulations (every model simulated: TF − RF paired
    fixed-feature simulations, 2L and ft-TF paired with the ft-TF jobs' TF starting point), and, for each,
    whether the binary counterpart shows the same verdict. The binary counterpart is judged like with like
    as well: its TF − RF on the replica theory (it has no TF / RF simulations at the network M/H), its 2L and
    ft-TF claims on its paired simulations."""
    if kind not in ("multilabel_correlation", "multilabel_asymmetric"):
        raise ValueError(f"unknown phase-diagram claims kind {kind!r}")
    values = dict(zip(table["row"], table["value"]))
    mine = _multilabel_features(
        kind, p, paired_cells(sims, START_MODEL, "2L", values), paired_cells(sims, "TF", "RF", values),
        paired_cells(sims, "ft-TF", START_MODEL, values) if kind == "multilabel_correlation" else None, s,
        "paired multi-label simulations")
    ref, error = None, None
    if reference is None or reference_sims is None:
        error = "no binary counterpart given (its grid table and its simulations are both needed)"
    else:
        rv = dict(zip(reference["row"], reference["value"]))
        ref = _multilabel_features(
            kind, "binary:", paired_cells(reference_sims, START_MODEL, "2L", rv), theory_cells(reference, "TF-RF"),
            paired_cells(reference_sims, "ft-TF", START_MODEL, rv) if kind == "multilabel_correlation" else None,
            s, "binary replica theory")
    out = [v for _, v in mine.values()]
    for fid, (name, v) in mine.items():
        claim = (f"'Despite some quantitative disagreement, the salient features of the diagrams are still there' "
                 f"(appendix B): the named feature of the {name} diagram, '{fid}', has the same verdict on the "
                 f"multi-label diagram as on its binary counterpart (present in both or absent in both), each "
                 f"judged like with like (the binary TF − RF on the replica theory, the rest on paired "
                 f"simulations).")
        if ref is None:
            out.append(Verdict(p + f"matches_binary_{name}", claim, False, {"feature": fid, "error": error}, SRC_B))
            continue
        b = ref[fid][1]
        out.append(Verdict(p + f"matches_binary_{name}", claim, bool(v.passed == b.passed),
                           {"feature": fid, "multilabel_passed": v.passed, "binary_passed": b.passed,
                            "binary": b.numbers}, SRC_B))
    return out
