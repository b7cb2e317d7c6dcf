"""Rule simulate_gaussian_equivalent: logistic regression on the Gaussian-equivalent model."""
from tlrepro.baselines import simulate_gaussian_equivalent
from tlrepro.features import Population
from tlrepro.runtime import atomic_write, setup_job, simulate_per_alpha

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
pop = Population.load(snakemake.input.population).require_binary("the Gaussian-equivalent model")
out = simulate_per_alpha(
    lambda alpha, seeds: simulate_gaussian_equivalent(
        pop.omega, pop.b, pop.rho, alphas=[alpha], lam=snakemake.params.lam, seeds=seeds,
        model=kind.upper()),
    alphas=cfg["alphas"], tiers=cfg["seeds"], instance=inst, purpose="gaussian-equivalent", log=log)
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
