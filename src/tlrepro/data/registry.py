"""What every dataset and pretrained network is: official URLs, hashes, accepted mirror forms.

A dataset has one or more *forms*. The first is always ``official``: the files as the official source
distributes them, the only form that is ever downloaded. Further forms are accepted only from an
offline mirror: ``partial`` (real data, but only part of the dataset) and ``converted`` (the complete
dataset, repacked losslessly into another file format). The canonical file records which form it was
built from, so figures can say so.

Mirror and cache layout: ``<root>/<subdir>/<file name>``, the layout of ``/work/shared/data``
(``mnist/``, ``emnist/``, ``notmnist/``, ``cifar10/``; ``weights/`` for pretrained networks, ``idc/``
for the user-provided Breast Cancer IDC patches).

How each file is verified (``RemoteFile``): ``known_hash`` (``"md5:..."`` / ``"sha256:..."``, pooch's
notation), or ``hash_prefix`` (torchvision's convention: the file name embeds the first hex digits of the
SHA-256), or -- only where no official hash exists -- ``expected_counts``: the number of files per class
inside the archive (members matching ``count_pattern``, a regex with groups ``cls`` and ``file``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .errors import UnknownDatasetError


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset form, with how to check it and (official forms) where to download it."""

    fname: str
    url: str | None = None
    known_hash: str | None = None
    hash_prefix: str | None = None
    expected_counts: Mapping[str, int] | None = None
    count_pattern: str | None = None
    alt_urls: tuple[str, ...] = ()
    note: str = ""

    @property
    def urls(self) -> tuple[str, ...]:
        """The official URL first, then documented equivalents (tried in order)."""
        return tuple(u for u in (self.url, *self.alt_urls) if u)

    @property
    def check(self) -> str:
        """How the file is verified, in words (recorded in the canonical metadata)."""
        if self.known_hash:
            return self.known_hash.split(":", 1)[0] if ":" in self.known_hash else "sha256"
        if self.hash_prefix:
            return "sha256 prefix (torchvision check_hash)"
        if self.expected_counts:
            return "per-class file counts (no official checksum published)"
        return "none"


@dataclass(frozen=True)
class Form:
    """A set of files that together hold a dataset (``official``, ``partial`` or ``converted``).

    ``n_train`` / ``n_test``: the image counts the canonical arrays must have."""

    name: str
    files: tuple[RemoteFile, ...]
    n_train: int | None  # None: a split of our own, checked by its total (the verified file count)
    n_test: int | None
    complete: bool = True
    note: str = ""

    @property
    def downloadable(self) -> bool:
        return self.name == "official" and all(f.url for f in self.files)


@dataclass(frozen=True)
class Dataset:
    """A registry entry. ``manual=True``: cannot be downloaded anonymously; ``instructions`` says how
    the user obtains it, ``archive_names`` are the file names it may arrive as."""

    name: str
    subdir: str
    title: str
    homepage: str
    forms: tuple[Form, ...]
    classes: tuple[str, ...] = ()
    label_offset: int = 0
    split: str = "official"
    manual: bool = False
    instructions: str = ""
    archive_names: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def official(self) -> Form:
        return self.forms[0]

    def form(self, name: str) -> Form:
        for f in self.forms:
            if f.name == name:
                return f
        raise UnknownDatasetError(f"dataset '{self.name}' has no form '{name}' "
                                  f"(known: {', '.join(f.name for f in self.forms)})")


# --------------------------------------------------------------------------------------------- MNIST
_MNIST_BASE = "https://ossci-datasets.s3.amazonaws.com/mnist/"  # torchvision's mirror, byte-identical
_MNIST_ORIGINAL = "http://yann.lecun.com/exdb/mnist/"  # the original source (often unreachable)


def _mnist_file(fname: str, md5: str) -> RemoteFile:
    return RemoteFile(fname, url=_MNIST_BASE + fname, known_hash=f"md5:{md5}",
                      alt_urls=(_MNIST_ORIGINAL + fname,))


