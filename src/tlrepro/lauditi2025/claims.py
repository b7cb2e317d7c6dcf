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

__all__ = ["paired", "fig1_claims", "fig2_claims", "networks_match_theory", "rich_best", "rich_curves",
           "excess_kurtosis", "approach_to_dmft", "fig3_claims", "fig4_claims", "fig5_claims"]

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


# ---- The jointly rich regime (Figs. 3-5). A run table has one row per (model, n, seed, pretrain, gamma2, P2,
# phase, record). Transfer and scratch runs of one network share its initialisation (paired by seed).
# With 2 seeds a paired t bound is 235: the transfer comparisons judge every seed and report mean, SE and z.


def rich_best(runs: pd.DataFrame) -> pd.DataFrame:
    """The best phase-2 test loss over time (early stopping) per run: model, n, seed, pretrain, gamma2, P2."""
    p2 = runs[runs["phase"] == 2]
    return p2.groupby(["model", "n", "seed", "pretrain", "gamma2", "P2"], as_index=False)["test_loss"].min()


def rich_curves(runs: pd.DataFrame) -> pd.DataFrame:
    """Phase-2 test-loss curves averaged over seeds: model, n, pretrain, gamma2, P2, step -> mean, sem, time
    since the start of phase 2."""
    p2 = runs[runs["phase"] == 2].copy()
    p2["t2"] = p2["step"] * 1.0
    g = p2.groupby(["model", "n", "pretrain", "gamma2", "P2", "step"])["test_loss"]
    out = g.agg(mean="mean", std="std", count="count").reset_index()
    out["sem"] = out["std"].fillna(0) / np.sqrt(out["count"])
    return out


def excess_kurtosis(h: np.ndarray) -> float:
    """E[(h - mean)^4] / var^2 - 3 of the pooled values: 0 for a Gaussian."""
    x = np.asarray(h, dtype=np.float64).ravel()
    x = x - x.mean()
    v = float(np.mean(x * x))
    return float(np.mean(x ** 4) / (v * v) - 3.0) if v > 0 else math.nan


def _largest_net(runs: pd.DataFrame) -> int:
    return int(runs.loc[runs["model"] == "net", "n"].max())


def _versus(best: pd.DataFrame, n: int, gamma2s, P2: float | None = None) -> list[dict]:
    """Per gamma2: the seed-paired best transfer minus best scratch losses of the width-n networks."""
    out = []
    b = best[(best["model"] == "net") & (best["n"] == n)]
    if P2 is not None:
        b = b[b["P2"] == P2]
    for g in gamma2s:
        piv = b[b["gamma2"] == g].pivot_table(index="seed", columns="pretrain", values="test_loss")
        d = piv[True] - piv[False]
        out.append({"gamma2": float(g), "transfer": float(piv[True].mean()), "scratch": float(piv[False].mean()),
                    **paired(d, 3.0), "per_seed": [round(float(x), 5) for x in d],
                    "every_seed_lower": bool(len(d) and (d < 0).all())})
    return out


def dmft_matches_networks(exp: str, runs: pd.DataFrame, margin: float, claim: str) -> Verdict:
    """The largest width's mean phase-2 test-loss curve (with pre-training, every gamma2) within ``margin``
    (relative) of the DMFT's at every record."""
    c = rich_curves(runs[runs["pretrain"]])
    n = _largest_net(runs)
    net = c[(c["model"] == "net") & (c["n"] == n)].set_index(["gamma2", "P2", "step"])["mean"]
    dm = c[c["model"] == "dmft"].set_index(["gamma2", "P2", "step"])["mean"]
    rel = ((net - dm).abs() / dm.abs().clip(lower=1e-12)).dropna()
    worst = rel.idxmax() if len(rel) else None
    return Verdict(f"{exp}:dmft_matches_networks", claim, bool(len(rel) and rel.max() <= margin),
                   {"width": n, "dmft_samples": int(runs.loc[runs["model"] == "dmft", "n"].max()),
                    "largest_relative_gap": float(rel.max()) if len(rel) else None,
                    "at": {"gamma2": float(worst[0]), "P2": float(worst[1]), "step": int(worst[2])} if worst else None,
                    "mean_relative_gap": float(rel.mean()) if len(rel) else None, "margin": margin}, SOURCE)


def approach_to_dmft(exp: str, runs: pd.DataFrame) -> Verdict:
    """This workflow's check: the RMS distance between the networks' mean phase-2 test-loss curve and the
    DMFT's shrinks with the width; the fitted slope of log distance vs log N (-0.5: fluctuations; -1: the
    O(1/N) bias of the mean)."""
    c = rich_curves(runs[runs["pretrain"]])
    dm = c[c["model"] == "dmft"].set_index(["gamma2", "P2", "step"])["mean"]
    dist = {}
    for n, g in c[c["model"] == "net"].groupby("n"):
        diff = (g.set_index(["gamma2", "P2", "step"])["mean"] - dm).dropna()
        dist[int(n)] = float(np.sqrt(np.mean(diff ** 2)))
    widths = sorted(dist)
    slope = float(np.polyfit(np.log(widths), np.log([dist[w] for w in widths]), 1)[0]) if len(widths) > 1 else math.nan
    return Verdict(f"{exp}:networks_approach_dmft",
                   "The distance between the networks' and the DMFT's test-loss curves shrinks as the width grows "
                   "(every step up in width), with the fitted log-log slope reported.",
                   bool(len(widths) > 1 and all(dist[b] < dist[a] for a, b in zip(widths, widths[1:]))),
                   {"rms_distance": {str(w): dist[w] for w in widths}, "slope": slope,
                    "closer_to": None if math.isnan(slope) else ("1/sqrt(N)" if abs(slope + 0.5) < abs(slope + 1)
                                                                  else "1/N")}, CHECK)


