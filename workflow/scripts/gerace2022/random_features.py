"""Rule g22_random_features: the RF first layer, i.i.d. N(0, 1)."""
import numpy as np

from tlrepro.gerace2022.image_tasks import load_task
from tlrepro.gerace2022.job import setup_job
from tlrepro.runtime import atomic_write
from tlrepro.seeding import rng

log = setup_job(snakemake)
inst = int(snakemake.wildcards.inst)
D = load_task(snakemake.input.task).D
W1 = rng(inst, "random-features").standard_normal((snakemake.params.H, D)).astype(np.float32)
atomic_write(snakemake.output.featuremap, lambda p: np.savez(p, W1=W1))
