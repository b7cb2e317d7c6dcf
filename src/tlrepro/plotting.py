"""Shared plotting: learning curves (theory lines, simulation points with error bars) and figure
saving with a provenance stamp and byte-reproducible output."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

STYLE = {  # paper colours: TF light blue, RF orange, 2L green
    "TF": {"color": "#4fa8d8", "label": "TF"},
    "RF": {"color": "#f28e2b", "label": "RF"},
    "2L": {"color": "#59a14f", "label": "2L"},
    "ft-TF": {"color": "#b07aa1", "label": "ft-TF"},
}


def plot_learning_curves(ax, theory: pd.DataFrame | None, summary: pd.DataFrame,
                         models: Sequence[str], *, thresholds: Mapping[str, float] | None = None,
                         xlabel: str = r"$M/H$", ylabel: str = r"test error $\epsilon_g$") -> None:
    """Theory as full lines, simulations as points with SEM error bars joined by dashed lines,
    optional separability thresholds as dotted verticals; log x-axis."""
    for model in models:
        st = STYLE.get(model, {"color": None, "label": model})
        if theory is not None and model in set(theory["model"]):
            th = theory[theory["model"] == model].groupby("alpha")["test_error"].mean()
            ax.plot(th.index, th.values, "-", color=st["color"], lw=1.8, label=f"{st['label']} theory")
        s = summary[summary["model"] == model].sort_values("alpha")
        if len(s):
            label = f"{st['label']} sim." if theory is not None and model in set(theory["model"]) \
                else st["label"]
            ax.errorbar(s["alpha"], s["mean"], yerr=s["sem"], fmt="o--", ms=4, lw=0.8, capsize=2,
                        color=st["color"], label=label)
        if thresholds and model in thresholds:
            ax.axvline(thresholds[model], color=st["color"], ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, fontsize=8)


def save_figure(fig, stem: str | os.PathLike, *, stamp: Mapping[str, str]) -> list[Path]:
    """Save ``fig`` as PDF and PNG with a short provenance stamp in the metadata.

    Dates are fixed (SOURCE_DATE_EPOCH, default 0) so the same inputs give the same bytes."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    text = "; ".join(f"{k}={v}" for k, v in stamp.items())
    pdf, png = stem.with_suffix(".pdf"), stem.with_suffix(".png")
    fig.savefig(pdf, metadata={"Subject": text, "Creator": "tlrepro", "CreationDate": None})
    fig.savefig(png, dpi=150, metadata={"tlrepro": text, "Software": "tlrepro"})
    return [pdf, png]
