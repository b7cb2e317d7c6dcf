"""lauditi2025's tasks: noise-free linear teachers on isotropic Gaussian inputs with the alignments set
exactly, and CIFAR-10 class-pair regression.

Linear tasks (``LinearSource``, ``target_direction``). Inputs x ~ N(0, I_D), labels y = beta . x / sqrt(D)
with ||beta||^2 = D, i.e. y = b . x for a unit direction b. The source draws P1 = nu1 D inputs X1 and builds
b so that its projection on span(X1) has squared norm exactly min(nu1, 1): b = sqrt(f) e1 + sqrt(1 - f) e2,
e1 a random unit vector of span(X1), e2 one orthogonal to it. The direction g orthogonal to b that
gradient flow on the source brings in is then exact too: the projection of b on the data is
sqrt(f) u with u = sqrt(f) b + sqrt(1 - f) g (for nu1 >= 1, u = b and g is a random unit vector
orthogonal to b). A target direction t = alpha_s b + alpha_g g + sqrt(1 - alpha_s^2 - alpha_g^2) r, r a
random unit vector orthogonal to b and g, has the alignments exactly.

CIFAR-10 class pairs (``preprocess``, ``class_pair_split``). Images are resized to ``size`` x ``size``
(bilinear), turned grayscale (ITU-R 601 luma, as torchvision's Grayscale), scaled to [0, 1], standardised
with a scalar mean and std and flattened (D = size^2); a class pair is a regression on labels +1 (first
class) and -1 (second). Source, target and test images are disjoint (a class shared by the source and the
target pair contributes different images to each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .theory import check_alignments

__all__ = ["LinearSource", "linear_source", "target_direction", "preprocess", "class_pair_split",
           "check_classes", "cifar_task", "hermite", "polynomial_task", "rich_task"]


@dataclass
class LinearSource:
    """A source task: inputs X (P1, D), unit teacher direction b, the direction g (unit, orthogonal to b)."""

    X: np.ndarray
    b: np.ndarray
    g: np.ndarray

    @property
    def y(self) -> np.ndarray:
        return self.X @ self.b

    @property
    def D(self) -> int:
        return self.X.shape[1]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def linear_source(D: int, nu1: float, rng: np.random.Generator) -> LinearSource:
    """P1 = round(nu1 D) source inputs and a teacher whose projection on them has squared norm min(nu1, 1)."""
    if D < 3:
        raise ValueError(f"D must be at least 3 (b, g and a third direction), got {D}")
    if not nu1 > 0:
        raise ValueError(f"nu1 = P1 / D must be positive, got {nu1}")
    P1 = max(1, int(round(nu1 * D)))
    X = rng.standard_normal((P1, D))
    if P1 >= D:  # the data span the whole space: the spike lies along b, g is any orthogonal direction
        b = _unit(rng.standard_normal(D))
        g = rng.standard_normal(D)
        return LinearSource(X, b, _unit(g - (g @ b) * b))
    Q, _ = np.linalg.qr(X.T)  # orthonormal basis of span(X1), (D, P1)
    e1 = _unit(Q @ rng.standard_normal(P1))
    e2 = rng.standard_normal(D)
    e2 = _unit(e2 - Q @ (Q.T @ e2))
    f = P1 / D
    b = np.sqrt(f) * e1 + np.sqrt(1 - f) * e2
    g = np.sqrt(1 - f) * e1 - np.sqrt(f) * e2
    return LinearSource(X, b, g)


def target_direction(b: np.ndarray, g: np.ndarray, alpha_s: float, alpha_g: float,
                     rng: np.random.Generator) -> np.ndarray:
    """t = alpha_s b + alpha_g g + sqrt(1 - alpha_s^2 - alpha_g^2) r, r a random unit vector orthogonal
    to b and g: a unit target direction with exactly the requested alignments."""
    check_alignments(alpha_s, alpha_g)
    r = rng.standard_normal(b.shape[0])
    r -= (r @ b) * b + (r @ g) * g
    rest = max(0.0, 1.0 - alpha_s ** 2 - alpha_g ** 2)
    return alpha_s * b + alpha_g * g + np.sqrt(rest) * _unit(r)


def check_classes(classes, name: str = "classes") -> tuple[int, int]:
    """A pair of distinct CIFAR-10 class indices in 0..9."""
    classes = list(classes)
    if len(classes) != 2 or len(set(classes)) != 2:
        raise ValueError(f"{name} must be two distinct CIFAR-10 classes, got {classes}")
    for c in classes:
        if not (isinstance(c, (int, np.integer)) and 0 <= c <= 9):
            raise ValueError(f"{name}: a CIFAR-10 class index lies in 0..9, got {c!r}")
    return int(classes[0]), int(classes[1])


def preprocess(images: np.ndarray, *, size: int, mean: float, std: float) -> np.ndarray:
    """uint8 images (n, H, W, 3) -> float64 (n, size^2): resize (bilinear), grayscale, scale to [0, 1],
    standardise with the scalar ``mean`` and ``std``, flatten."""
    from PIL import Image

    out = np.empty((len(images), size * size), dtype=np.float64)
    for i, img in enumerate(images):
        small = Image.fromarray(np.ascontiguousarray(img)).resize((size, size), Image.BILINEAR)
        rgb = np.asarray(small, dtype=np.float64) / 255.0
        gray = rgb @ np.array([0.299, 0.587, 0.114])
        out[i] = ((gray - mean) / std).ravel()
    return out


def class_pair_split(labels: np.ndarray, source: tuple[int, int], target: tuple[int, int], *,
                     n_source: int, n_target: int, n_test: int, rng: np.random.Generator) -> dict:
    """Disjoint index sets into ``labels``: ``n_source`` source images of the source pair, ``n_target``
    target and ``n_test`` test images of the target pair, each balanced between its two classes, and their
    +-1 labels. Raises ValueError naming the sizes when the pool is too small."""
    source, target = check_classes(source, "source classes"), check_classes(target, "target classes")
    need = {c: 0 for c in set(source) | set(target)}
    for pair, n in ((source, n_source), (target, n_target), (target, n_test)):
        for k, c in enumerate(pair):
            need[c] += n // 2 + (n % 2 if k == 0 else 0)
    pool = {c: rng.permutation(np.flatnonzero(labels == c)) for c in need}
    short = {c: (need[c], len(pool[c])) for c in need if need[c] > len(pool[c])}
    if short:
        raise ValueError("not enough images: " + ", ".join(
            f"class {c} needs {n} (source {n_source}, target {n_target} and test {n_test} images, balanced) "
            f"but the pool holds {have}" for c, (n, have) in short.items()))
    taken = {c: 0 for c in need}

    def take(pair, n):
        idx, y = [], []
        for k, c in enumerate(pair):
            m = n // 2 + (n % 2 if k == 0 else 0)
            idx.append(pool[c][taken[c]:taken[c] + m])
            y.append(np.full(m, 1.0 if k == 0 else -1.0))
            taken[c] += m
        idx, y = np.concatenate(idx), np.concatenate(y)
        order = rng.permutation(len(idx))
        return idx[order], y[order]

    s_idx, s_y = take(source, n_source)
    t_idx, t_y = take(target, n_target)
    e_idx, e_y = take(target, n_test)
    return {"source": s_idx, "source_y": s_y, "target": t_idx, "target_y": t_y, "test": e_idx,
            "test_y": e_y}


def cifar_task(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
               cfg, n_target: int) -> dict:
    """The arrays of a class-pair experiment (config keys classes, preprocess, split, source.P1):
    x_/y_source (P1), x_/y_target (``n_target``, the largest P2), x_/y_test (split.n_test), float64
    preprocessed images and +-1 labels, and the dataset indices they came from. Test images come from the
    training pool (held out, ``split.test_from: train``) or the official test split (``test``)."""
    rng = np.random.default_rng(cfg["split"]["seed"])
    pre = cfg["preprocess"]
    src, tgt = tuple(cfg["classes"]["source"]), tuple(cfg["classes"]["target"])
    n_test = int(cfg["split"]["n_test"])
    if cfg["split"]["test_from"] == "train":
        sp = class_pair_split(y_train, src, tgt, n_source=int(cfg["source"]["P1"]), n_target=n_target,
                              n_test=n_test, rng=rng)
        test_x, test_idx = x_train, sp["test"]
    else:
        sp = class_pair_split(y_train, src, tgt, n_source=int(cfg["source"]["P1"]), n_target=n_target,
                              n_test=0, rng=rng)
        sp_t = class_pair_split(y_test, tgt, tgt[::-1], n_source=n_test, n_target=0, n_test=0, rng=rng)
        sp["test"], sp["test_y"] = sp_t["source"], sp_t["source_y"]
        test_x, test_idx = x_test, sp["test"]

    def prep(x):
        return preprocess(x, size=int(pre["size"]), mean=float(pre["mean"]), std=float(pre["std"]))

    return {"x_source": prep(x_train[sp["source"]]), "y_source": sp["source_y"],
            "x_target": prep(x_train[sp["target"]]), "y_target": sp["target_y"],
            "x_test": prep(test_x[test_idx]), "y_test": sp["test_y"],
            "index_source": sp["source"], "index_target": sp["target"], "index_test": test_idx}


def hermite(k: int, u: np.ndarray) -> np.ndarray:
    """The normalised probabilists' Hermite polynomial He_k(u) / sqrt(k!) (unit variance under N(0, 1))."""
    h_prev, h = np.ones_like(u), u.copy()
    if k == 0:
        return h_prev
    for j in range(1, k):
        h_prev, h = h, u * h - j * h_prev
    return h / math.sqrt(math.factorial(k))


