"""The paper's claims about its real-data figures (gerace2022 section 4 and appendix C), checked on the
simulated learning curves of TF, RF, 2L and ft-TF.

Comparisons are PAIRED: at equal (instance, seed, alpha) every model sees the same training and test
images (``baselines`` seeding), so a gap is the mean over seeds of the per-seed difference and its
standard error is the std of those differences / sqrt(n). "a beats b" over a range of alpha means a
negative mean gap at every alpha of the range and a significant one (z < -bound) at one at least;
"a does not beat b" means gap >= -bound SEM everywhere; "a equals b" |gap| <= bound SEM everywhere. The
bound is what n_sigma standard errors mean when the SEM is estimated from the point's n pairs (Student's
t with n - 1 degrees of freedom, ``claims.z_bound``).
Claim lists per panel and per figure are below, each with the paper's words."""

from __future__ import annotations

import math
from typing import Any, Mapping

import pandas as pd

from ..claims import Verdict, z_bound

__all__ = ["paired_gap", "panel_claims", "figure_claims", "PANEL_CLAIMS", "FIGURE_CLAIMS"]

SOURCE = "Gerace et al. 2022"

# panel experiment -> claim ids (section 4 for Figs. 2a and 4a, appendix C for C.1 and C.2)
PANEL_CLAIMS: dict[str, list[str]] = {
    "fig2a": ["tf_below_rf", "tf_below_2l_small", "2l_below_tf_large", "finetune_not_better_small",
              "finetune_better_large"],
    "fig4a_hard_easy": ["tf_below_rf"],
    "fig4a_easy_hard": ["tf_below_rf"],
    "figC1_notmnist": ["tf_below_rf", "tf_below_2l_small"],
    "figC1_edge": ["tf_below_rf", "tf_below_2l_small", "2l_below_tf_large", "finetune_between_small"],
    "figC2": ["tf_equals_rf", "tf_not_better_than_2l"],
}
# Figs. 4a (EMNIST) and 4b (CHMM, L_hard -> L_easy and back) make the same two claims
FIGURE_CLAIMS: dict[str, list[str]] = {fig: ["hard_to_easy_lower_error", "hard_to_easy_larger_gain"]
                                       for fig in ("fig4a", "fig4b")}

QUOTES = {
    "tf_below_rf": "TF consistently outperforms RF (Sec. 4; App. C: 'TF always outperforms RF for all "
                   "numbers of samples').",
    "tf_below_2l_small": "At a low number of samples, TF substantially outperforms training with 2L "
                         "(gains of up to 15% on EMNIST, about 5% on edge-enhanced MNIST).",
    "2l_below_tf_large": "This gap closes at intermediate number of samples, and we observe a "
                         "transition to a regime where the 2L performs better.",
    "finetune_not_better_small": "Fine-tuning the feature map ... at small numbers of samples it is not "
                                 "beneficial with respect to TF.",
    "finetune_better_large": "... while at large numbers of samples it modestly helps generalization.",
    "finetune_between_small": "At small number of samples, ft-TF performs better than 2L but worse than TF.",
    "tf_equals_rf": "Orthogonal tasks: TF ... overlaps with RF for any number of samples.",
    "tf_not_better_than_2l": "Orthogonal tasks: TF does not improve over 2L.",
    "hard_to_easy_lower_error": "The test error is smaller in the top figure [hard -> easy] than in the "
                                "bottom one [easy -> hard].",
    "hard_to_easy_larger_gain": "With few target samples, the gain of TF over the two baselines is large "
                                "from hard to easy (about 10%; CHMM: above 10%) and smaller in the "
                                "opposite direction (about 5%).",
}


