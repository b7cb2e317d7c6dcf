"""Claims checks and provenance records on small hand-made tables and files."""
import json

import numpy as np
import pandas as pd
import pytest

from tlrepro.claims import (Verdict, curve_below, equivalence_verdict, find_peaks, in_peak,
                            paired_differences, peak_near, pooled_mean, region_verdict, size_verdict,
                            summarise, theory_matches_simulation, write_verdicts)
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


def test_a_peak_is_a_prominent_local_maximum_not_a_bend():
    a = np.geomspace(0.1, 10, 201)
    err = 0.1 + 0.3 * np.exp(-(np.log10(a) - np.log10(2.5)) ** 2 / 0.01)
    p = peak_near(a, err, 2.4, min_prominence=0.005, halfwidth_log10=0.05)
    assert p["found"] and p["peak"]["alpha"] == pytest.approx(2.5, rel=0.03)
    assert p["peak"]["prominence"] == pytest.approx(0.3, rel=0.01)
    assert not peak_near(a, err, 5.0, min_prominence=0.005, halfwidth_log10=0.05)["found"]  # elsewhere
    assert not peak_near(a, err, 2.4, min_prominence=0.5, halfwidth_log10=0.05)["found"]  # too small
    # a cusp (a decreasing curve whose slope steepens abruptly at alpha = 3) is a bend, not a peak
    x = np.log10(a)
    cusp = 0.3 - 0.02 * x - 0.2 * np.clip(x - np.log10(3.0), 0, None)
    assert find_peaks(a, cusp, min_prominence=0.0) == []
    assert not peak_near(a, cusp, 3.0, min_prominence=0.005, halfwidth_log10=0.05)["found"]
    # unsorted input is sorted by alpha first
    order = np.random.default_rng(0).permutation(a.size)
    assert find_peaks(a[order], err[order], min_prominence=0.005) == find_peaks(a, err, min_prominence=0.005)


def _pairs(diffs_by_alpha, a="A", b="B"):
    """Paired sims: per alpha, model b at 0.3 and model a at 0.3 + d for each listed d (one seed each)."""
    rows = []
    for alpha, diffs in diffs_by_alpha.items():
        for seed, d in enumerate(diffs):
            rows += [{"model": b, "instance": 1, "alpha": alpha, "seed": seed, "test_error": 0.3},
                     {"model": a, "instance": 1, "alpha": alpha, "seed": seed, "test_error": 0.3 + d}]
    return pd.DataFrame(rows)


def test_paired_differences_pair_by_seed_and_drop_unpaired():
    sims = _pairs({1.0: [0.01, 0.03], 2.0: [-0.02]})
    sims = pd.concat([sims, pd.DataFrame([{"model": "A", "instance": 1, "alpha": 2.0, "seed": 9,
                                           "test_error": 0.9}])])  # no partner: dropped
    d = paired_differences(sims, "A", "B").set_index("alpha")
    assert d.loc[1.0, "mean"] == pytest.approx(0.02) and d.loc[1.0, "n"] == 2
    assert d.loc[1.0, "sem"] == pytest.approx(np.std([0.01, 0.03], ddof=1) / np.sqrt(2))
    assert d.loc[2.0, "n"] == 1 and d.loc[2.0, "mean"] == pytest.approx(-0.02)


def test_pooled_mean():
    p = pooled_mean([0.1, 0.3], [0.02, 0.02], [5, 5])
    assert p["mean"] == pytest.approx(0.2) and p["sem"] == pytest.approx(np.hypot(0.02, 0.02) / 2)
    assert p["dof"] == pytest.approx(8.0)  # equal cells: the dof add up
    assert np.isnan(pooled_mean([0.1], [0.0], [np.nan])["dof"])


def _cells(diffs, sem=0.002, n=6):
    return pd.DataFrame({"value": np.arange(len(diffs), dtype=float), "alpha": 1.0,
                         "diff": diffs, "sem": sem, "n": n})


