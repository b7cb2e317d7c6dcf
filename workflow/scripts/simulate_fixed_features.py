"""Rule simulate_fixed_features: TF or RF logistic regression at every simulated alpha and seed."""
import numpy as np

from tlrepro.baselines import simulate_fixed_features
from tlrepro.chmm import CHMM
from tlrepro.features import Population
from tlrepro.runtime import atomic_write, setup_job, simulate_per_alpha

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
chmm = CHMM.load(snakemake.input.chmm)
W1 = np.load(snakemake.input.featuremap)["W1"]
mean = Population.load(snakemake.input.population).mean
out = simulate_per_alpha(
    lambda alpha, seeds: simulate_fixed_features(
        chmm, W1, mean, alphas=[alpha], H=snakemake.params.H, lam=snakemake.params.lam, seeds=seeds,
        n_test=cfg["n_test"], model=kind.upper()),
    alphas=cfg["alphas"], tiers=cfg["seeds"], instance=inst, purpose="target-data", log=log)
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
