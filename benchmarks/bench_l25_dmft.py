"""lauditi2025 jointly rich regime: DMFT milliseconds per Euler step against the number of single sites S and of
points (both forms: weights, cost S x P x D; points, cost S x P_all x P), and network steps per second against
the width N. Usage: python benchmarks/bench_l25_dmft.py [steps] (default 20 timed steps)."""
import sys
import time

import torch

from tlrepro.lauditi2025.rich import _phase, _points, _Sites
from tlrepro.lauditi2025.tasks import polynomial_task

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
cfg = {"dt": 1e-3, "record_every": 10 ** 9}
print(f"{torch.get_num_threads()} threads, float64, {steps} steps each")


def per_step(form: str, n: int, task) -> float:
    X, idx, ys = _points(task, "cpu", torch.float64)
    sites = _Sites(X, n, torch.Generator().manual_seed(0), "relu", form)
    f0 = torch.zeros(len(X), dtype=torch.float64)
    t0 = time.perf_counter()
    _phase(sites, idx["train1"], ys["train1"], idx["test2"], ys["test2"], f0, gamma=1.0, gamma_out=1.0,
           steps=steps, t0=0.0, cfg=cfg, what="bench")
    return (time.perf_counter() - t0) / steps


for P1 in (250, 1000):
    task = polynomial_task("linear_quadratic", D=100, P1=P1, P2=100, n_test=500, seed=0)
    P_all = P1 + 600
    for S in (1000, 4000, 16000):
        w, p = per_step("weights", S, task), per_step("points", S, task)
        print(f"DMFT P1 = {P1:4d} (P_all = {P_all}), D = 100, S = {S:5d}: weights {1e3 * w:7.1f} ms/step, "
              f"points {1e3 * p:7.1f} ms/step", flush=True)
task = polynomial_task("linear_quadratic", D=100, P1=1000, P2=100, n_test=500, seed=0)
for N in (250, 1000, 4000, 16000):
    s = per_step("weights", N, task)
    print(f"network N = {N:5d}, P1 = 1000, D = 100: {1 / s:7.1f} steps/s", flush=True)
