"""Rule l25_rich: one network (or one DMFT Monte Carlo) of a jointly rich experiment through both phases."""
import numpy as np

from tlrepro.devices import pick_device
from tlrepro.lauditi2025.experiments import rich_run
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
wc = snakemake.wildcards
out, arrays = rich_run(dict(np.load(snakemake.input.task)), snakemake.params.cfg, wc.model, int(wc.n), int(wc.seed),
                       device=str(pick_device(snakemake.params.device)), log=log)
atomic_write(snakemake.output.arrays, lambda p: np.savez_compressed(p, **arrays))
atomic_write(snakemake.output.table, lambda p: out.to_csv(p, index=False))
