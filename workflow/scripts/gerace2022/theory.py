"""Rule g22_theory: replica learning curve and separability threshold for one feature map."""
import time

from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.grids import alpha_grid
from tlrepro.gerace2022.job import setup_job
from tlrepro.runtime import atomic_write
from tlrepro.theory import SolverNotConverged, separability_threshold, solve_gcm, spectrum

log = setup_job(snakemake)
inst, kind = int(snakemake.wildcards.inst), snakemake.wildcards.kind
pop = Population.load(snakemake.input.population).require_binary("the replica theory")
spec = spectrum(pop.omega, pop.b, pop.rho)
g = snakemake.params.grid
alphas = alpha_grid(g["alpha_min"], g["alpha_max"], g["n_alpha"], snakemake.params.extra_alphas)
t0 = time.perf_counter()
sol = solve_gcm(spec, alphas=alphas, lam=snakemake.params.lam, tol=g["tol"], max_iter=g["max_iter"])
a_star = separability_threshold(spec)
log.info("theory %s: %d alphas in %.2fs, %d not converged, alpha*=%.4f", kind, len(alphas),
         time.perf_counter() - t0, int((~sol.converged).sum()), a_star)
if not sol.converged.all():
    bad = alphas[~sol.converged]
    key = f"gerace2022.{snakemake.wildcards.exp}.theory"
    msg = (f"the replica solver did not converge for the {kind.upper()} features of instance {inst} "
           f"at {bad.size} of {alphas.size} alphas ({', '.join(f'{a:.4g}' for a in bad[:8])}"
           f"{' ...' if bad.size > 8 else ''}) within {key}.max_iter = {g['max_iter']} iterations "
           f"(relative tolerance {key}.tol = {g['tol']:g}). Raise {key}.max_iter or loosen {key}.tol; "
           f"no theory table was written, other results are untouched.")
    log.error("%s", msg)
    raise SolverNotConverged(msg)
df = sol.to_frame()
df.insert(0, "instance", inst)
df.insert(0, "model", kind.upper())
df["alpha_star"] = a_star
df["rho_p"] = spec.rho_p
df["rho"] = spec.rho
atomic_write(snakemake.output[0], lambda p: df.to_csv(p, index=False))
