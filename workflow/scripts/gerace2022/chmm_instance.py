"""Rule g22_chmm_instance: generate one CHMM realisation."""
from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.job import setup_job
from tlrepro.runtime import atomic_write
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst = int(snakemake.wildcards.inst)
chmm = make_chmm(**snakemake.params.cfg, seed=derive_seed(inst, "chmm"))
atomic_write(snakemake.output[0], chmm.save)
log.info("CHMM instance %d: D=%d L_s=%d L_t=%d", inst, chmm.D, chmm.L_s, chmm.L_t)
