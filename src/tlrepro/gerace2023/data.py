"""gerace2023's data: the CIFAR-10 pool and test set at the experiment's resolution, target subsets of n
images per class, and the datasets a profile names ("cifar10", a clone "gm", "isogm", "L<size>").

The offline copy of CIFAR-10 holds 20,000 lossless training images and JPEG-degraded test images beyond
the first 1,017, so the reduced scales hold ``n_test_per_class`` images per class out of the training
images as the test set (``test_from: train``); the paper scale uses the official test split (``test``).
Images are resized by area averaging (an exact 2 x 2 mean from 32 to 16 pixels).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

__all__ = ["resize", "cifar_split", "subsample", "with_stats", "DataSizeError"]


class DataSizeError(ValueError):
    """A requested number of images per class exceeds what the data hold."""


def resize(images: np.ndarray, size: int) -> np.ndarray:
    """uint8 (n, H, W, 3) -> (n, size, size, 3); area averaging when H is a multiple of ``size``, else
    bilinear (PIL)."""
    n, H, W, _ = images.shape
    if size == H:
        return images
    if H % size == 0 and W % size == 0:
        f = H // size
        x = images.reshape(n, size, f, size, f, 3).astype(np.float64).mean((2, 4))
        return np.clip(np.rint(x), 0, 255).astype(np.uint8)
    from PIL import Image

    return np.stack([np.asarray(Image.fromarray(img).resize((size, size), Image.BILINEAR)) for img in images])


def _per_class(labels: np.ndarray, n: int, rng: np.random.Generator, what: str) -> np.ndarray:
    idx = []
    for c in np.unique(labels):
        pool = np.flatnonzero(labels == c)
        if n > len(pool):
            raise DataSizeError(f"{what}: {n} images per class requested but class {c} has {len(pool)}; lower "
                                f"it to at most {min(np.bincount(labels))} (or use more data)")
        idx.append(rng.permutation(pool)[:n])
    return np.sort(np.concatenate(idx))


def cifar_split(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                cfg: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The training pool and the test set (uint8 at ``image_size``) of the config's ``data`` block."""
    rng = np.random.default_rng(cfg["seed"])
    n_test = int(cfg["n_test_per_class"])
    if cfg["test_from"] == "train":
        test = _per_class(y_train, n_test, rng, "data.n_test_per_class")
        pool = np.setdiff1d(np.arange(len(y_train)), test)
        xt, yt = x_train[test], y_train[test]
    else:
        test = _per_class(y_test, n_test, rng, "data.n_test_per_class")
        pool = np.arange(len(y_train))
        xt, yt = x_test[test], y_test[test]
    size = int(cfg["image_size"])
    return {"x_pool": resize(x_train[pool], size), "y_pool": y_train[pool].astype(np.int64),
            "x_test": resize(xt, size), "y_test": yt.astype(np.int64)}


def subsample(labels: np.ndarray, n_per_class: int, seed: int, what: str = "n_per_class") -> np.ndarray:
    """Indices of ``n_per_class`` images of every class (0 = all), drawn with ``seed``."""
    if n_per_class == 0:
        return np.arange(len(labels))
    return _per_class(labels, int(n_per_class), np.random.default_rng(seed), what)


def with_stats(ds: dict) -> dict:
    """``ds`` with the per-channel mean and std of its pool images (0-255 scale): every image of the dataset
    is standardised with them."""
    x = ds["x"].astype(np.float64)
    return {**ds, "stats_mean": x.mean((0, 1, 2)), "stats_std": x.std((0, 1, 2))}
