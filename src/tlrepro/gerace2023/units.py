"""The transfer units of a WRN-d-k without building it (no torch): their number and the down-sampling ones.

Units (block granularity, ``tlrepro.gerace2023.wrn``): 1 the stem, 2 .. 1 + 3n the n = (d - 4) / 6 blocks
of each of the three groups, the final batch norm, the fully connected layer."""

from __future__ import annotations

__all__ = ["blocks_per_group", "n_units", "down_sampling_units", "RESNET18_UNITS"]

RESNET18_UNITS = 10  # torchvision's ResNet-18 at block granularity (tlrepro.gerace2023.resnet)


def blocks_per_group(depth: int) -> int:
    if (depth - 4) % 6 or depth < 10:
        raise ValueError(f"a WRN depth d needs (d - 4) divisible by 6 and d >= 10, got {depth}")
    return (depth - 4) // 6


def n_units(depth: int) -> int:
    return 3 * blocks_per_group(depth) + 3


def down_sampling_units(depth: int) -> list[int]:
    """1-based numbers of the units that halve the resolution (the first block of groups 2 and 3)."""
    n = blocks_per_group(depth)
    return [2 + n, 2 + 2 * n]
