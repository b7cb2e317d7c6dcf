"""The paper's claims about its real-data figures (gerace2022 section 4 and appendix C), checked on the
simulated learning curves of TF, RF, 2L and ft-TF, and the claims that compare the two panels of
Figs. 4a (EMNIST) and 4b (CHMM).

Comparisons are PAIRED: at equal (instance, seed, alpha) every model sees the same training and test
samples, so a gap is the mean over seeds of the per-seed difference (``claims.paired_differences``) and
its standard error is the std of those differences / sqrt(n). Every criterion comes from the config's
``claims:`` block (issue 19), fixed before judging:

- "a beats b" over a range of alpha: the paired mean gap a - b is negative at every alpha of the range,
  significantly so (z < -bound) at one alpha at least, and the largest |gap| is >= ``min_effect``.
- "a does not beat b": gap >= -bound SEM at every alpha.
- "a equals / overlaps with / joins / follows b": equivalence within +-``equivalence_margin`` by two
  one-sided tests at ``equivalence_level`` at every alpha (``claims.equivalence_verdict``), never "no
  significant difference".
- A quoted size ("gains of up to 15%", "about 5%", "above 10%") is a separate claim
  (``claims.size_verdict``, within a factor ``size_factor``; "above X" only the lower bound
  X / size_factor): "up to" is judged on the largest paired gain over the range, "about" and "above" on
  the mean over the range.
- An interpolation peak is a local maximum of the mean test error with prominence >=
  ``min_peak_prominence`` within ``peak_halfwidth_log10`` decades of the model's separability threshold
  (``claims.peak_near``). There is no theory for real data: the threshold is estimated from the data, as
  the M/H where the fraction of seeds that fit their training set exactly (train_error == 0) crosses 1/2
  (``separability_threshold``).

The bound is what n_sigma standard errors mean when the SEM is estimated from the point's n pairs
(Student's t with n - 1 degrees of freedom, ``claims.z_bound``) and decides ``passed``;
``passed_normal`` is the verdict at the plain normal bound n_sigma. Claim lists per panel and per figure
are below, each with the paper's words."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..claims import (
    Verdict,
    equivalence_verdict,
    find_peaks,
    paired_differences,
    peak_near,
    pooled_difference,
    pooled_mean,
    size_verdict,
    z_bound,
)

__all__ = [
    "FIGURE_CLAIMS",
    "PANEL_CLAIMS",
    "QUOTED_SIZES",
    "figure_claims",
    "paired_gap",
    "panel_claims",
    "separability_threshold",
]

SOURCE = "Gerace et al. 2022"

# panel experiment -> claim ids (section 4 for Figs. 2a and 4a, appendix C for C.1 and C.2)
PANEL_CLAIMS: dict[str, list[str]] = {
    "fig2a": ["tf_below_rf", "tf_below_2l_small", "tf_gain_over_2l_size", "2l_below_tf_large",
              "finetune_not_better_small", "finetune_better_large", "tf_interpolation_peak",
              "rf_interpolation_peak", "cusp_delayed_in_tf", "finetune_retains_cusp_2l_does_not"],
    # Fig. 2b (CHMM): 'a remarkable similarity with the previous experiment' (Fig. 2a), on the simulations;
    # its theory claims are in curves.learning_curve_claims
    "fig2b": ["tf_below_rf", "tf_below_2l_small", "2l_below_tf_large", "finetune_worse_small",
              "finetune_better_large"],
    "fig4a_hard_easy": ["tf_below_rf"],
    "fig4a_easy_hard": ["tf_below_rf"],
    # "The observed phenomenology is identical to that already described": the behaviours Fig. 2a and
    # Fig. C.1(b) share (ft-TF behaves differently in the two, so it is not part of it)
    "figC1_notmnist": ["tf_below_rf", "tf_below_2l_small", "2l_below_tf_large", "tf_interpolation_peak",
                       "rf_interpolation_peak"],
    "figC1_edge": ["tf_below_rf", "tf_interpolation_peak", "rf_interpolation_peak", "tf_below_2l_small",
                   "tf_gain_over_2l_size", "2l_below_tf_large", "2l_below_tf_and_finetune_above_1",
                   "finetune_between_small", "finetune_joins_2l_large", "finetune_better_large"],
    "figC2": ["tf_equals_rf", "tf_not_better_than_2l", "finetune_follows_tf_small", "2l_below_finetune_small",
              "finetune_below_tf_rf_intermediate", "finetune_gain_over_tf_rf_size",
              "2l_below_finetune_intermediate", "finetune_equals_2l_large"],
}
# Figs. 4a (EMNIST) and 4b (CHMM, L_hard -> L_easy and back); only 4a quotes the difficulty's size
FIGURE_CLAIMS: dict[str, list[str]] = {
    "fig4a": ["hard_to_easy_lower_error", "hard_easy_error_difference_size", "hard_to_easy_larger_gain",
              "hard_to_easy_gain_size", "easy_to_hard_gain_size"],
    "fig4b": ["hard_to_easy_lower_error", "hard_to_easy_larger_gain", "hard_to_easy_gain_size",
              "easy_to_hard_gain_size"],
}

# Sizes the paper quotes (facts of the paper): (kind, size); kind "up to" (largest over the range),
# "about" (mean over the range) or "above" (mean over the range, lower bound only)
QUOTED_SIZES: dict[tuple[str, str], tuple[str, float]] = {
    ("fig2a", "tf_gain_over_2l_size"): ("up to", 0.15),        # "gains of up to 15%" (Sec. 4.1)
    ("figC1_edge", "tf_gain_over_2l_size"): ("about", 0.05),   # "a gain of about 5%" (App. C.1)
    ("figC2", "finetune_gain_over_tf_rf_size"): ("about", 0.10),  # "(around 10%)" (App. C.2)
    ("fig4a", "hard_easy_error_difference_size"): ("about", 0.10),  # "difference of about 10%" (Sec. 4.2)
    ("fig4a", "hard_to_easy_gain_size"): ("about", 0.10),      # "top figure, about 10%"
    ("fig4a", "easy_to_hard_gain_size"): ("about", 0.05),      # "bottom figure, about 5%"
    ("fig4b", "hard_to_easy_gain_size"): ("above", 0.10),      # "above 10% in transfer from hard to easy"
    ("fig4b", "easy_to_hard_gain_size"): ("about", 0.05),      # "about 5% in the other direction"
}
# App. C.1: "This gap closes above M/H = 1, where the 2L starts performing better than both TF and ft-TF"
C1_CROSSOVER_ALPHA = 1.0

QUOTES = {
    "tf_below_rf": "'TF consistently outperforms RF' (Sec. 4.1; App. C.1: 'TF always outperforms RF for all "
                   "numbers of samples'): TF beats RF at every M/H.",
    "tf_below_2l_small": "'At a low number of samples, TF substantially outperforms training with 2L' "
                         "(Sec. 4.1): TF beats 2L at M/H <= small_alpha_max (the sign; the quoted size is "
                         "the claim tf_gain_over_2l_size).",
    "tf_gain_over_2l_size": "'... with test performance gains of up to 15%' (Sec. 4.1): the LARGEST paired gain "
                            "2L - TF over M/H <= small_alpha_max ('up to' is a maximum) lies within a factor "
                            "size_factor of 0.15.",
    "2l_below_tf_large": "'This gap closes at intermediate number of samples, and we observe a transition to a "
                         "regime where the 2L performs better' (Sec. 4.1): 2L beats TF at M/H >= large_alpha_min.",
    "finetune_not_better_small": "'Fine-tuning the feature map ... at small numbers of samples it is not "
                                 "beneficial with respect to TF' (Sec. 4.1): ft-TF - TF >= -bound SEM at every "
                                 "M/H <= small_alpha_max.",
    "finetune_worse_small": "'For low number of samples we observe rather clearly that the fine-tuning of TF "
                            "actually deteriorates the test error due to over-fitting' (Sec. 4.1, Fig. 2b): TF "
                            "beats ft-TF at M/H <= small_alpha_max.",
    "finetune_better_large": "'... while at large numbers of samples it modestly helps generalization' "
                             "(Sec. 4.1): ft-TF beats TF at M/H >= large_alpha_min.",
    "tf_interpolation_peak": "'Both the learning curves of TF and RF display an interpolation peak' (Sec. 4.1): "
                             "the mean TF curve has a local maximum of prominence >= min_peak_prominence within "
                             "peak_halfwidth_log10 decades of TF's separability threshold (estimated from the "
                             "data: where half the seeds stop fitting their training set exactly).",
    "rf_interpolation_peak": "'Both the learning curves of TF and RF display an interpolation peak' (Sec. 4.1): "
                             "the same for RF at RF's separability threshold.",
    "cusp_delayed_in_tf": "'The cusp is delayed in the TF, signaling a shift in the linear separability "
                          "threshold due to the transferred feature map' (Sec. 4.1): TF's separability "
                          "threshold (estimated from the data) is larger than RF's.",
    "finetune_retains_cusp_2l_does_not": "'the fine-tuned TF retains the cusp while the 2L model does not' "
                                         "(Sec. 4.1): the mean ft-TF curve has a peak (prominence >= "
                                         "min_peak_prominence) within peak_halfwidth_log10 decades of TF's "
                                         "threshold, and the mean 2L curve has no peak of that prominence "
                                         "anywhere.",
    "finetune_between_small": "'At small number of samples, ft-TF performs better than 2L but worse than TF' "
                              "(App. C.1): TF beats ft-TF and ft-TF beats 2L at M/H <= small_alpha_max.",
    "2l_below_tf_and_finetune_above_1": "'This gap closes above M/H = 1, where the 2L starts performing better "
                                        "than both TF and ft-TF' (App. C.1): 2L beats TF at every M/H > 1 (the "
                                        "paper's value), and 2L beats ft-TF at 1 < M/H < large_alpha_min (where "
                                        "it 'starts'; from large_alpha_min on 'ft-TF joins 2L', the claim "
                                        "finetune_joins_2l_large).",
    "finetune_joins_2l_large": "'With a higher number of samples, ft-TF joins 2L' (App. C.1): ft-TF and 2L "
                               "are equivalent (TOST within +-equivalence_margin) at every M/H >= large_alpha_min.",
    "tf_equals_rf": "Orthogonal tasks: 'TF ... overlaps with RF for any number of samples' (App. C.2): TF and RF "
                    "are equivalent (TOST within +-equivalence_margin) at every M/H.",
    "tf_not_better_than_2l": "Orthogonal tasks: 'TF not only does not improve over 2L' (App. C.2): "
                             "TF - 2L >= -bound SEM at every M/H.",
    "finetune_follows_tf_small": "'a first regime at small numbers of samples where ft-TF actually follows the "
                                 "trend of TF and RF' (App. C.2): ft-TF and TF are equivalent (TOST within "
                                 "+-equivalence_margin) at every M/H <= small_alpha_max.",
    "2l_below_finetune_small": "'... thus badly performing with respect to 2L' (App. C.2): 2L beats ft-TF at "
                               "M/H <= small_alpha_max.",
    "finetune_below_tf_rf_intermediate": "'a second regime, at intermediate numbers of samples, where ft-TF "
                                         "actually starts improving its test scores with respect to TF and RF' "
                                         "(App. C.2): ft-TF beats TF and beats RF at small_alpha_max < M/H < "
                                         "large_alpha_min (the sign; the size is finetune_gain_over_tf_rf_size).",
    "finetune_gain_over_tf_rf_size": "'... with respect to TF and RF (around 10%)' (App. C.2): the MEAN over "
                                     "small_alpha_max < M/H < large_alpha_min ('around' is a typical value) of "
                                     "the paired gain of ft-TF over the better of TF and RF at each M/H lies "
                                     "within a factor size_factor of 0.10.",
    "2l_below_finetune_intermediate": "'... but it still does not have enough data to perform as well as 2L' "
                                      "(App. C.2): 2L beats ft-TF at small_alpha_max < M/H < large_alpha_min.",
    "finetune_equals_2l_large": "'a third regime when the number of samples is high, where ft-TF equates the "
                                "generalization performances of 2L' (App. C.2): ft-TF and 2L are equivalent (TOST "
                                "within +-equivalence_margin) at every M/H >= large_alpha_min.",
    "hard_to_easy_lower_error": "'the test error is smaller in the top figure [hard -> easy] than in the bottom "
                                "one [easy -> hard]' (Sec. 4.2): lower mean error for every model at every M/H.",
    "hard_easy_error_difference_size": "'(difference of about 10% asymptotic test accuracy for all learning "
                                       "models)' (Sec. 4.2): for EVERY model, the MEAN over M/H >= "
                                       "large_alpha_min ('asymptotic'; 'about' is a typical value) of the "
                                       "difference of mean test errors easy -> hard minus hard -> easy lies "
                                       "within a factor size_factor of 0.10.",
    "hard_to_easy_larger_gain": "'with few target samples, the performance gain of TF over the two base-lines is "
                                "not symmetric ...: the gain is large when the transfer goes from D_hard to "
                                "D_easy ..., while it is smaller in the opposite transfer direction' (Sec. 4.2): "
                                "the gain of TF over the better baseline at each M/H <= small_alpha_max (paired, "
                                "with its SEM), averaged over M/H, is larger hard -> easy than easy -> hard by "
                                ">= min_effect and significantly (the two directions are independent).",
    "hard_to_easy_gain_size": "'the gain is large when the transfer goes from D_hard to D_easy (top figure, about "
                              "10%)' (Sec. 4.2): the MEAN over M/H <= small_alpha_max ('about' is a typical value) "
                              "of TF's paired gain over the better baseline lies within a factor size_factor of "
                              "0.10.",
    "easy_to_hard_gain_size": "'while it is smaller in the opposite transfer direction (bottom figure, about 5%)' "
                              "(Sec. 4.2): the same mean gain easy -> hard lies within a factor size_factor of "
                              "0.05.",
}
# where a panel or figure states a claim in its own words
PANEL_QUOTES = {
    **{("fig2b", cid): "'Figure 2(b) shows the transfer learning phenomenology in the CHMM, displaying a "
                       "remarkable similarity with the previous experiment' (Sec. 4.1), here: " + QUOTES[cid]
       for cid in ("tf_below_rf", "tf_below_2l_small", "2l_below_tf_large", "finetune_better_large")},
    ("figC1_notmnist", "tf_below_2l_small"): "'The observed phenomenology is identical to that already described' "
                                             "(App. C.2, Fig. C.1(a)), here 'at a low number of samples, TF "
                                             "substantially outperforms training with 2L': TF beats 2L at M/H <= "
                                             "small_alpha_max.",
    ("figC1_notmnist", "2l_below_tf_large"): "'The observed phenomenology is identical to that already described' "
                                             "(App. C.2, Fig. C.1(a)), here 'a transition to a regime where the 2L "
                                             "performs better': 2L beats TF at M/H >= large_alpha_min.",
    ("figC1_notmnist", "tf_interpolation_peak"): "'The observed phenomenology is identical to that already "
                                                 "described' (App. C.2, Fig. C.1(a)), here 'an interpolation peak' of "
                                                 "TF at its separability threshold (prominence >= "
                                                 "min_peak_prominence, within peak_halfwidth_log10 decades).",
    ("figC1_notmnist", "rf_interpolation_peak"): "'The observed phenomenology is identical to that already "
                                                 "described' (App. C.2, Fig. C.1(a)), here 'an interpolation peak' of "
                                                 "RF at its separability threshold.",
    ("figC1_edge", "tf_interpolation_peak"): "'both models show a double descent behavior, with the peak occurring "
                                             "at the linear separability threshold' (App. C.1): TF's mean curve has "
                                             "a peak (prominence >= min_peak_prominence) within "
                                             "peak_halfwidth_log10 decades of TF's threshold (estimated from the data).",
    ("figC1_edge", "rf_interpolation_peak"): "'both models show a double descent behavior, with the peak occurring "
                                             "at the linear separability threshold' (App. C.1): the same for RF.",
    ("figC1_edge", "tf_below_2l_small"): "'TF reveals to be more effective than 2L at small numbers of samples' "
                                         "(App. C.1): TF beats 2L at M/H <= small_alpha_max (the sign; 'about 5%' "
                                         "is tf_gain_over_2l_size).",
    ("figC1_edge", "tf_gain_over_2l_size"): "'with a gain of about 5% in test error scores' (App. C.1): the MEAN "
                                            "over M/H <= small_alpha_max ('about' is a typical value) of the paired "
                                            "gain 2L - TF lies within a factor size_factor of 0.05.",
    ("figC1_edge", "2l_below_tf_large"): "'This gap closes above M/H = 1, where the 2L starts performing better' "
                                         "(App. C.1): 2L beats TF at M/H >= large_alpha_min.",
    ("figC1_edge", "finetune_better_large"): "'With a higher number of samples, ft-TF joins 2L, thus outperforming "
                                             "TF' (App. C.1): ft-TF beats TF at M/H >= large_alpha_min.",
    ("fig4b", "hard_to_easy_lower_error"): "'The different task complexity is reflected in the lower test scores "
                                           "recorded when the target task is the easier one' (Sec. 4.2): lower "
                                           "mean error hard -> easy for every model at every M/H.",
    ("fig4b", "hard_to_easy_larger_gain"): "'as above, we observe a different gain between the two transfer "
                                           "directions for TF' (Sec. 4.2): the gain of TF over the better baseline "
                                           "at each M/H <= small_alpha_max (paired, with its SEM), averaged over "
                                           "M/H, is larger hard -> easy than easy -> hard by >= min_effect and "
                                           "significantly.",
    ("fig4b", "hard_to_easy_gain_size"): "'above 10% in transfer from hard to easy' (Sec. 4.2): the MEAN over M/H "
                                         "<= small_alpha_max of TF's paired gain over the better baseline is at "
                                         "least 0.10 / size_factor ('above' bounds it from below only).",
    ("fig4b", "easy_to_hard_gain_size"): "'about 5% in the other direction' (Sec. 4.2): the same mean gain "
                                         "easy -> hard lies within a factor size_factor of 0.05.",
}


def _quote(where: str, cid: str) -> str:
    return PANEL_QUOTES.get((where, cid), QUOTES[cid])


# ---- paired gaps and the tests on them

def paired_gap(sims: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Per alpha: mean, std, n and SEM of the per-seed difference test_error(a) - test_error(b), over the
    (instance, seed) pairs both models have (``claims.paired_differences``)."""
    return paired_differences(sims, a, b)


