"""lauditi2025's figures: theory as lines, networks as points with standard errors (largest width filled,
smaller widths open), the linear probe / untrained network dashed black."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

__all__ = ["plot_fig1", "plot_fig2", "plot_rich_curves", "plot_rich_best", "plot_preactivations", "plot_approach"]


def _colors(n: int):
    import matplotlib.pyplot as plt

    return [plt.get_cmap("viridis")(x) for x in np.linspace(0.05, 0.85, max(n, 1))]


def _points(ax, sims: pd.DataFrame, x: str, color) -> None:
    """Mean and SE over repetitions; the largest width filled circles, smaller widths open squares."""
    widths = sorted(sims["width"].unique())
    for width in widths:
        s = sims[sims["width"] == width].groupby(x)["loss"].agg(["mean", "sem"]).reset_index()
        filled = width == widths[-1]
        ax.errorbar(s[x], s["mean"], yerr=s["sem"], fmt="o" if filled else "s", ms=4 if filled else 3,
                    mfc=color if filled else "none", color=color, lw=0.8, capsize=2)


def _network_legend(ax, sims: pd.DataFrame) -> None:
    """Legend proxies for the networks' markers, after the lines' entries."""
    widths = sorted(sims["width"].unique())
    ax.errorbar([], [], yerr=[], fmt="o", ms=4, color="gray", label=f"networks, N={widths[-1]}")
    if len(widths) > 1:
        ax.errorbar([], [], yerr=[], fmt="s", ms=3, mfc="none", color="gray",
                    label="N=" + ", ".join(map(str, widths[:-1])))


def _probe(ax, theory: pd.DataFrame) -> None:
    p = theory[theory["curve"] == "linear_probe"].drop_duplicates("nu2")
    ax.plot(p["nu2"], p["loss"], "k--", lw=1.2, label="linear probe $1-\\nu_2$")


def _by_alpha_s(ax, theory: pd.DataFrame, sims: pd.DataFrame, alphas, curve: pd.Series) -> None:
    """One theory curve (the rows ``curve`` selects) and the networks' points per alpha_s, the probe."""
    for color, a_s in zip(_colors(len(alphas)), sorted(alphas)):
        t = theory[curve & np.isclose(theory["alpha_s"], a_s)]
        ax.plot(t["nu2"], t["loss"], "-", color=color, lw=1.5, label=f"$\\alpha_s$={a_s:g}")
        _points(ax, sims[(sims["model"] == "finetuned") & np.isclose(sims["alpha_s"], a_s)], "nu2", color)
    _probe(ax, theory)


def plot_fig1(axes, sims: Mapping[str, pd.DataFrame], theory: Mapping[str, pd.DataFrame],
              cfgs: Mapping[str, Mapping]) -> None:
    (ax_a, ax_b, ax_c) = axes
    # (a) Result 2 for several alpha_s
    th = theory["fig1a"]
    _by_alpha_s(ax_a, th, sims["fig1a"], cfgs["fig1a"]["target"]["alpha_s"],
                (th["curve"] == "result2") & (th["chi_reading"] == "plus"))
    ax_a.set_title(f"(a) Result 2: $\\nu_1$={cfgs['fig1a']['source']['nu1'][0]:g}, "
                   f"$\\gamma_1$={cfgs['fig1a']['source']['gamma1'][0]:g}", fontsize=9)
    # (b) alpha_g = 0.1 at finite nu1
    th, cfg = theory["fig1b"], cfgs["fig1b"]
    _by_alpha_s(ax_b, th, sims["fig1b"], cfg["target"]["alpha_s"],
                (th["curve"] == "finetune") & (th["kernel_model"] == cfg["kernel_model"])
                & (th["chi_reading"] == cfg["chi_reading"]))
    ax_b.set_title(f"(b) $\\alpha_g$={cfg['target']['alpha_g'][0]:g}, $\\nu_1$={cfg['source']['nu1'][0]:g}, "
                   f"$\\gamma_1$={cfg['source']['gamma1'][0]:g}", fontsize=9)
    # (c) Result 4 for several nu1
    th, si, cfg = theory["fig1c"], sims["fig1c"], cfgs["fig1c"]
    nus = sorted(cfg["source"]["nu1"])
    for color, nu1 in zip(_colors(len(nus)), nus):
        t = th[np.isclose(th["nu1"], nu1)]
        r = t[t["curve"] == "result4_ridgeless"]
        ax_c.plot(r["nu2"], r["loss"], "-", color=color, lw=1.5, label=f"$\\nu_1$={nu1:g}")
        r = t[t["curve"] == "result4_spike_only"]
        ax_c.plot(r["nu2"], r["loss"], ":", color=color, lw=1.2)
        _points(ax_c, si[(si["model"] == "finetuned") & np.isclose(si["nu1"], nu1)], "nu2", color)
    _probe(ax_c, th)
    ax_c.set_title(f"(c) Result 4, $\\gamma_1\\to\\infty$ (networks: $\\gamma_1$="
                   f"{cfg['source']['gamma1'][0]:g})\nsolid: ridgeless limit, dotted: spike-only readout",
                   fontsize=9)
    for ax, panel in zip(axes, ("fig1a", "fig1b", "fig1c")):
        _network_legend(ax, sims[panel])
    for ax in axes:
        ax.set_xlabel(r"$\nu_2 = P_2/D$")
        ax.set_ylabel("test loss")
        ax.set_xlim(0, 1.05)
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False, fontsize=6)


