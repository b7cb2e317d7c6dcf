"""Decompose a theory-vs-simulation gap of a finished CHMM experiment into
(theory − Gaussian-equivalent simulation): solver + finite-size effects, and
(Gaussian-equivalent − CHMM simulation): the non-Gaussianity of the features (GET deviation).
With --readout it also tests the Gaussian-equivalence step alone, on fixed linear readouts (a logistic
regression fitted on many target samples and, for TF, the source network's own second layer): the
error each makes on fresh CHMM samples against the error the Gaussian model predicts for it
(``tlrepro.gerace2022.readout_gaussianity``); no learning from few samples and no solver is involved.

    python benchmarks/diagnose_gaussian_equivalence.py results/gerace2022/fig2b --instance 1 \
        --kind tf --alphas 1.2 2 3 --seeds 10 --readout
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from tlrepro.claims import summarise
from tlrepro.gerace2022.baselines import simulate_gaussian_equivalent
from tlrepro.gerace2022.chmm import CHMM
from tlrepro.gerace2022.features import Population
from tlrepro.gerace2022.readout_gaussianity import best_readout_check, source_network_readout
from tlrepro.theory import solve_gcm, spectrum


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("exp_dir", type=Path)
    ap.add_argument("--instance", type=int, default=1)
    ap.add_argument("--kind", choices=["tf", "rf"], default="tf")
    ap.add_argument("--alphas", type=float, nargs="+", required=True)
    ap.add_argument("--lam", type=float, default=1e-7)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--readout", action="store_true", help="also run the fixed-readout test")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    pop = Population.load(a.exp_dir / f"pop-{a.kind}-s{a.instance}.npz")
    spec = spectrum(pop.omega, pop.b, pop.rho)
    theory = solve_gcm(spec, alphas=a.alphas, lam=a.lam).test_error
    geq = summarise(simulate_gaussian_equivalent(pop.omega, pop.b, pop.rho, alphas=a.alphas, lam=a.lam,
                                                 seeds=range(a.seeds))).set_index("alpha")
    chmm = summarise(pd.read_csv(a.exp_dir / f"sim-{a.kind}-s{a.instance}.csv")).set_index("alpha")
    ev = np.sort(np.linalg.eigvalsh(pop.omega))[::-1]
    rows = []
    for alpha, th in zip(a.alphas, theory):
        g = geq.loc[alpha]
        c = chmm.loc[alpha] if alpha in chmm.index else None
        rows.append({"alpha": alpha, "theory": th, "gauss_equiv": g["mean"], "gauss_equiv_sem": g["sem"],
                     "chmm": None if c is None else c["mean"], "chmm_sem": None if c is None else c["sem"],
                     "theory_minus_gauss": th - g["mean"],
                     "gauss_minus_chmm": None if c is None else g["mean"] - c["mean"]})
    table = pd.DataFrame(rows)
    print(f"{a.kind.upper()}: rho={spec.rho:.4f} rho_p={spec.rho_p:.4f} "
          f"top eigenvalues of Omega {np.round(ev[:3], 4).tolist()}")
    print(table.round(4).to_string(index=False))
    report = {"learning_curve": table.to_dict(orient="records")}
    if a.readout:
        fm = dict(np.load(a.exp_dir / f"featuremap-{a.kind}-s{a.instance}.npz"))
        extra = source_network_readout(fm, pop) if a.kind == "tf" else {}
        checks = best_readout_check(CHMM.load(a.exp_dir / f"instance-s{a.instance}.npz"), fm["W1"], pop,
                                    extra=extra)
        readouts = pd.DataFrame([c.to_dict() for c in checks])
        print("fixed readouts (error on 200000 fresh samples vs the Gaussian-equivalent prediction):")
        print(readouts.round(4).to_string(index=False))
        report["readouts"] = readouts.to_dict(orient="records")
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
