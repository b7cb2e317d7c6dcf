"""Tiny CPU benchmark: estimate_population and one source-training epoch at paper-like sizes.

    python benchmarks/bench_training.py [--n-pop 100000] [--device auto]

Prints the timings and writes them to benchmarks/out/training.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.features import estimate_population
from tlrepro.gerace2022.nets import train_source


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--D", type=int, default=1000)
    ap.add_argument("--L", type=int, default=500)
    ap.add_argument("--H", type=int, default=500)
    ap.add_argument("--n-pop", type=int, default=100_000)
    ap.add_argument("--M", type=int, default=51_200)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", default=str(Path(__file__).parent / "out" / "training.json"))
    args = ap.parse_args()

    chmm = make_chmm(D=args.D, L_s=args.L, L_t=args.L, eta=0.8, rho=0.1, q=0.9, seed=0)
    W1 = np.random.default_rng(1).standard_normal((args.H, args.D))

    t = time.perf_counter()
    pop = estimate_population(chmm, W1, n_samples=args.n_pop, seed=2)
    t_pop = time.perf_counter() - t

    X, y = chmm.sample_source(args.M, 3)
    Xv, yv = chmm.sample_source(1000, 4)
    kw = dict(H=args.H, batch_size=args.batch_size, patience=None, seed=0, device=args.device)
    epoch = {}
    t_setup = 0.0
    for threads in (2, 1):
        train_source(X, y, Xv, yv, max_epochs=0, threads=threads, **kw)  # warm-up (allocations, kernels)
        t = time.perf_counter()
        train_source(X, y, Xv, yv, max_epochs=0, threads=threads, **kw)  # init + transfer + epoch-0 eval
        t_setup = max(t_setup, time.perf_counter() - t)
        times = {}
        for n in (1, 3):  # per-epoch time = (3 epochs - 1 epoch) / 2: setup and evaluation cancel
            t = time.perf_counter()
            train_source(X, y, Xv, yv, max_epochs=n, threads=threads, **kw)
            times[n] = time.perf_counter() - t
        epoch[f"threads_{threads}"] = round((times[3] - times[1]) / 2, 3)

    out = {
        "estimate_population": {"D": args.D, "L": args.L, "H": args.H, "n_samples": args.n_pop,
                                "seconds": round(t_pop, 3),
                                "samples_per_second": round(args.n_pop / t_pop),
                                "finite": bool(np.isfinite(pop.omega).all())},
        "source_epoch": {"D": args.D, "H": args.H, "M": args.M, "batch_size": args.batch_size,
                         "seconds_epoch": epoch, "seconds_setup": round(t_setup, 3),
                         "device": args.device},
        "machine": {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version()},
    }
    print(json.dumps(out, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
