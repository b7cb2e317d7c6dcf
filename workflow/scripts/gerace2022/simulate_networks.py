"""Rules g22_simulate_twolayer and g22_simulate_finetune: 2L from scratch or ft-TF from the TF solution."""
import numpy as np

from tlrepro.devices import pick_device
from tlrepro.gerace2022.baselines import load_readouts
from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.image_tasks import load_task
from tlrepro.gerace2022.job import setup_job, simulate_per_alpha
from tlrepro.gerace2022.nets import input_scale
from tlrepro.gerace2022.network_baselines import simulate_networks
from tlrepro.runtime import atomic_write

log = setup_job(snakemake)
inst, cfg, model = int(snakemake.wildcards.inst), snakemake.params.cfg, snakemake.params.model
task = load_task(snakemake.input.task)
train = cfg["twolayer"] if model == "2L" else cfg["finetune"]
extra = {}
if model == "ft-TF":
    W1 = np.load(snakemake.input.featuremap)["W1"]
    pop = snakemake.input.get("population")
    fits = snakemake.input.get("tf_readouts")  # the TF simulation's readouts: not fitted twice
    extra = dict(W1_init=W1, mean=Population.load(pop).mean if pop else task.feature_mean(W1),
                 lam_tf=snakemake.params.lam,
                 tf_readouts=load_readouts(fits, lam=snakemake.params.lam, H=snakemake.params.H) if fits else None,
                 require_readouts=bool(fits))
device = str(pick_device(snakemake.params.device))  # resolved once, recorded in the table
out = simulate_per_alpha(
    lambda alpha, seeds: simulate_networks(
        task, alphas=[alpha], H=snakemake.params.H, seeds=seeds, n_test=cfg["n_test"], model=model,
        lr=train["lr"], batch_size=train["batch_size"], epochs=train["epochs"], l2=train["l2"],
        device=device, threads=snakemake.threads,
        input_scale=input_scale(snakemake.params.parametrisation, task.D), **extra),
    alphas=cfg["alphas"], tiers=cfg["seeds"], instance=inst, purpose="target-data", log=log)
if extra.get("tf_readouts") is not None:
    log.info("ft-TF started from the TF simulation's readouts for all %d networks (%s)", len(out), fits)
out["device"] = device
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
