"""Rule g23_cifar: the CIFAR-10 training pool and test set at the experiment's resolution."""
import numpy as np

from tlrepro.data import load
from tlrepro.gerace2023.data import cifar_split, with_stats
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
ds = load("cifar10", path=snakemake.input.dataset)
split = cifar_split(ds.x_train, ds.y_train, ds.x_test, ds.y_test, snakemake.params.cfg)
out = with_stats({"x": split["x_pool"], "y": split["y_pool"], "x_test": split["x_test"], "y_test": split["y_test"]})
log.info("CIFAR-10 (%s form): pool %s, test %s (from %s)", ds.meta["form"], out["x"].shape, out["x_test"].shape,
         snakemake.params.cfg["test_from"])
atomic_write(snakemake.output[0], lambda p: np.savez(p, **out))
