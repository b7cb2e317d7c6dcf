"""ImageNet-pretrained torchvision weights: offline mirror, torch's own cache, or a verified download.

File names and URLs are torchvision's (``resnet50-11ad3fa6.pth``); the hex digits in the name are the
start of the file's SHA-256, checked as torchvision's ``check_hash=True`` does. Mirror layout:
``<mirror>/weights/<file name>``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DataError
from .fetch import CACHE_ENV, VerifiedFile, fetch_file
from .registry import WEIGHTS_SUBDIR, get_weights


def _torch():
    """PyTorch, needed only here: the dataset part of tlrepro.data works without it."""
    try:
        import torch
        import torch.hub
    except ImportError as err:
        raise DataError(f"loading pretrained weights needs PyTorch, which is not installed ({err}); "
                        f"use envs/torch.yaml or `pip install torch`") from None
    return torch


def weights_cache(cache: str | os.PathLike | None = None) -> Path:
    """``<cache>/weights`` when a cache is given (argument or ``$TLREPRO_DATA_CACHE``), else torch's
    checkpoint folder (``torch.hub.get_dir()/checkpoints``), shared with torchvision itself."""
    if cache is not None or os.environ.get(CACHE_ENV):
        return Path(cache if cache is not None else os.environ[CACHE_ENV]).expanduser() / WEIGHTS_SUBDIR
    return Path(_torch().hub.get_dir()) / "checkpoints"


def fetch_weights(arch: str, weights: str = "DEFAULT", *, mirror: str | os.PathLike | None = None,
                  cache: str | os.PathLike | None = None) -> VerifiedFile:
    """The verified weights file of ``arch`` (e.g. "resnet50") in torchvision variant ``weights``."""
    w = get_weights(arch, weights)
    vf, _ = fetch_file(w.file, label=f"pretrained weights '{w.arch}/{w.variant}'",
                       subdir=WEIGHTS_SUBDIR, mirror=mirror, cache_dir=weights_cache(cache))
    return vf


def load_pretrained_state_dict(arch: str, weights: str = "DEFAULT", *,
                               mirror: str | os.PathLike | None = None,
                               cache: str | os.PathLike | None = None) -> dict:
    """The state dict of torchvision's ImageNet-pretrained ``arch`` (CPU tensors), verified first.

    ``weights``: torchvision's variant name; "DEFAULT" is torchvision's default (resnet18:
    IMAGENET1K_V1, resnet50: IMAGENET1K_V2)."""
    torch = _torch()
    path = fetch_weights(arch, weights, mirror=mirror, cache=cache).path
    return torch.load(path, map_location="cpu", weights_only=True)
