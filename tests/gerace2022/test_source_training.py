"""Beyond the paper (ext_source_training): the summary of one source training and this workflow's
findings on constructed tables, each able to pass and to fail."""
import numpy as np
import pandas as pd
import pytest

from tlrepro.gerace2022.source_training import FINDING, row_summary, source_training_claims

S = {"n_sigma": 3.0, "peak_halfwidth_log10": 0.2, "small_alpha_max": 0.3, "large_alpha_min": 3.0,
     "min_effect": 0.005, "min_cells": 2, "equivalence_margin": 0.01, "equivalence_level": 0.05,
     "min_peak_prominence": 0.005, "size_factor": 2.0, "min_pattern_correlation": 0.8,
     "overfit_train_error_max": 0.01, "min_rank_correlation": 0.8}
ALPHAS = [0.1, 0.3, 1.0, 3.0]


def _tables(sim_offset, rf_gap=0.05):
    """TF theory 0.3 - 0.05 log10(alpha); TF simulations offset from it (noise 0.01, 20 seeds); RF
    simulations rf_gap above TF on the same seeds."""
    rng = np.random.default_rng(0)
    theory = pd.DataFrame([{"model": "TF", "instance": 1, "alpha": a, "test_error": 0.3 - 0.05 * np.log10(a),
                            "converged": True, "alpha_star": 10.0} for a in ALPHAS])
    sims, ref = [], []
    for a in ALPHAS:
        for seed, e in enumerate(rng.standard_normal(20)):
            tf = 0.3 - 0.05 * np.log10(a) + sim_offset + 0.01 * e
            sims.append({"model": "TF", "instance": 1, "alpha": a, "seed": seed, "test_error": tf})
            ref.append({"model": "RF", "instance": 1, "alpha": a, "seed": seed,
                        "test_error": tf + rf_gap + 0.002 * np.sin(seed)})
    readout = pd.DataFrame([{"model": "TF", "z": 1.0}])
    return theory, pd.DataFrame(sims), readout, pd.DataFrame(ref)


def test_row_summary_measures_deviation_spike_and_paired_gain():
    theory, sims, readout, ref = _tables(sim_offset=-0.02)
    omega = np.diag([9.0, 1.0, 0.5])
    r = row_summary(theory, sims, readout, omega, {"stopped_epoch": 4, "source_test_error": 0.1}, ref, S)
    assert not r["theory_agrees"] and r["theory_max_abs_z"] > 5  # 0.02 = 9 SE of 20 seeds
    assert r["spike"] == pytest.approx(9.0) and r["gain_small"] == pytest.approx(-0.05, abs=0.002) and r["gain_passes"]
    ok = row_summary(*_tables(sim_offset=0.0)[:3], omega, {"stopped_epoch": 1, "source_test_error": 0.2},
                     _tables(0.0, rf_gap=0.0)[3], S)
    assert ok["theory_agrees"] and not ok["gain_passes"]  # no gain: TF = RF


def _table(z, readout, spike, agrees_first=True, gain=True):
    rows = [{"training": f"{e} epochs", "kind": "epochs", "epochs": e, "theory_max_abs_z": zz,
             "theory_agrees": (i == 0 and agrees_first) or zz < 3, "theory_agrees_normal": zz < 3,
             "readout_max_abs_z": r, "spike": sp, "gain_small": -0.04, "gain_passes": gain}
            for i, (e, zz, r, sp) in enumerate(zip([1, 2, 3, 5, 10], z, readout, spike))]
    rows.append({"training": "early stopping", "kind": "early stopping", "epochs": 15, "theory_max_abs_z": 6.0,
                 "theory_agrees": False, "theory_agrees_normal": False, "readout_max_abs_z": 9.0,
                 "spike": 37.0, "gain_small": -0.04, "gain_passes": gain})
    return pd.DataFrame(rows)


def test_findings_hold_when_deviation_and_spike_grow_with_training():
    v = {x.id: x for x in source_training_claims(_table([1, 2, 2.5, 4, 6], [1, 2, 3, 5, 9], [5, 9, 14, 20, 30]), S)}
    assert all(x.passed for x in v.values()), {k: x.numbers for k, x in v.items() if not x.passed}
    assert all(x.source == FINDING for x in v.values())
    assert v["theory_agrees_after_short_training"].numbers["largest_epochs_with_agreement"] == 3


def test_findings_fail_when_the_data_say_otherwise():
    flat = [3, 3.1, 2.9, 3.0, 3.05]
    v = {x.id: x for x in source_training_claims(
        _table(flat, flat[::-1], [30, 20, 14, 9, 5], agrees_first=False, gain=False), S)}
    assert not any(v[k].passed for k in ("theory_agrees_after_short_training", "theory_deviation_grows_with_training",
                                         "readout_deviation_grows_with_training", "spike_grows_with_training",
                                         "transfer_gain_persists"))
