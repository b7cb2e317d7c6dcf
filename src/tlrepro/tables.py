"""Result tables: the tidy CSV files (one row per point, seeds as rows) that rules write and figure
notebooks read."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

__all__ = ["load_tables"]


def load_tables(paths: Iterable[str]) -> pd.DataFrame:
    """Concatenate result CSVs (theory or simulation tables) into one tidy frame."""
    frames = [pd.read_csv(p) for p in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
