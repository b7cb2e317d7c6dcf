"""Rules simulate_twolayer and simulate_finetune: 2L from scratch or ft-TF from the TF solution."""
import numpy as np

from tlrepro.network_baselines import simulate_networks
from tlrepro.chmm import CHMM
from tlrepro.features import Population
from tlrepro.nets import input_scale, pick_device
from tlrepro.runtime import atomic_write, setup_job, simulate_per_alpha

log = setup_job(snakemake)
inst, cfg, model = int(snakemake.wildcards.inst), snakemake.params.cfg, snakemake.params.model
chmm = CHMM.load(snakemake.input.chmm)
train = cfg["twolayer"] if model == "2L" else cfg["finetune"]
extra = {}
if model == "ft-TF":
    extra = dict(W1_init=np.load(snakemake.input.featuremap)["W1"],
                 mean=Population.load(snakemake.input.population).mean, lam_tf=snakemake.params.lam)
device = str(pick_device(snakemake.params.device))  # resolved once, recorded in the table
out = simulate_per_alpha(
    lambda alpha, seeds: simulate_networks(
        chmm, alphas=[alpha], H=snakemake.params.H, seeds=seeds, n_test=cfg["n_test"], model=model,
        lr=train["lr"], batch_size=train["batch_size"], epochs=train["epochs"], l2=train["l2"],
        device=device, threads=snakemake.threads,
        input_scale=input_scale(snakemake.params.parametrisation, chmm.D), **extra),
    alphas=cfg["alphas"], tiers=cfg["seeds"], instance=inst, purpose="target-data", log=log)
out["device"] = device
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
