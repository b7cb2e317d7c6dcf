"""How the source network's training changes the transferred features and the TF theory.

The paper's eq. 6 writes the features as ReLU(x W1 / D); its appendix D.2 trains with TensorFlow/Keras,
whose Dense layer computes x W1 with no 1/D. Since ReLU is positively homogeneous, training on D x
reproduces the Keras dynamics exactly while the transferred features stay ReLU(x W1 / D) up to the
training. This script trains the source both ways (--input-scale 1 = eq. 6, --input-scale D = Keras),
or for fixed numbers of epochs (--epochs, no early stopping), then reports for each source network the
learned spike of Omega, the fixed-readout test of Gaussian equivalence (tlrepro.gerace2022.readout_gaussianity),
and TF theory vs CHMM simulation at a few M/H beside an RF simulation (the transfer gain).

    python benchmarks/diagnose_source_parametrisation.py --input-scale 1000
    python benchmarks/diagnose_source_parametrisation.py --epochs 1 2 5
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from tlrepro.claims import summarise
from tlrepro.gerace2022.baselines import simulate_fixed_features
from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.features import estimate_population
from tlrepro.gerace2022.nets import train_source
from tlrepro.gerace2022.readout_gaussianity import best_readout_check
from tlrepro.theory import separability_threshold, solve_gcm, spectrum


def report(label: str, chmm, W1, a, t0: float) -> None:
    """Spike, fixed-readout test, and TF theory vs simulation (with RF beside it) for one first layer."""
    pop = estimate_population(chmm, W1, n_samples=a.pop_per_unit * a.H, seed=4)
    spec = spectrum(pop.omega, pop.b, pop.rho)
    ev = np.sort(np.linalg.eigvalsh(pop.omega))[::-1]
    theory = solve_gcm(spec, alphas=a.alphas, lam=a.lam).test_error
    (check,) = best_readout_check(chmm, W1, pop, seed=5)
    sims = summarise(simulate_fixed_features(chmm, W1, pop.mean, alphas=a.alphas, H=a.H, lam=a.lam,
                                             seeds=range(a.seeds), n_test=10000, model="TF")).set_index("alpha")
    print(f"{label}: W1 std {W1.std():.3f}, rho_p/rho {spec.rho_p / spec.rho:.3f}, "
          f"alpha* {separability_threshold(spec):.2f}, top/second eigenvalue of Omega {ev[0] / ev[1]:.1f}; "
          f"fixed readout: error {check.error:.4f} ± {check.sem:.4f}, Gaussian {check.gaussian_error:.4f}, "
          f"z = {check.z:+.1f} ({time.perf_counter() - t0:.0f} s)")
    for alpha, th in zip(a.alphas, theory):
        s = sims.loc[alpha]
        rf = a.rf.loc[alpha]
        print(f"  M/H={alpha:g}: theory {th:.4f}  CHMM simulation {s['mean']:.4f} ± {s['sem']:.4f}  "
              f"z = {(th - s['mean']) / s['sem']:+.1f}   RF simulation {rf['mean']:.4f} ± {rf['sem']:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--input-scale", type=float, default=1.0, help="1 (eq. 6) or D (Keras Dense)")
    ap.add_argument("--epochs", type=int, nargs="*", default=[],
                    help="also train for these fixed numbers of epochs (no early stopping)")
    ap.add_argument("--H", type=int, default=500)
    ap.add_argument("--D", type=int, default=1000)
    ap.add_argument("--L", type=int, default=150)
    ap.add_argument("--M-source", type=int, default=51200)
    ap.add_argument("--lam", type=float, default=1e-7)
    ap.add_argument("--alphas", type=float, nargs="+", default=[0.3, 1.2, 3.0])
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--pop-per-unit", type=int, default=1000, help="Monte Carlo samples per hidden unit")
    a = ap.parse_args()
    chmm = make_chmm(D=a.D, L_s=a.L, L_t=a.L, eta=1.0, rho=0.3, q=1.0, seed=1)
    rng = np.random.default_rng(2)
    X, y = chmm.sample_source(a.M_source, rng)
    Xv, yv = chmm.sample_source(5000, rng)
    t0 = time.perf_counter()
    W_rf = np.random.default_rng(6).standard_normal((a.H, a.D))
    rf_mean = estimate_population(chmm, W_rf, n_samples=100 * a.H, seed=4).mean
    a.rf = summarise(simulate_fixed_features(chmm, W_rf, rf_mean, alphas=a.alphas, H=a.H, lam=a.lam,
                                             seeds=range(a.seeds), n_test=10000, model="RF")).set_index("alpha")
    res = train_source(X * a.input_scale, y, Xv * a.input_scale, yv, H=a.H, l2=a.lam, seed=3, device="cpu")
    report(f"input scale {a.input_scale:g}, early stopping at epoch {res.stopped_epoch}", chmm, res.W1, a, t0)
    for epochs in a.epochs:
        res = train_source(X * a.input_scale, y, Xv * a.input_scale, yv, H=a.H, l2=a.lam, seed=3,
                           device="cpu", max_epochs=epochs, patience=None)
        report(f"input scale {a.input_scale:g}, {epochs} epoch(s)", chmm, res.W1, a, t0)


if __name__ == "__main__":
    main()
