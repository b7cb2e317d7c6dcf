"""Process-level settings shared by the workflow scripts: thread limits and atomic file writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def configure_threads(n: int) -> None:
    """Cap BLAS/OpenMP and torch threads at ``n`` (a Snakemake job's ``threads``).

    torch is not imported here (it costs seconds per job, and most jobs never use it): one already
    imported is capped directly, one imported later reads OMP_NUM_THREADS, set here."""
    import sys

    from threadpoolctl import threadpool_limits

    for var in THREAD_VARIABLES:
        os.environ[var] = str(int(n))
    threadpool_limits(int(n))
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(int(n))


def visible_gpus() -> int:
    """Number of CUDA GPUs this process may use, without importing torch.

    CUDA_VISIBLE_DEVICES wins when set (empty or "-1" means none); otherwise ``nvidia-smi -L`` is
    asked; no driver means 0."""
    import shutil
    import subprocess

    env = os.environ.get("CUDA_VISIBLE_DEVICES")
    if env is not None:
        ids = [d for d in env.split(",") if d.strip()]
        return 0 if not ids or ids[0].strip() == "-1" else len(ids)
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(line.startswith("GPU ") for line in out.stdout.splitlines()) if out.returncode == 0 else 0


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then rename onto ``path``: a killed job never leaves a partial file.

    The temporary keeps the final suffix so that writers that append one (numpy) do not rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    write(tmp)
    tmp.replace(path)


def setup_job(snakemake) -> "logging.Logger":  # noqa: F821 - snakemake object is duck-typed
    """Common start of every workflow script: log to the rule's log file, capture warnings, cap
    threads. Returns the logger. (A paper adds its own checks in its own job setup, e.g.
    ``tlrepro.gerace2022.job.setup_job``.)"""
    import logging

    log_path = snakemake.log[0] if len(snakemake.log) else None
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=log_path, level=logging.INFO, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)
    configure_threads(getattr(snakemake, "threads", 1) or 1)
    return logging.getLogger(f"tlrepro.{snakemake.rule}")
