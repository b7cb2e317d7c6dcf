"""Model construction: a torchvision architecture, randomly initialised or with ImageNet weights from
:func:`tlrepro.data.load_pretrained_state_dict`, its classification head replaced by a new one.

The architecture is injectable: a torchvision name ("resnet50") or any factory returning a module
whose head attribute (``fc``) is a ``torch.nn.Linear`` (tests use :func:`tiny_convnet`)."""

from __future__ import annotations

import os
from typing import Callable

import torch
from torch import nn

from ..data import MIRROR_ENV, MissingDataError, load_pretrained_state_dict
from ..data.registry import get_weights

ArchFactory = Callable[[], nn.Module]


def tiny_convnet(width: int = 4) -> nn.Module:
    """A small network with a ResNet's ends (conv, batch norm, ReLU, global pooling, ``fc`` with
    1000 outputs) for tests."""

    class TinyConvNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, 2 * width, 3, stride=2, padding=1)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(2 * width, 1000)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = torch.relu(self.bn1(self.conv1(x)))
            return self.fc(self.pool(torch.relu(self.conv2(h))).flatten(1))

    return TinyConvNet()


def _construct(arch: str | ArchFactory) -> nn.Module:
    if callable(arch):
        return arch()
    import torchvision.models  # only the named architectures need torchvision

    return torchvision.models.get_model(arch, weights=None)


def pretrained_state(arch: str, weights: str, mirror: str | os.PathLike | None) -> dict:
    """The ImageNet state dict of ``arch``; a missing file says which file and how to provide it."""
    try:
        return load_pretrained_state_dict(arch, weights, mirror=mirror)
    except MissingDataError as err:  # OfflineError included: same class, the hint appended
        fname = get_weights(arch, weights).file.fname
        raise type(err)(f"{err} The pretrained {arch} needs these ImageNet-1K weights: put {fname} in "
                        f"<mirror>/weights/ and set {MIRROR_ENV}=<mirror> (or the config key "
                        f"data.mirror).") from None


def build_model(arch: str | ArchFactory = "resnet50", *, pretrained: bool, num_classes: int = 10,
                weights: str = "IMAGENET1K_V1", mirror: str | os.PathLike | None = None,
                seed: int = 0, head: str = "fc") -> nn.Module:
    """``arch`` with random (``pretrained=False``) or ImageNet weights and a new ``num_classes`` head.

    The weights are fetched first (a missing file fails before any work). Initialisation draws from
    torch's CPU generator seeded with ``seed`` inside a forked RNG state (the caller's state is not
    touched); the pretrained and the random model built with the same seed get the same new head."""
    if pretrained and not isinstance(arch, str):
        raise ValueError("pretrained=True needs a torchvision architecture name, not a factory")
    state = pretrained_state(arch, weights, mirror) if pretrained else None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = _construct(arch)
        if state is not None:
            net.load_state_dict(state)
        old = getattr(net, head)
        if not isinstance(old, nn.Linear):
            raise TypeError(f"head '{head}' of {type(net).__name__} is not a torch.nn.Linear")
        setattr(net, head, nn.Linear(old.in_features, num_classes))
    return net