_EPS = 1e-12


def _in_range(alpha: pd.Series, rng: tuple) -> pd.Series:
    """alpha within rng = (lo, hi, lo_open, hi_open); None for no bound."""
    lo, hi, lo_open, hi_open = rng
    keep = pd.Series(True, index=alpha.index)
    if lo is not None:
        keep &= alpha > lo * (1 + _EPS) if lo_open else alpha >= lo * (1 - _EPS)
    if hi is not None:
        keep &= alpha < hi * (1 - _EPS) if hi_open else alpha <= hi * (1 + _EPS)
    return keep


def _describe(rng: tuple) -> str:
    lo, hi, lo_open, hi_open = rng
    parts = []
    if lo is not None:
        parts.append(f"{lo:g} {'<' if lo_open else '<='} M/H")
    if hi is not None:
        parts.append(f"M/H {'<' if hi_open else '<='} {hi:g}")
    return " and ".join(parts) if parts else "every M/H"


ALL = (None, None, False, False)


def _gaps(sims: pd.DataFrame, a: str, b: str, rng: tuple = ALL) -> pd.DataFrame:
    gap = paired_differences(sims, a, b)
    return gap[_in_range(gap["alpha"], rng)].sort_values("alpha").reset_index(drop=True)


def _points(gap: pd.DataFrame, n_sigma: float) -> list[dict[str, float]]:
    """Per alpha: the paired gap, its SEM, z (NaN with one pair) and the bound n_sigma stands for with n
    pairs (``z_bound``)."""
    out = []
    for r in gap.itertuples():
        m, s = float(r.mean), float(r.sem)
        if int(r.n) < 2:  # one pair: no standard error, nothing is significant in either reading
            z = math.nan
        else:
            z = m / s if s > 0 else (0.0 if m == 0 else math.copysign(math.inf, m))
        out.append({"alpha": float(r.alpha), "gap": m, "sem": s, "n": int(r.n), "z": z,
                    "z_bound": z_bound(n_sigma, int(r.n) - 1)})
    return out


