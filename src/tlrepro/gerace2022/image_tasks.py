"""Binary source/target tasks built from real image datasets (gerace2022 section 4 and appendix C).

A ``FiniteTask`` holds finite pools of flattened images with +-1 labels: the source pool (train and
validation sets of the source network, and a source test set), the target training pool and the target
test set. It implements the same task protocol as ``chmm.CHMM`` (``D``, ``source_sets``,
``source_test``, ``train_set``, ``test_batches``), so source training and every baseline run on either.

``build_task(data, spec, seed)`` makes one from a canonical dataset (``tlrepro.data``) and a spec:

* labels: ``groups`` (two lists of classes: +1 for the first, -1 for the second; other classes
  dropped), ``even_odd`` (class index parity), ``lt5`` (class index < 5) or ``brightness`` (mean pixel
  value, 0-255, below 20 or in (35, 59) -> +1: the paper's orthogonal task, independent of the class);
* ``transform``: ``edge`` (imgaug's EdgeDetect, alpha uniform in ``edge_alpha``) or none;
* ``classes``: optional restriction to some classes before labelling (EMNIST "easy" subsets).

Splits: ``official`` uses the dataset's train split for the source and target pools (the source pool
and the target pool are disjoint halves when both tasks draw from the same images) and its test split
for the target test set; ``pooled`` (for partial copies) pools train and test images and splits them
by the given fractions. Pixels are scaled to ``pixel_range`` (the paper: 0-255 for MNIST, 0-1 for
EMNIST and notMNIST).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol, Sequence

import numpy as np

__all__ = ["Task", "FiniteTask", "load_task", "edge_kernel", "edge_detect", "brightness_labels", "binary_labels",
           "build_task", "class_index", "task_from_dataset"]


class Task(Protocol):
    """What source training and the baselines need from a source/target pair."""

    @property
    def D(self) -> int: ...

    @property
    def n_outputs(self) -> int: ...  # 1: binary labels +-1; K: class indices 0..K-1

    def source_sets(self, M: int, M_val: int, instance: int): ...

    def source_test(self, n: int, instance: int): ...

    def train_set(self, M: int, rng: np.random.Generator): ...

    def test_batches(self, n_test: int, rng: np.random.Generator, chunk: int = 8192) -> Iterator: ...


def _take(X: np.ndarray, y: np.ndarray, n: int, rng: np.random.Generator, what: str, key: str):
    if n > len(y):
        raise ValueError(f"{what} needs {n} samples but the pool holds only {len(y)}; reduce {key} "
                         f"(or use a larger copy of the dataset)")
    idx = np.sort(rng.choice(len(y), size=n, replace=False))
    return X[idx], y[idx]


@dataclass(frozen=True, eq=False)
class FiniteTask:
    """Finite pools of flattened float32 images (rows) with float32 labels in {-1, +1}."""

    Xs: np.ndarray
    ys: np.ndarray
    Xs_test: np.ndarray
    ys_test: np.ndarray
    Xt: np.ndarray
    yt: np.ndarray
    Xt_test: np.ndarray
    yt_test: np.ndarray

    @property
    def D(self) -> int:
        return int(self.Xs.shape[1])

    @property
    def n_outputs(self) -> int:
        """Binary labels: one network output."""
        return 1

    def source_sets(self, M: int, M_val: int, instance: int):
        """Disjoint source training and validation sets, drawn without replacement."""
        from ..seeding import rng

        X, y = _take(self.Xs, self.ys, M + M_val, rng(instance, "source-train"), "source training",
                     "source.M + source.M_val")
        return X[:M], y[:M], X[M:], y[M:]

    def source_test(self, n: int, instance: int):
        from ..seeding import rng

        n = min(n, len(self.ys_test))
        return _take(self.Xs_test, self.ys_test, n, rng(instance, "source-test"), "source test", "")

    def train_set(self, M: int, rng: np.random.Generator):
        """M target training samples drawn without replacement from the target pool."""
        return _take(self.Xt, self.yt, M, rng, "a target training set", "the largest alpha x H")

    def test_batches(self, n_test: int, rng: np.random.Generator, chunk: int = 8192):
        """The target test set (a random subset of n_test if it is larger), in chunks."""
        X, y = self.Xt_test, self.yt_test
        if n_test < len(y):
            X, y = _take(X, y, n_test, rng, "target test", "")
        for i in range(0, len(y), chunk):
            yield X[i:i + chunk], y[i:i + chunk]

    def feature_mean(self, W1: np.ndarray) -> np.ndarray:
        """Mean of the features v = ReLU(x W1^T / D) over the target pool (the centring of TF/RF)."""
        from .features import relu_features

        total = np.zeros(W1.shape[0])
        for i in range(0, len(self.yt), 8192):
            total += relu_features(self.Xt[i:i + 8192], W1).sum(axis=0, dtype=np.float64)
        return total / len(self.yt)

    def save(self, path) -> None:
        with open(Path(path), "wb") as fh:
            np.savez(fh, **{k: getattr(self, k) for k in self.__dataclass_fields__})

    @classmethod
    def load(cls, path) -> "FiniteTask":
        with np.load(Path(path)) as z:
            return cls(**{k: z[k] for k in cls.__dataclass_fields__})


def edge_kernel(alpha: float) -> np.ndarray:
    """imgaug's EdgeDetect kernel: (1 - alpha) * identity + alpha * [[0, 1, 0], [1, -4, 1], [0, 1, 0]]."""
    effect = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64)
    identity = np.zeros((3, 3))
    identity[1, 1] = 1.0
    return (1.0 - alpha) * identity + alpha * effect


