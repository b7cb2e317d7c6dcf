"""Checks of a paper's claims on produced result tables.

Each check returns a ``Verdict``: the claim's id, the paper's words it tests, pass/fail, and the numbers
it was decided on. Figures assemble their claims from these generic checks; the figure notebook writes
the verdicts to ``figures/<paper>/<fig>.claims.json``. A failing claim is reported, never hidden."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm, t as student_t


WORKFLOW_CHECK = "this workflow"


@dataclass
class Verdict:
    """One checked statement. ``source`` cites the paper for the paper's claims; a source starting with
    ``WORKFLOW_CHECK`` marks this workflow's own checks and diagnostics (solver convergence, Gaussian
    equivalence), which the scorecard counts apart from the papers' claims. A claim that could not be
    evaluated (``evaluated=False``, its data missing) never passes and is counted apart too."""

    id: str
    claim: str
    passed: bool
    numbers: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    #: False for a claim the data to judge it are missing for (a dataset the user has not provided): it
    #: never passes, and the scorecard lists it apart, as not evaluated.
    evaluated: bool = True
    #: The verdict under the plain normal reading of "within n standard errors" (the bound n_sigma itself
    #: instead of the Student-t bound for the seeds, ``z_bound``); None for a verdict without a
    #: statistical bound. The scorecard shows both readings where they differ.
    passed_normal: bool | None = None


def is_workflow_check(source: str | None) -> bool:
    """True for a verdict of this workflow's own checks, False for a claim of a paper."""
    return str(source or "").startswith(WORKFLOW_CHECK)


def summarise(sims: pd.DataFrame, by: Sequence[str] = ("model", "alpha"),
              value: str = "test_error") -> pd.DataFrame:
    """Mean, standard error of the mean (sample std / sqrt(n)) and count per group."""
    g = sims.groupby(list(by))[value]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    out["sem"] = out["std"].fillna(0.0) / np.sqrt(out["n"])
    return out


def z_bound(n_sigma: float, dof: float) -> float:
    """The |z| bound that means "within ``n_sigma`` standard errors" when the standard error is itself
    estimated, with ``dof`` degrees of freedom (n - 1 for the mean of n seeds; ``welch_dof`` for a
    difference of two means).

    (mean - truth) / SEM then follows Student's t, not a normal law: with 10 seeds, |z| > 3 happens 1.5 %
    of the time for a correct prediction, with 6 seeds 3 %, instead of the 0.27 % that "3 standard
    errors" stands for. The bound is the t quantile with the two-sided tail probability of +-n_sigma of a
    normal: for n_sigma = 3, 5.51 (5 dof), 4.09 (9), 3.45 (19), 3.16 (49), -> 3 as dof grows. NaN without
    a degree of freedom (no standard error to compare with: every check against it then fails)."""
    if not dof >= 1:
        return math.nan
    return float(student_t.isf(norm.sf(n_sigma), dof))


def within_sem(n_sigma: float) -> str:
    """How a claim's text states the tolerance of ``z_bound``."""
    return f"within {n_sigma:g} standard errors, read as the Student-t bound for the number of seeds"


def welch_dof(sem_a: float, n_a: int, sem_b: float, n_b: int) -> float:
    """Welch-Satterthwaite degrees of freedom of a difference of two independent means."""
    va, vb = sem_a ** 2, sem_b ** 2
    den = (va ** 2 / (n_a - 1) if n_a > 1 else math.inf) + (vb ** 2 / (n_b - 1) if n_b > 1 else math.inf)
    return (va + vb) ** 2 / den if den > 0 else math.nan


def _at(summary: pd.DataFrame, model: str) -> pd.DataFrame:
    return summary[summary["model"] == model].set_index("alpha").sort_index()


def in_peak(alpha: float, alpha_star: float, halfwidth_log10: float) -> bool:
    """True when ``alpha`` lies within ``halfwidth_log10`` decades of the threshold ``alpha_star``."""
    return math.isfinite(alpha_star) and abs(math.log10(alpha / alpha_star)) < halfwidth_log10


