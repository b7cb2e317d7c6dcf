"""Rule l25_rich_task: the arrays of a jointly rich experiment (Gaussian polynomial task or CIFAR-10 pairs)."""
import numpy as np

from tlrepro.data import load
from tlrepro.lauditi2025.tasks import rich_task
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
cfg = snakemake.params.cfg
dataset = load(cfg["task"]["dataset"], path=snakemake.input.dataset) if hasattr(snakemake.input, "dataset") else None
task = rich_task(cfg, dataset)
log.info("%s task: source %d, target %d, test %d points of D = %d", cfg["task"]["kind"], len(task["y1"]),
         len(task["y2"]), len(task["yt"]), task["X1"].shape[1])
atomic_write(snakemake.output[0], lambda p: np.savez(p, **task))
