"""Raw files -> the one canonical array format per dataset, and reading/writing it.

Canonical file ``resources/datasets/<name>.npz``:

- ``x_train``, ``x_test``: uint8 images, upright, (N, H, W) grey or (N, H, W, C) colour;
- ``y_train``, ``y_test``: int64 labels (the official values; ``metadata.classes[y - label_offset]``
  names them: EMNIST letters keep their official 1..26);
- optional extras: ``train_index`` / ``test_index`` (positions in the official split, partial forms),
  ``test_exact_mask`` (CIFAR-10 partial), ``train_filenames`` / ``test_filenames`` (notMNIST);
- ``metadata``: a JSON string: dataset, form (official / partial / converted), complete, origin,
  notes, split, classes, the raw files with their md5/sha256 and how they were checked.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import pickle
import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

import numpy as np

from . import registry
from .errors import VerificationError
from .fetch import Fetched

FORMAT_VERSION = 1
ARRAYS = ("x_train", "y_train", "x_test", "y_test")
log = logging.getLogger(__name__)


@dataclass
class CanonicalDataset:
    """A dataset in canonical form (see the module docstring)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def save(self, path: str | Path) -> Path:
        """Write the npz atomically (a temporary file renamed into place)."""
        from ..runtime import atomic_write

        arrays = {k: getattr(self, k) for k in ARRAYS} | self.extras
        blob = np.array(json.dumps(self.meta, sort_keys=True))
        atomic_write(path, lambda tmp: np.savez(tmp, **arrays, metadata=blob))
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> "CanonicalDataset":
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["metadata"]))
            extras = {k: z[k] for k in z.files if k not in ARRAYS and k != "metadata"}
            return cls(meta.get("dataset", Path(path).stem), *(z[k] for k in ARRAYS), extras, meta)


# ------------------------------------------------------------------------------------ IDX files
def read_idx(data: bytes, *, what: str = "IDX data") -> np.ndarray:
    """Parse an (uncompressed) IDX file of unsigned bytes: magic 0x0000 08 <ndim>, big-endian dims."""
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] != 0x08:
        raise VerificationError(f"{what}: not an IDX file of unsigned bytes (header {data[:4].hex()})")
    ndim = data[3]
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(dims)):
        raise VerificationError(f"{what}: IDX header says {dims} but {len(data) - offset} bytes follow")
    return np.frombuffer(data, np.uint8, offset=offset).reshape(dims).copy()


def read_idx_gz(source: str | Path | IO[bytes], *, what: str | None = None) -> np.ndarray:
    """Parse a gzip-compressed IDX file (a path or an open binary file)."""
    name = what or str(getattr(source, "name", source))
    try:
        with gzip.open(source, "rb") as fh:
            return read_idx(fh.read(), what=name)
    except (OSError, EOFError) as err:
        raise VerificationError(f"{name}: not a readable gzip file ({err})") from None


# -------------------------------------------------------------------------------------- parsers
Parsed = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict, list]


