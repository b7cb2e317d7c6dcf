"""Deterministic seed derivation: every random draw in the workflow is keyed by where it happens
(instance, purpose, alpha index, repetition), so reruns and partial reruns give identical numbers."""

from __future__ import annotations

import zlib

import numpy as np


def _as_int(key: int | str) -> int:
    return key if isinstance(key, int) else zlib.crc32(str(key).encode())


def derive_seed(*keys: int | str) -> int:
    """A 31-bit seed derived from ``keys`` (ints or strings) with numpy's SeedSequence."""
    ss = np.random.SeedSequence([_as_int(k) for k in keys])
    return int(ss.generate_state(1, dtype=np.uint32)[0] >> 1)


def rng(*keys: int | str) -> np.random.Generator:
    return np.random.default_rng(derive_seed(*keys))
