"""Network baselines on the target task: 2L trained from scratch and ft-TF fine-tuned from TF.

Kept apart from ``baselines`` because they need torch: the fixed-feature rules run in an environment
without it. Rows, seeds and the paired train / test samples follow ``baselines`` exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..devices import pick_device
from .baselines import (_NET, _TEST, COLUMNS, START, _classes, _errors, _logistic_loss, _training_sets, fit_logistic,
                        sample_rng)
from .chmm import CHMM
from .features import relu_features
from .nets import predict_error, train_two_layer, train_two_layer_batched

__all__ = ["simulate_networks"]


def simulate_networks(task: CHMM, *, alphas, H: int, seeds, n_test: int, model: str, lr: float,
                      batch_size: int, epochs: int, l2: float, W1_init=None, mean=None, lam_tf=None,
                      device="auto", max_iter: int = 10000, tol: float = 1e-7,
                      chunk: int = 8192, threads="auto", input_scale: float = 1.0,
                      batched: bool | str = "auto", tf_readouts: dict | None = None,
                      require_readouts: bool = False) -> pd.DataFrame:
    """2L / ft-TF networks trained on the target task (one row per (alpha, seed)), same row format.

    input_scale s (see ``nets.input_scale``): the networks see s x. For ft-TF the start is converted
    exactly: hidden units are s ReLU(x W1/D), so centre s mu and readout w_TF / s give the TF function.

    model "2L": ``train_two_layer`` from N(0, 1) init. model "ft-TF": fit TF first (``fit_logistic``
    with lam_tf, default l2, on the centred transferred features v - mean, v from W1_init), then train
    both layers from (W1_init, w_TF) with the fixed centring ``mean``. Same train / test samples as the
    fixed-feature simulations at equal (seed, alpha); the network seed comes from stream 2.
    train_loss / train_error: mean l (no penalty) and 0-1 error of the final network on its training
    set; n_iter = epochs, converged = True.

    batched: the seeds of one alpha train as one batched model (``nets.train_two_layer_batched``: each
    network its own init, mini-batch order and loss; equal to one-at-a-time training up to float
    rounding). "auto" (default): batched on CUDA, where one-at-a-time training of small sets is bound by
    kernel-launch overhead; one at a time on the CPU, where it is not: there a step of a small set is
    bound by memory traffic (the Adam update and the weight gradient of every W1 entry, whatever M), and
    the batched model measured 0.59x the speed (benchmarks/bench_training.py --batched-vs-single).

    tf_readouts: TF readouts already fitted on the same sets, {(M, seed): w} (``baselines.load_readouts``:
    the TF simulation's, fitted by the same ``fit_logistic`` call on the same features, so the same
    numbers); a set without one is fitted here, or, with require_readouts, is an error (raised before any
    network of that alpha trains).

    ft-TF rows add ``start_test_error``: the test error of the starting point (the TF solution on the
    same training and test samples), so that ft-TF − TF is judged paired, network against its own start
    (``baselines.with_start_rows`` turns it into rows of its own).
    """
    if model not in ("2L", "ft-TF"):
        raise ValueError(f"model must be '2L' or 'ft-TF', got {model!r}")
    if model == "ft-TF":
        if W1_init is None or mean is None:
            raise ValueError("model 'ft-TF' needs W1_init and mean")
        W1_init = np.asarray(W1_init)
        mean = np.asarray(mean, dtype=np.float64)
        lam_tf = l2 if lam_tf is None else lam_tf
    rows, classes, readouts = [], _classes(task), tf_readouts or {}
    sets = list(_training_sets(task, alphas, H, seeds))
    for alpha in dict.fromkeys(a for a, *_ in sets):  # the seeds of one alpha share a shape: one batch
        group = [t for t in sets if t[0] == alpha]
        M = group[0][1]
        net_seeds = [int(sample_rng(seed, M, _NET).integers(2**31 - 1)) for _, _, seed, _, _ in group]
        center, inits = None, None
        if model == "ft-TF":
            missing = [(M, seed) for _, _, seed, _, _ in group if (M, seed) not in readouts]
            if require_readouts and missing:
                raise ValueError(f"no TF readout for the sets (M, seed) = {missing}: the TF simulation's "
                                 "readouts do not cover these networks; rebuild them (snakemake --forcerun "
                                 "g22_simulate_fixed_features)")
            w_tfs = []
            for _, _, seed, X, y in group:
                w = readouts.get((M, seed))
                if w is None:
                    V = relu_features(X, W1_init).astype(np.float64) - mean
                    w = fit_logistic(V, y, lam=lam_tf, max_iter=max_iter, tol=tol, classes=classes)[0]
                w_tfs.append(w)
            center = input_scale * mean
            inits = (np.repeat(np.asarray(W1_init, np.float32)[None], len(group), axis=0),
                     np.stack(w_tfs) / input_scale)
        common = dict(H=H, lr=lr, batch_size=batch_size, epochs=epochs, l2=l2, center=center, device=device,
                      threads=threads, outputs=classes or 1)
        if batched is True or (batched == "auto" and pick_device(device).type == "cuda"):
            results = train_two_layer_batched([X * input_scale for *_, X, _ in group], [y for *_, y in group],
                                              seeds=net_seeds, inits=inits, **common)
        else:
            results = [train_two_layer(X * input_scale, y, seed=ns,
                                       init=None if inits is None else (inits[0][k], inits[1][k]), **common)
                       for k, ((*_, X, y), ns) in enumerate(zip(group, net_seeds))]
        for k, ((_, _, seed, X, y), res) in enumerate(zip(group, results)):
            start = None if inits is None else (inits[0][k], inits[1][k])
            rng_test = sample_rng(seed, M, _TEST)
            wrong, wrong_start, done = 0, 0, 0
            for Xt, yt in task.test_batches(n_test, rng_test, chunk):  # as in simulate_fixed_features
                m = len(yt)
                wrong += int(round(predict_error(res.W1, res.w2, Xt * input_scale, yt, center=center) * m))
                if start is not None:
                    wrong_start += int(round(predict_error(*start, Xt * input_scale, yt, center=center) * m))
                done += m
            f = _network_output(res.W1, res.w2, X * input_scale, center)
            rows.append((model, alpha, M, seed, wrong / done,
                         float(_logistic_loss(y, f).mean()), float(_errors(y, f).mean()), int(epochs), True,
                         wrong_start / done if start is not None else math.nan))
    out = pd.DataFrame(rows, columns=COLUMNS + [START])
    return out if model == "ft-TF" else out.drop(columns=START)


def _network_output(W1, w2, X, center=None) -> np.ndarray:
    """f(x) of the two-layer network, numpy float64 on top of float32 features."""
    V = relu_features(X, W1).astype(np.float64)
    if center is not None:
        V -= center
    return V @ np.asarray(w2, dtype=np.float64) / math.sqrt(W1.shape[0])
