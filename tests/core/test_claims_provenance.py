"""Claims checks and provenance records on small hand-made tables and files."""
import json

import numpy as np
import pandas as pd
import pytest

from tlrepro.claims import (curve_below, in_peak, peak_at_threshold, summarise,
                            theory_matches_simulation, write_verdicts)
from tlrepro.provenance import build_record, config_hash, sha256_file, write_record


def _sims(model, alpha, values):
    return pd.DataFrame({"model": model, "alpha": alpha, "test_error": values})


def test_summarise_sem():
    df = _sims("TF", 1.0, [0.1, 0.2, 0.3, 0.4])
    s = summarise(df).iloc[0]
    assert s["mean"] == pytest.approx(0.25)
    assert s["sem"] == pytest.approx(np.std([0.1, 0.2, 0.3, 0.4], ddof=1) / 2)


def test_theory_matches_simulation_pass_fail_and_peak_exclusion():
    rng = np.random.default_rng(0)
    sims = pd.concat([_sims("TF", a, 0.2 + 0.01 * rng.standard_normal(100)) for a in (0.5, 1.0, 4.0)])
    summary = summarise(sims)
    good = pd.DataFrame({"model": "TF", "alpha": [0.5, 1.0, 4.0], "test_error": [0.2, 0.2, 0.2]})
    v = theory_matches_simulation(good, summary, model="TF", alpha_star=10.0, n_sigma=3,
                                  peak_halfwidth_log10=0.1, claim="x")
    assert v.passed and v.numbers["n_checked"] == 3
    bad = good.assign(test_error=[0.2, 0.25, 0.2])  # 0.05 off = ~50 standard errors at alpha=1
    v = theory_matches_simulation(bad, summary, model="TF", alpha_star=10.0, n_sigma=3,
                                  peak_halfwidth_log10=0.1, claim="x")
    assert not v.passed
    # the same deviation inside the interpolation peak is excluded
    v = theory_matches_simulation(bad, summary, model="TF", alpha_star=1.1, n_sigma=3,
                                  peak_halfwidth_log10=0.1, claim="x")
    assert v.passed and v.numbers["n_checked"] == 2
    assert in_peak(1.0, 1.1, 0.1) and not in_peak(0.5, 1.1, 0.1)


def test_curve_below():
    lo = pd.Series([0.1, 0.2, 0.3], index=[0.1, 1.0, 10.0])
    hi = pd.Series([0.2, 0.3, 0.25], index=[0.1, 1.0, 10.0])
    assert not curve_below(lo, hi, id="a", claim="c").passed
    v = curve_below(lo, hi, id="a", claim="c", alpha_max=1.0)
    assert v.passed and v.numbers["n_alphas"] == 2 and v.numbers["max_gap"] == pytest.approx(0.1)


def test_peak_at_threshold():
    a = np.geomspace(0.1, 10, 201)
    err = 0.1 + 0.3 * np.exp(-(np.log10(a) - np.log10(2.5)) ** 2 / 0.01)
    p = peak_at_threshold(a, err, 2.4, halfwidth_log10=0.05)
    assert p["near"] and p["peak_alpha"] == pytest.approx(2.5, rel=0.03)
    assert p["is_local_max"]
    assert not peak_at_threshold(a, err, 5.0, halfwidth_log10=0.05)["near"]
    # a cusp: a decreasing curve whose slope in log(alpha) steepens abruptly at alpha = 3
    x = np.log10(a)
    cusp = 0.3 - 0.02 * x - 0.2 * np.clip(x - np.log10(3.0), 0, None)
    c = peak_at_threshold(a, cusp, 3.0, halfwidth_log10=0.02)
    assert c["near"] and not c["is_local_max"]
    # a smooth convex decrease has no cusp near a threshold placed elsewhere
    assert not peak_at_threshold(a, 1 / a, 2.0, halfwidth_log10=0.05)["near"]


