"""Fig. D.1 of gerace2022: example images of the datasets, and the dataset descriptions of appendix D
checked on the copies the workflow actually used."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..claims import Verdict
from .image_tasks import edge_detect

__all__ = ["APPENDIX_D", "example_rows", "dataset_claims"]

# Appendix D: "MNIST ... 10 classes, containing 60 000 examples in the training set and 10 000 examples
# in the test set; EMNIST-letters ... 26 classes, 124 800 / 20 800; notMnist ... from A to J with 10
# classes, 200 000 / 10 000"; all 28 x 28 pixels.
APPENDIX_D = {
    "mnist": {"classes": 10, "train": 60000, "test": 10000},
    "emnist_letters": {"classes": 26, "train": 124800, "test": 20800},
    "notmnist_small": {"classes": 10, "train": 200000, "test": 10000},
}


def _first_per_class(labels: np.ndarray, n: int) -> np.ndarray:
    """Indices of the first image of each class in turn (class order), n in all."""
    classes = np.unique(labels)
    picks = [np.flatnonzero(labels == c)[0] for c in classes]
    picks += [i for i in range(len(labels)) if i not in set(picks)]
    return np.asarray(picks[:n])


def example_rows(datasets: Sequence, n: int, *, edge_alpha=(0.5, 0.7), seed: int = 0):
    """[(row name, uint8 images (n, 28, 28), class names)]: one row per dataset, plus edge-enhanced
    MNIST after MNIST."""
    rows = []
    for ds in datasets:
        idx = _first_per_class(ds.y_train, n)
        names = [ds.meta["classes"][int(y) - int(ds.meta.get("label_offset", 0))] for y in ds.y_train[idx]]
        images = ds.x_train[idx]
        rows.append((ds.meta["dataset"], images, names))
        if ds.meta["dataset"] == "mnist":
            edges = edge_detect(images, tuple(edge_alpha), np.random.default_rng(seed))
            rows.append(("mnist + EdgeDetect", edges, names))
    return rows


def dataset_claims(datasets: Sequence) -> list[Verdict]:
    """One verdict per dataset: the class count, split sizes and image size of appendix D."""
    out = []
    for ds in datasets:
        name = ds.meta["dataset"]
        want = APPENDIX_D.get(name)
        if want is None:
            continue
        got = {"classes": len(ds.meta["classes"]), "train": int(len(ds.y_train)),
               "test": int(len(ds.y_test)), "image": list(ds.x_train.shape[1:3])}
        ok = got["image"] == [28, 28] and all(got[k] == want[k] for k in ("classes", "train", "test"))
        out.append(Verdict(
            f"appendix_D_{name}",
            f"Appendix D: {name} has {want['classes']} classes, {want['train']} training and "
            f"{want['test']} test images of 28 x 28 pixels.",
            ok, {"paper": want, "used": got, "form": ds.meta.get("form"), "notes": ds.meta.get("notes")},
            "this workflow (dataset check: the copies used against Gerace et al. 2022, appendix D.1)"))
    return out
