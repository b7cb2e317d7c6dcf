"""Beyond the paper: what training the source network does to Gaussian equivalence (figure
``ext_source_training``), on Fig. 2b's CHMM.

The source network is trained for a fixed number of epochs (grid ``source.max_epochs``, no early
stopping) or with early stopping on validation sets of several sizes (grid ``source.M_val``); the
reference is Fig. 2b itself (early stopping, its ``M_val``). Per training: the TF theory-vs-simulation
deviation (z at each M/H), the fixed-readout test of Gaussian equivalence (``readout_gaussianity``), the
spike of the population covariance Omega (top / second eigenvalue) and the transfer gain TF − RF at few
samples (paired with the reference's RF simulations: the random features, the target task and the
training sets do not depend on the source). Its claims are this workflow's findings, not the paper's;
their criteria are in the config's ``claims:`` block, fixed before the first build."""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from ..claims import (Verdict, paired_differences, region_verdict, summarise, theory_matches_simulation,
                      within_sem)
from .curves import converged_theory, thresholds

__all__ = ["FINDING", "row_summary", "source_training_claims", "z_points"]

FINDING = "this workflow (finding beyond the paper: source training and Gaussian equivalence)"


def _tf(theory_or_sims: pd.DataFrame) -> pd.DataFrame:
    return theory_or_sims[theory_or_sims["model"] == "TF"]


def row_summary(theory: pd.DataFrame, sims: pd.DataFrame, readout: pd.DataFrame, omega: np.ndarray,
                meta: Mapping[str, Any], ref_sims: pd.DataFrame, s: Mapping[str, Any]) -> dict[str, Any]:
    """One training of the source network, summarised: the epoch it stopped at, its source test error,
    the TF theory-vs-simulation check (max |z| outside the peak, and whether it passes), the
    fixed-readout z (largest |z| over the readouts), the spike of Omega and the paired TF − RF gain at
    M/H <= small_alpha_max (``ref_sims``: the reference's RF simulations, same samples)."""
    th = converged_theory(_tf(theory))
    a_star = thresholds(_tf(theory))["TF"]
    check = theory_matches_simulation(
        th, summarise(_tf(sims)), model="TF", alpha_star=a_star, n_sigma=float(s["n_sigma"]),
        peak_halfwidth_log10=float(s["peak_halfwidth_log10"]), claim="")
    eig = np.sort(np.linalg.eigvalsh(np.asarray(omega, float)))[::-1]
    rz = _tf(readout)["z"].abs()
    both = pd.concat([_tf(sims), ref_sims[ref_sims["model"] == "RF"]], ignore_index=True)
    gap = paired_differences(both, "TF", "RF")
    gap = gap[gap["alpha"] <= float(s["small_alpha_max"]) * (1 + 1e-12)]
    cells = pd.DataFrame({"alpha": gap["alpha"], "diff": gap["mean"], "sem": gap["sem"], "n": gap["n"]})
    gain = region_verdict("gain", "", cells, sign=-1, every=True, min_cells=int(s["min_cells"]),
                          min_effect=float(s["min_effect"]), n_sigma=float(s["n_sigma"]))
    return {"stopped_epoch": int(meta["stopped_epoch"]), "source_test_error": float(meta["source_test_error"]),
            "theory_max_abs_z": check.numbers["max_abs_z"], "theory_agrees": bool(check.passed),
            "theory_agrees_normal": bool(check.passed_normal),
            "readout_max_abs_z": float(rz.max()) if len(rz) else math.nan,
            "omega_top": float(eig[0]), "omega_second": float(eig[1]), "spike": float(eig[0] / eig[1]),
            "gain_small": gain.numbers["mean_diff"], "gain_passes": bool(gain.passed),
            "points": check.numbers["points"]}


def z_points(summaries: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """The per-M/H theory-vs-simulation points of every training (label -> ``row_summary``): label,
    alpha, z, z_bound, in_peak_excluded."""
    return pd.DataFrame([{"training": k, **{c: p[c] for c in ("alpha", "z", "z_bound", "in_peak_excluded")}}
                         for k, r in summaries.items() for p in r["points"]])


def _trend(id: str, what: str, epochs: Sequence[float], values: Sequence[float], min_rho: float) -> Verdict:
    rho = float(spearmanr(epochs, values).statistic) if len(epochs) > 2 else math.nan
    ok = bool(math.isfinite(rho) and rho >= min_rho and values[-1] > values[0])
    return Verdict(id, f"{what} grows with the number of source epochs: Spearman correlation with the epochs "
                       f">= {min_rho:g}, and larger after the longest training than after the shortest.",
                   ok, {"epochs": list(map(float, epochs)), "values": list(map(float, values)),
                        "spearman": rho, "min_rank_correlation": min_rho}, FINDING)


def source_training_claims(table: pd.DataFrame, s: Mapping[str, Any]) -> list[Verdict]:
    """This workflow's findings on the fixed-epoch trainings (``table``: one row per training with the
    ``row_summary`` columns, ``kind`` "epochs" or "early stopping", and ``epochs``)."""
    fixed = table[table["kind"] == "epochs"].sort_values("epochs")
    ep, n_sigma, min_rho = fixed["epochs"].tolist(), float(s["n_sigma"]), float(s["min_rank_correlation"])
    out = []
    first = fixed.iloc[0] if len(fixed) else None
    agree_upto = max((r.epochs for r in fixed.itertuples() if r.theory_agrees), default=None)
    out.append(Verdict(
        "theory_agrees_after_short_training",
        f"After the shortest training ({ep[0] if ep else '?'} epoch(s)) the TF replica theory agrees with the "
        f"TF simulations ({within_sem(n_sigma)}, outside the interpolation peak): the disagreement of "
        "Fig. 2b comes from training the source longer.",
        bool(first is not None and first.theory_agrees),
        {"max_abs_z": None if first is None else float(first.theory_max_abs_z),
         "largest_epochs_with_agreement": agree_upto,
         "agrees_by_epochs": {float(r.epochs): bool(r.theory_agrees) for r in fixed.itertuples()}},
        FINDING, passed_normal=None if first is None else bool(first.theory_agrees_normal)))
    out.append(_trend("theory_deviation_grows_with_training", "The TF theory-vs-simulation deviation (max |z|)",
                      ep, fixed["theory_max_abs_z"].tolist(), min_rho))
    out.append(_trend("readout_deviation_grows_with_training",
                      "The fixed-readout deviation from Gaussian equivalence (max |z|)", ep,
                      fixed["readout_max_abs_z"].tolist(), min_rho))
    out.append(_trend("spike_grows_with_training", "The spike of Omega (top / second eigenvalue)", ep,
                      fixed["spike"].tolist(), min_rho))
    out.append(Verdict(
        "transfer_gain_persists",
        f"The transfer gain persists at every training length: TF − RF < 0 at every M/H <= "
        f"{float(s['small_alpha_max']):g}, paired, with effect >= {float(s['min_effect']):g} and significant, "
        "for every fixed-epoch and every early-stopped source.",
        bool(len(table)) and bool(table["gain_passes"].all()),
        {"gain_small": {str(r.training): float(r.gain_small) for r in table.itertuples()},
         "passes": {str(r.training): bool(r.gain_passes) for r in table.itertuples()}}, FINDING))
    return out