def theory_matches_simulation(theory: pd.DataFrame, summary: pd.DataFrame, *, model: str,
                              alpha_star: float, n_sigma: float, peak_halfwidth_log10: float,
                              claim: str, source: str = "") -> Verdict:
    """|theory − simulated mean| ≤ n_sigma · SEM at every simulated alpha outside the peak window, with
    the bound for a SEM estimated from that alpha's n seeds (``z_bound``); each point records its z, its
    bound and whether it would also pass at the plain normal bound n_sigma.

    ``theory`` has columns model, alpha, test_error (rows of one alpha are averaged) and must contain the
    simulated alphas exactly (a theory table solved at them)."""
    th = theory[theory["model"] == model].groupby("alpha")["test_error"].mean()
    sim = _at(summary, model)
    rows, ok = [], True
    for alpha, r in sim.iterrows():
        if alpha not in th.index:
            raise KeyError(f"theory for {model} lacks alpha={alpha}; solve at the simulated alphas")
        excluded = in_peak(alpha, alpha_star, peak_halfwidth_log10)
        dev = float(th[alpha] - r["mean"])
        z = dev / r["sem"] if r["sem"] > 0 else (0.0 if dev == 0 else math.inf)
        bound = z_bound(n_sigma, int(r["n"]) - 1)
        good = excluded or abs(z) <= bound
        ok &= good
        rows.append({"alpha": float(alpha), "theory": float(th[alpha]), "sim_mean": float(r["mean"]),
                     "sim_sem": float(r["sem"]), "n": int(r["n"]), "z": float(z), "z_bound": bound,
                     "within_normal_bound": bool(abs(z) <= n_sigma),
                     "in_peak_excluded": bool(excluded), "pass": bool(good)})
    checked = [r for r in rows if not r["in_peak_excluded"]]
    return Verdict(f"theory_matches_simulation_{model}", claim, bool(ok and checked),
                   {"model": model, "alpha_star": alpha_star, "n_sigma": n_sigma,
                    "n_checked": len(checked), "max_abs_z": max((abs(r["z"]) for r in checked), default=None),
                    "points": rows}, source,
                   passed_normal=bool(checked) and all(r["within_normal_bound"] for r in checked))


def curve_below(lower: pd.Series, upper: pd.Series, *, id: str, claim: str,
                alpha_max: float | None = None, source: str = "",
                lower_sem: pd.Series | None = None, upper_sem: pd.Series | None = None) -> Verdict:
    """``lower`` < ``upper`` at every shared alpha (≤ alpha_max if given). Series are indexed by alpha."""
    alphas = sorted(set(lower.index) & set(upper.index))
    if alpha_max is not None:
        alphas = [a for a in alphas if a <= alpha_max * (1 + 1e-12)]
    rows = []
    for a in alphas:
        gap = float(upper[a] - lower[a])
        row = {"alpha": float(a), "lower": float(lower[a]), "upper": float(upper[a]), "gap": gap}
        if lower_sem is not None and upper_sem is not None:
            se = math.hypot(float(lower_sem.get(a, 0.0)), float(upper_sem.get(a, 0.0)))
            row["z"] = gap / se if se > 0 else None
        rows.append(row)
    passed = bool(rows) and all(r["gap"] > 0 for r in rows)
    return Verdict(id, claim, passed,
                   {"n_alphas": len(rows), "min_gap": min((r["gap"] for r in rows), default=None),
                    "max_gap": max((r["gap"] for r in rows), default=None), "alpha_max": alpha_max,
                    "points": rows}, source)


# ---- Comparisons paired by seed, regions, equivalence, peaks and quoted sizes: the criteria a claim uses
# come from the config (``claims:``), fixed before judging; these functions only apply them.

def paired_differences(sims: pd.DataFrame, a: str, b: str, *, by: Sequence[str] = ("alpha",),
                       pair: Sequence[str] = ("instance", "seed")) -> pd.DataFrame:
    """Per group ``by``: mean, std, n and SEM of the per-pair difference test_error(a) − test_error(b),
    over the pairs (``pair`` columns, e.g. instance and seed: the same training and test samples) both
    models have. Pairs one model lacks are dropped; an empty frame when none is shared."""
    key = [*by, *[c for c in pair if c in sims.columns]]
    left = sims[sims["model"] == a].groupby(key)["test_error"].mean()
    right = sims[sims["model"] == b].groupby(key)["test_error"].mean()
    diff = (left - right).dropna().rename("diff").reset_index()
    out = diff.groupby(list(by))["diff"].agg(mean="mean", std="std", n="count").reset_index()
    out["sem"] = out["std"].fillna(0.0) / np.sqrt(out["n"])
    return out


