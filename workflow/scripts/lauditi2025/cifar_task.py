"""Rule l25_cifar_task: the preprocessed CIFAR-10 class pairs of one experiment (source, target, test)."""
import numpy as np

from tlrepro.data import load
from tlrepro.lauditi2025.tasks import cifar_task
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
cfg = snakemake.params.cfg
ds = load("cifar10", path=snakemake.input.dataset)
task = cifar_task(ds.x_train, ds.y_train, ds.x_test, ds.y_test, cfg, n_target=max(cfg["target"]["P2"]))
log.info("CIFAR-10 (%s form): source %d, target %d, test %d images of D = %d (test from %s)",
         ds.meta["form"], len(task["y_source"]), len(task["y_target"]), len(task["y_test"]),
         task["x_source"].shape[1], cfg["split"]["test_from"])
atomic_write(snakemake.output[0], lambda p: np.savez(p, **task))
