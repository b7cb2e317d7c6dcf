"""gerace2022's plots: learning curves (theory lines, simulation points with error bars) and phase
diagrams (a test-error difference over grid value x M/H), in the paper's colours."""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

__all__ = ["STYLE", "plot_learning_curves", "plot_phase_diagram"]

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


def _edges(centres, log: bool):
    """Cell edges around sorted centres (geometric midpoints on a log axis)."""
    import numpy as np

    c = np.log10(centres) if log else np.asarray(centres, float)
    if c.size == 1:
        e = np.array([c[0] - 0.5, c[0] + 0.5])
    else:
        mid = 0.5 * (c[1:] + c[:-1])
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return 10 ** e if log else e


def plot_phase_diagram(ax, cells: pd.DataFrame, *, title: str, xlabel: str, ylabel: str,
                       x_factor: float = 1.0, thresholds: Mapping[float, float] | None = None,
                       ylog: bool = False):
    """A test-error difference over (grid value, M/H): diverging colour map centred at 0 (blue: the
    first model better), log x-axis; optional separability threshold alpha*(value) as a dashed line.

    cells: columns value, alpha, diff (one row per cell; missing cells are left blank)."""
    import textwrap

    import numpy as np
    from matplotlib.colors import TwoSlopeNorm

    m = cells.pivot(index="value", columns="alpha", values="diff").sort_index().sort_index(axis=1)
    x, y = m.columns.to_numpy(float) * x_factor, m.index.to_numpy(float)
    vmax = float(np.nanmax(np.abs(m.to_numpy()))) or 1e-12
    mesh = ax.pcolormesh(_edges(x, True), _edges(y, ylog), m.to_numpy(), cmap="RdBu_r",
                         norm=TwoSlopeNorm(0.0, -vmax, vmax))
    if thresholds:
        vals = sorted(thresholds)
        ax.plot([thresholds[v] * x_factor for v in vals], vals, "k--", lw=1,
                label=r"$\alpha^*_{TF}$ (theory)")
        ax.legend(frameon=False, fontsize=7, loc="upper right")
    ax.set_xscale("log")
    if ylog:
        ax.set_yscale("log")
    ax.set_xlim(_edges(x, True)[[0, -1]])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("\n".join(textwrap.fill(t, 58) for t in title.split("\n")), fontsize=8)
    ax.figure.colorbar(mesh, ax=ax, label=r"$\Delta\epsilon_g$")
    return mesh
