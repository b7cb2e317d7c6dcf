"""gerace2023's figures: defrosting profiles (test accuracy vs the number k of transferred units, mean and
standard error over the seeds, the optimum starred), the procedure's cartoon, example images of the
datasets, the "data not provided" panels of ImageNet -> IDC, similarity profiles per unit and compliant
learning's accuracy and weight distance vs the coupling."""

from __future__ import annotations

import textwrap
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["plot_profiles", "plot_missing", "plot_procedure", "plot_examples", "size_label", "plot_similarity",
           "plot_compliant", "CLONE_COLOURS"]

#: the paper's colours: IsoGM magenta, GM blue, autoencoder clones green (lighter = smaller bottleneck)
CLONE_COLOURS = {"isogm": "m", "gm": "tab:blue", "L4": "#a1d99b", "L32": "#41ab5d", "L256": "#006d2c",
                 "L1024": "#00441b"}


def size_label(n: int, pool: int) -> str:
    return f"all ({pool}/class)" if n == 0 else f"{n}/class"


def _shades(cmap: str, n: int):
    import matplotlib.pyplot as plt

    return [plt.get_cmap(cmap)(x) for x in np.linspace(0.35, 0.95, max(n, 1))]


def plot_profiles(ax, summary: pd.DataFrame, source: str, target: str, sizes: Sequence[int], *, pool: int,
                  cmap: str = "Reds", title: str | None = None, n_units: int | None = None) -> None:
    """One profile per size (lighter = smaller), the optimum of each starred."""
    order = sorted(sizes, key=lambda n: pool if n == 0 else n)
    for color, n in zip(_shades(cmap, len(order)), order):
        s = summary[(summary["source"] == source) & (summary["target"] == target)
                    & (summary["n_per_class"] == n)].sort_values("k")
        if s.empty:
            continue
        ax.errorbar(s["k"], s["mean"], yerr=s["sem"], fmt="o-", ms=3.5, lw=1.2, capsize=2, color=color,
                    label=size_label(n, pool))
        best = s.loc[s["mean"].idxmax()]
        ax.plot(best["k"], best["mean"], "*", ms=13, color="red", mec="k", zorder=5)
    ax.set_xlabel("k (units transferred and frozen)" + (f", of {n_units}" if n_units else ""))
    ax.set_ylabel("test accuracy")
    ax.set_title(title or f"{source} -> {target}", fontsize=9)
    ax.legend(frameon=False, fontsize=6)


def plot_missing(ax, title: str, status: Mapping | None) -> None:
    """A panel whose data the user has not provided: what is missing and how to provide it."""
    ax.set_axis_off()
    details = (status or {}).get("details") or "no status recorded"
    text = (f"{title}\n\n{(status or {}).get('status', 'data not provided')}\n\n"
            + "\n".join(textwrap.wrap(str(details), 70)[:14]))
    ax.text(0.0, 1.0, text, va="top", ha="left", fontsize=6, family="monospace", transform=ax.transAxes)


def plot_procedure(ax, n_units: int, k: int, down: Sequence[int]) -> None:
    """The cartoon of Fig. 2: the units as boxes, 1..k transferred and frozen, the rest retrained."""
    from matplotlib.patches import FancyBboxPatch

    ax.set_axis_off()
    ax.set_xlim(-0.5, n_units + 0.5)
    ax.set_ylim(-1.2, 1.8)
    for i in range(1, n_units + 1):
        frozen = i <= k
        ax.add_patch(FancyBboxPatch((i - 0.9, -0.4), 0.8, 0.8, boxstyle="round,pad=0.02",
                                    fc="#9ecae1" if frozen else "#fdae6b", ec="k", lw=0.8))
        ax.text(i - 0.5, 0, str(i), ha="center", va="center", fontsize=7)
        if i in down:
            ax.text(i - 0.5, -0.7, "/2", ha="center", va="center", fontsize=6)
    if k > 0:
        ax.annotate("", xy=(k - 0.05, 0.8), xytext=(0.05, 0.8), arrowprops=dict(arrowstyle="<->", lw=0.8))
    ax.annotate("", xy=(n_units - 0.05, 0.8), xytext=(k + 0.05, 0.8), arrowprops=dict(arrowstyle="<->", lw=0.8))
    ax.text(0.05, 1.45, f"units 1..{k}: transferred from the source, frozen" if k else
            "k* = 0: no unit transferred", ha="left", fontsize=7, color="#3182bd")
    ax.text(0.05, 1.1, f"units {k + 1}..{n_units}: re-initialised, trained on the target", ha="left",
            fontsize=7, color="#e6550d")
    ax.text(-0.4, -1.05, "units: stem, blocks (/2: down-sampling), final norm, output layer", fontsize=6)


def plot_examples(ax, images: np.ndarray, labels: np.ndarray, title: str, per: int = 5) -> None:
    """A strip of example images, one per class for the first ``per`` classes."""
    picks = [np.flatnonzero(labels == c)[0] for c in range(per) if np.any(labels == c)]
    ax.imshow(np.concatenate([images[i] for i in picks], axis=1), interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(title, fontsize=7)


def plot_similarity(ax, sim: pd.DataFrame, clones: Sequence[str], measure: str, label: str, *,
                    down: Sequence[int] = (), title: str | None = None) -> None:
    """A measure per unit for every clone (mean and standard error over the seeds); down-sampling units
    shaded."""
    for u in down:
        ax.axvspan(u - 0.5, u + 0.5, color="0.92", zorder=0)
    for c in clones:
        g = sim[sim["source"] == c].groupby("unit")[measure]
        m, n = g.mean(), g.count()
        se = g.std().fillna(0) / np.sqrt(n)
        ax.errorbar(m.index, m.values, yerr=se.values, marker="o", ms=3, capsize=2, label=c,
                    color=CLONE_COLOURS.get(c))
    ax.set_xlabel("unit (layer)")
    ax.set_ylabel(label)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)


def plot_compliant(ax_acc, ax_dist, runs: pd.DataFrame) -> None:
    """Test accuracy and first-layer cosine distance vs lambda (mean and SE over seeds); lambda = 0 is drawn
    at the left end of the log axis, a decade below the smallest positive lambda."""
    g = runs.groupby("lambda")
    lams = np.array(sorted(runs["lambda"].unique()), dtype=float)
    pos = lams[lams > 0]
    x = np.where(lams > 0, lams, (pos.min() / 10) if len(pos) else 1.0)
    for ax, col, label in ((ax_acc, "test_accuracy", "CIFAR-10 test accuracy"),
                           (ax_dist, "distance_first", "first-layer cosine distance to GM")):
        m, se = g[col].mean().loc[lams], (g[col].std().fillna(0) / np.sqrt(g[col].count())).loc[lams]
        ax.errorbar(x, m.values, yerr=se.values, marker="o", capsize=2)
        ax.set_xscale("log")
        ax.set_xticks(x, ["0" if lam == 0 else f"{lam:g}" for lam in lams])
        ax.minorticks_off()
        ax.set_xlabel("lambda (coupling to the GM network)")
        ax.set_ylabel(label)
