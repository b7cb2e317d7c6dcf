"""One call per figure: the figure and the claims verdicts checked on the same data."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from ..claims import Verdict
from .analysis import (best_table, landscape_claims, landscape_summary, table_claims,
                       training_claims)
from .plots import plot_landscapes, plot_table, plot_training

FIGURES = ("training", "landscape", "table")


def make_figure(name: str, metrics: pd.DataFrame, landscapes: pd.DataFrame,
                settings: Mapping[str, Any]) -> tuple[Any, list[Verdict], dict[str, Any]]:
    """(matplotlib figure, verdicts, extra numbers for the claims file) of figure ``name``.

    ``settings``: the claims section of the config (n_sigma, alpha)."""
    if name == "training":
        return plot_training(metrics), training_claims(metrics), {}
    if name == "landscape":
        summary = landscape_summary(landscapes)
        return (plot_landscapes(landscapes, summary), landscape_claims(landscapes),
                {"summary": summary.to_dict(orient="index")})
    if name == "table":
        best = best_table(metrics)
        return plot_table(best), table_claims(best, settings), {"best": best.to_dict(orient="index")}
    raise ValueError(f"unknown pintus2025 figure {name!r}; known: {', '.join(FIGURES)}")
