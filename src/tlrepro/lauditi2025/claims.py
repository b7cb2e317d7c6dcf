"""The captions' claims about lauditi2025's Figs. 1 and 2, and this workflow's checks that the networks
realise the theory, as verdicts on the produced tables.

Statistics. A network table has one row per (repetition, point); the repetitions are independent
(source task, initialisation and target draws), and within a repetition every gamma1, alignment and the
linear probe share the data and the initial network. So a comparison of two conditions is PAIRED: the
mean over repetitions of the per-repetition difference, its standard error, and z = mean / SE judged
against ``tlrepro.claims.z_bound(n_sigma, n - 1)`` (what n_sigma standard errors mean when the SE is
estimated from n repetitions). A theory-vs-network check uses the difference network - theory the same
way. "a below b": no point with a - b significantly positive; "a beats b": a - b negative everywhere and
significantly negative at one point at least; "a equals b within a margin": |mean| + bound SE <= margin.
Thresholds come from the figure's config (``claims``), each with its reason there.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from ..claims import WORKFLOW_CHECK, Verdict, z_bound
from .theory import finetune_loss, kernel_constants, spike

__all__ = ["paired", "fig1_claims", "fig2_claims", "networks_match_theory"]

SOURCE = "Lauditi, Bordelon, Pehlevan 2025"
CHECK = f"{WORKFLOW_CHECK} (the networks realise the theory)"
POINT = ["nu1", "gamma1", "alpha_s", "alpha_g", "nu2"]


def paired(diff: pd.Series, n_sigma: float) -> dict[str, Any]:
    """Mean, SE, z and its bound of per-repetition differences."""
    d = np.asarray(diff, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    z = mean / se if se and se > 0 else (0.0 if mean == 0 else math.copysign(math.inf, mean))
    return {"mean": mean, "se": se, "n": n, "z": float(z), "z_bound": z_bound(n_sigma, n - 1)}


def _largest(sims: pd.DataFrame) -> pd.DataFrame:
    return sims[sims["width"] == sims["width"].max()]


def _rows(sims: pd.DataFrame, **cond) -> pd.DataFrame:
    m = np.ones(len(sims), bool)
    for k, v in cond.items():
        m &= np.isclose(sims[k], v) if isinstance(v, float) else (sims[k] == v).to_numpy()
    return sims[m]


def _contrast(a: pd.DataFrame, b: pd.DataFrame, by: list[str], n_sigma: float, **extra) -> list[dict]:
    """Paired a - b of the losses at every point of ``by`` (rows matched by repetition and ``by``)."""
    d = (a.set_index(["repetition", *by])["loss"] - b.set_index(["repetition", *by])["loss"]).dropna()
    return [{**extra, **dict(zip(by, key if isinstance(key, tuple) else (key,))), **paired(g, n_sigma)}
            for key, g in d.groupby(level=by)]


def _versus_probe(sims: pd.DataFrame, n_sigma: float) -> list[dict]:
    """Paired fine-tuned - linear probe (the same repetition's untrained network and data), per gamma1."""
    probe = _rows(sims, model="probe")
    by = ["nu1", "alpha_s", "alpha_g", "nu2"]
    return [p for g in sorted(_rows(sims, model="finetuned")["gamma1"].unique())
            for p in _contrast(_rows(sims, model="finetuned", gamma1=float(g)), probe, by, n_sigma,
                               gamma1=float(g))]


def networks_match_theory(sims: pd.DataFrame, column: str, n_sigma: float, claim: str, id: str,
                          source: str = CHECK) -> list[Verdict]:
    """Per width: network loss - ``column`` (the theory at each row) within the bound at every point of the
    fine-tuned networks; then the deviation shrinks from the smallest to the largest width."""
    ft = sims[sims["model"] == "finetuned"].copy()
    ft["dev"] = ft["loss"] - ft[column]
    out, mean_abs = [], {}
    for width, g in ft.groupby("width"):
        points = [{**dict(zip(POINT, key)), **paired(p["dev"], n_sigma)} for key, p in g.groupby(POINT)]
        ok = all(abs(p["z"]) <= p["z_bound"] for p in points)
        mean_abs[int(width)] = float(np.mean([abs(p["mean"]) for p in points]))
        out.append(Verdict(f"{id}_N{width}", f"{claim} (width N = {width})", bool(points and ok),
                           {"width": int(width), "n_points": len(points),
                            "max_abs_z": max((abs(p["z"]) for p in points), default=None),
                            "mean_abs_deviation": mean_abs[int(width)], "points": points}, source))
    widths = sorted(mean_abs)
    out.append(Verdict(f"{id}_shrinks_with_width",
                       f"{claim}: the mean absolute deviation shrinks from the smallest width to the largest.",
                       bool(len(widths) > 1 and mean_abs[widths[-1]] < mean_abs[widths[0]]),
                       {"mean_abs_deviation": mean_abs}, source))
    return out


def _source_fitted(sims: pd.DataFrame, cfg: Mapping) -> Verdict:
    ft = sims[sims["model"] == "finetuned"]
    per_sample = ft["source_train_loss"] / np.maximum(1, np.round(ft["nu1"] * cfg["D"]))
    worst = float(per_sample.max()) if len(ft) else math.nan
    limit = float(cfg["claims"]["source_loss_max"])
    return Verdict("source_fitted", f"The source phase fitted its data by time t1 (training loss per sample "
                   f"below {limit:g} for every network).", bool(worst <= limit),
                   {"max_loss_per_sample": worst, "limit": limit}, WORKFLOW_CHECK)


def _spike(sims: pd.DataFrame, cfg: Mapping) -> list[Verdict]:
    """At nu1 >= 1 the measured spike b^T Sigma b - 1 against chi(gamma1), per width, and its deviation
    shrinking with the width."""
    s = sims[(sims["model"] == "finetuned") & (sims["nu1"] >= 1)]
    n_sigma, tol = float(cfg["claims"]["n_sigma"]), float(cfg["claims"]["chi_tolerance"])
    rows = []
    for (width, gamma1), g in s.groupby(["width", "gamma1"]):
        chi = float(spike(gamma1, "plus"))
        per_rep = g.groupby("repetition")["chi_hat"].first()
        st = paired(per_rep - chi, n_sigma)
        rows.append({"width": int(width), "gamma1": float(gamma1), "chi": chi, "chi_hat": chi + st["mean"],
                     **st, "pass": bool(abs(st["mean"]) <= tol * chi + st["z_bound"] * st["se"])})
    if not rows:
        return []
    top = max(r["width"] for r in rows)
    small = min(r["width"] for r in rows)
    dev = {w: float(np.mean([abs(r["mean"]) for r in rows if r["width"] == w])) for w in (small, top)}
    return [Verdict("spike_matches_chi", f"Trained linear networks show the spike: b^T Sigma b - 1 within "
                    f"{tol:.0%} of chi(gamma1) = sqrt(1 + gamma1^2) - 1 plus the bound of the repetitions' "
                    f"SE at the largest width (nu1 >= 1).",
                    all(r["pass"] for r in rows if r["width"] == top), {"points": rows}, CHECK),
            Verdict("spike_deviation_shrinks_with_width", "The spike's deviation from chi(gamma1) shrinks "
                    "from the smallest width to the largest.", bool(dev[top] < dev[small]),
                    {"mean_abs_deviation": dev}, CHECK)]


def fig1_claims(sims: Mapping[str, pd.DataFrame], theory: Mapping[str, pd.DataFrame],
                cfgs: Mapping[str, Mapping]) -> list[Verdict]:
    """Fig. 1: (a) decreasing in alpha_s and at or below the probe, (b) negative transfer at high nu2,
    (c) independent of nu2; the workflow's checks for each panel."""
    out: list[Verdict] = []
    a, cfg = _largest(sims["fig1a"]), cfgs["fig1a"]
    n_sigma = float(cfg["claims"]["n_sigma"])
    alphas = sorted(cfg["target"]["alpha_s"])
    ft = _rows(a, model="finetuned")
    by = ["gamma1", "alpha_g", "nu2"]
    steps = [p for lo, hi in zip(alphas, alphas[1:])
             for p in _contrast(_rows(ft, alpha_s=hi), _rows(ft, alpha_s=lo), by, n_sigma, step=[lo, hi])]
    ends = _contrast(_rows(ft, alpha_s=alphas[-1]), _rows(ft, alpha_s=alphas[0]), by, n_sigma,
                     step=[alphas[0], alphas[-1]])
    ok = (all(p["z"] <= p["z_bound"] for p in steps) and bool(ends)
          and all(p["z"] < -p["z_bound"] for p in ends))
    th = theory["fig1a"]
    th = th[(th["curve"] == "result2") & (th["chi_reading"] == "plus") & (th["nu2"] < 1)]
    mono = all((np.diff(g.sort_values("alpha_s")["loss"].to_numpy()) < 0).all()
               for _, g in th[th["nu2"] > th["nu2"].min()].groupby(["gamma1", "nu2"]))
    out.append(Verdict("fig1a:loss_decreasing_in_alpha_s",
                       "(a) 'Loss is strictly decreasing with source/target alignment alpha_s' (Result 2): on "
                       "the networks of the largest width, no step up in alpha_s raises the loss significantly, "
                       "and the largest alpha_s beats the smallest significantly at every nu2.",
                       bool(ok), {"steps": steps, "ends": ends, "theory_strictly_decreasing": bool(mono)},
                       SOURCE))
    below = _versus_probe(a, n_sigma)
    out.append(Verdict("fig1a:at_or_below_linear_probe",
                       "(a) Fine-tuning from the adaptive kernel is at or below the linear probe 1 - nu2 "
                       "(dashed): no point where the network's loss exceeds its own untrained probe's "
                       "significantly (paired).", bool(below) and all(p["z"] <= p["z_bound"] for p in below),
                       {"points": below}, SOURCE))
    b, cfg_b = _largest(sims["fig1b"]), cfgs["fig1b"]
    hi = float(cfg_b["claims"]["high_nu2_min"])
    neg = [p for p in _versus_probe(b, n_sigma) if p["nu2"] >= hi]
    th = theory["fig1b"]
    th = th[(th["curve"] == "finetune") & (th["kernel_model"] == cfg_b["kernel_model"])
            & (th["chi_reading"] == cfg_b["chi_reading"]) & (th["nu2"] >= hi) & (th["nu2"] < 1)]
    excess = float((th["loss"] - (1 - th["nu2"])).max()) if len(th) else math.nan
    out.append(Verdict("fig1b:negative_transfer_high_nu2",
                       f"(b) 'Non-zero alignment with the noise direction (alpha_g = 0.1) can cause negative "
                       f"transfer at high nu2' (Result 3): at some nu2 >= {hi:g} the fine-tuned loss exceeds "
                       f"the linear probe significantly (paired, largest width).",
                       bool(any(p["z"] > p["z_bound"] for p in neg)),
                       {"points": neg, "max_z": max((p["z"] for p in neg), default=None),
                        "theory_max_excess_over_probe": excess, "high_nu2_min": hi}, SOURCE))
    c, cfg_c = _largest(sims["fig1c"]), cfgs["fig1c"]
    margin = float(cfg_c["claims"]["equivalence_margin"])
    ft = c[c["model"] == "finetuned"]
    pairs = []
    for (nu1, gamma1, a_s, a_g), g in ft.groupby(["nu1", "gamma1", "alpha_s", "alpha_g"]):
        per = g.set_index(["repetition", "nu2"])["loss"].unstack()
        cols = sorted(per.columns)
        for i, x in enumerate(cols):
            for y in cols[i + 1:]:
                st = paired(per[y] - per[x], n_sigma)
                pairs.append({"nu1": nu1, "gamma1": gamma1, "alpha_s": a_s, "alpha_g": a_g, "nu2_a": x,
                              "nu2_b": y, **st,
                              "pass": bool(abs(st["mean"]) + st["z_bound"] * st["se"] <= margin)})
    out.append(Verdict("fig1c:independent_of_nu2",
                       f"(c) 'Test loss on T2 depends only on source data nu1 and the alignments' (Result 4, "
                       f"alpha_g = 0): at every nu1 the networks' losses at any two nu2 agree within "
                       f"{margin:g} (the difference plus its bound of SE; largest width, gamma1 = "
                       f"{cfg_c['source']['gamma1']}).", bool(pairs) and all(p["pass"] for p in pairs),
                       {"margin": margin, "max_abs_difference": max((abs(p["mean"]) for p in pairs),
                                                                   default=None), "pairs": pairs}, SOURCE))
    for panel in ("fig1a", "fig1b", "fig1c"):
        cfg_p = cfgs[panel]
        for v in networks_match_theory(
                sims[panel], "theory_measured", float(cfg_p["claims"]["n_sigma"]),
                "Fine-tuned readouts match finetune_loss at the kernel constants measured on each network",
                "networks_match_theory_measured"):
            v.id = f"{panel}:{v.id}"
            out.append(v)
        v = _source_fitted(sims[panel], cfg_p)
        v.id = f"{panel}:{v.id}"
        out.append(v)
    for v in _spike(sims["fig1a"], cfgs["fig1a"]):
        v.id = f"fig1a:{v.id}"
        out.append(v)
    return out


def optimal_gamma1(nu1: float, alpha_s: float, alpha_g: float, nu2: Iterable[float], gamma1: np.ndarray,
                   reading: str, model: str = "caption") -> list[dict]:
    """For each nu2: the gamma1 of the grid that minimises the theory loss, and whether it is interior."""
    rows = []
    for n in nu2:
        loss = np.array([float(finetune_loss(n, alpha_s, alpha_g, *kernel_constants(nu1, g, model, reading)))
                         for g in gamma1])
        i = int(np.argmin(loss))
        rows.append({"nu2": float(n), "argmin_gamma1": float(gamma1[i]), "interior": bool(0 < i < len(gamma1) - 1),
                     "loss_min": float(loss[i]), "loss_first": float(loss[0]), "loss_last": float(loss[-1]),
                     "monotone": bool(np.all(np.diff(loss) <= 0) or np.all(np.diff(loss) >= 0))})
    return rows


def fig2_claims(linear: pd.DataFrame, cifar: pd.DataFrame, cifar_theory: pd.DataFrame,
                cfgs: Mapping[str, Mapping]) -> list[Verdict]:
    """Fig. 2: (a) an optimal gamma1 at large nu2 under each reading of chi (theory with the caption's
    constants) and in the networks; (b, c) CIFAR-10 networks against the adaptive-kernel theory, and
    transfer helping at small P2; the workflow's checks."""
    out: list[Verdict] = []
    cfg = cfgs["fig2a"]
    n_sigma = float(cfg["claims"]["n_sigma"])
    hi = float(cfg["claims"]["high_nu2_min"])
    nu1, a_s, a_g = cfg["source"]["nu1"][0], cfg["target"]["alpha_s"][0], cfg["target"]["alpha_g"][0]
    large = [n for n in cfg["target"]["nu2"] if hi <= n < 1]
    for reading, top in (("plus", float(cfg["theory"]["gamma1_max"])), ("printed", 1.0)):
        grid = np.linspace(top / 200, top, 200)
        rows = optimal_gamma1(nu1, a_s, a_g, large, grid, reading)
        out.append(Verdict(f"fig2a:optimal_gamma1_large_nu2_{reading}",
                           f"(a) 'Linear model ... with c1 = nu1 sqrt(nu1 (1 - nu1)) chi, c2 = nu1^2 chi, "
                           f"c3 = nu1 (1 - nu1) chi ... has optimal gamma1 at large nu2', chi read as "
                           f"{'sqrt(1 + gamma1^2) - 1' if reading == 'plus' else 'sqrt(1 - gamma1^2) - 1 (as printed)'}: "
                           f"the loss over gamma1 in (0, {top:g}] has an interior minimum at every simulated "
                           f"nu2 >= {hi:g} (nu1 = {nu1}, alpha_s = {a_s}, alpha_g = {a_g}).",
                           bool(rows) and all(r["interior"] for r in rows), {"points": rows}, SOURCE))
    lin = _largest(linear)
    lin = lin[lin["model"] == "finetuned"]
    gammas = sorted(lin["gamma1"].unique())
    pts = []
    for n in large:
        at = lin[np.isclose(lin["nu2"], n)]
        means = at.groupby("gamma1")["loss"].mean()
        best = float(means.idxmin())
        per = at.set_index(["repetition", "gamma1"])["loss"].unstack()
        vs_ends = [paired(per[best] - per[e], n_sigma) for e in (gammas[0], gammas[-1]) if e != best]
        pts.append({"nu2": n, "best_gamma1": best, "interior": bool(gammas[0] < best < gammas[-1]),
                    "vs_ends": vs_ends, "mean_loss": means.round(6).to_dict()})
    ok = bool(pts) and all(p["interior"] and all(v["z"] < -v["z_bound"] for v in p["vs_ends"]) for p in pts)
    out.append(Verdict("fig2a:networks_optimal_gamma1",
                       f"(a) The networks (largest width) have an optimal gamma1 at large nu2: at every "
                       f"simulated nu2 >= {hi:g} the best gamma1 of {gammas} is interior and beats both ends "
                       f"significantly (paired).", ok, {"points": pts}, SOURCE))
    for v in networks_match_theory(linear, "theory_measured", n_sigma,
                                   "Fine-tuned readouts match finetune_loss at the kernel constants measured "
                                   "on each network", "networks_match_theory_measured"):
        v.id = f"fig2a:{v.id}"
        out.append(v)
    ccfg = cfgs["fig2_cifar"]
    n_sigma_c = float(ccfg["claims"]["n_sigma"])
    th = cifar_theory.set_index(["gamma1", "P2"])["loss"]
    for width, g in cifar.groupby("width"):
        points = []
        for (gamma1, P2), p in g.groupby(["gamma1", "P2"]):
            st = paired(p["loss"] - th[(gamma1, P2)], n_sigma_c)
            points.append({"gamma1": float(gamma1), "P2": int(P2), "theory": float(th[(gamma1, P2)]), **st})
        out.append(Verdict(f"fig2_cifar:networks_match_adaptive_kernel_N{width}",
                           f"(b, c) 'Theory is obtained by performing kernel regression on T2 from the adaptive "
                           f"kernel after T1': the networks of width N = {width} match it within the bound at "
                           f"every gamma1 and P2 (the theory's kernel averaged over "
                           f"{ccfg['theory']['inits']} networks of width {ccfg['theory']['width']} initialised "
                           f"apart).", all(abs(p["z"]) <= p["z_bound"] for p in points),
                           {"width": int(width), "max_abs_z": max(abs(p["z"]) for p in points),
                            "points": points}, SOURCE))
    small = int(ccfg["claims"]["small_P2_max"])
    big = cifar[cifar["width"] == cifar["width"].max()]
    helps = []
    for gamma1 in sorted(g for g in big["gamma1"].unique() if g > 0):
        per = big.set_index(["repetition", "gamma1", "P2"])["loss"]
        for P2 in sorted(p for p in big["P2"].unique() if p <= small):
            d = (per.xs((gamma1, P2), level=["gamma1", "P2"]) - per.xs((0.0, P2), level=["gamma1", "P2"]))
            helps.append({"gamma1": float(gamma1), "P2": int(P2), **paired(d, n_sigma_c)})
    ok = bool(helps) and all(
        all(h["mean"] < 0 for h in helps if h["gamma1"] == g)
        and any(h["z"] < -h["z_bound"] for h in helps if h["gamma1"] == g)
        for g in {h["gamma1"] for h in helps})
    out.append(Verdict("fig2_cifar:transfer_helps_small_P2",
                       f"(b, c) Transfer helps at small P2: for every gamma1 the pre-trained network's loss is "
                       f"below the untrained network's at every P2 <= {small} and significantly so at one at "
                       f"least (paired, largest width).", ok, {"points": helps}, SOURCE))
    return out