def polynomial_task(kind: str, *, D: int, P1: int, P2: int, n_test: int, overlap: float = 0.8,
                    degrees: tuple[int, int] = (5, 2), seed: int = 0) -> dict:
    """Gaussian inputs x ~ N(0, I_D) (source P1, target P2, target test n_test) and the labels of Fig. 3:
    ``linear_quadratic``: y1 = beta . x / sqrt(D), y2 = (beta . x / sqrt(D))^2 with beta ~ N(0, I_D);
    ``hermite``: y1 = He_a(beta1 . x), y2 = He_b(beta2 . x) (normalised; ``degrees`` = (a, b)) with unit
    vectors beta1 . beta2 = ``overlap``."""
    rng = np.random.default_rng(seed)
    X1, X2, Xt = (rng.standard_normal((n, D)) for n in (P1, P2, n_test))
    if kind == "linear_quadratic":
        beta = rng.standard_normal(D)
        s = [X @ beta / math.sqrt(D) for X in (X1, X2, Xt)]
        y1, y2, yt = s[0], s[1] ** 2, s[2] ** 2
    elif kind == "hermite":
        if not -1 <= overlap <= 1:
            raise ValueError(f"overlap = {overlap}: beta1 . beta2 of unit vectors lies in [-1, 1]")
        b1 = _unit(rng.standard_normal(D))
        g = rng.standard_normal(D)
        g = _unit(g - (g @ b1) * b1)
        b2 = overlap * b1 + math.sqrt(1 - overlap ** 2) * g
        a, b = degrees
        y1, y2, yt = hermite(a, X1 @ b1), hermite(b, X2 @ b2), hermite(b, Xt @ b2)
    else:
        raise ValueError(f"task kind must be 'linear_quadratic' or 'hermite', got {kind!r}")
    return {"X1": X1, "y1": y1, "X2": X2, "y2": y2, "Xt": Xt, "yt": yt}