def paired_gap(sims: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Per alpha: mean and SEM of the per-seed difference test_error(a) - test_error(b), over the
    (instance, seed) pairs both models have."""
    key = ["instance", "alpha", "seed"]
    left = sims[sims["model"] == a].set_index(key)["test_error"]
    right = sims[sims["model"] == b].set_index(key)["test_error"]
    diff = (left - right).dropna().rename("diff").reset_index()
    g = diff.groupby("alpha")["diff"]
    out = g.agg(mean="mean", std="std", n="count").reset_index()
    out["sem"] = out["std"].fillna(0.0) / out["n"].pow(0.5)
    return out


def _points(gap: pd.DataFrame, n_sigma: float) -> list[dict[str, float]]:
    """Per alpha: the paired gap, its SEM, z and the bound n_sigma stands for with n pairs (``z_bound``)."""
    return [{"alpha": float(r.alpha), "gap": float(r.mean), "sem": float(r.sem), "n": int(r.n),
             "z": float(r.mean / r.sem) if r.sem > 0 else (0.0 if r.mean == 0 else math.copysign(math.inf, r.mean)),
             "z_bound": z_bound(n_sigma, int(r.n) - 1)}
            for r in gap.itertuples()]


def _check(sims, a, b, *, id, test, n_sigma, alpha_min=None, alpha_max=None, prefix="",
           extra=None) -> Verdict:
    """Verdict from ``test(points)`` on the paired gap a - b restricted to [alpha_min, alpha_max]."""
    gap = paired_gap(sims, a, b)
    if alpha_min is not None:
        gap = gap[gap["alpha"] >= alpha_min * (1 - 1e-12)]
    if alpha_max is not None:
        gap = gap[gap["alpha"] <= alpha_max * (1 + 1e-12)]
    pts = _points(gap, n_sigma)
    passed = bool(pts) and test(pts)
    numbers: dict[str, Any] = {"gap": f"{a} - {b}", "alpha_min": alpha_min, "alpha_max": alpha_max,
                               "points": pts}
    if pts:
        numbers["largest_gain"] = max(-p["gap"] for p in pts)
    numbers.update(extra or {})
    return Verdict(prefix + id, QUOTES[id], passed, numbers, SOURCE)


def panel_claims(panel: str, sims: pd.DataFrame, settings: Mapping[str, Any]) -> list[Verdict]:
    """Every claim of ``PANEL_CLAIMS[panel]`` on that panel's simulations."""
    small, large = float(settings["small_alpha_max"]), float(settings["large_alpha_min"])
    k = float(settings["n_sigma"])
    # "a beats b": the paired mean gap is negative at every checked alpha, and significantly so
    # (z < -bound) at one at least, so that two equal curves never pass by noise; the bound is what
    # n_sigma standard errors mean with the point's number of pairs (claims.z_bound)
    below = lambda pts: all(p["gap"] < 0 for p in pts) and any(p["z"] < -p["z_bound"] for p in pts)  # noqa: E731
    above = lambda pts: all(p["gap"] > 0 for p in pts) and any(p["z"] > p["z_bound"] for p in pts)  # noqa: E731
    not_below = lambda pts: all(p["gap"] >= -p["z_bound"] * p["sem"] for p in pts)  # noqa: E731
    within = lambda pts: all(abs(p["gap"]) <= p["z_bound"] * max(p["sem"], 1e-12) for p in pts)  # noqa: E731
    checks = {
        "tf_below_rf": dict(a="TF", b="RF", test=below),
        "tf_below_2l_small": dict(a="TF", b="2L", test=below, alpha_max=small),
        "2l_below_tf_large": dict(a="2L", b="TF", test=below, alpha_min=large),
        "finetune_not_better_small": dict(a="ft-TF", b="TF", test=not_below, alpha_max=small),
        "finetune_better_large": dict(a="ft-TF", b="TF", test=below, alpha_min=large),
        "tf_equals_rf": dict(a="TF", b="RF", test=within),
        "tf_not_better_than_2l": dict(a="TF", b="2L", test=not_below),
    }
    out = []
    for cid in PANEL_CLAIMS[panel]:
        prefix = f"{panel}:"
        if cid == "finetune_between_small":
            worse = _check(sims, "ft-TF", "TF", id=cid, test=above, n_sigma=k, alpha_max=small,
                           prefix=prefix)
            better = _check(sims, "ft-TF", "2L", id=cid, test=below, n_sigma=k, alpha_max=small,
                            prefix=prefix)
            out.append(Verdict(prefix + cid, QUOTES[cid], worse.passed and better.passed,
                               {"ft-TF - TF": worse.numbers, "ft-TF - 2L": better.numbers}, SOURCE))
            continue
        c = checks[cid]
        out.append(_check(sims, c["a"], c["b"], id=cid, test=c["test"], n_sigma=k,
                          alpha_min=c.get("alpha_min"), alpha_max=c.get("alpha_max"), prefix=prefix,
                          extra={"n_sigma": k} if c["test"] in (not_below, within) else None))
    return out


def _mean(sims: pd.DataFrame) -> pd.Series:
    return sims.groupby(["model", "alpha"])["test_error"].mean()


def figure_claims(figure: str, panels: Mapping[str, pd.DataFrame],
                  settings: Mapping[str, Any]) -> list[Verdict]:
    """Claims that compare panels (Figs. 4a, 4b: hard -> easy against easy -> hard)."""
    out: list[Verdict] = []
    for cid in FIGURE_CLAIMS.get(figure, []):
        he, eh = panels[f"{figure}_hard_easy"], panels[f"{figure}_easy_hard"]
        if cid == "hard_to_easy_lower_error":
            m_he, m_eh = _mean(he), _mean(eh)
            both = pd.concat({"hard_easy": m_he, "easy_hard": m_eh}, axis=1).dropna()
            pts = [{"model": m, "alpha": float(a), "hard_easy": float(r.hard_easy),
                    "easy_hard": float(r.easy_hard)} for (m, a), r in both.iterrows()]
            out.append(Verdict(cid, QUOTES[cid], bool(pts) and all(p["hard_easy"] < p["easy_hard"] for p in pts),
                               {"points": pts}, SOURCE))
        elif cid == "hard_to_easy_larger_gain":
            small = float(settings["small_alpha_max"])
            gains = {}
            for name, sims in (("hard_easy", he), ("easy_hard", eh)):
                m = _mean(sims)
                alphas = sorted(a for a in m["TF"].index if a <= small * (1 + 1e-12))
                gains[name] = {float(a): float(min(m["RF"][a], m["2L"][a]) - m["TF"][a]) for a in alphas}
            shared = sorted(set(gains["hard_easy"]) & set(gains["easy_hard"]))
            mean_gain = {k: sum(v[a] for a in shared) / len(shared) if shared else float("nan")
                         for k, v in gains.items()}
            out.append(Verdict(cid, QUOTES[cid], bool(shared) and mean_gain["hard_easy"] > mean_gain["easy_hard"],
                               {"gain = min(RF, 2L) - TF, per alpha": gains,
                                "mean gain over alpha <= small_alpha_max": mean_gain}, SOURCE))
    return out
