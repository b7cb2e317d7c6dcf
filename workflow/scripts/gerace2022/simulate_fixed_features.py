"""Rule g22_simulate_fixed_features: TF or RF logistic regression at every simulated alpha and seed; the table
and the fitted readouts (ft-TF starts from the TF ones)."""
import numpy as np

from tlrepro.gerace2022.baselines import save_readouts, simulate_fixed_features
from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.image_tasks import load_task
from tlrepro.gerace2022.job import setup_job, simulate_per_alpha
from tlrepro.runtime import atomic_write

log = setup_job(snakemake)
inst, kind, cfg = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params.cfg
task = load_task(snakemake.input.task)
W1 = np.load(snakemake.input.featuremap)["W1"]
# centring: the population mean (CHMM, Monte Carlo) or the mean over the target pool (image task)
pop = snakemake.input.get("population")
mean = Population.load(pop).mean if pop else task.feature_mean(W1)
readouts = {}
out = simulate_per_alpha(
    lambda alpha, seeds: simulate_fixed_features(
        task, W1, mean, alphas=[alpha], H=snakemake.params.H, lam=snakemake.params.lam, seeds=seeds,
        n_test=cfg["n_test"], model=kind.upper(), readouts=readouts),
    alphas=cfg["alphas"], tiers=cfg["seeds"], instance=inst, purpose="target-data", log=log)
atomic_write(snakemake.output.readouts, lambda p: save_readouts(p, readouts, lam=snakemake.params.lam,
                                                                H=snakemake.params.H))
atomic_write(snakemake.output.table, lambda p: out.to_csv(p, index=False))