def _beats(sims, a, b, rng, s) -> tuple[bool, bool, dict[str, Any]]:
    """"a beats b" on rng: the gap a - b < 0 at every alpha, z < -bound at one at least (t bound for
    ``passed``, n_sigma for the normal reading) and the largest |gap| >= min_effect."""
    k, eff = float(s["n_sigma"]), float(s["min_effect"])
    pts = _points(_gaps(sims, a, b, rng), k)
    sign = bool(pts) and all(p["gap"] < 0 for p in pts)
    largest = max((abs(p["gap"]) for p in pts), default=math.nan)
    effect = bool(pts) and largest >= eff
    sig_t = any(p["z"] < -p["z_bound"] for p in pts)
    sig_n = any(p["z"] < -k for p in pts)
    numbers = {"gap": f"{a} - {b}", "range": _describe(rng), "n_sigma": k, "min_effect": eff,
               "every_alpha_signed": sign, "largest_abs_gap": largest if pts else None,
               "largest_gain": max((-p["gap"] for p in pts), default=None),
               "significant_t": sig_t, "significant_normal": sig_n, "points": pts}
    return sign and effect and sig_t, sign and effect and sig_n, numbers


def _not_beats(sims, a, b, rng, s) -> tuple[bool, bool, dict[str, Any]]:
    """"a does not beat b": gap a - b >= -bound SEM at every alpha (normal reading: -n_sigma SEM)."""
    k = float(s["n_sigma"])
    pts = _points(_gaps(sims, a, b, rng), k)
    ok_t = bool(pts) and all(p["gap"] >= -p["z_bound"] * p["sem"] for p in pts)
    ok_n = bool(pts) and all(p["n"] >= 2 and p["gap"] >= -k * p["sem"] for p in pts)
    return ok_t, ok_n, {"gap": f"{a} - {b}", "range": _describe(rng), "n_sigma": k, "points": pts}