@pytest.mark.parametrize("diffs,every,sem,passes", [
    ([0.02, 0.03], True, 0.002, True),       # a clear region
    ([0.02], True, 0.002, False),            # one cell is not a region
    ([0.002, 0.003], True, 0.0001, False),   # significant but below the effect size
    ([0.02, -0.001], True, 0.002, False),    # one cell of the wrong sign, every cell required
    ([0.02, -0.001], False, 0.002, True),    # ... not required: the region's mean decides
    ([0.02, 0.03], True, 0.02, False),       # large enough but not significant
])
def test_region_verdict(diffs, every, sem, passes):
    v = region_verdict("r", "c", _cells(diffs, sem), sign=+1, every=every, min_cells=2, min_effect=0.005,
                       n_sigma=3.0)
    assert v.passed is passes, v.numbers
    assert not region_verdict("r", "c", _cells(diffs, sem), sign=-1, every=every, min_cells=2,
                              min_effect=0.005, n_sigma=3.0).passed


def test_region_verdict_on_theory_cells_has_no_significance_and_no_normal_reading():
    v = region_verdict("r", "c", _cells([0.02, 0.01], sem=0.0, n=np.nan), sign=+1, every=True,
                       min_cells=2, min_effect=0.005, n_sigma=3.0)
    assert v.passed and not v.numbers["simulated"] and v.passed_normal is None


def test_region_verdict_reports_both_readings_where_they_differ():
    # 2 cells of 3 pairs: pooled dof about 4, t bound 6.4; z = 0.02 / (0.004 / sqrt 2) = 7.1 > 6.4 passes,
    # so make z = 5: passes the normal 3 sigma, fails the Student-t bound
    sem = 0.02 * np.sqrt(2) / 5
    v = region_verdict("r", "c", _cells([0.02, 0.02], sem=sem, n=3), sign=+1, every=True, min_cells=2,
                       min_effect=0.005, n_sigma=3.0)
    assert v.numbers["z"] == pytest.approx(5.0) and v.numbers["z_bound"] > 5
    assert not v.passed and v.passed_normal


def test_equivalence_verdict_tost():
    pts = lambda m, s, n: pd.DataFrame({"alpha": [1.0], "mean": [m], "sem": [s], "n": [n]})  # noqa: E731
    assert equivalence_verdict("e", "c", pts(0.002, 0.001, 10), margin=0.01, level=0.05).passed
    # a small gap measured too noisily is not shown equivalent (no "absence of evidence")
    assert not equivalence_verdict("e", "c", pts(0.002, 0.01, 10), margin=0.01, level=0.05).passed
    # a precisely measured gap beyond the margin is not equivalent
    assert not equivalence_verdict("e", "c", pts(0.02, 0.001, 10), margin=0.01, level=0.05).passed
    assert not equivalence_verdict("e", "c", pts(0.0, 0.0, 10).iloc[:0], margin=0.01, level=0.05).passed
    # t (2 pairs: 6.31) and normal (1.64) quantiles differ: 0.004 + 0.001 t > 0.01 > 0.004 + 0.001 z
    v = equivalence_verdict("e", "c", pts(0.004, 0.001, 2), margin=0.01, level=0.05)
    assert not v.passed and v.passed_normal


def test_size_verdict_band():
    assert size_verdict("s", "c", 0.12, 0.15, factor=2.0).passed
    assert size_verdict("s", "c", 0.08, 0.15, factor=2.0).passed
    assert not size_verdict("s", "c", 0.07, 0.15, factor=2.0).passed
    assert not size_verdict("s", "c", 0.31, 0.15, factor=2.0).passed
    assert not size_verdict("s", "c", float("nan"), 0.15, factor=2.0).passed


def test_passed_normal_is_written_only_where_set(tmp_path):
    doc = write_verdicts(tmp_path / "c.json", "f", [Verdict("a", "c", True), Verdict("b", "c", False, passed_normal=True)])
    assert "passed_normal" not in doc["claims"][0] and doc["claims"][1]["passed_normal"] is True


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