def fig3_claims(panels: Mapping[str, pd.DataFrame], cfgs: Mapping[str, Mapping]) -> list[Verdict]:
    out = []
    for exp, runs in panels.items():
        cfg = cfgs[exp]
        margin = float(cfg["claims"]["match_margin"])
        out.append(dmft_matches_networks(exp, runs, margin, "'Networks (solid) vs DMFT (dashed)': the widest "
                                         f"networks' mean test-loss curve within {margin:g} (relative) of the "
                                         "DMFT's at every record and gamma2."))
        out.append(approach_to_dmft(exp, runs))
        rows = _versus(rich_best(runs), _largest_net(runs), cfg["gamma2"])
        if cfg["task"]["kind"] == "linear_quadratic":
            claim = ("Linear -> quadratic: transfer reaches a lower test loss than training from scratch: the best "
                     "loss over time with pre-training is below the best without, at every gamma2, in every seed.")
        else:
            claim = ("He5 -> He2 (the caption shows the curves against no pre-training; tested in 3a's form): the "
                     "best test loss with pre-training is below the best without, at every gamma2, in every seed.")
        out.append(Verdict(f"{exp}:transfer_beats_scratch", claim, all(r["every_seed_lower"] for r in rows),
                           {"width": _largest_net(runs), "by_gamma2": rows}, SOURCE))
    return out


def fig4_claims(runs: pd.DataFrame, cfg: Mapping, kurtosis: Mapping[float, Mapping[str, float]]) -> list[Verdict]:
    """``kurtosis``: gamma2 -> {"net": excess kurtosis of the widest networks' test pre-activations after
    phase 2 with pre-training (pooled over points, neurons and seeds), "dmft": the DMFT's}."""
    margin = float(cfg["claims"]["match_margin"])
    out = [dmft_matches_networks("fig4", runs, margin, "'GD at convergence vs DMFT': the widest networks' mean "
                                 f"test-loss curve within {margin:g} (relative) of the DMFT's at every record "
                                 "and gamma2."), approach_to_dmft("fig4", runs)]
    rows = _versus(rich_best(runs), _largest_net(runs), cfg["gamma2"])
    out.append(Verdict("fig4:transfer_helps_every_gamma2",
                       "'Transfer learning helps at any feature-learning strength': at every gamma2 the best test "
                       "loss over time (early stopping) with pre-training is below the best without, in every seed.",
                       all(r["every_seed_lower"] for r in rows), {"width": _largest_net(runs), "by_gamma2": rows},
                       SOURCE))
    gs = sorted(kurtosis)
    k = [kurtosis[g]["net"] for g in gs]
    out.append(Verdict("fig4:preactivations_less_gaussian_with_gamma2",
                       "The target model's pre-activation distribution p(h) becomes less Gaussian as gamma2 grows: "
                       "the excess kurtosis of the networks' test pre-activations grows with every step up in gamma2.",
                       bool(len(k) > 1 and all(b > a for a, b in zip(k, k[1:]))),
                       {"excess_kurtosis": {f"{g:g}": kurtosis[g] for g in gs}}, SOURCE))
    return out


def fig5_claims(runs: pd.DataFrame, cfg: Mapping) -> list[Verdict]:
    best = rich_best(runs)
    n = _largest_net(runs)
    sizes = sorted(cfg["P2s"])
    rows = []
    for g in cfg["gamma2"]:
        b = best[(best["model"] == "net") & (best["n"] == n) & (best["gamma2"] == g)]
        piv = b.pivot_table(index=["seed", "P2"], columns="pretrain", values="test_loss")
        gain = (piv[False] - piv[True]).unstack("P2")
        small, large = gain[sizes[0]], gain[sizes[-1]]
        rows.append({"gamma2": float(g), "gain": {str(p): float(gain[p].mean()) for p in sizes},
                     "per_seed_small_minus_large": [round(float(x), 5) for x in small - large],
                     "shrinks": bool(len(small) and ((small - large) > 0).all() and (small > 0).all())})
    return [Verdict("fig5:transfer_gain_shrinks_with_P2",
                    "The benefit of pre-training (best scratch loss minus best transfer loss) shrinks as the target "
                    f"set grows: at every gamma2 it is positive at P2 = {sizes[0]} and smaller at P2 = {sizes[-1]}, "
                    "in every seed.", all(r["shrinks"] for r in rows), {"width": n, "by_gamma2": rows}, SOURCE)]