def pooled_mean(means: Sequence[float], sems: Sequence[float], ns: Sequence[float]) -> dict[str, float]:
    """The mean of several cells' means (each cell weighs the same), its standard error and its
    Welch-Satterthwaite degrees of freedom (NaN when no cell has a standard error, e.g. theory cells)."""
    m, s, n = (np.asarray(x, float) for x in (means, sems, ns))
    k = len(m)
    if k == 0:
        return {"mean": math.nan, "sem": math.nan, "dof": math.nan}
    var = float(np.sum(s ** 2)) / k ** 2
    terms = np.where(n > 1, (s ** 2 / k ** 2) ** 2 / np.maximum(n - 1, 1), 0.0)
    dof = var ** 2 / float(terms.sum()) if var > 0 and terms.sum() > 0 else math.nan
    return {"mean": float(m.mean()), "sem": math.sqrt(var), "dof": dof}


def pooled_difference(a: Mapping[str, float], b: Mapping[str, float]) -> dict[str, float]:
    """The difference of two independent ``pooled_mean`` results: gap a − b, its standard error and
    Welch-Satterthwaite degrees of freedom (NaN when neither side has a standard error)."""
    se = math.hypot(a["sem"], b["sem"])
    den = sum(p["sem"] ** 4 / p["dof"] for p in (a, b) if p["sem"] > 0 and p["dof"] > 0)
    return {"gap": a["mean"] - b["mean"], "sem": se, "dof": se ** 4 / den if den > 0 else math.nan}


def region_verdict(id: str, claim: str, cells: pd.DataFrame, *, sign: int, every: bool,
                   min_cells: int, min_effect: float, n_sigma: float, source: str = "") -> Verdict:
    """A difference has sign ``sign`` (−1: the first model better) over a region of cells.

    ``cells``: one row per cell with ``diff`` (mean difference), ``sem`` and ``n`` (pairs; sem 0 or n
    NaN for theory cells). It passes when the region has at least ``min_cells`` cells, the mean of the
    cells' differences has the sign with size ≥ ``min_effect``, it is significant where the cells are
    simulated (|z| beyond the Student-t bound for n_sigma, ``z_bound`` with the pooled degrees of
    freedom; ``passed_normal`` with n_sigma itself; theory cells have n NaN and no such test), and,
    with ``every``, every cell has the sign."""
    k = int(len(cells))
    # simulated cells carry their number of pairs; one pair, or no spread, shows no significance
    simulated = k > 0 and bool(cells["n"].notna().all())
    pool = pooled_mean(cells["diff"], cells["sem"], cells["n"]) if k else pooled_mean([], [], [])
    effect = sign * pool["mean"] if k else math.nan
    n_signed = int((np.sign(cells["diff"]) == sign).sum()) if k else 0
    z = pool["mean"] / pool["sem"] if simulated and pool["sem"] > 0 else None
    bound = z_bound(n_sigma, pool["dof"]) if simulated else None
    base = k >= min_cells and effect >= min_effect and (not every or n_signed == k)
    passed = bool(base and (not simulated or (z is not None and sign * z > bound)))
    normal = bool(base and (not simulated or (z is not None and sign * z > n_sigma)))
    numbers = {"n_cells": k, "min_cells": min_cells, "every_cell": every, "n_with_sign": n_signed,
               "mean_diff": pool["mean"] if k else None, "min_effect": min_effect,
               "simulated": simulated, "z": z, "z_bound": bound,
               "cells": [{c: (float(r[c]) if pd.notna(r[c]) else None) for c in ("value", "alpha", "diff", "sem", "n")
                          if c in cells.columns} for _, r in cells.iterrows()]}
    return Verdict(id, claim, passed, numbers, source, passed_normal=normal if simulated else None)