def rich_task(cfg: Mapping[str, Any], dataset=None) -> dict[str, np.ndarray]:
    """The arrays X1, y1 (source), X2, y2 (target, the largest P2), Xt, yt (target test) of a jointly rich
    experiment (config key ``task``); ``dataset``: the CIFAR-10 dataset (``tlrepro.data.load``) for a
    ``cifar`` task."""
    t = cfg["task"]
    P2 = max(cfg.get("P2s") or [t["P2"]])
    if t["kind"] in ("linear_quadratic", "hermite"):
        return polynomial_task(t["kind"], D=int(t["D"]), P1=int(t["P1"]), P2=int(P2), n_test=int(t["n_test"]),
                               overlap=float(t.get("overlap", 0.8)), degrees=tuple(t.get("degrees", (5, 2))),
                               seed=int(t["seed"]))
    if dataset is None:
        raise ValueError("a cifar task needs the CIFAR-10 dataset")
    view = {"classes": t["classes"], "preprocess": t["preprocess"], "source": {"P1": int(t["P1"])},
            "split": {"test_from": t["test_from"], "n_test": int(t["n_test"]), "seed": int(t["seed"])}}
    c = cifar_task(dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test, view, n_target=int(P2))
    return {"X1": c["x_source"], "y1": c["y_source"], "X2": c["x_target"], "y2": c["y_target"],
            "Xt": c["x_test"], "yt": c["y_test"]}
