"""CIFAR-10 clones: datasets that copy CIFAR-10's labels and approximate its images with increasing
fidelity (gerace2023 section 2 and appendix A).

* GM (Refinetti et al. 2023): one Gaussian per class and per RGB channel, fitted on the raw pixels, with
  the full covariance plus ``jitter`` * I; samples clipped to [0, 255] and stored as uint8.
* IsoGM: the class means with an isotropic covariance (the mean of the fitted covariance's diagonal) * I.
* Autoencoder clones L<size>: an image replaced by its reconstruction through a convolutional
  autoencoder with a dense bottleneck of ``size`` units; it keeps its label. Encoder: five 3x3
  convolutions with GELU, alternating stride 2 and 1, then a dense layer to the bottleneck; the decoder
  mirrors it with transposed convolutions for the stride-2 layers (after Lippe's UvA tutorial, as the
  paper's appendix A). Trained with Adam on the mean squared error of images scaled to [-1, 1], the
  learning rate warmed up linearly to ``lr`` and annealed (cosine) to ``lr_min``.

Images are uint8 arrays (n, H, W, 3) throughout, labels int64 (n,).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .data import with_stats

__all__ = ["GaussianClone", "fit_gaussian_clone", "gaussian_clone", "ConvAutoencoder", "train_autoencoder",
           "reconstruct"]


@dataclass
class GaussianClone:
    """Per class and channel: mean (H W) and the Cholesky factor of the covariance (H W, H W)."""

    means: np.ndarray  # (classes, 3, HW)
    chol: np.ndarray   # (classes, 3, HW, HW); isotropic: diagonal
    shape: tuple[int, int]

    def sample(self, labels: np.ndarray, rng: np.random.Generator, clip: bool = True) -> np.ndarray:
        """One image per label; uint8 (clipped to [0, 255]) or float64 (``clip=False``)."""
        H, W = self.shape
        out = np.empty((len(labels), H * W, 3))
        for c in np.unique(labels):
            idx = np.flatnonzero(labels == c)
            for ch in range(3):
                z = rng.standard_normal((len(idx), H * W))
                out[idx, :, ch] = self.means[c, ch] + z @ self.chol[c, ch].T
        out = out.reshape(len(labels), H, W, 3)
        return np.clip(np.rint(out), 0, 255).astype(np.uint8) if clip else out


def fit_gaussian_clone(images: np.ndarray, labels: np.ndarray, *, isotropic: bool = False,
                       jitter: float = 1e-3, classes: int = 10) -> GaussianClone:
    """GM (``isotropic=False``) or IsoGM fitted on uint8 images (n, H, W, 3) per class and channel."""
    n, H, W, C = images.shape
    if C != 3:
        raise ValueError(f"images must be (n, H, W, 3), got {images.shape}")
    means = np.zeros((classes, 3, H * W))
    chol = np.zeros((classes, 3, H * W, H * W))
    for c in range(classes):
        x = images[labels == c].astype(np.float64)
        if len(x) < 2:
            raise ValueError(f"class {c} has {len(x)} images; a Gaussian clone needs at least 2 per class")
        for ch in range(3):
            v = x[..., ch].reshape(len(x), H * W)
            mu = v.mean(0)
            cov = np.cov(v, rowvar=False)
            means[c, ch] = mu
            if isotropic:
                chol[c, ch] = np.sqrt(np.mean(np.diag(cov))) * np.eye(H * W)
            else:
                chol[c, ch] = np.linalg.cholesky(cov + jitter * np.eye(H * W))
    return GaussianClone(means, chol, (H, W))


def gaussian_clone(cifar: Mapping[str, np.ndarray], *, isotropic: bool, jitter: float, seed: int) -> dict:
    """GM or IsoGM fitted on the CIFAR-10 pool; one sample per pool image and per test image (their labels)."""
    clone = fit_gaussian_clone(cifar["x"], cifar["y"], isotropic=isotropic, jitter=jitter)
    rng = np.random.default_rng(seed)
    return with_stats({"x": clone.sample(cifar["y"], rng), "y": cifar["y"],
                       "x_test": clone.sample(cifar["y_test"], rng), "y_test": cifar["y_test"]})


def _torch():
    import torch
    from torch import nn

    return torch, nn


def ConvAutoencoder(size: int, image: int, channels: int = 32):  # noqa: N802 - a factory of nn.Module
    """The autoencoder of the module docstring for ``image`` x ``image`` RGB inputs (divisible by 8) and
    a bottleneck of ``size`` units."""
    torch, nn = _torch()
    if image % 8:
        raise ValueError(f"the autoencoder halves the image three times: its side must divide by 8, got {image}")
    c, s = channels, image // 8

    class AE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            act = nn.GELU
            self.encoder = nn.Sequential(
                nn.Conv2d(3, c, 3, stride=2, padding=1), act(),
                nn.Conv2d(c, c, 3, padding=1), act(),
                nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), act(),
                nn.Conv2d(2 * c, 2 * c, 3, padding=1), act(),
                nn.Conv2d(2 * c, 2 * c, 3, stride=2, padding=1), act(),
                nn.Flatten(), nn.Linear(2 * c * s * s, size))
            self.expand = nn.Sequential(nn.Linear(size, 2 * c * s * s), act())
            self.decoder = nn.Sequential(
                nn.ConvTranspose2d(2 * c, 2 * c, 3, stride=2, padding=1, output_padding=1), act(),
                nn.Conv2d(2 * c, 2 * c, 3, padding=1), act(),
                nn.ConvTranspose2d(2 * c, c, 3, stride=2, padding=1, output_padding=1), act(),
                nn.Conv2d(c, c, 3, padding=1), act(),
                nn.ConvTranspose2d(c, 3, 3, stride=2, padding=1, output_padding=1), nn.Tanh())

        def forward(self, x):
            h = self.expand(self.encoder(x)).reshape(len(x), 2 * c, s, s)
            return self.decoder(h)

    return AE()


def _to_unit(images: np.ndarray):
    torch, _ = _torch()
    return torch.as_tensor(images, dtype=torch.float32).permute(0, 3, 1, 2) / 127.5 - 1.0


def train_autoencoder(images: np.ndarray, *, size: int, epochs: int, batch_size: int, lr: float,
                      lr_min: float, warmup_epochs: int, channels: int, seed: int, device: str = "cpu",
                      log=None):
    """Train the autoencoder on uint8 images; returns (model, per-epoch training MSE list)."""
    torch, nn = _torch()
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ConvAutoencoder(size, images.shape[1], channels).to(device)
    x = _to_unit(images).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(len(x) / batch_size)
    total, warm = epochs * steps_per_epoch, max(1, warmup_epochs * steps_per_epoch)

    def rate(step):
        if step < warm:
            return lr * (step + 1) / warm
        t = (step - warm) / max(1, total - warm)
        return lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * t))

    history, step = [], 0
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=gen).to(device)
        running = 0.0
        for i in range(0, len(x), batch_size):
            batch = x[order[i:i + batch_size]]
            for group in opt.param_groups:
                group["lr"] = rate(step)
            loss = nn.functional.mse_loss(model(batch), batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            running += float(loss.detach()) * len(batch)
            step += 1
        history.append(running / len(x))
        if log is not None:
            log.info("autoencoder L%d epoch %d: training MSE %.5f", size, epoch + 1, history[-1])
    return model, history


def reconstruct(model, images: np.ndarray, batch_size: int = 512, device: str = "cpu") -> np.ndarray:
    """The model's reconstructions of uint8 images, as uint8 images."""
    torch, _ = _torch()
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            y = model(_to_unit(images[i:i + batch_size]).to(device)).cpu()
            out.append(((y.permute(0, 2, 3, 1) + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy())
    return np.concatenate(out) if out else np.zeros_like(images)
