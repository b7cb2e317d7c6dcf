"""Seconds per layer pair of the similarity measures (tlrepro.similarity.all_measures: II both ways, overlap,
CKA, Spearman) at N points and p features per representation, on random data (the cost does not depend on
the values). Usage: python benchmarks/bench_similarity.py [N] [p ...] (default N = 10000, p = 64 1024 4096)."""
import sys
import time

import numpy as np
import torch

from tlrepro.similarity import all_measures

torch.set_num_threads(int(torch.get_num_threads()))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
dims = [int(p) for p in sys.argv[2:]] or [64, 1024, 4096]
rng = np.random.default_rng(0)
print(f"N = {n}, {torch.get_num_threads()} threads")
for p in dims:
    a = rng.normal(size=(n, p)).astype(np.float32)
    b = (a + rng.normal(size=(n, p))).astype(np.float32)
    t0 = time.perf_counter()
    m = all_measures(a, b)
    print(f"p = {p:5d}: {time.perf_counter() - t0:7.1f} s per layer pair  "
          f"(II {m['information_imbalance']:.3f}, overlap {m['overlap']:.3f}, CKA {m['cka']:.3f})", flush=True)