def _mnist_official(f: Fetched) -> Parsed:
    arr = {n: read_idx_gz(f.path(n)) for n in (
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
    return (arr["train-images-idx3-ubyte.gz"], arr["train-labels-idx1-ubyte.gz"],
            arr["t10k-images-idx3-ubyte.gz"], arr["t10k-labels-idx1-ubyte.gz"], {}, [])


def _upright(x: np.ndarray) -> np.ndarray:
    """EMNIST images are stored transposed in the IDX files."""
    return np.ascontiguousarray(x.transpose(0, 2, 1))


def _emnist_official(f: Fetched) -> Parsed:
    with zipfile.ZipFile(f.path("gzip.zip")) as zf:
        names = zf.namelist()

        def member(suffix: str) -> np.ndarray:
            hits = [n for n in names if n.endswith(suffix)]
            if len(hits) != 1:
                raise VerificationError(f"gzip.zip: expected one member *{suffix}, found {hits}")
            with zf.open(hits[0]) as fh:
                return read_idx_gz(fh, what=hits[0])

        xtr, ytr = member("emnist-letters-train-images-idx3-ubyte.gz"), member(
            "emnist-letters-train-labels-idx1-ubyte.gz")
        xte, yte = member("emnist-letters-test-images-idx3-ubyte.gz"), member(
            "emnist-letters-test-labels-idx1-ubyte.gz")
    return _upright(xtr), ytr, _upright(xte), yte, {}, ["images transposed to upright"]


def _emnist_partial(f: Fetched) -> Parsed:
    with np.load(f.path("emnist_letters_partial.npz"), allow_pickle=False) as z:
        x_test, y_test = z["x_test"], z["y_test"]
        x_tr, y_tr, idx = z["x_train_part"], z["y_train_part"], z["train_part_index"]
    train_labels = read_idx_gz(f.path("emnist-letters-train-labels-idx1-ubyte.gz"))
    test_labels = read_idx_gz(f.path("emnist-letters-test-labels-idx1-ubyte.gz"))
    test_idx = np.arange(len(y_test))
    if not (np.array_equal(train_labels[idx], y_tr) and np.array_equal(test_labels[test_idx], y_test)):
        raise VerificationError("emnist_letters partial: the labels in emnist_letters_partial.npz "
                                "differ from the official label files at the same positions")
    extras = {"train_index": idx.astype(np.int64), "test_index": test_idx.astype(np.int64)}
    return (_upright(x_tr), y_tr, _upright(x_test), y_test, extras,
            ["images transposed to upright",
             f"official totals: {len(train_labels)} train and {len(test_labels)} test labels"])


def notmnist_split(images: np.ndarray, labels: np.ndarray, filenames: np.ndarray,
                   every: int | None = None) -> Parsed:
    """Our deterministic split of notMNIST_small: sort by (class, file name); within each class the
    images at positions 0, every, 2*every, ... are test, the rest train."""
    every = every or registry.NOTMNIST_TEST_EVERY
    order = sorted(range(len(labels)), key=lambda i: (int(labels[i]), str(filenames[i])))
    images, labels, filenames = images[order], np.asarray(labels)[order], np.asarray(filenames)[order]
    first = {int(c): int(np.argmax(labels == c)) for c in np.unique(labels)}
    position = np.arange(len(labels)) - np.array([first[int(c)] for c in labels])
    test = position % every == 0
    extras = {"train_filenames": filenames[~test].astype(str),
              "test_filenames": filenames[test].astype(str)}
    return images[~test], labels[~test], images[test], labels[test], extras, []


_NOTMNIST_MEMBER = re.compile(r"^(?:\./)?notMNIST_small/(?P<cls>[A-J])/(?P<file>[^/]+)$")


def _notmnist_official(f: Fetched) -> Parsed:
    from PIL import Image, UnidentifiedImageError

    images, labels, names, unreadable = [], [], [], []
    with tarfile.open(f.path("notMNIST_small.tar.gz"), "r:gz") as tf:
        for m in tf:
            hit = _NOTMNIST_MEMBER.match(m.name) if m.isfile() else None
            if not hit:
                continue
            rel = f"{hit['cls']}/{hit['file']}"
            try:
                with Image.open(io.BytesIO(tf.extractfile(m).read())) as im:
                    arr = np.asarray(im.convert("L") if im.mode != "L" else im, dtype=np.uint8)
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
                unreadable.append(rel)
                continue
            if arr.shape != (28, 28):
                raise VerificationError(f"notMNIST_small.tar.gz: {m.name} is {arr.shape}, not 28x28")
            images.append(arr)
            labels.append(ord(hit["cls"]) - ord("A"))
            names.append(rel)
    out = notmnist_split(np.stack(images), np.array(labels, np.int64), np.array(names))
    return (*out[:5], [f"unreadable files skipped: {sorted(unreadable)}"])


def _notmnist_converted(f: Fetched) -> Parsed:
    with np.load(f.path("notmnist_small.npz"), allow_pickle=False) as z:
        images, labels, names, unreadable = z["images"], z["labels"], z["filenames"], z["unreadable"]
    out = notmnist_split(images, labels.astype(np.int64), names)
    return (*out[:5], [f"unreadable files skipped: {sorted(str(u) for u in unreadable)}"])


def _cifar_batches(tf: tarfile.TarFile, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for n in names:
        fh = tf.extractfile(f"cifar-10-batches-py/{n}")
        # The archive's md5 was verified before this point, so unpickling it is safe.
        batch = pickle.load(fh, encoding="bytes")
        xs.append(np.asarray(batch[b"data"], np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        ys.append(np.asarray(batch[b"labels"], np.int64))
    return np.ascontiguousarray(np.concatenate(xs)), np.concatenate(ys)


def _cifar_official(f: Fetched) -> Parsed:
    with tarfile.open(f.path("cifar-10-python.tar.gz"), "r:gz") as tf:
        xtr, ytr = _cifar_batches(tf, [f"data_batch_{i}" for i in range(1, 6)])
        xte, yte = _cifar_batches(tf, ["test_batch"])
    return xtr, ytr, xte, yte, {}, ["images converted from CHW rows to HWC"]


def _cifar_partial(f: Fetched) -> Parsed:
    with np.load(f.path("cifar10_subset.npz"), allow_pickle=False) as z:
        xtr, ytr, xte, yte, mask = (z[k] for k in ("x_train", "y_train", "x_test", "y_test",
                                                   "test_exact_mask"))
    extras = {"test_exact_mask": mask.astype(bool), "train_index": np.arange(len(ytr)),
              "test_index": np.arange(len(yte))}
    return xtr, ytr.astype(np.int64), xte, yte.astype(np.int64), extras, []


# Breast Cancer IDC: PNG patches <patient>/<class>/<patient>_idx5_x<X>_y<Y>_class<C>.png, split by patient.
_IDC_MEMBER = re.compile(r"(?:^|/)(?P<patient>\d+)/(?P<cls>[01])/(?P<file>[^/]+\.png)$")


def _idc_members(source: Path) -> tuple[list[tuple[int, int, str]], Callable[[str], bytes], Callable[[], None]]:
    """(patient, class, file name) of every patch, each file name once (an archive may hold the patient
    folders twice), sorted; a reader of a patch's bytes by file name; a closer."""
    found: dict[str, tuple[int, int, str, str]] = {}
    if source.is_dir():
        names = (p.relative_to(source).as_posix() for p in source.rglob("*.png"))
        read, close = (lambda member: (source / member).read_bytes()), (lambda: None)
    elif zipfile.is_zipfile(source):
        zf = zipfile.ZipFile(source)
        names, read, close = zf.namelist(), zf.read, zf.close
    else:
        tf = tarfile.open(source, "r:*")
        names = [m.name for m in tf if m.isfile()]
        read, close = (lambda member: tf.extractfile(member).read()), tf.close
    for name in names:
        m = _IDC_MEMBER.search(name)
        if m and m["file"] not in found:
            found[m["file"]] = (int(m["patient"]), int(m["cls"]), m["file"], name)
    members = {f: name for *_, f, name in found.values()}
    keys = sorted((p, c, f) for p, c, f, _ in found.values())
    return keys, (lambda f: read(members[f])), close


def _idc_official(f: Fetched) -> Parsed:
    from PIL import Image, UnidentifiedImageError

    side, every = registry.IDC_PATCH, registry.IDC_TEST_EVERY
    source = f.files[0].path
    keys, read, close = _idc_members(source)
    ids = sorted({k[0] for k in keys})
    test_ids = set(ids[::every])  # every 5th patient in numeric order: about 20 % of the patches
    keys = sorted(keys, key=lambda k: (k[0] in test_ids, k))  # training patches first: the split is two views
    x = np.empty((len(keys), side, side, 3), np.uint8)
    padded = 0
    try:
        for i, (_, _, name) in enumerate(keys):
            try:
                with Image.open(io.BytesIO(read(name))) as im:
                    arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
                raise VerificationError(f"{source}: the patch {name} is not a readable PNG ({err}); the "
                                        f"archive is damaged: re-download it ({registry.IDC.homepage})") from None
            h, w, _ = arr.shape
            if h > side or w > side:
                raise VerificationError(f"{source}: the patch {name} is {h}x{w} pixels, more than {side}x{side}")
            if (h, w) != (side, side):
                padded += 1
                x[i] = 255
            x[i, :h, :w] = arr
    finally:
        close()
    patient = np.array([k[0] for k in keys], np.int64)
    y = np.array([k[1] for k in keys], np.int64)
    n = int(np.sum(~np.isin(patient, list(test_ids))))
    extras = {"train_patient": patient[:n], "test_patient": patient[n:]}
    notes = [f"{padded} edge patches smaller than {side}x{side} padded with white (255) on the right and bottom",
             f"{len(ids)} patients; test: every {every}th in numeric order ({len(test_ids)} patients, "
             f"{len(keys) - n} patches), training: the others ({n} patches)"]
    return x[:n], y[:n], x[n:], y[n:], extras, notes


PARSERS: dict[tuple[str, str], Callable[[Fetched], Parsed]] = {
    ("mnist", "official"): _mnist_official,
    ("emnist_letters", "official"): _emnist_official,
    ("emnist_letters", "partial"): _emnist_partial,
    ("notmnist_small", "official"): _notmnist_official,
    ("notmnist_small", "converted"): _notmnist_converted,
    ("cifar10", "official"): _cifar_official,
    ("cifar10", "partial"): _cifar_partial,
    ("breast_idc", "official"): _idc_official,
}


# ------------------------------------------------------------------------------------- building
def _check(ds: registry.Dataset, form: registry.Form, c: CanonicalDataset) -> None:
    problems = []
    for split, n in (("train", form.n_train), ("test", form.n_test)):
        x, y = getattr(c, f"x_{split}"), getattr(c, f"y_{split}")
        if x.dtype != np.uint8 or x.ndim not in (3, 4):
            problems.append(f"x_{split} is {x.dtype} {x.shape}, expected uint8 (N, H, W[, C])")
        if len(x) != len(y) or (n is not None and len(x) != n):
            problems.append(f"{split}: {len(x)} images and {len(y)} labels, expected {n}")
    if form.n_train is None:  # a split of our own (by patient): the total is the verified file count
        total = sum(sum(rf.expected_counts.values()) for rf in form.files if rf.expected_counts)
        if total and len(c.y_train) + len(c.y_test) != total:
            problems.append(f"{len(c.y_train)} + {len(c.y_test)} images, expected {total} in all")
        lo, hi = ds.label_offset, ds.label_offset + len(ds.classes) - 1
        if len(y) and (y.min() < lo or y.max() > hi):
            problems.append(f"y_{split} outside {lo}..{hi}")
    if problems:
        raise VerificationError(f"dataset '{ds.name}' ({form.name} form): " + "; ".join(problems))


def build(fetched: Fetched) -> CanonicalDataset:
    """Parse verified raw files into canonical arrays with their metadata."""
    ds = registry.get(fetched.dataset)
    form = ds.form(fetched.form)
    parser = PARSERS.get((ds.name, form.name))
    if parser is None:
        raise VerificationError(f"no parser for dataset '{ds.name}' in form '{form.name}'")
    x_train, y_train, x_test, y_test, extras, notes = parser(fetched)
    meta = {
        "format_version": FORMAT_VERSION, "dataset": ds.name, "title": ds.title,
        "homepage": ds.homepage, "form": form.name, "complete": form.complete,
        "origin": fetched.origin, "split": ds.split, "classes": list(ds.classes),
        "label_offset": ds.label_offset,
        "notes": [n for n in (form.note, *ds.notes, *notes) if n],
        "files": [vf.record() for vf in fetched.files],
        "official_urls": [u for rf in ds.official.files for u in rf.urls[:1]],
    }
    c = CanonicalDataset(ds.name, x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64),
                         extras, meta)
    _check(ds, form, c)
    meta["shapes"] = {k: list(getattr(c, k).shape) for k in ARRAYS}
    log.info("dataset '%s': %s form, train %s, test %s", ds.name, form.name, x_train.shape,
             x_test.shape)
    return c
