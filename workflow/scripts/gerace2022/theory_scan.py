"""Rule g22_theory_scan: replica test error over a grid of model complexity H/M = 1/alpha at several
lambda (one eigendecomposition for all), with the separability threshold."""
import numpy as np

from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.job import setup_job
from tlrepro.runtime import atomic_write
from tlrepro.theory import SolverNotConverged, separability_threshold, solve_gcm_grid, spectrum

log = setup_job(snakemake)
inst, kind, p = int(snakemake.wildcards.inst), snakemake.wildcards.kind, snakemake.params
pop = Population.load(snakemake.input.population).require_binary("the replica theory")
spec = spectrum(pop.omega, pop.b, pop.rho)
c = p.cfg["complexity"]
alphas = np.unique(np.round(1.0 / np.geomspace(c["min"], c["max"], c["n"]), 12))
sol = solve_gcm_grid(spec, alphas=alphas, lams=p.cfg["lams"], tol=p.cfg["theory"]["tol"],
                     max_iter=p.cfg["theory"]["max_iter"])
df = sol.to_frame().drop(columns="teacher")
if not df["converged"].all():
    bad = df.loc[~df["converged"], ["lam", "alpha"]]
    key = f"gerace2022.{snakemake.wildcards.exp}"
    msg = (f"the replica solver did not converge for the {kind.upper()} features of instance {inst} at "
           f"{len(bad)} of {len(df)} (lambda, alpha) points, e.g. {bad.head(5).to_dict('records')}, "
           f"within {key}.theory.max_iter = {p.cfg['theory']['max_iter']}. Raise it, loosen "
           f"{key}.theory.tol or drop the smallest value of {key}.lams; no table was written.")
    log.error("%s", msg)
    raise SolverNotConverged(msg)
a_star = separability_threshold(spec)
df.insert(0, "instance", inst)
df.insert(0, "model", kind.upper())
df["complexity"] = 1.0 / df["alpha"]
df["alpha_star"] = a_star
log.info("scan %s: %d points, alpha*=%.4f", kind, len(df), a_star)
atomic_write(snakemake.output[0], lambda path: df.to_csv(path, index=False))
