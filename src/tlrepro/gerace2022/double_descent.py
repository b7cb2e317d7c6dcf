"""Fig. 6 of gerace2022: double descent of TF and RF versus model complexity H/M at several lambda,
with the separability thresholds; the claims of section 4.3 checked on the replica theory.

Model complexity is H/M = 1/alpha, so the threshold alpha* sits at H/M = 1/alpha*."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..claims import Verdict, peak_near
from .curves import thresholds

__all__ = ["double_descent_claims", "peak_height", "transition_sharpness"]

SOURCE = "Gerace et al. 2022, Sec. 4.3"


def _curve(scan: pd.DataFrame, model: str, lam: float) -> pd.Series:
    """Converged theory test error vs alpha (averaged over instances) for one model and lambda."""
    s = scan[(scan["model"] == model) & np.isclose(scan["lam"], lam) & scan["converged"].astype(bool)]
    return s.groupby("alpha")["test_error"].mean().sort_index()


def peak_height(curve: pd.Series, alpha_star: float) -> float:
    """Excess test error at the threshold over the chord from alpha*/2 to 2 alpha* (in log alpha):
    eps(alpha*) - (eps(alpha*/2) + eps(2 alpha*)) / 2. Positive for a peak or a cusp pointing up,
    0 for a curve straight in log alpha, negative for a convex one."""
    x, y = np.log10(curve.index.to_numpy(float)), curve.to_numpy(float)
    at = lambda a: float(np.interp(math.log10(a), x, y))  # noqa: E731
    return at(alpha_star) - 0.5 * (at(alpha_star / 2) + at(alpha_star * 2))


def transition_sharpness(curve: pd.Series, alpha_star: float, window_log10: float = 0.3) -> tuple[float, float]:
    """(sharpness, background) of the transition at the threshold.

    sharpness = minus the most negative curvature of eps(log10 alpha) within ``window_log10`` decades
    of alpha* (a kink has a large value); background = the largest |curvature| of the same curve
    farther from alpha*. The curve has a transition at alpha* when sharpness > background."""
    x, y = np.log10(curve.index.to_numpy(float)), curve.to_numpy(float)
    slope = np.diff(y) / np.diff(x)
    mid = 0.5 * (x[2:] + x[:-2])
    curvature = np.diff(slope) / (0.5 * (x[2:] - x[:-2]))
    near = np.abs(mid - math.log10(alpha_star)) <= window_log10
    sharp = float(-curvature[near].min()) if near.any() else float("nan")
    background = float(np.abs(curvature[~near]).max()) if (~near).any() else 0.0
    return sharp, background


def _sharper_for_smaller_lambda(stats: list[tuple[float, float]]) -> bool:
    """stats (sharpness, background) by increasing lambda: the smallest lambda has a transition, and
    from it the sharpness decreases strictly up to the first lambda without one, included (it must be
    blunter too). Larger lambda are not judged: the paper states no range of lambda, and a curve
    without a transition has no sharpness to order (the former "once gone, it must not come back"
    clause was not the paper's)."""
    has = [s > b for s, b in stats]
    if not has or not has[0]:
        return False
    k = has.index(False) if False in has else len(has)
    last = min(k + 1, len(stats))
    return all(stats[i][0] > stats[i + 1][0] for i in range(last - 1))


def double_descent_claims(scan: pd.DataFrame, settings: Mapping[str, Any]) -> list[Verdict]:
    """The claims of Sec. 4.3 on a lambda scan (columns model, instance, lam, alpha, test_error,
    converged, alpha_star); settings: peak_halfwidth_log10, min_peak_prominence."""
    hw = float(settings["peak_halfwidth_log10"])
    a_star = thresholds(scan)
    lams = sorted(scan["lam"].unique())
    out: list[Verdict] = []
    n_bad = int((~scan["converged"].astype(bool)).sum())
    out.append(Verdict("theory_converged", "The saddle-point equations are solved at every plotted point.",
                       n_bad == 0, {"n_points": int(len(scan)), "n_not_converged": n_bad},
                       "this workflow (solver check; the scan rule stops on non-convergence)"))
    smallest = lams[0]
    prominence = float(settings["min_peak_prominence"])
    for model in ("TF", "RF"):
        c = _curve(scan, model, smallest)
        p = peak_near(c.index.to_numpy(), c.to_numpy(), a_star[model], min_prominence=prominence,
                      halfwidth_log10=hw)
        out.append(Verdict(
            f"peak_at_threshold_{model}",
            "A peak in the generalization error can be observed in correspondence of the linear "
            f"separability threshold (dashed vertical lines): at the smallest lambda, a local maximum "
            f"with prominence >= {prominence:g} within {hw:g} decades of alpha*.",
            bool(p["found"]), {"lam": smallest, **p, "complexity_star": 1 / a_star[model]}, SOURCE))
    out.append(Verdict(
        "tf_threshold_at_smaller_complexity",
        "The interpolation threshold associated to TF is shifted towards smaller model complexities.",
        1 / a_star["TF"] < 1 / a_star["RF"],
        {"complexity_star_TF": 1 / a_star["TF"], "complexity_star_RF": 1 / a_star["RF"]}, SOURCE))
    for model in ("TF", "RF"):
        stats = [transition_sharpness(_curve(scan, model, lam), a_star[model]) for lam in lams]
        heights = {float(lam): peak_height(_curve(scan, model, lam), a_star[model]) for lam in lams}
        out.append(Verdict(
            f"smaller_lambda_sharper_transition_{model}",
            "The sharpness of the transition is controlled by the regularization strength: the "
            "smaller is the regularization, the sharper is the transition.",
            len(stats) >= 2 and _sharper_for_smaller_lambda(stats),
            {"sharpness_by_lambda": {float(l): st[0] for l, st in zip(lams, stats)},
             "background_by_lambda": {float(l): st[1] for l, st in zip(lams, stats)},
             "transition_by_lambda": {float(l): st[0] > st[1] for l, st in zip(lams, stats)},
             "peak_height_by_lambda": heights,
             "definition": "sharpness = -(most negative d2 eps / d(log10 alpha)^2 within 0.3 decades "
                           "of alpha*); a transition when it exceeds the largest |curvature| farther "
                           "away; peak height = eps(alpha*) - (eps(alpha*/2) + eps(2 alpha*)) / 2"},
            SOURCE))
    return out