def plot_fig2(axes, linear: pd.DataFrame, theory: pd.DataFrame, cifar: pd.DataFrame,
              cifar_theory: pd.DataFrame, cfgs: Mapping[str, Mapping]) -> None:
    ax_a, ax_b, ax_c = axes
    cfg = cfgs["fig2a"]
    gammas = sorted(cfg["source"]["gamma1"])
    for color, g in zip(_colors(len(gammas)), gammas):
        for reading, style in (("plus", "-"), ("printed", "--")):
            t = theory[(theory["curve"] == "finetune") & (theory["kernel_model"] == "caption")
                       & (theory["chi_reading"] == reading) & np.isclose(theory["gamma1"], g)]
            if len(t):
                ax_a.plot(t["nu2"], t["loss"], style, color=color, lw=1.3,
                          label=f"$\\gamma_1$={g:g}" if reading == "plus" else None)
        _points(ax_a, linear[(linear["model"] == "finetuned") & np.isclose(linear["gamma1"], g)], "nu2",
                color)
    _probe(ax_a, theory)
    ax_a.set_title("(a) caption's constants, $\\chi=\\sqrt{1+\\gamma_1^2}-1$ (solid),\n"
                   "$\\sqrt{1-\\gamma_1^2}-1$ (dashed); networks (points)", fontsize=8)
    ax_a.set_xlabel(r"$\nu_2 = P_2/D$")
    ax_a.set_xlim(0, 1.05)
    gammas = sorted(cifar["gamma1"].unique())
    for color, g in zip(["k", *_colors(len(gammas) - 1)], gammas):
        t = cifar_theory[np.isclose(cifar_theory["gamma1"], g)].sort_values("P2")
        ax_b.plot(t["P2"], t["loss"], "--" if g == 0 else "-", color=color, lw=1.3,
                  label="untrained" if g == 0 else f"$\\gamma_1$={g:g}")
        _points(ax_b, cifar[np.isclose(cifar["gamma1"], g)], "P2", color)
    ax_b.set_xscale("log")
    ax_b.set_yscale("log")  # a narrow network's interpolation peak (P2 near N) would hide the rest
    ax_b.set_xlabel("$P_2$ (target images)")
    ax_b.set_title("(b) CIFAR-10 {0,1} -> {0,9}: adaptive-kernel\ntheory (lines), networks (points)", fontsize=8)
    P2s = sorted(cifar["P2"].unique())
    for color, P2 in zip(_colors(len(P2s)), P2s):
        t = cifar_theory[cifar_theory["P2"] == P2].sort_values("gamma1")
        ax_c.plot(t["gamma1"], t["loss"], "-", color=color, lw=1.3, label=f"$P_2$={P2}")
        _points(ax_c, cifar[cifar["P2"] == P2], "gamma1", color)
    ax_c.set_yscale("log")
    ax_c.set_xlabel(r"$\gamma_1$ (0: untrained)")
    ax_c.set_title("(c) the same losses vs the source's\nfeature strength", fontsize=8)
    _network_legend(ax_a, linear)
    _network_legend(ax_b, cifar)
    _network_legend(ax_c, cifar)
    for ax in axes:
        ax.set_ylabel("test loss")
        ax.legend(frameon=False, fontsize=6)


