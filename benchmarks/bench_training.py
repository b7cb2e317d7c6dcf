"""Tiny CPU benchmark: estimate_population and one source-training epoch at paper-like sizes; with
--batched-vs-single, one-at-a-time against batched training of Fig. 4b's small-M/H 2L networks.

    python benchmarks/bench_training.py [--n-pop 100000] [--device auto]
    python benchmarks/bench_training.py --batched-vs-single [--configfile config.yaml] [--panel fig4b_hard_easy]
    python benchmarks/bench_training.py --hand-step
    python benchmarks/bench_training.py --start-up

The first prints the timings and writes them to benchmarks/out/training.json. The second takes the
panel's CHMM, networks block and 2L training settings from the config, draws the training sets of every
seed at M/H <= --alpha-max (as rule g22_simulate_twolayer does), trains them one at a time and then each
alpha's seeds as one batched model (``nets.train_two_layer_batched``), one thread, checks that the weights
agree, and ends with the line ``speed-up <x>x``. The third times the training step on random data of the
default sizes (D = 1000, H = 500, one thread) three ways: autograd and ``opt.step()`` (how ``nets`` trained
before), ``nets`` now (the hand-written pass ``nets._binary_step``, autograd's operations without its graph,
and Adam's kernel called directly, ``nets._Adam``: bit-identical), and a folded pass that does less
work but rounds differently; at three shapes: ft-TF at M = 3000 (batch 1000,
with centring), 2L at M = 100 and source training (M = 20000, batch 50). It prints ms per step, the
speed-ups, whether the weights are bit-identical and the folded pass's largest weight difference. The
fourth times, in fresh interpreters, what every network job pays once: its imports, scikit-learn's, and
the construction of torch's Adam (which imports ``torch._dynamo``) against ``nets._Adam``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.features import estimate_population
from tlrepro.gerace2022.nets import train_source
from tlrepro.seeding import derive_seed


def batched_vs_single(configfile: str, panel: str, alpha_max: float) -> None:
    import yaml

    from tlrepro.gerace2022.baselines import _NET, _training_sets, sample_rng
    from tlrepro.gerace2022.config import seeds_for
    from tlrepro.gerace2022.nets import input_scale, train_two_layer, train_two_layer_batched

    cfg = yaml.safe_load(open(configfile))["gerace2022"][panel]
    c, net, H = cfg["chmm"], cfg["networks"], cfg["H"]
    chmm = make_chmm(**c, seed=derive_seed(1, "chmm"))
    scale = input_scale(cfg["parametrisation"], c["D"])
    train = net["twolayer"]
    kw = dict(H=H, lr=train["lr"], batch_size=train["batch_size"], epochs=train["epochs"], l2=train["l2"],
              device="cpu", threads=1)
    groups = {}
    for alpha in [a for a in net["alphas"] if a <= alpha_max * (1 + 1e-12)]:
        seeds = [derive_seed(1, "target-data", f"{alpha:.12g}", r) for r in range(seeds_for(alpha, net["seeds"]))]
        sets = list(_training_sets(chmm, [alpha], H, seeds))
        groups[alpha] = [(X * scale, y, int(sample_rng(s, M, _NET).integers(2**31 - 1))) for _, M, s, X, y in sets]
    n = sum(len(g) for g in groups.values())
    print(f"{panel}: {n} 2L networks at M/H in {list(groups)}, H = {H}, D = {c['D']}, {train['epochs']} epochs, "
          f"batch {train['batch_size']}, one thread")
    X0, y0, s0 = next(iter(groups.values()))[0]  # warm-up: torch's first call (threads, kernels) untimed
    train_two_layer(X0, y0, seed=s0, **{**kw, "epochs": 1})
    train_two_layer_batched([X0], [y0], seeds=[s0], **{**kw, "epochs": 1})
    t = time.perf_counter()
    single = {a: [train_two_layer(X, y, seed=s, **kw) for X, y, s in g] for a, g in groups.items()}
    t_single = time.perf_counter() - t
    print(f"one at a time: {t_single:.1f} s")
    t = time.perf_counter()
    batched = {a: train_two_layer_batched([X for X, _, _ in g], [y for _, y, _ in g], seeds=[s for *_, s in g], **kw)
               for a, g in groups.items()}
    t_batched = time.perf_counter() - t
    print(f"batched (one model per M/H): {t_batched:.1f} s")
    diff = max(float(np.abs(b.W1 - o.W1).max()) for a in groups for b, o in zip(batched[a], single[a]))
    print(f"largest |W1 batched - W1 one at a time|: {diff:.2e}")
    print(f"speed-up {t_single / t_batched:.2f}x")


def denormals(configfile: str, panel: str, alpha: float, featuremap: str | None) -> None:
    """One ft-TF training of ``panel`` at M/H = ``alpha`` (first seed), with subnormals flushed to zero
    and without: the times and whether the weights are bit-identical."""
    import yaml

    from tlrepro.gerace2022 import nets
    from tlrepro.gerace2022.baselines import _classes, _training_sets, fit_logistic
    from tlrepro.gerace2022.features import relu_features

    cfg = yaml.safe_load(open(configfile))["gerace2022"][panel]
    c, H, ft = cfg["chmm"], cfg["H"], cfg["networks"]["finetune"]
    chmm = make_chmm(**c, seed=derive_seed(1, "chmm"))
    if featuremap:
        W1 = np.load(featuremap)["W1"]
    else:  # the source network as rule g22_train_source trains it (eq. 6 parametrisation)
        s = cfg["source"]
        X, y, Xv, yv = chmm.source_sets(s["M"], s["M_val"], 1)
        t = time.perf_counter()
        W1 = train_source(X, y, Xv, yv, H=H, lr=s["lr"], batch_size=s["batch_size"], l2=s["l2"],
                          max_epochs=s["max_epochs"], patience=s["patience"], seed=derive_seed(1, "source-init"),
                          device="cpu", threads=1).W1
        print(f"source network trained in {time.perf_counter() - t:.1f} s")
    mean = estimate_population(chmm, W1, n_samples=20_000, seed=2).mean  # the centring of the TF fit
    seed = derive_seed(1, "target-data", f"{alpha:.12g}", 0)
    (_, M, _, X, y), = list(_training_sets(chmm, [alpha], H, [seed]))
    w = fit_logistic(relu_features(X, W1).astype(np.float64) - mean, y, lam=cfg["lam"], classes=_classes(chmm))[0]
    kw = dict(H=H, lr=ft["lr"], batch_size=ft["batch_size"], epochs=ft["epochs"], l2=ft["l2"], seed=7,
              init=(W1, w), center=mean, device="cpu", threads=1)
    print(f"{panel}: ft-TF at M/H = {alpha:g} (M = {M}), H = {H}, D = {c['D']}, {ft['epochs']} epochs, one thread")
    out = {}
    for flush in (False, True):
        nets.FLUSH_DENORMAL = flush
        t = time.perf_counter()
        out[flush] = (nets.train_two_layer(X, y, **kw), time.perf_counter() - t)
        print(f"subnormals {'flushed' if flush else 'kept'}: {out[flush][1]:.1f} s")
    a, b = out[False][0], out[True][0]
    same = np.array_equal(a.W1, b.W1) and np.array_equal(a.w2, b.w2)
    print(f"weights bit-identical: {same} (largest |dW1| {float(np.abs(a.W1 - b.W1).max()):.2e})")
    print(f"speed-up {out[False][1] / out[True][1]:.2f}x")


def _folded_training(X, y, W1, w2, center, *, lr, batch_size, l2, epochs, seed):
    """The loop of ``nets._fit`` with a forward/backward pass that folds operations into fewer passes (1/D
    as a product, ReLU in place, the sigmoid form of softplus', the ReLU mask as a product): less work
    than ``nets._binary_step`` but a different rounding, so not used by ``nets``."""
    import torch

    from tlrepro.gerace2022.nets import _Adam, _threads

    M, D = X.shape
    H = W1.shape[0]
    W1, w2 = W1.clone(), w2.clone()
    opt, reg, s = _Adam([W1, w2], lr), l2 / (2.0 * M), 1.0 / math.sqrt(H)
    gen = torch.Generator().manual_seed(int(seed) + 1)
    W1.grad = torch.empty_like(W1)
    with _threads(1, device="cpu"), torch.no_grad():
        for _ in range(epochs):
            perm = torch.randperm(M, generator=gen)
            for i in range(0, M, batch_size):
                idx = perm[i : i + batch_size]
                xb, yb = X.index_select(0, idx), y.index_select(0, idx)
                h = torch.mm(xb, W1.T).mul_(1.0 / D).clamp_(min=0)
                f = torch.mv(h, w2)
                if center is not None:
                    f.sub_(torch.dot(center, w2))
                f.mul_(s)
                g = torch.sigmoid(-yb * f).mul_(-yb).mul_(s / len(idx))
                gw2 = torch.mv(h.T, g)
                if center is not None:
                    gw2.sub_(center * g.sum())
                w2.grad = gw2.add_(w2, alpha=2 * reg)
                torch.mm(torch.outer(g, w2).mul_(h > 0).T, xb, out=W1.grad).mul_(1.0 / D)
                opt.step()
    return W1, w2


def hand_step(repeat: int = 3) -> None:
    """The training step three ways, ms per step at three shapes: autograd with the optimiser's step (as
    ``nets`` trained before), ``nets`` now (its hand-written pass and the direct Adam step, bit-identical)
    and a folded pass (fewer passes, another rounding; direct Adam step)."""
    import torch

    from tlrepro.gerace2022 import nets

    D, H = 1000, 500
    cases = [("ft-TF, M = 3000, batch 1000", 3000, 1000, 0.01, True, 20),  # (name, M, batch, lr, centred,
             ("2L, M = 100, batch 1000", 100, 1000, 0.1, False, 200),     #  epochs)
             ("source, M = 20000, batch 50", 20000, 50, 1e-3, False, 1)]
    print(f"D = {D}, H = {H}, one thread, subnormals flushed (as nets trains on the CPU)")
    for name, M, batch, lr, centred, epochs in cases:
        g = torch.Generator().manual_seed(0)
        X = torch.randn(M, D, generator=g)
        y = torch.where(torch.randn(M, generator=g) >= 0, 1.0, -1.0)
        c = torch.rand(H, generator=g) if centred else None
        init = torch.Generator().manual_seed(3)  # the draws of train_source's initialisation (seed 3)
        W1, w2 = torch.randn(H, D, generator=init), torch.randn(H, generator=init)
        if centred:
            w2 *= 0.05
        kw = dict(lr=lr, batch_size=batch, l2=1e-7, seed=3)

        def run(impl, n):
            if impl == "folded":
                return _folded_training(X, y, W1, w2, c, epochs=n, **kw)[0]
            nets.HAND_WRITTEN_STEP = nets.DIRECT_ADAM = impl == "nets"
            try:
                if batch == 50:
                    r = nets.train_source(X.numpy(), y.numpy(), None, None, H=H, max_epochs=n, patience=None,
                                          device="cpu", threads=1, **kw)
                else:
                    r = nets.train_two_layer(X.numpy(), y.numpy(), H=H, epochs=n, device="cpu", threads=1,
                                             init=(W1.numpy(), w2.numpy()),
                                             center=None if c is None else c.numpy(), **kw)
            finally:
                nets.HAND_WRITTEN_STEP = nets.DIRECT_ADAM = True
            return torch.as_tensor(r.W1)

        impls = ("autograd", "nets", "folded")
        per_step, weights = {i: math.inf for i in impls}, {}
        for impl in impls:
            run(impl, 1)  # warm-up
        for _ in range(repeat):  # the fastest of interleaved repeats: this machine's speed drifts
            for impl in impls:
                t = {}
                for n in (epochs, 2 * epochs):  # the difference cancels setup and the epoch-0 evaluation
                    start = time.perf_counter()
                    weights[impl] = run(impl, n)
                    t[n] = time.perf_counter() - start
                per_step[impl] = min(per_step[impl], (t[2 * epochs] - t[epochs]) / (epochs * -(-M // batch)) * 1e3)
        a, b, f = (per_step[i] for i in impls)
        same = torch.equal(weights["autograd"], weights["nets"])
        diff = float((weights["autograd"] - weights["folded"]).abs().max())
        print(f"{name}: autograd + opt.step() {a:.2f} ms/step; nets (hand-written pass, direct Adam) {b:.2f} "
              f"({a / b:.2f}x, weights bit-identical: {same}); folded {f:.2f} ({a / f:.2f}x, largest |dW1| "
              f"{diff:.1e} after {2 * epochs} epochs, on entries of order 1)")


_START_UP = {
    # what a network job imports (workflow/scripts/gerace2022/simulate_networks.py)
    "imports of a network job": ("", "import tlrepro.gerace2022.network_baselines, tlrepro.gerace2022.image_tasks, "
                                     "tlrepro.gerace2022.job, tlrepro.runtime"),
    "scikit-learn, of which": ("import numpy, scipy", "import sklearn.linear_model"),
    "torch.optim.Adam(fused=True), the first one": ("import torch; p = [torch.zeros(500, 1000, requires_grad=True)]",
                                                   "torch.optim.Adam(p, lr=1e-3, fused=True)"),
    "nets._Adam, the first one": ("import torch; from tlrepro.gerace2022.nets import _Adam; "
                                  "p = [torch.zeros(500, 1000, requires_grad=True)]", "_Adam(p, lr=1e-3)"),
}


def start_up(repeat: int = 5) -> None:
    """What each job pays once: imports and the optimiser's construction, timed in fresh interpreters
    (median of ``repeat``; each line times only its statement, after its set-up)."""
    import statistics
    import subprocess
    import sys

    for name, (setup, stmt) in _START_UP.items():
        code = (f"{setup}\nimport time\nt = time.perf_counter()\n{stmt}\nprint(time.perf_counter() - t)")
        runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
                for _ in range(repeat)]
        print(f"{name}: {statistics.median(runs):.2f} s (median of {repeat} fresh interpreters)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--batched-vs-single", action="store_true")
    ap.add_argument("--configfile", default="config.yaml")
    ap.add_argument("--panel", default="fig4b_hard_easy")
    ap.add_argument("--alpha-max", type=float, default=0.5)
    ap.add_argument("--denormals", action="store_true")
    ap.add_argument("--hand-step", action="store_true")
    ap.add_argument("--start-up", action="store_true")
    ap.add_argument("--alpha", type=float, default=6.0, help="--denormals: the M/H of the ft-TF training")
    ap.add_argument("--featuremap", default=None, help="--denormals: a built featuremap-tf-s1.npz (else trained)")
    ap.add_argument("--D", type=int, default=1000)
    ap.add_argument("--L", type=int, default=500)
    ap.add_argument("--H", type=int, default=500)
    ap.add_argument("--n-pop", type=int, default=100_000)
    ap.add_argument("--M", type=int, default=51_200)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", default=str(Path(__file__).parent / "out" / "training.json"))
    args = ap.parse_args()
    if args.batched_vs_single:
        return batched_vs_single(args.configfile, args.panel, args.alpha_max)
    if args.denormals:
        return denormals(args.configfile, args.panel, args.alpha, args.featuremap)
    if args.hand_step:
        return hand_step()
    if args.start_up:
        return start_up()

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