def test_write_verdicts(tmp_path):
    lo = pd.Series([0.1], index=[1.0])
    v1 = curve_below(lo, lo + 0.1, id="ok", claim="c")
    v2 = curve_below(lo + 0.1, lo, id="bad", claim="c")
    doc = write_verdicts(tmp_path / "c.json", "p/f", [v1, v2])
    assert json.loads((tmp_path / "c.json").read_text()) == json.loads(json.dumps(doc))
    assert doc["n_passed"] == 1 and not doc["all_passed"]


def test_provenance_record(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("a,b\n1,2\n")
    cfg = {"scale": "smoke", "x": {"b": 1, "a": 2}}
    assert config_hash(cfg) == config_hash({"x": {"a": 2, "b": 1}, "scale": "smoke"})
    assert config_hash(cfg) != config_hash({**cfg, "scale": "paper"})
    rec = build_record(figure="p/f", outputs=[], inputs=[str(f)], config=cfg, experiment_config=cfg["x"],
                       seeds={"instances": [1]}, started="t0", finished="t1", repo=str(tmp_path))
    assert rec["inputs"][str(f)]["sha256"] == sha256_file(f)
    assert rec["git"] == {"commit": None, "dirty": None}  # not a git repository
    assert rec["packages"]["numpy"] == np.__version__
    for key in ("config_sha256", "seeds", "hardware", "started", "finished", "scale"):
        assert key in rec
    write_record(tmp_path / "r.prov.json", rec)
    assert json.loads((tmp_path / "r.prov.json").read_text())["figure"] == "p/f"


def test_z_bound_is_the_student_t_equivalent_of_n_sigma():
    from scipy.stats import norm, t

    from tlrepro.claims import welch_dof, z_bound
    # same two-sided tail probability as +-3 normal standard errors, for an SEM from 10 seeds (9 dof)
    assert 2 * t.sf(z_bound(3, 9), 9) == pytest.approx(2 * norm.sf(3), rel=1e-9)
    assert z_bound(3, 9) == pytest.approx(4.094, abs=1e-3)
    assert z_bound(3, 5) > z_bound(3, 9) > z_bound(3, 49) > 3 and z_bound(3, 1e7) == pytest.approx(3, abs=1e-4)
    assert np.isnan(z_bound(3, 0))  # one seed: no standard error
    assert welch_dof(0.01, 10, 0.01, 10) == pytest.approx(18)
    assert welch_dof(0.01, 10, 0.0, 10) == pytest.approx(9)


def test_theory_matches_simulation_bound_follows_the_number_of_seeds():
    # 10 seeds with a known SEM: a deviation of 3.5 SEM is inside the 9-dof bound (4.09), 4.5 is not
    vals = 0.2 + 0.01 * np.array([-1.5, -1, -0.5, -0.25, 0, 0, 0.25, 0.5, 1, 1.5])
    summary = summarise(_sims("TF", 1.0, vals))
    sem = float(summary["sem"].iloc[0])
    for dev, ok in ((3.5, True), (4.5, False)):
        theory = pd.DataFrame({"model": ["TF"], "alpha": [1.0], "test_error": [0.2 + dev * sem]})
        v = theory_matches_simulation(theory, summary, model="TF", alpha_star=10.0, n_sigma=3,
                                      peak_halfwidth_log10=0.1, claim="x")
        (p,) = v.numbers["points"]
        assert v.passed is ok and p["z"] == pytest.approx(dev) and not p["within_normal_bound"]
        assert p["z_bound"] == pytest.approx(4.094, abs=1e-3)
    # a single seed has no standard error: the check fails instead of passing on an infinite bound
    one = summarise(_sims("TF", 1.0, [0.2]))
    theory = pd.DataFrame({"model": ["TF"], "alpha": [1.0], "test_error": [0.2]})
    assert not theory_matches_simulation(theory, one, model="TF", alpha_star=10.0, n_sigma=3,
                                         peak_halfwidth_log10=0.1, claim="x").passed