def plot_rich_curves(ax, curves: pd.DataFrame, gamma2s, *, n: int, P2=None, title: str = "") -> None:
    """Phase-2 target test loss vs Euler steps: networks of width n solid (mean over seeds, SE band), DMFT
    dashed, no pre-training dotted, one colour per gamma2."""
    for color, g in zip(_colors(len(gamma2s)), gamma2s):
        c = curves[curves["gamma2"] == g]
        if P2 is not None:
            c = c[c["P2"] == P2]
        for model, pre, style in (("net", True, "-"), ("dmft", True, "--"), ("net", False, ":")):
            s = c[(c["model"] == model) & (c["pretrain"] == pre)]
            if model == "net":
                s = s[s["n"] == n]
            if s.empty:
                continue
            ax.plot(s["step"], s["mean"], style, color=color, lw=1.3,
                    label=f"gamma2 = {g:g}" if (model, pre) == ("net", True) else None)
            if model == "net" and pre:
                ax.fill_between(s["step"], s["mean"] - s["sem"], s["mean"] + s["sem"], color=color, alpha=0.2)
    ax.plot([], [], "k-", label=f"network N = {n}")
    ax.plot([], [], "k--", label="DMFT")
    ax.plot([], [], "k:", label="no pre-training")
    ax.set_xlabel("Euler steps in phase 2")
    ax.set_ylabel("target test loss (MSE)")
    ax.set_yscale("log")
    ax.legend(fontsize=6, frameon=False)
    ax.set_title(title, fontsize=9)


def plot_rich_best(ax, best: pd.DataFrame, x: str, gamma2s, *, n: int, title: str = "") -> None:
    """The best test loss over time (mean, SE over seeds) vs ``x`` (gamma2 or P2), with pre-training solid,
    without dashed; one line per gamma2 when x is P2."""
    b = best[(best["model"] == "net") & (best["n"] == n)]
    groups = [(None, "C0")] if x == "gamma2" else list(zip(gamma2s, _colors(len(gamma2s))))
    for g, color in groups:
        s = b if g is None else b[b["gamma2"] == g]
        for pre, style in ((True, "o-"), (False, "s--")):
            m = s[s["pretrain"] == pre].groupby(x)["test_loss"].agg(["mean", "sem"]).reset_index()
            label = ("with" if pre else "without") + " pre-training" + ("" if g is None else f", gamma2 = {g:g}")
            ax.errorbar(m[x], m["mean"], yerr=m["sem"], fmt=style, color=color, ms=4, capsize=2, label=label)
    ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel("best target test loss")
    ax.legend(fontsize=6, frameon=False)
    ax.set_title(title, fontsize=9)


def plot_preactivations(ax, h_net: Mapping[float, np.ndarray], h_dmft: Mapping[float, np.ndarray]) -> None:
    """Histograms of the networks' test pre-activations after phase 2 per gamma2, the DMFT's as lines."""
    gs = sorted(h_net)
    allv = np.concatenate([np.ravel(v) for v in h_net.values()])
    lo, hi = np.percentile(allv, [0.5, 99.5])
    bins = np.linspace(lo, hi, 60)
    for color, g in zip(_colors(len(gs)), gs):
        ax.hist(np.ravel(h_net[g]), bins=bins, density=True, histtype="stepfilled", alpha=0.3, color=color,
                label=f"gamma2 = {g:g}")
        if g in h_dmft:
            dens, edges = np.histogram(np.ravel(h_dmft[g]), bins=bins, density=True)
            ax.plot(0.5 * (edges[1:] + edges[:-1]), dens, color=color, lw=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("pre-activation h on test points")
    ax.set_ylabel("p(h)")
    ax.legend(fontsize=6, frameon=False, title="networks: histograms; DMFT: lines", title_fontsize=6)


def plot_approach(ax, distances: Mapping[str, Mapping[str, float]]) -> None:
    """RMS network-DMFT distance of the mean test-loss curves vs the width, per experiment, 1/sqrt(N) guide."""
    for exp, d in distances.items():
        w = np.array(sorted(int(k) for k in d))
        v = np.array([d[str(k)] for k in w])
        ax.loglog(w, v, "o-", label=exp)
        ax.loglog(w, v[0] * np.sqrt(w[0] / w), "k:", lw=0.8)
    widths = sorted({int(k) for d in distances.values() for k in d})
    ax.set_xticks(widths, [str(x) for x in widths])
    ax.minorticks_off()
    ax.set_xlabel("width N")
    ax.set_ylabel("RMS distance to the DMFT")
    ax.legend(fontsize=6, frameon=False, title="dotted: 1/sqrt(N)", title_fontsize=6)
