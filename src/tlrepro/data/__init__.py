"""Dataset download layer: verified raw files (official source or offline mirror) -> one canonical
npz per dataset (``resources/datasets/<name>.npz``).

    from tlrepro.data import fetch, prepare, load
    fetched = fetch("mnist")                    # verified raw files; fetched.form, fetched.paths
    prepare("mnist", "resources/datasets/mnist.npz", mirror="/path/to/mirror")
    ds = load("mnist")                          # ds.x_train, ds.y_train, ds.x_test, ds.y_test, ds.meta

Offline mirror: ``mirror=`` or ``$TLREPRO_DATA_MIRROR`` (layout ``<mirror>/<subdir>/<file>``, see
:mod:`tlrepro.data.registry`). Errors: :class:`DataError` and its subclasses.

Note: ``tlrepro.data.fetch`` is the function; the module of the same name is reached with
``importlib.import_module("tlrepro.data.fetch")`` or ``from tlrepro.data.fetch import ...``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .canonical import CanonicalDataset, build
from .errors import (MIRROR_ENV, ChecksumError, DataError, DownloadError, ManualDownloadRequired,
                     MissingDataError, OfflineError, UnknownDatasetError, VerificationError)
from .fetch import CACHE_ENV, Fetched, VerifiedFile, fetch
from .registry import DATASETS, downloadable_names
from .weights import fetch_weights, load_pretrained_state_dict

DEFAULT_ROOT = Path("resources/datasets")

__all__ = [
    "CACHE_ENV", "CanonicalDataset", "ChecksumError", "DATASETS", "DataError", "DownloadError",
    "Fetched", "MIRROR_ENV", "ManualDownloadRequired", "MissingDataError", "OfflineError",
    "UnknownDatasetError", "VerificationError", "VerifiedFile", "canonical_path",
    "downloadable_names", "fetch", "fetch_weights", "load", "load_pretrained_state_dict", "prepare",
]


def canonical_path(name: str, root: str | os.PathLike = DEFAULT_ROOT) -> Path:
    """Where the canonical file of dataset ``name`` lives: ``<root>/<name>.npz``."""
    return Path(root) / f"{name}.npz"


def prepare(name: str, out_path: str | os.PathLike | None = None, *,
            mirror: str | os.PathLike | None = None,
            cache: str | os.PathLike | None = None,
            source: str | os.PathLike | None = None) -> Path:
    """Fetch and verify dataset ``name``, write its canonical npz atomically, return its path.

    ``source``: for a dataset the user provides (breast_idc), the archive or folder, when not in the
    mirror. Nothing is written if any file fails its check."""
    out = Path(out_path) if out_path is not None else canonical_path(name)
    return build(fetch(name, mirror=mirror, cache=cache, source=source)).save(out)


def load(name: str, *, root: str | os.PathLike = DEFAULT_ROOT,
         path: str | os.PathLike | None = None) -> CanonicalDataset:
    """Read a canonical dataset written by :func:`prepare` (``<root>/<name>.npz`` or ``path``)."""
    p = Path(path) if path is not None else canonical_path(name, root)
    if not p.is_file():
        raise MissingDataError(f"dataset '{name}': canonical file {p} does not exist; build it with "
                               f"`snakemake --cores 1 {p}` or tlrepro.data.prepare('{name}')")
    return CanonicalDataset.load(p)