def _verdict(id: str, claim: str, result: tuple[bool, bool, dict[str, Any]]) -> Verdict:
    passed, normal, numbers = result
    return Verdict(id, claim, bool(passed), numbers, SOURCE, passed_normal=bool(normal))


def _both(id: str, claim: str, parts: Mapping[str, tuple[bool, bool, dict[str, Any]]]) -> Verdict:
    """A claim made of several tests: it passes when every part does (each reading separately)."""
    return Verdict(id, claim, all(p[0] for p in parts.values()), {k: p[2] for k, p in parts.items()}, SOURCE,
                   passed_normal=all(p[1] for p in parts.values()))


def _equivalent(id: str, claim: str, sims, a, b, rng, s) -> Verdict:
    v = equivalence_verdict(id, claim, _gaps(sims, a, b, rng), margin=float(s["equivalence_margin"]),
                            level=float(s["equivalence_level"]), source=SOURCE)
    v.numbers = {"gap": f"{a} - {b}", "range": _describe(rng), **v.numbers}
    return v


#: Claims that are one paired test of a - b over a range of M/H: id -> (test, a, b, range).
PAIRED_TESTS = {
    "tf_below_rf": (_beats, "TF", "RF", "all"),
    "tf_below_2l_small": (_beats, "TF", "2L", "small"),
    "2l_below_tf_large": (_beats, "2L", "TF", "large"),
    "finetune_not_better_small": (_not_beats, "ft-TF", "TF", "small"),
    "finetune_better_large": (_beats, "ft-TF", "TF", "large"),
    "finetune_worse_small": (_beats, "TF", "ft-TF", "small"),
    "tf_not_better_than_2l": (_not_beats, "TF", "2L", "all"),
    "finetune_joins_2l_large": (_equivalent, "ft-TF", "2L", "large"),
    "tf_equals_rf": (_equivalent, "TF", "RF", "all"),
    "finetune_follows_tf_small": (_equivalent, "ft-TF", "TF", "small"),
    "2l_below_finetune_small": (_beats, "2L", "ft-TF", "small"),
    "2l_below_finetune_intermediate": (_beats, "2L", "ft-TF", "mid"),
    "finetune_equals_2l_large": (_equivalent, "ft-TF", "2L", "large"),
}


