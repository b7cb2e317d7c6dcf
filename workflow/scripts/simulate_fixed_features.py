"""Rule simulate_fixed_features: TF or RF logistic regression at every simulated alpha and seed."""
import numpy as np
import pandas as pd

from tlrepro.baselines import simulate_fixed_features
from tlrepro.chmm import CHMM
from tlrepro.config import seeds_for
from tlrepro.features import Population
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
chmm = CHMM.load(snakemake.input.chmm)
W1 = np.load(snakemake.input.featuremap)["W1"]
mean = Population.load(snakemake.input.population).mean
frames = []
for alpha in cfg["alphas"]:
    # TF and RF draw the same training and test sets at equal (instance, alpha, repetition)
    seeds = [derive_seed(inst, "target-data", f"{alpha:.12g}", r) for r in range(seeds_for(alpha, cfg["seeds"]))]
    df = simulate_fixed_features(chmm, W1, mean, alphas=[alpha], H=snakemake.params.H,
                                 lam=snakemake.params.lam, seeds=seeds, n_test=cfg["n_test"],
                                 model=kind.upper())
    log.info("%s alpha=%g: %d seeds, mean test error %.4f", kind, alpha, len(seeds),
             df["test_error"].mean())
    frames.append(df)
out = pd.concat(frames, ignore_index=True)
out.insert(1, "instance", inst)
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
