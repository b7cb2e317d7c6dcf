"""Rule l25_cifar_theory: kernel regression on the target with the adaptive kernel after the source phase."""
import numpy as np

from tlrepro.devices import pick_device
from tlrepro.lauditi2025.experiments import cifar_theory
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
task = dict(np.load(snakemake.input.task))
out = cifar_theory(task, snakemake.params.cfg, float(snakemake.wildcards.gamma),
                   device=str(pick_device(snakemake.params.device)), log=log)
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