def _size(id: str, claim: str, kind: str, quoted: float, measured: float, factor: float,
          extra: dict[str, Any]) -> Verdict:
    """A quoted size: within a factor of it ("up to", "about"), or at least quoted / factor ("above")."""
    extra = {"statistic": "largest over the range" if kind == "up to" else "mean over the range",
             "quoted_as": f"{kind} {quoted:g}", **extra}
    if kind != "above":
        return size_verdict(id, claim, measured, quoted, factor=factor, source=SOURCE, extra=extra)
    lo = quoted / factor
    return Verdict(id, claim, bool(math.isfinite(measured) and measured >= lo),
                   {"measured": measured, "quoted": quoted, "band": [lo, math.inf], **extra}, SOURCE)


# ---- interpolation peaks on simulated curves

def separability_threshold(sims: pd.DataFrame, model: str) -> tuple[float, dict[float, float]]:
    """The M/H where the fraction of ``model``'s seeds with train_error == 0 (a separable training set)
    crosses 1/2 from above, interpolated linearly in log10 alpha between the grid alphas around the first
    crossing; NaN when it never crosses. Also returns the fraction per alpha."""
    if "train_error" not in sims.columns:
        return math.nan, {}
    d = sims[(sims["model"] == model) & sims["train_error"].notna()]
    frac = (d["train_error"] == 0).groupby(d["alpha"]).mean().sort_index()
    a, f = frac.index.to_numpy(float), frac.to_numpy(float)
    thr = math.nan
    for i in range(len(a) - 1):
        if f[i] >= 0.5 > f[i + 1]:
            x0, x1 = math.log10(a[i]), math.log10(a[i + 1])
            thr = 10 ** (x0 + (f[i] - 0.5) / (f[i] - f[i + 1]) * (x1 - x0))
            break
    return thr, {float(x): float(y) for x, y in zip(a, f)}


