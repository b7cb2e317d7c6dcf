"""Which torch device a training job uses: ``pick_device("auto" | "cpu" | "cuda[:i]")``.

torch is imported inside the function, so that importing this module costs nothing for the jobs that
never train a network."""

from __future__ import annotations

__all__ = ["pick_device"]


def pick_device(prefer: str = "auto") -> "torch.device":  # noqa: F821 - torch is imported lazily
    """"auto": cuda if available else cpu; "cpu" / "cuda" force the choice."""
    import torch

    if prefer == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if prefer not in ("cpu", "cuda") and not str(prefer).startswith("cuda:"):
        raise ValueError(f"prefer must be 'auto', 'cpu' or 'cuda', got {prefer!r}")
    if str(prefer).startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("prefer='cuda' but CUDA is not available")
    return torch.device(prefer)
