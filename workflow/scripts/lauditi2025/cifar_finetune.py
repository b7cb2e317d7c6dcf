"""Rule l25_cifar: ReLU networks of one width pre-trained with one gamma1 (0: untrained), then a new readout
on the target class pair for every P2 (Fig. 2b, 2c)."""
import numpy as np

from tlrepro.devices import pick_device
from tlrepro.lauditi2025.experiments import cifar_finetune
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
cfg, device = snakemake.params.cfg, str(pick_device(snakemake.params.device))
task = dict(np.load(snakemake.input.task))
out = cifar_finetune(task, cfg, float(snakemake.wildcards.gamma), int(snakemake.wildcards.width),
                     range(cfg["repetitions"]), device=device, log=log)
out["device"] = device
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