def _curve(sims: pd.DataFrame, model: str) -> pd.DataFrame:
    g = sims[sims["model"] == model].groupby("alpha")["test_error"]
    out = g.agg(mean="mean", std="std", n="count").reset_index().sort_values("alpha")
    out["sem"] = out["std"].fillna(0.0) / np.sqrt(out["n"])
    return out


def _curve_numbers(c: pd.DataFrame) -> list[dict[str, float]]:
    return [{"alpha": float(r.alpha), "mean": float(r.mean), "sem": float(r.sem), "n": int(r.n)}
            for r in c.itertuples()]


def _peak(sims, model: str, threshold_model: str, s) -> dict[str, Any]:
    thr, frac = separability_threshold(sims, threshold_model)
    c = _curve(sims, model)
    near = peak_near(c["alpha"], c["mean"], thr, min_prominence=float(s["min_peak_prominence"]),
                     halfwidth_log10=float(s["peak_halfwidth_log10"]))
    return {"model": model, "threshold_of": threshold_model, "threshold": thr,
            "separable_fraction": frac, **near, "curve": _curve_numbers(c)}


# ---- the claims

def panel_claims(panel: str, sims: pd.DataFrame, settings: Mapping[str, Any]) -> list[Verdict]:
    """Every claim of ``PANEL_CLAIMS[panel]`` on that panel's simulations."""
    s = settings
    small, large = float(s["small_alpha_max"]), float(s["large_alpha_min"])
    SMALL, LARGE = (None, small, False, False), (large, None, False, False)
    MID = (small, large, True, True)
    out = []
    for cid in PANEL_CLAIMS[panel]:
        id, q = f"{panel}:{cid}", _quote(panel, cid)
        if cid in PAIRED_TESTS:  # one paired test: (test, a, b, range of M/H)
            test, a, b, where = PAIRED_TESTS[cid]
            rng = {"all": ALL, "small": SMALL, "large": LARGE, "mid": MID}[where]
            v = (_equivalent(id, q, sims, a, b, rng, s) if test is _equivalent
                 else _verdict(id, q, test(sims, a, b, rng, s)))
        elif cid == "finetune_between_small":
            v = _both(id, q, {"TF - ft-TF": _beats(sims, "TF", "ft-TF", SMALL, s),
                              "ft-TF - 2L": _beats(sims, "ft-TF", "2L", SMALL, s)})
        elif cid == "2l_below_tf_and_finetune_above_1":
            above = (C1_CROSSOVER_ALPHA, None, True, False)
            start = (C1_CROSSOVER_ALPHA, large, True, True)
            v = _both(id, q, {"2L - TF": _beats(sims, "2L", "TF", above, s),
                              "2L - ft-TF": _beats(sims, "2L", "ft-TF", start, s)})
        elif cid == "finetune_below_tf_rf_intermediate":
            v = _both(id, q, {"ft-TF - TF": _beats(sims, "ft-TF", "TF", MID, s),
                              "ft-TF - RF": _beats(sims, "ft-TF", "RF", MID, s)})
        elif cid == "tf_gain_over_2l_size":
            kind, quoted = QUOTED_SIZES[(panel, cid)]
            gains = -_gaps(sims, "TF", "2L", SMALL).set_index("alpha")["mean"]
            measured = (float(gains.max()) if kind == "up to" else float(gains.mean())) if len(gains) else math.nan
            v = _size(id, q, kind, quoted, measured, float(s["size_factor"]),
                      {"gain": "2L - TF (paired mean per M/H)", "range": _describe(SMALL),
                       "per_alpha": {float(a): float(g) for a, g in gains.items()}})
        elif cid == "finetune_gain_over_tf_rf_size":
            kind, quoted = QUOTED_SIZES[(panel, cid)]
            g_tf = -_gaps(sims, "ft-TF", "TF", MID).set_index("alpha")["mean"]
            g_rf = -_gaps(sims, "ft-TF", "RF", MID).set_index("alpha")["mean"]
            gains = pd.concat({"TF": g_tf, "RF": g_rf}, axis=1).min(axis=1).dropna()
            v = _size(id, q, kind, quoted, float(gains.mean()) if len(gains) else math.nan, float(s["size_factor"]),
                      {"gain": "min(TF - ft-TF, RF - ft-TF): over the better of TF and RF (paired means per M/H)",
                       "range": _describe(MID), "per_alpha": {float(a): float(g) for a, g in gains.items()}})
        elif cid in ("tf_interpolation_peak", "rf_interpolation_peak"):
            m = "TF" if cid.startswith("tf") else "RF"
            p = _peak(sims, m, m, s)
            v = Verdict(id, q, bool(p["found"]), p, SOURCE)
        elif cid == "cusp_delayed_in_tf":
            t_tf, f_tf = separability_threshold(sims, "TF")
            t_rf, f_rf = separability_threshold(sims, "RF")
            ok = math.isfinite(t_tf) and math.isfinite(t_rf) and t_tf > t_rf
            v = Verdict(id, q, bool(ok), {"threshold_TF": t_tf, "threshold_RF": t_rf,
                                          "separable_fraction_TF": f_tf, "separable_fraction_RF": f_rf}, SOURCE)
        elif cid == "finetune_retains_cusp_2l_does_not":
            ft = _peak(sims, "ft-TF", "TF", s)
            c2 = _curve(sims, "2L")
            peaks_2l = find_peaks(c2["alpha"], c2["mean"], min_prominence=float(s["min_peak_prominence"]))
            ok = bool(ft["found"]) and not peaks_2l and len(c2) >= 3
            v = Verdict(id, q, ok, {"ft-TF": ft, "2L": {"peaks": peaks_2l, "curve": _curve_numbers(c2),
                                                        "min_prominence": float(s["min_peak_prominence"])}},
                        SOURCE)
        else:  # pragma: no cover - PANEL_CLAIMS and this dispatch are kept together
            raise KeyError(cid)
        out.append(v)
    return out


