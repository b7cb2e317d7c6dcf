"""Rule l25_linear_theory: the closed-form fine-tuning losses of one experiment on a dense nu2 grid."""
from tlrepro.lauditi2025.curves import linear_theory
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
out = linear_theory(snakemake.params.cfg)
log.info("%d theory points, curves %s", len(out), sorted(out["curve"].unique()))
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
