"""Pre-activation Wide-ResNets WRN-d-k (Zagoruyko & Komodakis 2016) cut into transfer units.

WRN-d-k: a 3x3 stem convolution with 16 channels, three groups of n = (d - 4) / 6 pre-activation basic
blocks (BN-ReLU-conv3x3-BN-ReLU-conv3x3, a 1x1 convolution on the shortcut where the shape changes) with
16k, 32k, 64k channels and strides 1, 2, 2, then batch norm, ReLU, global average pooling and a fully
connected layer. Convolutions have no bias. WRN-28-4 with 10 classes has 5,849,050 parameters.

Transfer units (gerace2023's "layers", block granularity): 1 the stem; 2 .. 1 + 3n the blocks; the final
batch norm; the fully connected layer: 3n + 3 units, 15 for WRN-28-4, 9 for WRN-16-1. Transferring k units
keeps units 1..k at the source weights (frozen) and re-initialises the rest.
"""

from __future__ import annotations

import torch
from torch import nn

from .units import blocks_per_group, down_sampling_units, n_units

__all__ = ["WideResNet", "BasicBlock", "n_units", "count_parameters"]


class BasicBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.bn1 = nn.BatchNorm2d(c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, stride=1, padding=1, bias=False)
        self.shortcut = (nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)
                         if stride != 1 or c_in != c_out else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        o = torch.relu(self.bn1(x))
        y = self.conv1(o)
        y = self.conv2(torch.relu(self.bn2(y)))
        return y + (self.shortcut(o) if self.shortcut is not None else x)


class FinalNorm(nn.Module):
    """Batch norm and ReLU before the pooling (a unit of its own)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.bn(x))


class Head(nn.Module):
    def __init__(self, channels: int, classes: int) -> None:
        super().__init__()
        self.fc = nn.Linear(channels, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class WideResNet(nn.Module):
    """``units`` is the ordered list of transfer units; ``forward(x, start, stop)`` runs units
    start..stop-1 (0-based), so a frozen prefix's output can be cached and fed to the rest."""

    def __init__(self, depth: int = 28, widen: int = 4, classes: int = 10, in_channels: int = 3) -> None:
        super().__init__()
        n = blocks_per_group(depth)
        if widen < 1:
            raise ValueError(f"the widening factor must be at least 1, got {widen}")
        widths = [16, 16 * widen, 32 * widen, 64 * widen]
        units: list[nn.Module] = [nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False)]
        c_in = widths[0]
        for g, stride in enumerate((1, 2, 2)):
            for b in range(n):
                units.append(BasicBlock(c_in, widths[g + 1], stride if b == 0 else 1))
                c_in = widths[g + 1]
        units += [FinalNorm(c_in), Head(c_in, classes)]
        self.units = nn.ModuleList(units)
        self.depth, self.widen = depth, widen
        self.reset_units(range(len(units)))

    def forward(self, x: torch.Tensor, start: int = 0, stop: int | None = None) -> torch.Tensor:
        for unit in self.units[start:stop]:
            x = unit(x)
        return x

    def reset_units(self, which) -> None:
        """Re-initialise units (0-based): He-normal (fan out) convolutions, batch norm to (1, 0), the fully
        connected layer as torch's default (the usual WRN heuristics)."""
        for i in which:
            for m in self.units[i].modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, nn.BatchNorm2d):
                    m.reset_running_stats()
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    m.reset_parameters()

    @property
    def n_units(self) -> int:
        return len(self.units)

    @property
    def name(self) -> str:
        return f"WRN-{self.depth}-{self.widen}"

    def fresh(self, classes: int | None = None) -> "WideResNet":
        """The same architecture, newly initialised from torch's current generator."""
        return WideResNet(self.depth, self.widen, self.units[-1].fc.out_features if classes is None else classes,
                          self.units[0].in_channels)

    def down_sampling_units(self) -> list[int]:
        """1-based numbers of the units that halve the resolution (the first block of groups 2 and 3)."""
        return down_sampling_units(self.depth)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())

