"""Rule g22_simulate_gaussian_equivalent: logistic regression on the Gaussian-equivalent model."""
from tlrepro.gerace2022.baselines import simulate_gaussian_equivalent
from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.job import setup_job, simulate_per_alpha
from tlrepro.runtime import atomic_write

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
pop = Population.load(snakemake.input.population).require_binary("the Gaussian-equivalent model")
out = simulate_per_alpha(
    lambda alpha, seeds: simulate_gaussian_equivalent(
        pop.omega, pop.b, pop.rho, alphas=[alpha], lam=snakemake.params.lam, seeds=seeds,
        model=kind.upper()),
    alphas=cfg["alphas"], tiers=cfg["seeds"], instance=inst, purpose="gaussian-equivalent", log=log)
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
