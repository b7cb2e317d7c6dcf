"""Figure saving shared by every paper: PDF and PNG with a provenance stamp in the metadata and
byte-reproducible output (fixed dates). Importing it selects matplotlib's non-interactive Agg backend."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import matplotlib

matplotlib.use("Agg")

__all__ = ["save_figure"]


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
