"""Rule g22_readout_gaussianity: the Gaussian-equivalence step alone, on fixed linear readouts of the features."""
import numpy as np
import pandas as pd

from tlrepro.gerace2022.chmm import CHMM
from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.job import setup_job
from tlrepro.gerace2022.readout_gaussianity import best_readout_check, source_network_readout
from tlrepro.runtime import atomic_write
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
pop = Population.load(snakemake.input.population).require_binary("the fixed-readout Gaussian-equivalence check")
fm = dict(np.load(snakemake.input.featuremap))
extra = source_network_readout(fm, pop) if kind == "tf" else {}
checks = best_readout_check(CHMM.load(snakemake.input.chmm), fm["W1"], pop, n_fit=cfg["n_fit"],
                            n_test=cfg["n_test"], C=cfg["C"], seed=derive_seed(inst, "readout-check", kind),
                            extra=extra)
out = pd.DataFrame([{"model": kind.upper(), "instance": inst, **c.to_dict()} for c in checks])
log.info("fixed readouts:\n%s", out.round(4).to_string(index=False))
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