def equivalence_verdict(id: str, claim: str, points: pd.DataFrame, *, margin: float, level: float,
                        source: str = "") -> Verdict:
    """Two curves are equivalent within ±``margin`` (two one-sided tests, TOST): at every point
    (rows with ``mean``, ``sem`` and ``n`` of a paired difference) the interval mean ± t·SEM, with t
    the one-sided Student-t quantile of ``level`` for n − 1 degrees of freedom (the conventional
    (1 − 2·level) confidence interval), lies inside ±margin. ``passed_normal`` uses the normal quantile.
    No point fails: nothing was compared."""
    rows, ok, ok_normal = [], True, True
    zq = float(norm.isf(level))
    for r in points.itertuples():
        tq = float(student_t.isf(level, int(r.n) - 1)) if r.n > 1 else math.inf
        hi, hi_n = abs(r.mean) + tq * r.sem, abs(r.mean) + zq * r.sem
        ok &= hi <= margin
        ok_normal &= hi_n <= margin
        rows.append({"alpha": float(getattr(r, "alpha", math.nan)), "diff": float(r.mean),
                     "sem": float(r.sem), "n": int(r.n), "interval_max_abs": hi, "equivalent": bool(hi <= margin)})
    return Verdict(id, claim, bool(rows) and bool(ok),
                   {"margin": margin, "level": level, "points": rows}, source,
                   passed_normal=bool(rows) and bool(ok_normal))


def find_peaks(alpha, error, *, min_prominence: float) -> list[dict[str, float]]:
    """The interpolation peaks of an error curve: its interior local maxima whose prominence (height
    above the higher of the lowest points between it and a higher point, or the curve's end, on either
    side; ``scipy.signal.peak_prominences``) is at least ``min_prominence``. A curve that only bends (a
    cusp on a decreasing curve) has none."""
    from scipy.signal import find_peaks as _find

    alpha, error = np.asarray(alpha, float), np.asarray(error, float)
    order = np.argsort(alpha)
    x, y = alpha[order], error[order]
    idx, props = _find(y, prominence=min_prominence)
    return [{"alpha": float(x[i]), "error": float(y[i]), "prominence": float(p)}
            for i, p in zip(idx, props["prominences"])]


def peak_near(alpha, error, alpha_star: float, *, min_prominence: float,
              halfwidth_log10: float) -> dict[str, Any]:
    """The most prominent peak of the curve within ``halfwidth_log10`` decades of ``alpha_star``
    (``find_peaks``); ``found`` False when there is none there."""
    peaks = find_peaks(alpha, error, min_prominence=min_prominence)
    near = [p for p in peaks if math.isfinite(alpha_star) and abs(math.log10(p["alpha"] / alpha_star)) <= halfwidth_log10]
    best = max(near, key=lambda p: p["prominence"], default=None)
    return {"found": best is not None, "peak": best, "alpha_star": alpha_star,
            "all_peaks": peaks, "min_prominence": min_prominence, "halfwidth_log10": halfwidth_log10}


def size_verdict(id: str, claim: str, measured: float, quoted: float, *, factor: float,
                 source: str = "", extra: dict[str, Any] | None = None) -> Verdict:
    """A size the paper quotes ("gains of up to 15 %") holds when the measured size lies within a
    factor ``factor`` of it: quoted / factor ≤ measured ≤ quoted · factor."""
    lo, hi = quoted / factor, quoted * factor
    ok = bool(math.isfinite(measured) and lo <= measured <= hi)
    return Verdict(id, claim, ok, {"measured": measured, "quoted": quoted, "band": [lo, hi], **(extra or {})},
                   source)


def write_verdicts(path: str | Path, figure: str, verdicts: Iterable[Verdict],
                   extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write the verdicts of one figure as JSON; returns the written document."""
    verdicts = list(verdicts)
    doc = {"figure": figure, "n_claims": len(verdicts),
           "n_passed": sum(v.passed for v in verdicts),
           "all_passed": all(v.passed for v in verdicts),
           "claims": [_record(v) for v in verdicts]}
    if extra:
        doc.update(extra)
    Path(path).write_text(json.dumps(doc, indent=2, default=_json_default) + "\n")
    return doc


def _record(v: Verdict) -> dict[str, Any]:
    """A verdict as JSON; ``evaluated`` only where it is False, ``passed_normal`` only where it is set."""
    d = asdict(v)
    if d["evaluated"]:
        del d["evaluated"]
    if d["passed_normal"] is None:
        del d["passed_normal"]
    return d


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.bool_):
        return bool(obj)
    return str(obj)