def _mean(sims: pd.DataFrame) -> pd.Series:
    return sims.groupby(["model", "alpha"])["test_error"].mean()


def _gain_over_better_baseline(sims: pd.DataFrame, small: float) -> pd.DataFrame:
    """Per alpha <= small: TF's paired gain over the better baseline (the one of RF, 2L with the smaller
    mean error, hence the smaller gain baseline - TF), with that gain's paired SEM and n."""
    rows = []
    rng = (None, small, False, False)
    per = {b: _gaps(sims, b, "TF", rng).set_index("alpha") for b in ("RF", "2L")}
    for a in sorted(set(per["RF"].index) | set(per["2L"].index)):
        cands = [(b, per[b].loc[a]) for b in ("RF", "2L") if a in per[b].index]
        b, r = min(cands, key=lambda x: x[1]["mean"])
        rows.append({"alpha": float(a), "baseline": b, "mean": float(r["mean"]), "sem": float(r["sem"]),
                     "n": int(r["n"])})
    return pd.DataFrame(rows, columns=["alpha", "baseline", "mean", "sem", "n"])


def figure_claims(figure: str, panels: Mapping[str, pd.DataFrame],
                  settings: Mapping[str, Any]) -> list[Verdict]:
    """Claims that compare panels (Figs. 4a, 4b: hard -> easy against easy -> hard)."""
    out: list[Verdict] = []
    ids = FIGURE_CLAIMS.get(figure, [])
    if not ids:
        return out
    s = settings
    small, large, k = float(s["small_alpha_max"]), float(s["large_alpha_min"]), float(s["n_sigma"])
    he, eh = panels[f"{figure}_hard_easy"], panels[f"{figure}_easy_hard"]
    g_he, g_eh = _gain_over_better_baseline(he, small), _gain_over_better_baseline(eh, small)
    shared = sorted(set(g_he["alpha"]) & set(g_eh["alpha"]))
    g_he, g_eh = (g[g["alpha"].isin(shared)] for g in (g_he, g_eh))
    pool = {name: pooled_mean(g["mean"], g["sem"], g["n"])
            for name, g in (("hard_easy", g_he), ("easy_hard", g_eh))}
    gain_numbers = {name: g.to_dict("records") for name, g in (("hard_easy", g_he), ("easy_hard", g_eh))}
    for cid in ids:
        q = _quote(figure, cid)
        if cid == "hard_to_easy_lower_error":
            m_he, m_eh = _mean(he), _mean(eh)
            both = pd.concat({"hard_easy": m_he, "easy_hard": m_eh}, axis=1).dropna()
            pts = [{"model": m, "alpha": float(a), "hard_easy": float(r.hard_easy),
                    "easy_hard": float(r.easy_hard)} for (m, a), r in both.iterrows()]
            out.append(Verdict(cid, q, bool(pts) and all(p["hard_easy"] < p["easy_hard"] for p in pts),
                               {"points": pts}, SOURCE))
        elif cid == "hard_easy_error_difference_size":
            kind, quoted = QUOTED_SIZES[(figure, cid)]
            m_he, m_eh = _mean(he), _mean(eh)
            per_model, ok = {}, True
            for m in sorted(set(m_he.index.get_level_values(0)) & set(m_eh.index.get_level_values(0))):
                d = (m_eh[m] - m_he[m]).dropna()
                d = d[_in_range(pd.Series(d.index, index=d.index), (large, None, False, False))]
                sv = size_verdict(cid, q, float(d.mean()) if len(d) else math.nan, quoted,
                                  factor=float(s["size_factor"]))
                ok &= sv.passed
                per_model[m] = {**sv.numbers, "passed": sv.passed,
                                "per_alpha": {float(a): float(x) for a, x in d.items()}}
            out.append(Verdict(cid, q, bool(per_model) and bool(ok),
                               {"difference": "mean error easy -> hard - hard -> easy",
                                "range": _describe((large, None, False, False)), "statistic": "mean over the range",
                                "quoted_as": f"{kind} {quoted:g}", "per_model": per_model}, SOURCE))
        elif cid == "hard_to_easy_larger_gain":
            a, b = pool["hard_easy"], pool["easy_hard"]
            d = pooled_difference(a, b)
            diff, se, dof = d["gap"], d["sem"], d["dof"]
            z = diff / se if se > 0 else (math.copysign(math.inf, diff) if diff else 0.0)
            bound = z_bound(k, dof) if math.isfinite(dof) else math.nan
            # no standard error (one seed per cell): nothing is significant in either reading
            base = bool(shared) and math.isfinite(diff) and diff >= float(s["min_effect"]) and math.isfinite(dof)
            out.append(Verdict(cid, q, bool(base and z > bound), {
                "gain": "better of (RF, 2L) - TF, paired, per M/H", "range": _describe((None, small, False, False)),
                "per_alpha": gain_numbers, "mean_gain": {"hard_easy": a, "easy_hard": b},
                "difference": diff, "sem": se, "dof": dof, "z": z, "z_bound": bound, "n_sigma": k,
                "min_effect": float(s["min_effect"])}, SOURCE, passed_normal=bool(base and z > k)))
        elif cid in ("hard_to_easy_gain_size", "easy_to_hard_gain_size"):
            kind, quoted = QUOTED_SIZES[(figure, cid)]
            name = "hard_easy" if cid.startswith("hard") else "easy_hard"
            out.append(_size(cid, q, kind, quoted, pool[name]["mean"], float(s["size_factor"]),
                             {"gain": "better of (RF, 2L) - TF, paired, per M/H",
                              "range": _describe((None, small, False, False)), "per_alpha": gain_numbers[name]}))
    return out
