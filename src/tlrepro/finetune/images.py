"""Image data for ImageNet-style networks: balanced subsets and the uint8 -> network-input transform.

The transform (no torchvision needed): scale to [0, 1], resize with bilinear
``torch.nn.functional.interpolate`` (antialiased when shrinking), grey -> 3 identical channels,
normalise with the ImageNet mean and standard deviation (those the torchvision weights expect)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def balanced_indices(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """``per_class`` indices of every class in ``labels``, drawn without replacement.

    One random permutation (numpy Generator(seed)), stably sorted by label: the first ``per_class``
    of each class are taken. Result: grouped by class in increasing label order."""
    labels = np.asarray(labels)
    classes, counts = np.unique(labels, return_counts=True)
    if (counts < per_class).any():
        short = {int(c): int(n) for c, n in zip(classes, counts) if n < per_class}
        raise ValueError(f"{per_class} per class requested but some classes have fewer: {short}")
    perm = np.random.default_rng(seed).permutation(labels.size)
    by_class = perm[np.argsort(labels[perm], kind="stable")]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return by_class[(starts[:, None] + np.arange(per_class)).ravel()]


def to_network_input(images: np.ndarray | torch.Tensor, size: int,
                     device: torch.device | str = "cpu") -> torch.Tensor:
    """uint8 images (N, H, W) or (N, H, W, C) -> float (N, 3, size, size), ImageNet-normalised."""
    x = torch.as_tensor(np.asarray(images), device=device).float().div_(255.0)
    x = x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2)
    if tuple(x.shape[-2:]) != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False,
                          antialias=size < max(x.shape[-2:]))
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    mean = torch.tensor(IMAGENET_MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=x.device).view(1, 3, 1, 1)
    return (x - mean) / std


@dataclass(frozen=True)
class ImageSet:
    """uint8 images and int labels, turned into network input of side ``size`` on demand."""

    images: np.ndarray
    labels: np.ndarray
    size: int

    def __len__(self) -> int:
        return len(self.labels)

    def tensors(self, device: torch.device | str = "cpu", start: int = 0,
                stop: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Network input and int64 labels of images ``start:stop`` on ``device``."""
        sl = slice(start, stop)
        y = torch.as_tensor(np.asarray(self.labels[sl], dtype=np.int64), device=device)
        return to_network_input(self.images[sl], self.size, device), y

    def subset(self, index: np.ndarray) -> "ImageSet":
        return ImageSet(self.images[index], self.labels[index], self.size)
