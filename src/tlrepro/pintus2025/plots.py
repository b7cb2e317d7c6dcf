"""The experiment's three figures: training curves, landscape slices, the best-values table.

Each function returns a matplotlib figure; the notebook saves it with
:func:`tlrepro.plotting.save_figure` (provenance stamp, reproducible bytes)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .analysis import LAYER_KINDS, network_rows  # noqa: E402
from .config import CHANCE_LOSS, PAPER_TABLE  # noqa: E402

STYLE = {"new": {"color": "#f28e2b", "label": "new (random init)"},
         "pretrained": {"color": "#4e79a7", "label": "pretrained (ImageNet-1K)"}}


def _style(model: str) -> dict:
    return STYLE.get(model, {"color": None, "label": model})


def plot_training(metrics: pd.DataFrame, head: str = "fc") -> plt.Figure:
    """Per step: training and evaluation loss, balanced accuracy, gradient norm, network magnitude and
    angle change; per layer (conv and fc, by depth) the magnitude and angle change at the last step."""
    fig, axes = plt.subplots(2, 4, figsize=(13, 5.6), layout="constrained")
    net = network_rows(metrics)
    panels = [("train_loss", "training loss (50 images)", False),
              ("eval_loss", "evaluation loss", False),
              ("balanced_accuracy", "balanced accuracy (evaluation)", False),
              ("grad_norm", "gradient norm", True),
              ("weight_norm_change", r"$|\,\|w\|-\|w_0\|\,| / \|w_0\|$ (network)", True),
              ("angle_change", r"angle$(w, w_0)$ [rad] (network)", True)]
    for ax, (col, label, logy) in zip(axes.flat, panels):
        for model, g in net.groupby("model", sort=True):
            g = g.dropna(subset=[col])
            ax.plot(g["step"], g[col], "-" if len(g) > 20 else ".-", **_style(model))
        ax.set(xlabel="step", ylabel=label, yscale="log" if logy else "linear")
    for ax in axes[0, :2]:
        ax.axhline(CHANCE_LOSS, color="grey", ls=":", lw=1, label="ln 10")
    axes[0, 2].axhline(0.1, color="grey", ls=":", lw=1, label="chance")
    layers = metrics[metrics["kind"].isin(LAYER_KINDS)]
    last = layers[layers["step"] == layers.groupby("model")["step"].transform("max")]
    for ax, col, label in ((axes[1, 2], "weight_norm_change", "layer-wise magnitude change"),
                           (axes[1, 3], "angle_change", "layer-wise angle change [rad]")):
        for model, g in last.groupby("model", sort=True):
            st = _style(model)
            ax.plot(g["depth"], g[col], ".-", ms=3, lw=0.7, color=st["color"], label=st["label"])
            h = g[g["scope"] == head]
            ax.plot(h["depth"], h[col], "*", ms=10, color=st["color"])
        ax.set(xlabel=f"layer depth (conv, {head} = star), last step", ylabel=label, yscale="log")
    axes[0, 0].legend(frameon=False, fontsize=7)
    axes[0, 2].legend(frameon=False, fontsize=7)
    return fig


def plot_landscapes(landscapes: pd.DataFrame, summary: pd.DataFrame | None = None) -> plt.Figure:
    """Filled contours of log10 of each model's slice (own colour scale: a random network's loss can
    span decades), centre marked."""
    models = sorted(landscapes["model"].unique())
    fig, axes = plt.subplots(1, len(models), figsize=(4.6 * len(models), 3.9), layout="constrained",
                             squeeze=False)
    for ax, model in zip(axes[0], models):
        g = landscapes[landscapes["model"] == model]
        surface = g.pivot(index="beta", columns="alpha", values="loss").sort_index().sort_index(axis=1)
        cs = ax.contourf(surface.columns, surface.index, np.log10(surface.to_numpy()), levels=20,
                         cmap="viridis")
        fig.colorbar(cs, ax=ax, label=r"$\log_{10}$ loss, 50 training images")
        ax.plot(0, 0, "w+", ms=10)
        title = _style(model)["label"]
        if summary is not None and model in summary.index:
            title += f"\nmean |Laplacian| {summary.at[model, 'mean_abs_laplacian']:.3g}, " \
                     f"range {summary.at[model, 'loss_range']:.3g}"
        ax.set(title=title, xlabel=r"$\alpha$ (direction 1)", ylabel=r"$\beta$ (direction 2)",
               aspect="equal")
        ax.title.set_fontsize(9)
    return fig


def plot_table(best: pd.DataFrame) -> plt.Figure:
    """The slides' table beside ours (best evaluation loss and balanced accuracy per model)."""
    rows, cells = [], []
    for model in best.index:
        b, p = best.loc[model], PAPER_TABLE.get(model, {})
        rows.append(_style(model)["label"])
        cells.append([f"{b['best_loss']:.4f} ± {b['best_loss_sem']:.4f}",
                      f"{100 * b['best_balanced_accuracy']:.2f} % ± "
                      f"{100 * b['best_balanced_accuracy_se']:.2f}",
                      f"{p.get('best_loss', math.nan):.4f}",
                      f"{100 * p.get('best_balanced_accuracy', math.nan):.2f} %"])
    fig, ax = plt.subplots(figsize=(8.2, 0.5 + 0.45 * len(rows)), layout="constrained")
    ax.axis("off")
    table = ax.table(cellText=cells, rowLabels=rows, loc="center", cellLoc="center",
                     colLabels=["best loss (ours)", "best bal. accuracy (ours)", "best loss (slides)",
                                "best bal. accuracy (slides)"])
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.4)
    return fig
