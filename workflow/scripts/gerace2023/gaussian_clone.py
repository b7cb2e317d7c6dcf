"""Rule g23_gaussian_clone: GM or IsoGM fitted on the CIFAR-10 pool, sampled with the pool's labels."""
import numpy as np

from tlrepro.gerace2023.clones import gaussian_clone
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
clone = snakemake.wildcards.clone
out = gaussian_clone(dict(np.load(snakemake.input.cifar)), isotropic=clone == "isogm",
                     jitter=snakemake.params.jitter, seed=derive_seed(clone, "clone"))
log.info("%s: %s images, per-channel mean %s", clone, out["x"].shape, np.round(out["stats_mean"], 1))
atomic_write(snakemake.output[0], lambda p: np.savez(p, **out))
