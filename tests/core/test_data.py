"""Data layer: verified downloads (a local HTTP server), the offline mirror, canonical arrays, errors.

The mirror tests use the real dataset copies in ../shared/data when they exist (or the folder named by
TLREPRO_TEST_SHARED_DATA); elsewhere (or with TLREPRO_TEST_SYNTHETIC=1) they build small synthetic files
in the same layout and register their hashes in the registry, so the same mechanics run either way."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import http.server
import io
import json
import math
import os
import pickle
import shutil
import tarfile
import threading
import time
import zipfile
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED_DATA
from data_helpers import closed_port, isolate_data
from tlrepro import data
from tlrepro.data import canonical, registry
from tlrepro.data import (ChecksumError, DataError, DownloadError, ManualDownloadRequired,
                          MissingDataError, OfflineError, UnknownDatasetError, VerificationError)

SHARED = SHARED_DATA
# the submodule (the package attribute ``fetch`` is the function of the same name)
fetch_mod = importlib.import_module("tlrepro.data.fetch")
USE_SHARED = (SHARED / "mnist").is_dir() and not os.environ.get("TLREPRO_TEST_SYNTHETIC")

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    isolate_data(monkeypatch, tmp_path)


# ---------------------------------------------------------------------------- synthetic files
def _digest(path: Path, alg: str) -> str:
    return hashlib.new(alg, Path(path).read_bytes()).hexdigest()


def _write_idx_gz(path: Path, arr: np.ndarray) -> None:
    arr = np.ascontiguousarray(arr, np.uint8)
    header = bytes([0, 0, 8, arr.ndim]) + np.array(arr.shape, ">u4").tobytes()
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(header + arr.tobytes())


def _register(monkeypatch, name: str, form_name: str, folder: Path, *, n_train: int, n_test: int,
              url: str | None = None, counts: dict | None = None) -> None:
    """Replace a registry form by one whose hashes (same algorithm) match the files in ``folder``."""
    ds = registry.DATASETS[name]
    forms = []
    for form in ds.forms:
        if form.name == form_name:
            files = []
            for rf in form.files:
                kw = {}
                if rf.known_hash:
                    alg = rf.known_hash.split(":")[0]
                    kw["known_hash"] = f"{alg}:{_digest(folder / rf.fname, alg)}"
                if counts is not None:
                    kw["expected_counts"] = counts
                if url is not None:
                    kw.update(url=url + rf.fname, alt_urls=())
                files.append(replace(rf, **kw))
            form = replace(form, files=tuple(files), n_train=n_train, n_test=n_test)
        forms.append(form)
    monkeypatch.setitem(registry.DATASETS, name, replace(ds, forms=tuple(forms)))


def _make_mnist(folder: Path, rng, n_train=100, n_test=30) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    ytr, yte = rng.permutation(np.arange(n_train) % 10), rng.permutation(np.arange(n_test) % 10)
    _write_idx_gz(folder / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (n_train, 28, 28)))
    _write_idx_gz(folder / "train-labels-idx1-ubyte.gz", ytr)
    _write_idx_gz(folder / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (n_test, 28, 28)))
    _write_idx_gz(folder / "t10k-labels-idx1-ubyte.gz", yte)
    return {"n_train": n_train, "n_test": n_test, "train_counts": np.bincount(ytr).tolist(),
            "test_counts": np.bincount(yte).tolist()}


def _make_emnist_partial(folder: Path, rng) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    train_labels, test_labels = rng.integers(1, 27, 200), rng.integers(1, 27, 60)
    test_labels[:40] = np.repeat([1, 2, 3, 4], 10)
    idx = np.arange(150, 170)
    x_test = rng.integers(0, 256, (40, 28, 28), dtype=np.uint8)
    np.savez(folder / "emnist_letters_partial.npz", x_test=x_test, y_test=test_labels[:40],
             x_train_part=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
             y_train_part=train_labels[idx], train_part_index=idx, mapping=np.arange(65, 91))
    _write_idx_gz(folder / "emnist-letters-train-labels-idx1-ubyte.gz", train_labels)
    _write_idx_gz(folder / "emnist-letters-test-labels-idx1-ubyte.gz", test_labels)
    return {"n_train": 20, "n_test": 40, "raw_x_test": x_test, "test_labels": [1, 2, 3, 4],
            "train_index": idx}


def _make_notmnist_npz(folder: Path, rng) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    per_class = [8, 7, 7, 7, 7, 6, 7, 7, 7, 7]
    labels = np.repeat(np.arange(10), per_class)
    names = np.array([f"{chr(65 + c)}/{rng.integers(1e9):09d}.png" for c in labels])
    order = rng.permutation(len(labels))  # unsorted on purpose: the split must not depend on order
    np.savez(folder / "notmnist_small.npz", images=rng.integers(0, 256, (len(labels), 28, 28),
                                                                 dtype=np.uint8)[order],
             labels=labels[order], filenames=names[order], unreadable=np.array(["F/bad.png"]))
    n_test = sum(math.ceil(n / 6) for n in per_class)
    return {"n_train": len(labels) - n_test, "n_test": n_test, "per_class": per_class}


def _make_cifar_subset(folder: Path, rng) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    mask = np.zeros(12, bool)
    mask[:5] = True
    np.savez(folder / "cifar10_subset.npz",
             x_train=rng.integers(0, 256, (30, 32, 32, 3), dtype=np.uint8),
             y_train=rng.integers(0, 10, 30), x_test=rng.integers(0, 256, (12, 32, 32, 3),
                                                                   dtype=np.uint8),
             y_test=rng.integers(0, 10, 12), test_exact_mask=mask)
    return {"n_train": 30, "n_test": 12, "n_exact": 5}


@dataclass
class Mirror:
    path: Path
    real: bool
    expect: dict


@pytest.fixture
def mirror(tmp_path, monkeypatch) -> Mirror:
    """The real shared copies, or a synthetic mirror in the same layout with registered hashes."""
    if USE_SHARED:
        return Mirror(SHARED, True, {
            "mnist": {"n_train": 60000, "n_test": 10000, "train_counts": MNIST_TRAIN_COUNTS,
                      "test_counts": MNIST_TEST_COUNTS},
            "emnist_letters": {"n_train": 3536, "n_test": 14800,
                               "test_labels": list(range(1, 20)),
                               "train_index": np.arange(85264, 88800)},
            "notmnist_small": {"n_train": 15600, "n_test": 3124,
                               "per_class": [1872, 1873, 1873, 1873, 1873, 1872, 1872, 1872, 1872,
                                             1872]},
            "cifar10": {"n_train": 20000, "n_test": 5000, "n_exact": 1017},
        })
    root, rng = tmp_path / "mirror", np.random.default_rng(0)
    expect = {"mnist": _make_mnist(root / "mnist", rng),
              "emnist_letters": _make_emnist_partial(root / "emnist", rng),
              "notmnist_small": _make_notmnist_npz(root / "notmnist", rng),
              "cifar10": _make_cifar_subset(root / "cifar10", rng)}
    for name, form in (("mnist", "official"), ("emnist_letters", "partial"),
                       ("notmnist_small", "converted"), ("cifar10", "partial")):
        e = expect[name]
        _register(monkeypatch, name, form, root / registry.DATASETS[name].subdir,
                  n_train=e["n_train"], n_test=e["n_test"])
    return Mirror(root, False, expect)


def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the network must not be used while a mirror is set")

    monkeypatch.setattr(fetch_mod, "download", refuse)


# ----------------------------------------------------------------------------- mirror: real data
def test_mnist_from_mirror_verifies_md5_and_builds_canonical(mirror, tmp_path, monkeypatch):
    _no_network(monkeypatch)
    fetched = data.fetch("mnist", mirror=mirror.path)
    assert (fetched.form, fetched.origin) == ("official", "mirror")
    for vf, rf in zip(fetched.files, registry.get("mnist").official.files):
        assert vf.check == "md5" and f"md5:{vf.md5}" == rf.known_hash
        assert vf.path.parent == mirror.path / "mnist"
    if mirror.real:  # the registry holds the official md5s themselves
        assert registry.get("mnist").official.files[0].known_hash == \
            "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"
    out = data.prepare("mnist", tmp_path / "datasets" / "mnist.npz", mirror=mirror.path)
    ds = data.load("mnist", root=tmp_path / "datasets")
    e = mirror.expect["mnist"]
    assert ds.x_train.shape == (e["n_train"], 28, 28) and ds.x_test.shape == (e["n_test"], 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    assert np.bincount(ds.y_train).tolist() == e["train_counts"]
    assert np.bincount(ds.y_test).tolist() == e["test_counts"]
    assert ds.meta["form"] == "official" and ds.meta["complete"] is True
    assert [f["md5"] for f in ds.meta["files"]] == [vf.md5 for vf in fetched.files]
    assert not list(out.parent.glob(".*tmp*"))  # atomic write left no temporary
    assert not (tmp_path / "user-cache").exists()  # a mirror is read in place, nothing is copied


def test_mirror_from_environment_variable(mirror, monkeypatch):
    _no_network(monkeypatch)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror.path))
    assert data.fetch("mnist").origin == "mirror"


def test_emnist_partial_form(mirror, tmp_path):
    ds = data.load("x", path=data.prepare("emnist_letters", tmp_path / "e.npz", mirror=mirror.path))
    e = mirror.expect["emnist_letters"]
    assert ds.x_train.shape == (e["n_train"], 28, 28) and ds.x_test.shape == (e["n_test"], 28, 28)
    assert sorted(np.unique(ds.y_test).tolist()) == e["test_labels"]
    assert np.array_equal(ds.extras["train_index"], e["train_index"])
    assert ds.meta["form"] == "partial" and ds.meta["complete"] is False
    assert ds.meta["notes"][0].startswith("partial: EMNIST letters")
    with np.load(mirror.path / "emnist" / "emnist_letters_partial.npz") as z:  # upright = transposed
        assert np.array_equal(ds.x_test[:50], z["x_test"][:50].transpose(0, 2, 1))


def test_notmnist_converted_form_and_deterministic_split(mirror, tmp_path):
    ds = data.load("x", path=data.prepare("notmnist_small", tmp_path / "n.npz", mirror=mirror.path))
    e = mirror.expect["notmnist_small"]
    assert ds.x_train.shape == (e["n_train"], 28, 28) and ds.x_test.shape == (e["n_test"], 28, 28)
    per_class = np.bincount(ds.y_train, minlength=10) + np.bincount(ds.y_test, minlength=10)
    assert per_class.tolist() == e["per_class"]
    assert np.bincount(ds.y_test, minlength=10).tolist() == [math.ceil(n / 6) for n in e["per_class"]]
    assert ds.meta["form"] == "converted" and "our choice" in ds.meta["split"]
    assert not set(ds.extras["train_filenames"]) & set(ds.extras["test_filenames"])
    # the split depends on the files only, not on their order
    rng = np.random.default_rng(1)
    x = np.concatenate([ds.x_train, ds.x_test])
    y = np.concatenate([ds.y_train, ds.y_test])
    names = np.concatenate([ds.extras["train_filenames"], ds.extras["test_filenames"]])
    perm = rng.permutation(len(y))
    again = canonical.notmnist_split(x[perm], y[perm], names[perm])
    assert np.array_equal(again[2], ds.x_test) and np.array_equal(again[4]["test_filenames"],
                                                                  ds.extras["test_filenames"])


def test_cifar_partial_form(mirror, tmp_path):
    ds = data.load("x", path=data.prepare("cifar10", tmp_path / "c.npz", mirror=mirror.path))
    e = mirror.expect["cifar10"]
    assert ds.x_train.shape == (e["n_train"], 32, 32, 3) and ds.x_test.shape == (e["n_test"], 32, 32, 3)
    assert int(ds.extras["test_exact_mask"].sum()) == e["n_exact"]
    assert ds.meta["form"] == "partial" and "JPEG" in ds.meta["notes"][0]


def test_corrupted_mirror_file_is_reported_and_left_alone(mirror, tmp_path):
    bad_mirror = tmp_path / "bad-mirror" / "mnist"
    bad_mirror.mkdir(parents=True)
    for f in (mirror.path / "mnist").iterdir():
        (bad_mirror / f.name).symlink_to(f)
    bad = bad_mirror / "t10k-labels-idx1-ubyte.gz"
    bad.unlink()
    raw = bytearray((mirror.path / "mnist" / bad.name).read_bytes())
    raw[-1] ^= 0xFF
    bad.write_bytes(bytes(raw))
    expected = registry.get("mnist").official.files[3].known_hash.split(":")[1]
    actual = hashlib.md5(raw).hexdigest()
    with pytest.raises(ChecksumError) as err:
        data.prepare("mnist", tmp_path / "out.npz", mirror=bad_mirror.parent)
    msg = str(err.value)
    assert str(bad) in msg and expected in msg and actual in msg and "untouched" in msg
    assert (err.value.expected, err.value.actual) == (expected, actual)
    assert bad.read_bytes() == bytes(raw) and sorted(p.name for p in bad_mirror.iterdir()) == \
        sorted(p.name for p in (mirror.path / "mnist").iterdir())
    assert not (tmp_path / "out.npz").exists()


def test_mirror_without_the_dataset_names_the_accepted_forms(tmp_path, monkeypatch):
    _no_network(monkeypatch)
    with pytest.raises(MissingDataError, match=r"(?s)cifar10.*cifar-10-python\.tar\.gz.*"
                                               r"cifar10_subset\.npz"):
        data.fetch("cifar10", mirror=tmp_path)


# --------------------------------------------------------------------- official-form parsers
def test_official_archive_parsers(tmp_path, monkeypatch):
    """EMNIST gzip.zip, CIFAR-10 python tarball and notMNIST tarball in miniature, as official forms."""
    rng, root = np.random.default_rng(2), tmp_path / "mirror"
    # EMNIST: the letters members of gzip.zip (IDX images stored transposed)
    (root / "emnist").mkdir(parents=True)
    xs = {s: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for s, n in (("train", 9), ("test", 4))}
    with zipfile.ZipFile(root / "emnist" / "gzip.zip", "w") as zf:
        for split, x in xs.items():
            for kind, arr in (("images-idx3", x), ("labels-idx1", rng.integers(1, 27, len(x)))):
                _write_idx_gz(tmp_path / "m.gz", arr)
                zf.write(tmp_path / "m.gz", f"gzip/emnist-letters-{split}-{kind}-ubyte.gz")
        zf.writestr("gzip/emnist-digits-train-labels-idx1-ubyte.gz", b"other split, ignored")
    _register(monkeypatch, "emnist_letters", "official", root / "emnist", n_train=9, n_test=4)
    ds = canonical.build(data.fetch("emnist_letters", mirror=root))
    assert np.array_equal(ds.x_train, xs["train"].transpose(0, 2, 1)) and ds.meta["form"] == "official"
    # CIFAR-10: pickled batches (protocol 2, as the official files), rows of CHW bytes
    (root / "cifar10").mkdir()
    imgs = {}
    with tarfile.open(root / "cifar10" / "cifar-10-python.tar.gz", "w:gz") as tf:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            imgs[name] = rng.integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
            blob = pickle.dumps({b"data": imgs[name].transpose(0, 3, 1, 2).reshape(2, -1),
                                 b"labels": [1, 2]}, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(blob)
            tf.addfile(info, io.BytesIO(blob))
    _register(monkeypatch, "cifar10", "official", root / "cifar10", n_train=10, n_test=2)
    ds = canonical.build(data.fetch("cifar10", mirror=root))
    assert np.array_equal(ds.x_test, imgs["test_batch"]) and ds.x_train.shape == (10, 32, 32, 3)
    # notMNIST: PNG folders, no official hash: verified by the per-class file counts
    counts = _make_notmnist_tar(root / "notmnist", rng)
    _register(monkeypatch, "notmnist_small", "official", root / "notmnist", n_train=9, n_test=3,
              counts=counts)
    fetched = data.fetch("notmnist_small", mirror=root)
    assert fetched.files[0].check.startswith("per-class file counts")
    ds = canonical.build(fetched)
    assert "A/broken.png" in ds.meta["notes"][-1] and len(ds.y_train) + len(ds.y_test) == 12
    _register(monkeypatch, "notmnist_small", "official", root / "notmnist", n_train=9, n_test=3,
              counts={**counts, "B": counts["B"] + 1})
    with pytest.raises(VerificationError, match="wrong number of files per class"):
        data.fetch("notmnist_small", mirror=root)


def _make_notmnist_tar(folder: Path, rng) -> dict:
    from PIL import Image

    folder.mkdir(parents=True)
    with tarfile.open(folder / "notMNIST_small.tar.gz", "w:gz") as tf:
        def add(name: str, payload: bytes) -> None:
            info = tarfile.TarInfo(f"notMNIST_small/{name}")
            info.size = len(payload)
            tf.addfile(info, io.BytesIO(payload))

        for cls, n in (("A", 5), ("B", 4), ("C", 3)):
            for i in range(n):
                buf = io.BytesIO()
                Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(buf, "PNG")
                add(f"{cls}/f{i}.png", buf.getvalue())
        add("A/broken.png", b"not a png")  # unreadable, as two files of the official tarball
    return {"A": 6, "B": 4, "C": 3}


# --------------------------------------------------------------------- downloads (local server)
@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    @dataclass
    class Server:
        root: Path
        url: str
        hits: list

    yield Server(root, f"http://127.0.0.1:{httpd.server_port}/", hits)
    httpd.shutdown()
    httpd.server_close()


def test_download_verify_cache_and_retry(server, tmp_path, monkeypatch):
    e = _make_mnist(server.root, np.random.default_rng(3))
    _register(monkeypatch, "mnist", "official", server.root, n_train=e["n_train"],
              n_test=e["n_test"], url=server.url)
    cache = tmp_path / "cache"
    good = (server.root / "t10k-labels-idx1-ubyte.gz").read_bytes()
    # a corrupted (truncated) file on the server: error naming the file and both hashes
    (server.root / "t10k-labels-idx1-ubyte.gz").write_bytes(good[:-7])
    with pytest.raises(ChecksumError) as err:
        data.prepare("mnist", tmp_path / "mnist.npz", cache=cache)
    expected, actual = hashlib.md5(good).hexdigest(), hashlib.md5(good[:-7]).hexdigest()
    msg = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in msg and expected in msg and actual in msg
    assert server.url in msg and "discarded" in msg
    # nothing left that could pass for the file (no partial, no temporary), nothing written
    left = sorted(p.name for p in (cache / "mnist").iterdir())
    assert left == ["t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz",
                    "train-labels-idx1-ubyte.gz"], left
    assert not (tmp_path / "mnist.npz").exists()
    # the server file fixed: a plain retry succeeds, no manual deletion needed
    (server.root / "t10k-labels-idx1-ubyte.gz").write_bytes(good)
    out = data.prepare("mnist", tmp_path / "mnist.npz", cache=cache)
    ds = data.load("mnist", path=out)
    assert len(ds.y_test) == e["n_test"] and np.bincount(ds.y_train).tolist() == e["train_counts"]
    assert ds.meta["origin"] == "cache+download"
    # a second run reads the verified cache, without a request
    n_hits = len(server.hits)
    assert data.fetch("mnist", cache=cache).origin == "cache" and len(server.hits) == n_hits
    # a cached copy corrupted later: reported with both hashes, moved aside; next run re-downloads
    cached = cache / "mnist" / "train-labels-idx1-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:100])
    with pytest.raises(ChecksumError, match=r"moved aside") as err:
        data.fetch("mnist", cache=cache)
    assert err.value.expected in str(err.value) and err.value.actual in str(err.value)
    assert not cached.exists() and cached.with_name(cached.name + ".corrupt").exists()
    assert data.fetch("mnist", cache=cache).origin == "cache+download" and cached.exists()


@pytest.mark.parametrize("name", registry.downloadable_names())
def test_offline_without_mirror_fails_fast(name, tmp_path, monkeypatch):
    dead = f"http://127.0.0.1:{closed_port()}/"
    ds = registry.DATASETS[name]
    files = tuple(replace(rf, url=dead + rf.fname, alt_urls=()) for rf in ds.official.files)
    monkeypatch.setitem(registry.DATASETS, name,
                        replace(ds, forms=(replace(ds.official, files=files), *ds.forms[1:])))
    t0 = time.perf_counter()
    with pytest.raises(OfflineError) as err:
        data.prepare(name, tmp_path / "x.npz", cache=tmp_path / "cache")
    assert time.perf_counter() - t0 < 5
    msg = str(err.value)
    assert f"'{name}'" in msg and dead + files[0].fname in msg and "TLREPRO_DATA_MIRROR" in msg
    assert not (tmp_path / "x.npz").exists()


def test_http_error_is_a_download_error(server, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch_mod, "RETRIES", 0)
    ds = registry.DATASETS["cifar10"]
    missing = replace(ds.official.files[0], url=server.url + "not-there.tar.gz")  # answers 404
    monkeypatch.setitem(registry.DATASETS, "cifar10",
                        replace(ds, forms=(replace(ds.official, files=(missing,)), *ds.forms[1:])))
    with pytest.raises(DownloadError, match=r"(?s)404.*TLREPRO_DATA_MIRROR") as err:
        data.fetch("cifar10", cache=tmp_path / "cache")
    assert not isinstance(err.value, OfflineError)


# ---------------------------------------------------------------------------- pretrained weights
def test_weights_registry_matches_torchvision():
    tv = pytest.importorskip("torchvision.models")
    import torch.hub

    for (arch, variant), w in registry.WEIGHTS.items():
        enum = {"resnet18": tv.ResNet18_Weights, "resnet50": tv.ResNet50_Weights}[arch]
        assert getattr(enum, variant).url == w.file.url
        assert torch.hub.HASH_REGEX.search(w.file.fname).group(1) == w.file.hash_prefix
    assert registry.get_weights("resnet50").variant == tv.ResNet50_Weights.DEFAULT.name
    assert registry.get_weights("resnet18").variant == tv.ResNet18_Weights.DEFAULT.name


def test_pretrained_weights_hash_check_mirror_and_offline(server, tmp_path, monkeypatch):
    import torch

    state = {"fc.weight": torch.arange(6.0).reshape(2, 3)}
    buf = io.BytesIO()
    torch.save(state, buf)
    sha = hashlib.sha256(buf.getvalue()).hexdigest()
    fname = f"resnet18-{sha[:8]}.pth"
    (server.root / fname).write_bytes(buf.getvalue())
    entry = registry.Weights("resnet18", "IMAGENET1K_V1",
                             registry.RemoteFile(fname, url=server.url + fname, hash_prefix=sha[:8]))
    monkeypatch.setitem(registry.WEIGHTS, ("resnet18", "IMAGENET1K_V1"), entry)
    loaded = data.load_pretrained_state_dict("resnet18", cache=tmp_path / "c1")
    assert torch.equal(loaded["fc.weight"], state["fc.weight"])
    assert (tmp_path / "c1" / "weights" / fname).is_file()
    # served file corrupted: torchvision-style prefix check fails, nothing cached
    corrupt = bytearray(buf.getvalue())
    corrupt[len(corrupt) // 2] ^= 0xFF
    (server.root / fname).write_bytes(bytes(corrupt))
    with pytest.raises(ChecksumError) as err:
        data.load_pretrained_state_dict("resnet18", cache=tmp_path / "c2")
    assert sha[:8] in str(err.value) and err.value.actual in str(err.value)
    assert not (tmp_path / "c2" / "weights" / fname).exists()
    # mirror: used without the network (the URL points at a closed port)
    dead = registry.RemoteFile(fname, url=f"http://127.0.0.1:{closed_port()}/{fname}",
                               hash_prefix=sha[:8])
    monkeypatch.setitem(registry.WEIGHTS, ("resnet18", "IMAGENET1K_V1"), replace(entry, file=dead))
    (tmp_path / "m" / "weights").mkdir(parents=True)
    (tmp_path / "m" / "weights" / fname).write_bytes(buf.getvalue())
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "m"))
    assert torch.equal(data.load_pretrained_state_dict("resnet18")["fc.weight"], state["fc.weight"])
    # neither mirror nor network: the clear offline error
    monkeypatch.delenv(data.MIRROR_ENV)
    w50 = registry.WEIGHTS[("resnet50", "IMAGENET1K_V2")]
    dead50 = replace(w50.file, url=f"http://127.0.0.1:{closed_port()}/{w50.file.fname}")
    monkeypatch.setitem(registry.WEIGHTS, ("resnet50", "IMAGENET1K_V2"), replace(w50, file=dead50))
    t0 = time.perf_counter()
    with pytest.raises(OfflineError) as err:
        data.load_pretrained_state_dict("resnet50", cache=tmp_path / "c3")
    assert time.perf_counter() - t0 < 5
    msg = str(err.value)
    assert "resnet50" in msg and dead50.url in msg and "TLREPRO_DATA_MIRROR" in msg
    assert "weights/resnet50-11ad3fa6.pth" in msg


# ------------------------------------------------------------------------ manual dataset (IDC)
def _idc_folder(root: Path, per_class: dict[str, int]) -> None:
    for cls, n in per_class.items():
        for i in range(n):
            p = root / f"{10253 + i % 2}" / cls / f"{10253 + i % 2}_idx5_x{i}_y0_class{cls}.png"
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b"png")


def test_manual_dataset_missing_gives_instructions(tmp_path):
    ds = registry.get("breast_idc")
    assert ds.manual and "breast_idc" not in registry.downloadable_names()
    for kwargs in ({}, {"mirror": tmp_path}):
        with pytest.raises(ManualDownloadRequired) as err:
            data.fetch("breast_idc", **kwargs)
        msg = str(err.value)
        for needle in ("paultimothymooney/breast-histopathology-images", "archive.zip",
                       "IDC_regular_ps50_idx5.zip", "TLREPRO_DATA_MIRROR", "198738"):
            assert needle in msg


def test_manual_dataset_checked_by_file_counts(tmp_path, monkeypatch):
    _idc_folder(tmp_path / "m" / "idc", {"0": 5, "1": 3})
    with pytest.raises(VerificationError, match=r"expected \{'0': 198738, '1': 78786\}, found "
                                                r"\{'0': 5, '1': 3\}"):
        data.fetch("breast_idc", mirror=tmp_path / "m")
    ds = registry.DATASETS["breast_idc"]
    small = replace(ds.official.files[0], expected_counts={"0": 5, "1": 3})
    monkeypatch.setitem(registry.DATASETS, "breast_idc",
                        replace(ds, forms=(replace(ds.official, files=(small,)),)))
    assert data.fetch("breast_idc", mirror=tmp_path / "m").origin == "user-provided"
    # an archive holding the patient folders twice (top level and IDC_regular_ps50_idx5/): counted once
    shutil.make_archive(str(tmp_path / "archive"), "zip", tmp_path / "m" / "idc")
    with zipfile.ZipFile(tmp_path / "archive.zip", "a") as zf:
        for p in (tmp_path / "m" / "idc").rglob("*.png"):
            zf.write(p, "IDC_regular_ps50_idx5/" + p.relative_to(tmp_path / "m" / "idc").as_posix())
    fetched = data.fetch("breast_idc", source=tmp_path / "archive.zip")
    assert fetched.files[0].name == "archive.zip" and len(fetched.files[0].sha256) == 64


# ------------------------------------------------------------------------------ registry, API
def test_registry_every_file_has_a_check_and_official_forms_download():
    for ds in registry.DATASETS.values():
        assert ds.official.name == "official"
        for form in ds.forms:
            for rf in form.files:
                assert rf.check != "none", (ds.name, rf.fname)
        if not ds.manual:
            assert ds.official.downloadable and ds.official.files[0].url.startswith("http")
            assert len(ds.classes) and all(f.name in ("official", "partial", "converted")
                                           for f in ds.forms)
    nm = registry.get("notmnist_small").official.files[0]
    assert nm.known_hash is None and sum(nm.expected_counts.values()) == 18726


def test_unknown_names_and_missing_canonical_file(tmp_path):
    with pytest.raises(UnknownDatasetError, match="known: .*mnist"):
        data.fetch("mnits")
    with pytest.raises(UnknownDatasetError, match="resnet50/IMAGENET1K_V2"):
        registry.get_weights("resnet51")
    with pytest.raises(MissingDataError, match="prepare"):
        data.load("mnist", root=tmp_path)
    assert issubclass(ChecksumError, VerificationError) and issubclass(OfflineError, DataError)
    meta = json.loads(json.dumps(registry.get("mnist").official.files[0].urls))
    assert meta[0].startswith("https://ossci-datasets.s3.amazonaws.com/mnist/")
    assert "yann.lecun.com" in meta[1]
