"""Benchmark of the replica solver (tlrepro.theory.gcm) on a realistic random-feature covariance.

Model (hidden-manifold-like, random-feature map): c ~ N(0, I_L), L = 0.3 H; x = ReLU(c F / sqrt(L)) with
F ~ N(0,1) (L x D), D = 2H; v = ReLU(x W1^T / D) with W1 ~ N(0,1) (H x D); teacher lambda0 = theta.c/sqrt(L).
Omega = Cov(v), b = E[lambda0 (v - E v)] and rho = E[lambda0^2] are estimated by Monte Carlo (n = 20 H
samples, float32 chunks, float64 accumulation).  Times: eigendecomposition, one solve at a single alpha,
a 40-point alpha curve in [0.05, 20] at lambda = 1e-7 and 1e-4, and the separability threshold.

    python benchmarks/bench_solver.py --H 500 1000 --out benchmarks/out/solver.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np

from tlrepro.theory import GCMConvergenceWarning, separability_threshold, solve_gcm, spectrum


def population_stats(H: int, n_mc_per_H: int = 20, chunk: int = 4096, seed: int = 0):
    """Monte-Carlo estimate of (Omega, b, rho) for the random-feature model described above."""
    rng = np.random.default_rng(seed)
    L, D = max(1, int(round(0.3 * H))), 2 * H
    F = rng.standard_normal((L, D)).astype(np.float32)
    W1 = rng.standard_normal((H, D)).astype(np.float32)
    theta = rng.standard_normal(L).astype(np.float32)
    n = n_mc_per_H * H
    s_v = np.zeros(H)
    s_vv = np.zeros((H, H))
    s_lv = np.zeros(H)
    s_l = 0.0
    s_ll = 0.0
    done = 0
    while done < n:
        k = min(chunk, n - done)
        c = rng.standard_normal((k, L), dtype=np.float32)
        x = np.maximum(c @ F / np.float32(np.sqrt(L)), 0)
        v = np.maximum(x @ W1.T / np.float32(D), 0)
        lam0 = c @ theta / np.float32(np.sqrt(L))
        s_v += v.sum(0, dtype=np.float64)
        s_vv += (v.T @ v).astype(np.float64)
        s_lv += (lam0 @ v).astype(np.float64)
        s_l += float(lam0.sum(dtype=np.float64))
        s_ll += float((lam0.astype(np.float64) ** 2).sum())
        done += k
    mu = s_v / n
    Om = s_vv / n - np.outer(mu, mu)
    Om = 0.5 * (Om + Om.T)
    b = s_lv / n - (s_l / n) * mu  # E[lambda0 (v - mu)]
    rho = s_ll / n
    return Om, b, rho, dict(L=L, D=D, n_mc=n)


def _timed(fn, *a, **k):
    t0 = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t0


def bench_one(H: int, seed: int = 0) -> dict:
    (Om, b, rho, info), t_mc = _timed(population_stats, H, seed=seed)
    sp, t_eig = _timed(spectrum, Om, b, rho)
    alphas = np.logspace(np.log10(0.05), np.log10(20.0), 40)
    rec: dict = dict(H=H, **info, rho=rho, rho_p=sp.rho_p, t_montecarlo_s=t_mc, t_eigh_s=t_eig)
    a_star, t_sep = _timed(separability_threshold, sp)
    rec.update(alpha_star=a_star, t_separability_s=t_sep)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GCMConvergenceWarning)
        s1, t1 = _timed(solve_gcm, sp, alphas=[1.0], lam=1e-4)
        rec.update(t_single_alpha_s=t1, single_n_iter=int(s1.n_iter[0]), single_converged=bool(s1.converged[0]))
        for lam in (1e-7, 1e-4):
            s, t = _timed(solve_gcm, sp, alphas=alphas, lam=lam)
            key = f"curve_lam{lam:g}"
            rec[key] = dict(
                t_s=t, n_converged=int(s.converged.sum()), n_alpha=int(alphas.size),
                max_n_iter=int(s.n_iter.max()), median_n_iter=float(np.median(s.n_iter)), n_quad=s.n_quad,
                test_error_min=float(np.nanmin(s.test_error)), test_error_at_max_alpha=float(s.test_error[-1]),
            )
    return rec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--H", type=int, nargs="+", default=[500, 1000], help="hidden sizes")
    ap.add_argument("--out", default="benchmarks/out/solver.json", help="JSON output path")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    results = [bench_one(H, args.seed) for H in args.H]
    hdr = (f"{'H':>6} {'MC[s]':>7} {'eigh[s]':>8} {'1 alpha[s]':>10} {'curve 1e-7[s]':>13} {'conv':>5} "
           f"{'maxit':>6} {'curve 1e-4[s]':>13} {'conv':>5} {'maxit':>6} {'alpha*':>7} {'sep[s]':>7}")
    print(hdr)
    for r in results:
        c7, c4 = r["curve_lam1e-07"], r["curve_lam0.0001"]
        print(f"{r['H']:>6} {r['t_montecarlo_s']:>7.2f} {r['t_eigh_s']:>8.3f} {r['t_single_alpha_s']:>10.3f} "
              f"{c7['t_s']:>13.2f} {c7['n_converged']:>2}/{c7['n_alpha']:<2} {c7['max_n_iter']:>6} "
              f"{c4['t_s']:>13.2f} {c4['n_converged']:>2}/{c4['n_alpha']:<2} {c4['max_n_iter']:>6} "
              f"{r['alpha_star']:>7.3f} {r['t_separability_s']:>7.3f}")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    meta = dict(python=platform.python_version(), numpy=np.__version__, cpu_count=os.cpu_count(),
                machine=platform.machine())
    with open(args.out, "w") as fh:
        json.dump(dict(meta=meta, results=results), fh, indent=2)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
