"""Benchmark of the batched replica solver on the theory part of Fig. 3 (Gerace et al. 2022, section 4).

Fig. 3 is a phase diagram over the teacher alignment q (eq. 3: theta_t = q theta_s + sqrt(1 - q^2)
theta~, F_t = F_s) and the target sample size M/H, "about 1000 points, 10 samples per point".  For one
CHMM instance the transferred first layer W1, hence the features v = ReLU(x W1^T / D), Omega and the
population of (c, v), are the same for every q: only the target teacher b = E[lambda0_t (v - mu)] and
rho = E[lambda0_t^2] change.  So each instance costs ONE eigendecomposition and ONE solve_gcm_grid call
over (n_q teachers) x (n_alpha values of M/H) at lambda = 1e-7.

Per instance (seed = --seed + instance):
  * CHMM with D, L_s = L_t = L, eta = 1, rho = 0 (tlrepro.gerace2022.chmm.make_chmm; theta_t(q) from the same seed);
  * first layer: trained briefly on the source task (tlrepro.gerace2022.nets.train_source, --source-M samples,
    --source-epochs epochs, no early stopping) or random N(0, 1) (--first-layer random);
  * Monte Carlo population (not timed): Omega from tlrepro.gerace2022.features.PopulationAccumulator; since
    lambda0_t is linear in theta_t = q theta_s + sqrt(1 - q^2) theta~, the cross moments of
    (lambda_s, lambda~) with (v - mu) and with each other give b(q) and rho(q) for every q from the same
    samples (so that rho(q) >= b^T Omega^-1 b holds exactly for the estimates);
  * timed: spectrum() (the eigh) + solve_gcm_grid(all q, all alpha).

Part (b): per-solve speed of the fast solver vs the reference solver (tlrepro.theory.reference) at a few
points of instance 0, at equal accuracy: both are compared with a tight solution (tol 1e-12, doubled
quadrature) and must agree with each other to 1e-6 in test error.  The fast solver is timed two ways:
one cold solve_gcm call per point (no batching, no warm start), and the amortised per-point time of the
full grid.

    python benchmarks/bench_solver_grid.py                      # full: 10 instances x 25 q x 40 alpha
    python benchmarks/bench_solver_grid.py --instances 3        # measured fraction, extrapolated to 10

(run from the repository root with tlrepro importable, e.g. PYTHONPATH=src; timings are wall-clock and
the JSON records the load average before and after every timed step).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.features import PopulationAccumulator, relu_features
from tlrepro.runtime import configure_threads
from tlrepro.theory import (
    GCMConvergenceWarning,
    default_n_quad,
    separability_threshold,
    solve_gcm,
    solve_gcm_grid,
    solve_gcm_reference,
    spectrum,
)

PAPER_INSTANCES = 10


def _load() -> list[float]:
    """1, 5, 15-minute load averages (the machine is shared: every timing is reported with them)."""
    return [round(x, 2) for x in os.getloadavg()]


def first_layer(chmm, *, H: int, kind: str, M: int, epochs: int, seed: int) -> np.ndarray:
    """W1 (H, D): random N(0, 1), or trained briefly on the source task (paper eq. 6 parametrisation)."""
    if kind == "random":
        return np.random.default_rng(seed).standard_normal((H, chmm.D))
    from tlrepro.gerace2022.nets import train_source

    X, y = chmm.sample_source(M, np.random.default_rng(seed))
    res = train_source(X, y, None, None, H=H, max_epochs=epochs, patience=None, seed=seed, device="cpu")
    return res.W1.astype(np.float64)


def teacher_population(chmm, W1, *, thetas: np.ndarray, n: int, seed: int, chunk: int = 8192):
    """Omega, and b, rho for every teacher in the span of ``thetas`` (k, L), from one Monte Carlo run.

    Returns (Omega (H, H), B (k, H) = E[lambda_j (v - mu)], R (k, k) = E[lambda_i lambda_j]) with
    lambda_j = c . thetas[j] / sqrt(L); a teacher a . thetas has b = a @ B and rho = a @ R @ a.
    """
    rng = np.random.default_rng(seed)
    L = chmm.L_s
    F = chmm.F_s.astype(np.float32) * np.float32(1.0 / np.sqrt(L))
    k = thetas.shape[0]
    acc = PopulationAccumulator(W1.shape[0], outputs=k)  # the k teacher fields as one multi-output teacher
    done = 0
    while done < n:
        m = min(chunk, n - done)
        c = rng.standard_normal((m, L), dtype=np.float32)
        lam = (c.astype(np.float64) @ thetas.T) / np.sqrt(L)  # (m, k) teacher fields
        v = relu_features(np.maximum(c @ F, 0.0), W1, chunk=chunk)  # x = ReLU(c F / sqrt(L)), eq. (1)
        acc.update(v, lam if k > 1 else lam[:, 0])
        done += m
    pop = acc.finalize()
    return pop.omega, np.reshape(pop.b.T, (k, -1)), np.reshape(pop.rho, (k, k))


def build_instance(args, inst: int, qs: np.ndarray):
    """(Omega, B_q (n_q, H), rho_q (n_q,), info) for one CHMM instance; not timed."""
    seed = args.seed + inst
    t0 = time.perf_counter()
    base = make_chmm(D=args.D, L_s=args.L, L_t=args.L, eta=1.0, rho=0.0, q=1.0, seed=seed)
    # theta~ of eq. (3): make_chmm(q=0) with the same seed draws the same (F_s, theta_s, F~, theta~)
    tilde = make_chmm(D=args.D, L_s=args.L, L_t=args.L, eta=1.0, rho=0.0, q=0.0, seed=seed).theta_t
    for q in qs[[0, -1]]:  # the target teachers really are q theta_s + sqrt(1 - q^2) theta~, F_t = F_s
        ch = make_chmm(D=args.D, L_s=args.L, L_t=args.L, eta=1.0, rho=0.0, q=float(q), seed=seed)
        assert np.array_equal(ch.F_t, base.F_s)
        assert np.allclose(ch.theta_t, q * base.theta_s + np.sqrt(1 - q * q) * tilde, rtol=0, atol=1e-12)
    W1 = first_layer(base, H=args.H, kind=args.first_layer, M=args.source_M, epochs=args.source_epochs,
                     seed=seed)
    t1 = time.perf_counter()
    Om, B2, R2 = teacher_population(base, W1, thetas=np.stack([base.theta_s, tilde]), n=args.n_mc,
                                    seed=seed + 10_000)
    coef = np.stack([qs, np.sqrt(1.0 - qs**2)], 1)  # (n_q, 2)
    Bq = coef @ B2
    rq = np.einsum("qi,ij,qj->q", coef, R2, coef)
    info = dict(instance=inst, seed=seed, t_first_layer_s=t1 - t0, t_population_s=time.perf_counter() - t1)
    return Om, Bq, rq, info


def run_grid(args, qs, alphas) -> tuple[list[dict], dict]:
    """Part (a): per instance, time spectrum() + solve_gcm_grid(); returns records and instance 0 data."""
    records, keep = [], {}
    for inst in range(args.instances):
        Om, Bq, rq, info = build_instance(args, inst, qs)
        load0 = _load()
        t0 = time.perf_counter()
        sp = spectrum(Om, Bq[-1], rq[-1])
        t1 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GCMConvergenceWarning)  # counted below, not hidden
            g = solve_gcm_grid(sp, Bq, rq, alphas=alphas, lams=args.lam)
        t2 = time.perf_counter()
        rec = dict(
            info, t_eigh_s=t1 - t0, t_solve_s=t2 - t1, n_points=int(g.alpha.size),
            n_converged=int(g.converged.sum()), n_iter_median=float(np.median(g.n_iter)),
            n_iter_max=int(g.n_iter.max()), n_quad=int(g.n_quad[0]),
            rho_p_over_rho_min=float(np.min(g.rho_p / g.rho)), rho_p_over_rho_max=float(np.max(g.rho_p / g.rho)),
            test_error_min=float(np.nanmin(g.test_error)), test_error_max=float(np.nanmax(g.test_error)),
            load_before=load0, load_after=_load(),
        )
        records.append(rec)
        print(f"instance {inst}: eigh {rec['t_eigh_s']:.3f} s, grid {rec['t_solve_s']:.2f} s for "
              f"{rec['n_points']} points ({rec['n_converged']} converged, median {rec['n_iter_median']:.0f} "
              f"iterations), load {rec['load_after']}", flush=True)
        if inst == 0:
            keep = dict(sp=sp, Bq=Bq, rq=rq, grid=g, t_per_point=(t2 - t0) / g.alpha.size)
    return records, keep


def run_reference(args, qs, keep) -> dict:
    """Part (b): reference vs fast solver at a few points of instance 0, equal accuracy (1e-6)."""
    sp, Bq, rq = keep["sp"], keep["Bq"], keep["rq"]
    lam = args.lam
    nq = default_n_quad(lam)
    rows = []
    for iq in sorted({0, len(qs) // 2, len(qs) - 1}):
        sp_q = sp.with_teacher(Bq[iq], rq[iq])
        a_star = separability_threshold(sp_q)
        for fac in args.ref_alpha_factors:
            a = float(fac * a_star)
            load0 = _load()
            t0 = time.perf_counter()
            fast = solve_gcm(sp_q, alphas=[a], lam=lam)  # cold, one point: no batching, no warm start
            t1 = time.perf_counter()
            ref = solve_gcm_reference(sp_q, alpha=a, lam=lam, tol=args.ref_tol)
            t2 = time.perf_counter()
            tight = solve_gcm(sp_q, alphas=[a], lam=lam, tol=1e-12, n_quad=2 * nq)
            row = dict(
                q=float(qs[iq]), alpha=a, alpha_over_alpha_star=float(fac), alpha_star=a_star,
                t_fast_single_s=t1 - t0, t_reference_s=t2 - t1,
                fast_converged=bool(fast.converged[0]), reference_converged=bool(ref.converged),
                tight_converged=bool(tight.converged[0]),
                fast_n_iter=int(fast.n_iter[0]), reference_n_iter=int(ref.n_iter), reference_n_prox=int(ref.n_prox),
                eps_fast=float(fast.test_error[0]), eps_reference=float(ref.test_error),
                eps_tight=float(tight.test_error[0]),
                abs_diff_fast_reference=abs(float(fast.test_error[0]) - ref.test_error),
                abs_err_fast=abs(float(fast.test_error[0] - tight.test_error[0])),
                abs_err_reference=abs(ref.test_error - float(tight.test_error[0])),
                load_before=load0, load_after=_load(),
            )
            rows.append(row)
            print(f"q={row['q']:.3f} alpha={a:.3g} ({fac:g} alpha*): fast {row['t_fast_single_s'] * 1e3:.1f} ms, "
                  f"reference {row['t_reference_s']:.2f} s ({row['reference_n_iter']} it), |d eps| = "
                  f"{row['abs_diff_fast_reference']:.2e}, load {row['load_after']}", flush=True)
    t_ref = np.array([r["t_reference_s"] for r in rows])
    t_fast = np.array([r["t_fast_single_s"] for r in rows])
    agree = all(r["abs_diff_fast_reference"] < 1e-6 and r["abs_err_fast"] < 1e-6 and r["abs_err_reference"] < 1e-6
                and r["fast_converged"] and r["reference_converged"] for r in rows)
    return dict(
        points=rows, lam=lam, reference_tol=args.ref_tol, fast_tol=1e-7, all_agree_within_1e_6=bool(agree),
        max_abs_diff_fast_reference=float(max(r["abs_diff_fast_reference"] for r in rows)),
        reference_mean_s_per_solve=float(t_ref.mean()), fast_single_mean_s_per_solve=float(t_fast.mean()),
        fast_grid_amortised_s_per_solve=float(keep["t_per_point"]),
        speedup_single_cold=float(t_ref.mean() / t_fast.mean()),
        speedup_single_cold_min_per_point=float(np.min(t_ref / t_fast)),
        speedup_grid_amortised=float(t_ref.mean() / keep["t_per_point"]),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=PAPER_INSTANCES, help="CHMM instances (paper: 10)")
    ap.add_argument("--n-q", type=int, default=25, help="teacher alignments q in [0, 1]")
    ap.add_argument("--n-alpha", type=int, default=40, help="log-spaced M/H values")
    ap.add_argument("--alpha-range", type=float, nargs=2, default=[0.05, 10.0])
    ap.add_argument("--H", type=int, default=500)
    ap.add_argument("--L", type=int, default=150)
    ap.add_argument("--D", type=int, default=1000)
    ap.add_argument("--lam", type=float, default=1e-7)
    ap.add_argument("--n-mc", type=int, default=100_000, help="Monte Carlo samples per instance (not timed)")
    ap.add_argument("--first-layer", choices=("trained", "random"), default="trained")
    ap.add_argument("--source-M", type=int, default=10_000)
    ap.add_argument("--source-epochs", type=int, default=2)
    ap.add_argument("--ref-alpha-factors", type=float, nargs="+", default=[0.5, 2.0],
                    help="reference points at these multiples of alpha* (per q)")
    ap.add_argument("--ref-tol", type=float, default=1e-9)
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS/torch threads (1: on a loaded 2-core machine OpenBLAS with 2 threads stalled "
                         "eigh(500 x 500) at ~3.7 s instead of ~0.05 s)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "out" / "solver_grid.json"))
    args = ap.parse_args(argv)
    configure_threads(args.threads)

    qs = np.linspace(0.0, 1.0, args.n_q)
    alphas = np.geomspace(args.alpha_range[0], args.alpha_range[1], args.n_alpha)
    load_start = _load()
    records, keep = run_grid(args, qs, alphas)
    t_inst = np.array([r["t_eigh_s"] + r["t_solve_s"] for r in records])
    n_pts = int(sum(r["n_points"] for r in records))
    grid = dict(
        n_q=args.n_q, n_alpha=args.n_alpha, alpha_range=args.alpha_range, lam=args.lam, H=args.H, L=args.L,
        D=args.D, n_mc=args.n_mc, threads=args.threads, first_layer=args.first_layer, source_M=args.source_M,
        source_epochs=args.source_epochs, instances_run=args.instances, points_run=n_pts,
        total_timed_s=float(t_inst.sum()), per_solve_s=float(t_inst.sum() / n_pts),
        eigh_total_s=float(sum(r["t_eigh_s"] for r in records)),
        n_converged=int(sum(r["n_converged"] for r in records)), instances=records,
    )
    if args.instances < PAPER_INSTANCES:
        grid["EXTRAPOLATED_full_grid_s"] = float(t_inst.mean() * PAPER_INSTANCES)
        grid["extrapolation_note"] = (f"measured {args.instances} of {PAPER_INSTANCES} instances; full-grid time "
                                      "= mean time per instance x 10 (not measured)")
    print(f"grid: {n_pts} points in {grid['total_timed_s']:.1f} s ({grid['per_solve_s'] * 1e3:.2f} ms per solve, "
          f"eigh included), {grid['n_converged']} converged", flush=True)
    out = dict(
        meta=dict(python=platform.python_version(), numpy=np.__version__, cpu_count=os.cpu_count(),
                  machine=platform.machine(), load_start=load_start, load_end=None,
                  command=" ".join(["python", "benchmarks/bench_solver_grid.py",
                                    *(sys.argv[1:] if argv is None else argv)])),
        fig3_grid=grid,
    )
    if not args.skip_reference:
        out["reference_vs_fast"] = run_reference(args, qs, keep)
        r = out["reference_vs_fast"]
        print(f"reference {r['reference_mean_s_per_solve']:.2f} s/solve, fast (cold, single) "
              f"{r['fast_single_mean_s_per_solve'] * 1e3:.1f} ms/solve -> {r['speedup_single_cold']:.0f}x; "
              f"grid-amortised {r['fast_grid_amortised_s_per_solve'] * 1e3:.2f} ms/solve -> "
              f"{r['speedup_grid_amortised']:.0f}x; agree to 1e-6: {r['all_agree_within_1e_6']}", flush=True)
    out["meta"]["load_end"] = _load()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=2)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