def edge_detect(images: np.ndarray, alpha: Sequence[float] | float, rng: np.random.Generator) -> np.ndarray:
    """imgaug ``EdgeDetect(alpha)`` on uint8 images (N, H, W): per image alpha ~ U(alpha) (or fixed),
    3x3 convolution with ``edge_kernel`` and reflect-101 borders (OpenCV's filter2D default), rounded
    and saturated to uint8 as OpenCV does."""
    from scipy.ndimage import correlate

    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"edge_detect expects uint8 images (N, H, W), got {images.dtype} {images.shape}")
    lo, hi = (alpha, alpha) if np.isscalar(alpha) else alpha
    alphas = rng.uniform(lo, hi, size=len(images))
    out = np.empty_like(images)
    for i, (img, a) in enumerate(zip(images, alphas)):
        res = correlate(img.astype(np.float64), edge_kernel(a), mode="mirror")
        out[i] = np.clip(np.rint(res), 0, 255).astype(np.uint8)
    return out


def brightness_labels(images: np.ndarray) -> np.ndarray:
    """The paper's orthogonal task: mean pixel value (0-255) < 20 or in (35, 59) -> +1, else -1."""
    b = images.reshape(len(images), -1).mean(axis=1)
    return np.where((b < 20) | ((b > 35) & (b < 59)), 1.0, -1.0).astype(np.float32)


def class_index(name: str | int, classes: Sequence[str]) -> int:
    """The dataset's integer label of a class given by name ('E') or by label (4)."""
    if isinstance(name, (int, np.integer)):
        return int(name)
    if name not in classes:
        raise ValueError(f"unknown class {name!r}; this dataset's classes are {list(classes)}")
    return list(classes).index(name)


def binary_labels(labels: np.ndarray, rule: str, groups=None, classes: Sequence[str] = ()) -> np.ndarray:
    """+-1 labels from class labels by ``rule`` (groups / even_odd / lt5); 0 marks a dropped sample."""
    labels = np.asarray(labels).astype(np.int64)
    if rule == "groups":
        pos = [class_index(c, classes) for c in groups[0]]
        neg = [class_index(c, classes) for c in groups[1]]
        return np.where(np.isin(labels, pos), 1.0, np.where(np.isin(labels, neg), -1.0, 0.0)).astype(np.float32)
    if rule == "even_odd":
        return np.where(labels % 2 == 0, 1.0, -1.0).astype(np.float32)
    if rule == "lt5":
        return np.where(labels < 5, 1.0, -1.0).astype(np.float32)
    raise ValueError(f"unknown label rule {rule!r}; use groups, even_odd, lt5 or brightness")