MNIST = Dataset(
    name="mnist", subdir="mnist", title="MNIST handwritten digits",
    homepage="http://yann.lecun.com/exdb/mnist/",
    classes=tuple(str(d) for d in range(10)),
    forms=(Form("official", (
        _mnist_file("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        _mnist_file("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        _mnist_file("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        _mnist_file("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ), n_train=60000, n_test=10000),),
)

# ------------------------------------------------------------------------------------ EMNIST letters
EMNIST_LETTERS = Dataset(
    name="emnist_letters", subdir="emnist", title="EMNIST letters (NIST)",
    homepage="https://www.nist.gov/itl/products-and-services/emnist-dataset",
    classes=tuple(chr(ord("A") + i) for i in range(26)),
    label_offset=1,  # official labels 1..26 = A..Z (upper and lower case merged), kept as they are
    forms=(
        Form("official", (RemoteFile(
            "gzip.zip", url="https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",
            known_hash="md5:58c8d27c78d21e728a6bc7b3cc06412e",
            note="NIST publishes only the md5 of the whole archive"),),
            n_train=124800, n_test=20800),
        Form("partial", (
            RemoteFile("emnist_letters_partial.npz", known_hash=(
                "sha256:8efd4eff28a4e7031a08dcd63596e96d39b3ffe75b0e173787b3bceaebde8e03")),
            RemoteFile("emnist-letters-train-labels-idx1-ubyte.gz", known_hash=(
                "sha256:93bf4478de9adf5495fa83338ee2d66a998dc67bbecf6bfaf6ca6e24f202c0d1")),
            RemoteFile("emnist-letters-test-labels-idx1-ubyte.gz", known_hash=(
                "sha256:929a3c9d33c507a13856e902c156052e0104f8aba428f857bf7da934c00c912e")),
        ), n_train=3536, n_test=14800, complete=False,
            note=("partial: EMNIST letters, test = official test images 0..14799 (letters 1-18 "
                  "complete with 800 each, letter 19 (S) with 400 of 800, letters 20-26 absent); "
                  "train = official train images 85264..88799 only (3536 of 124800); official order, "
                  "labels checked against the official label files")),
    ),
)

# ----------------------------------------------------------------------------------- notMNIST_small
# No official checksum of notMNIST_small.tar.gz is published (the author's page gives none), so the
# tarball is verified by its content instead: the number of files per class folder. These counts are
# those of the documented copy (images per class plus its two files that are unreadable in the
# official tarball too: one in A, one in F); we did not invent a hash.
NOTMNIST_CLASS_FILES = MappingProxyType({c: (1873 if c in "ABCDEF" else 1872) for c in "ABCDEFGHIJ"})
NOTMNIST_UNREADABLE = ("A/RGVtb2NyYXRpY2FCb2xkT2xkc3R5bGUgQm9sZC50dGY=.png",
                       "F/Q3Jvc3NvdmVyIEJvbGRPYmxpcXVlLnR0Zg==.png")
NOTMNIST_TEST_EVERY = 6  # our choice: see notmnist_split in canonical.py
NOTMNIST_SMALL = Dataset(
    name="notmnist_small", subdir="notmnist", title="notMNIST_small (letters A-J in many fonts)",
    homepage="http://yaroslavvb.blogspot.com/2011/09/notmnist-dataset.html",
    classes=tuple("ABCDEFGHIJ"),
    split=(f"our choice (no official split): readable images sorted by class then file name; within "
           f"each class every {NOTMNIST_TEST_EVERY}th image (positions 0, {NOTMNIST_TEST_EVERY}, "
           f"{2 * NOTMNIST_TEST_EVERY}, ...) is test, the rest train"),
    forms=(
        Form("official", (RemoteFile(
            "notMNIST_small.tar.gz", url="http://yaroslavvb.com/upload/notMNIST/notMNIST_small.tar.gz",
            expected_counts=NOTMNIST_CLASS_FILES,
            count_pattern=r"^(?:\./)?notMNIST_small/(?P<cls>[A-J])/(?P<file>[^/]+)$",
            note="no official checksum exists; verified by per-class file counts"),),
            n_train=15600, n_test=3124),
        Form("converted", (RemoteFile("notmnist_small.npz", known_hash=(
            "sha256:8e97cf7e0fb8844f67d68bf290e12a77d5d7c3eb55dfd787afea58c01061542a")),),
            n_train=15600, n_test=3124, complete=True,
            note=("converted: the complete notMNIST_small, repacked from the official PNG folders "
                  "into an npz (not the official tarball itself)")),
    ),
)

# ---------------------------------------------------------------------------------------- CIFAR-10
CIFAR10 = Dataset(
    name="cifar10", subdir="cifar10", title="CIFAR-10",
    homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
    classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
             "truck"),
    forms=(
        Form("official", (RemoteFile(
            "cifar-10-python.tar.gz", url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
            known_hash="md5:c58f30108f718f92721af3b95e74349a"),), n_train=50000, n_test=10000),
        Form("partial", (RemoteFile("cifar10_subset.npz", known_hash=(
            "sha256:b98c5ac433ac632c381902e4f163a89ad7fcf2609fdb25f0544f2b03d32156d3")),),
            n_train=20000, n_test=5000, complete=False,
            note=("partial: CIFAR-10, train = official data_batch_1 and data_batch_2 (20000 of 50000, "
                  "lossless); test = official test images 0..4999, of which only the first 1017 are "
                  "exact (test_exact_mask), the rest JPEG-degraded copies (about 30 dB PSNR)")),
    ),
)

# ------------------------------------------------------------------- Breast Cancer IDC (manual only)
IDC_INSTRUCTIONS = """\
The Breast Cancer IDC patches cannot be downloaded anonymously (Kaggle requires a login).
To provide them:
  1. Sign in at https://www.kaggle.com and open the dataset
     "paultimothymooney/breast-histopathology-images"
     (https://www.kaggle.com/datasets/paultimothymooney/breast-histopathology-images).
  2. Download it: the "Download" button gives archive.zip; with the Kaggle CLI:
     kaggle datasets download -d paultimothymooney/breast-histopathology-images
     (the original file name of the same patches is IDC_regular_ps50_idx5.zip).
  3. Put the archive (archive.zip or IDC_regular_ps50_idx5.zip), or the folder it unpacks to, in
     <mirror>/idc/ and set TLREPRO_DATA_MIRROR=<mirror> (or pass the path explicitly).
It is checked by its file counts: 198738 patches in class 0 (IDC negative) and 78786 in class 1
(IDC positive), 277524 PNG files of 50x50 pixels in <patient>/<class>/ folders."""

IDC_PATCH = 50  # patch side; the few smaller edge patches are padded with white
IDC_TEST_EVERY = 5  # every 5th patient (in numeric order) is a test patient: about the paper's 80/20 split

IDC = Dataset(
    name="breast_idc", subdir="idc", title="Breast Cancer IDC patches (Janowczyk & Madabhushi)",
    homepage="https://www.kaggle.com/datasets/paultimothymooney/breast-histopathology-images",
    classes=("IDC negative", "IDC positive"),
    manual=True, instructions=IDC_INSTRUCTIONS,
    archive_names=("archive.zip", "IDC_regular_ps50_idx5.zip"),
    split=(f"by patient (ours; the paper splits 80/20 without saying how): every {IDC_TEST_EVERY}th patient in "
           "numeric order is a test patient, so no patient's patches are on both sides"),
    forms=(Form("official", (RemoteFile(
        "archive.zip", expected_counts=MappingProxyType({"0": 198738, "1": 78786}),
        count_pattern=r"(?:^|/)\d+/(?P<cls>[01])/(?P<file>[^/]+\.png)$",
        note="counts from the dataset's description (Kaggle); duplicates counted once"),),
        n_train=None, n_test=None),),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (MNIST, EMNIST_LETTERS, NOTMNIST_SMALL, CIFAR10, IDC)}


def get(name: str) -> Dataset:
    """The registry entry of a dataset, or UnknownDatasetError listing the known names."""
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDatasetError(f"unknown dataset '{name}'; known: {', '.join(sorted(DATASETS))}") \
            from None


def downloadable_names() -> list[str]:
    """Datasets the workflow can prepare as canonical npz files (not the manual ones)."""
    return sorted(n for n, d in DATASETS.items() if not d.manual)


# ------------------------------------------------------------------- ImageNet-pretrained networks
@dataclass(frozen=True)
class Weights:
    """torchvision weights: ``file`` carries torchvision's URL and file name; its ``hash_prefix`` is
    the SHA-256 prefix embedded in the name (checked as torchvision's ``check_hash=True`` does)."""

    arch: str
    variant: str
    file: RemoteFile


_TV_HASH_IN_NAME = re.compile(r"-([a-f0-9]*)\.")  # torch.hub.HASH_REGEX


def _tv(arch: str, variant: str, url: str) -> Weights:
    fname = url.rsplit("/", 1)[1]
    prefix = _TV_HASH_IN_NAME.search(fname).group(1)
    return Weights(arch, variant, RemoteFile(fname, url=url, hash_prefix=prefix))


# URLs exactly as torchvision.models.ResNet{18,50}_Weights.<variant>.url (checked by the tests).
WEIGHTS: dict[tuple[str, str], Weights] = {
    (w.arch, w.variant): w for w in (
        _tv("resnet18", "IMAGENET1K_V1", "https://download.pytorch.org/models/resnet18-f37072fd.pth"),
        _tv("resnet50", "IMAGENET1K_V1", "https://download.pytorch.org/models/resnet50-0676ba61.pth"),
        _tv("resnet50", "IMAGENET1K_V2", "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"),
    )
}
# torchvision's ``DEFAULT`` (the best available weights of each architecture)
DEFAULT_WEIGHTS = {"resnet18": "IMAGENET1K_V1", "resnet50": "IMAGENET1K_V2"}
WEIGHTS_SUBDIR = "weights"


def get_weights(arch: str, variant: str = "DEFAULT") -> Weights:
    """The registry entry of torchvision weights; ``variant`` as torchvision names it."""
    variant = DEFAULT_WEIGHTS.get(arch, variant) if variant == "DEFAULT" else variant
    try:
        return WEIGHTS[(arch, variant)]
    except KeyError:
        known = ", ".join(f"{a}/{v}" for a, v in sorted(WEIGHTS))
        raise UnknownDatasetError(f"unknown pretrained weights '{arch}/{variant}'; known: {known}") \
            from None
