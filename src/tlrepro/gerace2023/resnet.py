"""torchvision's ResNet-18 cut into transfer units, for the ImageNet -> Breast Cancer IDC panels (Figs. 1b, 3).

Units (block granularity, docs/paper2-notes.md): 1 the stem (conv1, bn1, ReLU, max pool); 2-9 the basic
blocks layer1.0, layer1.1, ..., layer4.1; 10 the head (global average pooling and the fully connected
layer): 10 units. The head is never transferred (ImageNet has 1000 classes, IDC 2), so the transfer depth k
runs over 0..9 and k = 9 is "vanilla freezing" (the whole feature extractor kept, only the head trained).
With 1000 classes the network has torchvision's 11,689,512 parameters and computes torchvision's function.

The interface is :class:`tlrepro.gerace2023.wrn.WideResNet`'s: ``units``, ``n_units``, ``forward(x, start,
stop)``, ``fresh(classes)``, so ``tlrepro.gerace2023.train`` defrosts both families.
"""

from __future__ import annotations

from typing import Mapping

import torch
from torch import nn

__all__ = ["ResNet18Units", "IMAGENET_STATS"]

# ImageNet's per-channel mean and std on the 0-255 scale: the standardisation torchvision's pretrained
# ResNet-18 expects ("standardized as required in the PyTorch documentation", the paper's appendix).
IMAGENET_STATS = {"mean": [0.485 * 255, 0.456 * 255, 0.406 * 255], "std": [0.229 * 255, 0.224 * 255, 0.225 * 255]}


class _Stem(nn.Module):
    def __init__(self, conv1: nn.Module, bn1: nn.Module, maxpool: nn.Module) -> None:
        super().__init__()
        self.conv1, self.bn1, self.maxpool = conv1, bn1, maxpool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.maxpool(torch.relu(self.bn1(self.conv1(x))))


class _Head(nn.Module):
    def __init__(self, fc: nn.Linear) -> None:
        super().__init__()
        self.fc = fc

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class ResNet18Units(nn.Module):
    """torchvision's ResNet-18 (its initialisation, or the torchvision ``state`` given) as 10 transfer units."""

    depth, widen = 18, 1  # for messages shared with the Wide-ResNets

    def __init__(self, classes: int = 1000, state: Mapping[str, torch.Tensor] | None = None) -> None:
        super().__init__()
        import torchvision.models

        net = torchvision.models.resnet18(weights=None, num_classes=classes)
        if state is not None:
            net.load_state_dict(state)
        blocks = [b for layer in (net.layer1, net.layer2, net.layer3, net.layer4) for b in layer]
        self.units = nn.ModuleList([_Stem(net.conv1, net.bn1, net.maxpool), *blocks, _Head(net.fc)])
        self.classes = classes

    def forward(self, x: torch.Tensor, start: int = 0, stop: int | None = None) -> torch.Tensor:
        for unit in self.units[start:stop]:
            x = unit(x)
        return x

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def name(self) -> str:
        return "ResNet-18"

    def fresh(self, classes: int | None = None) -> "ResNet18Units":
        """The same architecture, newly initialised from torch's current generator (torchvision's scheme)."""
        return ResNet18Units(self.classes if classes is None else classes)
