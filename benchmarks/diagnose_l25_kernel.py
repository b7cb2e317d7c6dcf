"""Where a fine-tuned linear network departs from finetune_loss at its measured kernel constants.

For each width and repetition of one lauditi2025 linear experiment (a config section), train the network as
the workflow does and compare, at every nu2 and alignment:
  * loss      the readout's test loss (the simulation),
  * plane     ridgeless regression at finite D on the same target inputs with the kernel I + U C U^T,
              C the constants measured on the network (the theory's kernel, at finite D),
  * theory    finetune_loss at those constants (D -> infinity).
loss - plane is what the rest of the network's kernel does (its finite-width noise and what training changed
outside the (b, g) plane); plane - theory is finite D. Also printed: the spectral norm of
Sigma - I - U C U^T inside span(X1) and outside it (training moves the kernel only inside span(X1); the
finite-width noise is everywhere).

    PYTHONPATH=src python benchmarks/diagnose_l25_kernel.py --section fig1b --widths 500 2000 8000 --reps 6
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tlrepro.config import load_config  # noqa: E402
from tlrepro.lauditi2025.networks import MeanFieldNet, fit_readout, network_gamma  # noqa: E402
from tlrepro.lauditi2025.tasks import linear_source, target_direction  # noqa: E402
from tlrepro.lauditi2025.theory import finetune_loss  # noqa: E402
from tlrepro.seeding import derive_seed, rng  # noqa: E402


def plane_loss(X2: np.ndarray, t: np.ndarray, S: np.ndarray) -> float:
    coef = np.linalg.lstsq(X2 @ S @ X2.T, X2 @ t, rcond=None)[0]
    return float(np.sum((S @ X2.T @ coef - t) ** 2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="config.yaml")
    ap.add_argument("--section", default="fig1b")
    ap.add_argument("--widths", type=int, nargs="+", default=[500, 2000, 8000])
    ap.add_argument("--reps", type=int, default=6)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cfg = load_config(args.config)["lauditi2025"][args.section]
    D, src, tgt = cfg["D"], cfg["source"], cfg["target"]
    rows = []
    for width in args.widths:
        for rep in range(args.reps):
            for nu1 in src["nu1"]:
                task = linear_source(D, nu1, rng(rep, "source", f"{nu1:.12g}"))
                Q, _ = np.linalg.qr(task.X.T)
                for gamma1 in src["gamma1"]:
                    net = MeanFieldNet.init(D, width, "linear", derive_seed(rep, "init", width))
                    net.train(torch.tensor(task.X), torch.tensor(task.y), eta=src["eta"], time=src["t1"],
                              gamma=network_gamma(gamma1, D, cfg["gamma_units"]))
                    S = net.input_kernel().numpy()
                    U = np.stack([task.b, task.g], 1)
                    C = U.T @ S @ U - np.eye(2)
                    S_plane = np.eye(D) + U @ C @ U.T
                    rest = S - S_plane
                    inside = np.linalg.norm(Q.T @ rest @ Q, 2) if Q.shape[1] < D else np.linalg.norm(rest, 2)
                    P_out = np.eye(D) - Q @ Q.T
                    outside = np.linalg.norm(P_out @ rest @ P_out, 2) if Q.shape[1] < D else 0.0
                    for a_s in tgt["alpha_s"]:
                        for a_g in tgt["alpha_g"]:
                            t = target_direction(task.b, task.g, a_s, a_g,
                                                 np.random.default_rng(derive_seed(rep, "target", f"{nu1:.12g}")))
                            for nu2 in tgt["nu2"]:
                                X2 = rng(rep, "target-inputs", f"{nu2:.12g}").standard_normal(
                                    (int(round(nu2 * D)), D))
                                y = torch.tensor(X2 @ t)
                                a = fit_readout(net.preactivations(torch.tensor(X2)), y)
                                beta = (net.W.T @ a / np.sqrt(D)).numpy()
                                rows.append({"width": width, "rep": rep, "nu1": nu1, "gamma1": gamma1,
                                             "alpha_s": a_s, "nu2": nu2, "loss": float(np.sum((beta - t) ** 2)),
                                             "plane": plane_loss(X2, t, S_plane),
                                             "theory": float(finetune_loss(nu2, a_s, a_g, C[0, 1], C[0, 0], C[1, 1])),
                                             "rest_in_span_X1": inside, "rest_outside": outside})
    df = pd.DataFrame(rows)
    df["loss-plane"], df["plane-theory"] = df["loss"] - df["plane"], df["plane"] - df["theory"]
    out = df.groupby("width")[["loss-plane", "plane-theory", "rest_in_span_X1", "rest_outside"]].agg(["mean", "sem"])
    print(f"section {args.section} of {args.config}, D = {D}, {args.reps} repetitions")
    print(out.round(4).to_string())
    print(df.groupby(["width", "nu2"])[["loss", "plane", "theory"]].mean().round(4).to_string())


if __name__ == "__main__":
    main()