def _labelled(images: np.ndarray, labels: np.ndarray, side: Mapping[str, Any], classes, rng):
    """Apply one side's (source or target) class filter, transform and labelling rule."""
    keep = np.ones(len(labels), bool)
    if side.get("classes"):
        keep &= np.isin(labels, [class_index(c, classes) for c in side["classes"]])
    images, labels = images[keep], labels[keep]
    if side.get("transform") == "edge":
        images = edge_detect(images, side["edge_alpha"], rng)
    if side["labels"] == "brightness":
        y = brightness_labels(images)
    else:
        y = binary_labels(labels, side["labels"], side.get("groups"), classes)
    keep = y != 0
    return images[keep], y[keep]


def _flat(images: np.ndarray, pixel_range: float) -> np.ndarray:
    return (images.reshape(len(images), -1).astype(np.float32) * np.float32(pixel_range / 255.0))


def build_task(x_train, y_train, x_test, y_test, spec: Mapping[str, Any], *, classes: Sequence[str],
               seed: int) -> FiniteTask:
    """The FiniteTask of ``spec`` (source, target, split, pixel_range; see module docstring).

    Class labels are the dataset's integer labels; ``classes`` names them (index = label - offset is
    handled by the caller: pass labels already shifted to 0..K-1)."""
    rng = np.random.default_rng(seed)
    split = spec["split"]
    if split["kind"] == "pooled":
        X = np.concatenate([x_train, x_test])
        Y = np.concatenate([y_train, y_test])
        order = rng.permutation(len(Y))
        n_test = int(round(split["test_fraction"] * len(Y)))
        test_idx, pool_idx = order[:n_test], order[n_test:]
        tr_x, tr_y, te_x, te_y = X[pool_idx], Y[pool_idx], X[test_idx], Y[test_idx]
    elif split["kind"] == "official":
        tr_x, tr_y, te_x, te_y = x_train, y_train, x_test, y_test
    else:
        raise ValueError(f"unknown split {split['kind']!r}; use official or pooled")
    # source and target draw from disjoint halves of the training images (a sample is never in both)
    order = rng.permutation(len(tr_y))
    cut = int(round(split["source_fraction"] * len(tr_y)))
    s_idx, t_idx = np.sort(order[:cut]), np.sort(order[cut:])
    Xs, ys = _labelled(tr_x[s_idx], tr_y[s_idx], spec["source"], classes, rng)
    Xs_te, ys_te = _labelled(te_x, te_y, spec["source"], classes, rng)
    Xt, yt = _labelled(tr_x[t_idx], tr_y[t_idx], spec["target"], classes, rng)
    Xt_te, yt_te = _labelled(te_x, te_y, spec["target"], classes, rng)
    pr = spec["pixel_range"]
    return FiniteTask(_flat(Xs, pr), ys, _flat(Xs_te, pr), ys_te, _flat(Xt, pr), yt, _flat(Xt_te, pr), yt_te)


def load_task(path) -> "Task":
    """A saved task: a CHMM instance (``instance-s*.npz``) or a FiniteTask (``task-s*.npz``)."""
    from .chmm import CHMM

    with np.load(Path(path)) as z:
        is_chmm = "F_s" in z.files
    return CHMM.load(path) if is_chmm else FiniteTask.load(path)


def task_from_dataset(dataset, spec: Mapping[str, Any], seed: int) -> FiniteTask:
    """``build_task`` on a ``tlrepro.data`` canonical dataset (labels shifted to 0..K-1)."""
    off = int(dataset.meta.get("label_offset", 0))
    return build_task(dataset.x_train, dataset.y_train - off, dataset.x_test, dataset.y_test - off,
                      spec, classes=dataset.meta["classes"], seed=seed)
