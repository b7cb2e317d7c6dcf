"""Rule simulate_gaussian_equivalent: logistic regression on the Gaussian-equivalent model."""
import pandas as pd

from tlrepro.baselines import simulate_gaussian_equivalent
from tlrepro.config import seeds_for
from tlrepro.features import Population
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
pop = Population.load(snakemake.input.population)
frames = []
for alpha in cfg["alphas"]:
    n = seeds_for(alpha, cfg["seeds"])
    seeds = [derive_seed(inst, "gaussian-equivalent", f"{alpha:.12g}", r) for r in range(n)]
    df = simulate_gaussian_equivalent(pop.omega, pop.b, pop.rho, alphas=[alpha],
                                      lam=snakemake.params.lam, seeds=seeds, model=kind.upper())
    log.info("%s alpha=%g: %d seeds, mean test error %.4f", kind, alpha, n, df["test_error"].mean())
    frames.append(df)
out = pd.concat(frames, ignore_index=True)
out.insert(1, "instance", inst)
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
