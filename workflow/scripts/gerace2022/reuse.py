"""Rule g22_reuse: copy the output of the job that computes it identically (tlrepro.gerace2022.reuse)."""
import shutil

from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
atomic_write(snakemake.output[0], lambda p: shutil.copyfile(snakemake.input[0], p))
log.info("%s: a copy of %s (the same job: tlrepro.gerace2022.reuse)", snakemake.output[0], snakemake.input[0])
