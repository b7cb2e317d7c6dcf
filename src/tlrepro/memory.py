"""Memory a job needs against what this machine has: a check that fails before allocating.

Papers estimate their jobs' needs from their experiment configs (e.g. ``tlrepro.gerace2022.memory``);
this module compares an estimate with the memory available here and words the error."""

from __future__ import annotations

__all__ = ["ResourceError", "available_bytes", "require"]


class ResourceError(MemoryError):
    """A job would need more memory than the machine has."""


def available_bytes() -> int | None:
    """MemAvailable of this machine (Linux), or None where it cannot be read."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def require(need: int, *, job: str, what: str, fix: str, available: int | None = None) -> int:
    """Raise ``ResourceError`` if ``job`` needs more than the available memory; return ``need``.

    ``what`` says what dominates the estimate, ``fix`` which config keys to reduce."""
    available = available_bytes() if available is None else available
    if available is not None and need > available:
        raise ResourceError(
            f"{job} would need about {need / 2**30:.1f} GiB for the {what}, but this machine has "
            f"{available / 2**30:.1f} GiB available. {fix}, or run it on a node with more memory "
            f"(profiles/slurm, resource mem_mb). Nothing was computed or overwritten.")
    return need
