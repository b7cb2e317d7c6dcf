"""How far fine-tuning (ft-TF) moves the transferred network, and what it does to the test error.

For a finished CHMM learning-curve experiment: at each M/H and seed, fit TF (the logistic readout of the
centred transferred features, as the workflow does), then fine-tune both layers with the ft-TF settings of
appendix D.2 (Adam lr 0.01, batch 1000, 200 epochs), and report the TF readout's norm and training loss,
the relative change of W1 and w2, and the test error before and after.

    python benchmarks/diagnose_finetune.py results/gerace2022/fig2b --alphas 0.1 0.3 3 --seeds 3
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from tlrepro.gerace2022.baselines import fit_logistic
from tlrepro.gerace2022.chmm import CHMM
from tlrepro.gerace2022.features import Population, relu_features
from tlrepro.gerace2022.nets import predict_error, train_two_layer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exp_dir", type=Path)
    ap.add_argument("--instance", type=int, default=1)
    ap.add_argument("--alphas", type=float, nargs="+", default=[0.1, 0.3, 3.0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--lam", type=float, default=1e-7)
    ap.add_argument("--n-test", type=int, default=10000)
    a = ap.parse_args()
    chmm = CHMM.load(a.exp_dir / f"instance-s{a.instance}.npz")
    W1 = np.load(a.exp_dir / f"featuremap-tf-s{a.instance}.npz")["W1"]
    mean = Population.load(a.exp_dir / f"pop-tf-s{a.instance}.npz").mean
    H = W1.shape[0]
    rng = np.random.default_rng(0)
    Xt, yt = chmm.sample_target(a.n_test, rng)
    rows = []
    for alpha in a.alphas:
        for seed in range(a.seeds):
            X, y = chmm.sample_target(int(round(alpha * H)), rng)
            V = relu_features(X, W1).astype(np.float64) - mean
            w, _ = fit_logistic(V, y, lam=a.lam, max_iter=10000, tol=1e-7)
            res = train_two_layer(X, y, H=H, lr=0.01, batch_size=1000, epochs=200, l2=a.lam, seed=seed,
                                  init=(W1, w), center=mean, device="cpu")
            rows.append({"alpha": alpha, "seed": seed, "norm_w_TF": np.linalg.norm(w),
                         "TF_train_loss": float(np.mean(np.logaddexp(0.0, -y * (V @ w) / np.sqrt(H)))),
                         "dW1_rel": np.linalg.norm(res.W1 - W1) / np.linalg.norm(W1),
                         "dw2_rel": np.linalg.norm(res.w2 - w) / np.linalg.norm(w),
                         "test_TF": predict_error(W1, w, Xt, yt, center=mean),
                         "test_ftTF": predict_error(res.W1, res.w2, Xt, yt, center=mean)})
    table = pd.DataFrame(rows)
    print(table.round(4).to_string(index=False))
    print(table.groupby("alpha").mean().drop(columns="seed").round(4).to_string())


if __name__ == "__main__":
    main()
