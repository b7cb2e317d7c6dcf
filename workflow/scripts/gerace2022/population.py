"""Rule g22_population: Monte Carlo estimate of (Omega, b, rho, mean) for one feature map."""
import time

import numpy as np

from tlrepro.gerace2022.chmm import CHMM
from tlrepro.gerace2022.features import estimate_population
from tlrepro.gerace2022.job import setup_job
from tlrepro.runtime import atomic_write
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst, kind = int(snakemake.wildcards.inst), snakemake.wildcards.kind
chmm = CHMM.load(snakemake.input.chmm)
W1 = np.load(snakemake.input.featuremap)["W1"]
t0 = time.perf_counter()
pop = estimate_population(chmm, W1, n_samples=snakemake.params.n_samples,
                          seed=derive_seed(inst, kind, "population"))
log.info("population %s: n=%d in %.1fs, rho=%s", kind, pop.n_samples, time.perf_counter() - t0,
         np.array2string(np.asarray(pop.rho), precision=4))
atomic_write(snakemake.output[0], pop.save)
