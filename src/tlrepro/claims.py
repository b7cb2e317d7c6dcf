"""Checks of a paper's claims on produced result tables.

Each check returns a ``Verdict``: the claim's id, the paper's words it tests, pass/fail, and the numbers
it was decided on. Figures assemble their claims from these generic checks; the figure notebook writes
the verdicts to ``figures/<paper>/<fig>.claims.json``. A failing claim is reported, never hidden."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

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
                    "points": rows}, source)


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


def peak_at_threshold(alpha: np.ndarray, error: np.ndarray, alpha_star: float, *,
                      halfwidth_log10: float) -> dict[str, Any]:
    """Locate the interpolation peak or cusp of a (theory) error curve and compare it with alpha*.

    At vanishing regularisation the test error is non-analytic at the separability threshold: a peak
    (local maximum) or, when the features represent the teacher well, a cusp where the decreasing
    curve suddenly steepens. Both are the point where the slope d(error)/d(log10 alpha) drops the most,
    i.e. the most negative curvature; that point is returned as ``peak_alpha`` (``is_local_max`` says
    whether it is also a local maximum)."""
    alpha, error = np.asarray(alpha, float), np.asarray(error, float)
    order = np.argsort(alpha)
    x, y = np.log10(alpha[order]), error[order]
    keep = np.concatenate([[True], np.diff(x) > 1e-6])  # drop near-duplicate grid points
    x, y = x[keep], y[keep]
    if x.size < 3:
        return {"peak_alpha": None, "alpha_star": alpha_star, "log10_distance": None, "near": False}
    slope = np.diff(y) / np.diff(x)
    curvature = np.diff(slope) / (0.5 * (x[2:] - x[:-2]))
    i = int(np.argmin(curvature)) + 1
    peak = float(10 ** x[i])
    dist = abs(math.log10(peak / alpha_star)) if math.isfinite(alpha_star) else math.inf
    local_max = bool(y[i] >= y[i - 1] and y[i] >= y[i + 1])
    return {"peak_alpha": peak, "peak_error": float(y[i]), "alpha_star": alpha_star,
            "log10_distance": dist, "near": bool(dist <= halfwidth_log10),
            "is_local_max": local_max, "curvature": float(curvature[i - 1]),
            "slope_before": float(slope[i - 1]), "slope_after": float(slope[i])}


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
    """A verdict as JSON; ``evaluated`` only where it is False (files of evaluated claims are unchanged)."""
    d = asdict(v)
    if d["evaluated"]:
        del d["evaluated"]
    return d


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.floating, np.integer)):
        return obj.item()
    if isinstance(obj, np.bool_):
        return bool(obj)
    return str(obj)
