"""The start of every gerace2022 job and the loop its simulation rules share.

``setup_job`` is ``tlrepro.runtime.setup_job`` plus a memory check: a job whose experiment would not fit in
this machine's memory stops before allocating, naming the config keys to reduce."""

from __future__ import annotations

from typing import Callable

from ..runtime import setup_job as _setup_job
from ..seeding import derive_seed
from .config import seeds_for
from .grids import parse_row, resolve_experiment
from .memory import ResourceError, check

__all__ = ["setup_job", "simulate_per_alpha"]


def setup_job(snakemake) -> "logging.Logger":  # noqa: F821 - snakemake object is duck-typed
    """Log, warnings and threads as every job; then refuse, before allocating, what cannot fit in
    memory (jobs with an ``exp`` wildcard: the rule's estimate for that experiment's sizes)."""
    log = _setup_job(snakemake)
    exp = dict(snakemake.wildcards.items()).get("exp")
    if exp is None:
        return log
    try:
        cfg = snakemake.config["gerace2022"]
        sized, name = resolve_experiment(cfg, exp), exp
        if "base" in sized:  # an experiment on another's data: that one's sizes
            sized, name = cfg[sized["base"]], sized["base"]
        elif parse_row(exp) and exp not in cfg:  # a row of a grid: the keys are the grid's
            name = parse_row(exp)[0]
        need = check(snakemake.rule, sized, f"gerace2022.{name}")
        log.info("memory estimate %.2f GiB", need / 2**30)
    except ResourceError as err:
        log.error("%s", err)
        raise
    return log


def simulate_per_alpha(simulate: Callable[[float, list[int]], "pd.DataFrame"], *, alphas, tiers,
                       instance: int, purpose: str, log=None) -> "pd.DataFrame":  # noqa: F821
    """Run ``simulate(alpha, seeds)`` at every alpha with the tier's number of repetitions and stack
    the tables, with an ``instance`` column.

    Seeds are derive_seed(instance, purpose, alpha, repetition): models sharing a ``purpose`` (TF, RF,
    2L, ft-TF use "target-data") draw the same training and test sets at equal (alpha, repetition)."""
    import pandas as pd

    frames = []
    for alpha in alphas:
        n = seeds_for(alpha, tiers)
        seeds = [derive_seed(instance, purpose, f"{alpha:.12g}", r) for r in range(n)]
        df = simulate(alpha, seeds)
        if log is not None:
            log.info("alpha=%g: %d seeds, mean test error %.4f", alpha, n, df["test_error"].mean())
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "instance", instance)
    return out
