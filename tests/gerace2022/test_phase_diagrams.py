"""Phase diagrams: grid experiments (rows of a config section) and the diagram tables and claims."""

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import CHECKS, ROOT, load_yaml

from tlrepro.config import ConfigError, validate_config
from tlrepro.gerace2022.phase import cut_table, diagram, grid_table, phase_claims
from tlrepro.gerace2022.grids import (TARGET_ONLY, parse_row, resolve_experiment, row_config,
                                      rows, source_experiment)

SECTION = {
    "grid": {"param": "chmm.L_t", "values": [100, 250, 400], "label": "L_t",
             "complement": {"param": "chmm.L_s", "total": 500}},
    "chmm": {"D": 1000, "L_s": 250, "L_t": 250, "eta": 1.0, "rho": 0.0, "q": 1.0},
    "H": 500, "source": {"M": 1000},
}


def test_rows_set_the_parameter_and_its_complement():
    assert rows("fig5", SECTION) == ["fig5_r0", "fig5_r1", "fig5_r2"]
    r0 = row_config(SECTION, 0)
    assert (r0["chmm"]["L_t"], r0["chmm"]["L_s"]) == (100, 400)
    assert "grid" not in r0
    assert SECTION["chmm"]["L_t"] == 250  # the section itself is untouched
    sections = {"fig5": SECTION, "fig2b": {"H": 1}}
    assert resolve_experiment(sections, "fig5_r2")["chmm"]["L_s"] == 100
    assert resolve_experiment(sections, "fig2b") == {"H": 1}
    with pytest.raises(KeyError, match="fig5_r3"):
        resolve_experiment(sections, "fig5_r3")
    with pytest.raises(KeyError, match="neither"):
        resolve_experiment(sections, "fig2b_r0")  # fig2b has no grid
    assert parse_row("figA1_eta_r12") == ("figA1_eta", 12)
    assert parse_row("fig2b") is None


@pytest.mark.parametrize("param,shared", [("chmm.q", True), ("chmm.eta", True), ("chmm.rho", True),
                                          ("chmm.L_t", False), ("H", False), ("source.M", False)])
def test_only_target_side_grids_share_the_source_network(param, shared):
    sections = {"g": dict(SECTION, grid=dict(SECTION["grid"], param=param, complement=None))}
    assert (source_experiment(sections, "g_r2") == "g_r0") is shared
    assert source_experiment(sections, "g_r0") == "g_r0"
    assert (param in TARGET_ONLY) is shared


def test_target_only_rows_have_the_same_source_task():
    """The premise of sharing: a q / eta / rho row changes the target HMM only."""
    from tlrepro.gerace2022.chmm import make_chmm
    a = make_chmm(D=50, L_s=10, L_t=10, eta=1.0, rho=0.0, q=1.0, seed=3)
    b = make_chmm(D=50, L_s=10, L_t=10, eta=0.3, rho=0.5, q=0.2, seed=3)
    np.testing.assert_array_equal(a.F_s, b.F_s)
    np.testing.assert_array_equal(a.theta_s, b.theta_s)
    assert not np.array_equal(a.theta_t, b.theta_t)


def _config_with(path, value):
    cfg = load_yaml(ROOT / "configs" / "smoke.yaml")
    node = cfg["gerace2022"]["fig5"]
    *parents, leaf = path
    for k in parents:
        node = node[k]
    node[leaf] = value
    return cfg


@pytest.mark.parametrize("path,value,message", [
    (("grid", "values"), [40, 30], "fig5.grid.values must increase strictly"),
    (("grid", "values"), [20.5, 30], "takes positive integers"),
    (("grid", "complement", "total"), 35, "complement.total = 35"),
    (("grid", "param"), "chmm.D", "fig5.grid.param"),
    (("claims", "cut_alpha"), -1, "fig5.claims.cut_alpha"),
])
def test_bad_grid_config_names_the_key(path, value, message):
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        validate_config(_config_with(path, value), checks=CHECKS)


def test_fraction_grid_rejects_values_above_one():
    cfg = load_yaml(ROOT / "configs" / "smoke.yaml")
    cfg["gerace2022"]["fig3"]["grid"]["values"] = [0.0, 1.5]
    with pytest.raises(ConfigError, match=r"fig3\.grid\.values: chmm\.q lies in \[0, 1\]"):
        validate_config(cfg, checks=CHECKS)


# ---- diagram tables and claims on synthetic result tables -------------------------------------

ALPHAS = [0.1, 0.3, 1.0, 3.0]


def _tables(tf, rf, twol, fttf, values, *, sem=0.01, n=10, alpha_star=50.0):
    """Theory (TF, RF) and simulation (2L, ft-TF, spot TF / RF) tables of a grid from functions
    f(value, alpha) -> test error. Spot simulations equal the theory (with noise of size ``sem``)."""
    rng = np.random.default_rng(0)
    th, sims = [], []
    for i, v in enumerate(values):
        row = f"g_r{i}"
        for a in ALPHAS:
            for model, f in (("TF", tf), ("RF", rf)):
                th.append({"row": row, "model": model, "instance": 1, "alpha": a,
                           "test_error": f(v, a), "converged": True, "alpha_star": alpha_star})
            for model, f in (("2L", twol), ("ft-TF", fttf), ("TF", tf), ("RF", rf)):
                noise = rng.standard_normal(n)
                noise = (noise - noise.mean()) / noise.std(ddof=1) * sem * np.sqrt(n)
                sims += [{"row": row, "model": model, "alpha": a, "seed": s,
                          "test_error": f(v, a) + noise[s]} for s in range(n)]
    return pd.DataFrame(th), pd.DataFrame(sims), {f"g_r{i}": v for i, v in enumerate(values)}


SETTINGS = {"n_sigma": 3.0, "peak_halfwidth_log10": 0.2, "small_alpha_max": 0.3,
            "large_alpha_min": 3.0, "correlated": [0.8, 1.0], "uncorrelated": [0.0, 0.2]}


def test_diagram_is_the_difference_with_combined_standard_error():
    th, sims, values = _tables(lambda v, a: 0.2, lambda v, a: 0.3, lambda v, a: 0.25,
                               lambda v, a: 0.22, [0.0, 1.0], sem=0.01)
    t = grid_table(th, sims, values)
    d = diagram(t, "TF-2L")
    assert len(d) == 2 * len(ALPHAS)
    np.testing.assert_allclose(d["diff"], -0.05)
    np.testing.assert_allclose(d["sem"], 0.01, rtol=1e-9)  # theory has one instance: sem 0
    np.testing.assert_allclose(diagram(t, "TF-RF")["diff"], -0.1)
    np.testing.assert_allclose(diagram(t, "ft-TF-TF")["diff"], 0.02)
    c = cut_table(t, 0.3)
    assert set(c["model"]) == {"TF", "RF", "2L", "ft-TF"}
    with pytest.raises(KeyError, match="M/H = 0.5"):
        cut_table(t, 0.5)


def _verdicts(kind, tf, rf, twol, fttf, values, settings=SETTINGS):
    th, sims, vals = _tables(tf, rf, twol, fttf, values)
    return {v.id.split(":")[1]: v.passed
            for v in phase_claims(kind, "g", grid_table(th, sims, vals), th, sims, settings)}


def test_correlation_claims_follow_the_data():
    # TF better than 2L with few samples at high q; 2L better with many samples at low q: both pass
    good = _verdicts("correlation_2l", lambda q, a: 0.3 - 0.1 * q, lambda q, a: 0.35,
                     lambda q, a: 0.45 if a < 1 else 0.25, lambda q, a: 0.3, [0.0, 0.5, 1.0])
    assert good["tf_beats_2l_low_samples_high_correlation"]
    assert good["2l_better_large_samples_low_correlation"]
    assert good["theory_converged"] and good["theory_matches_simulation_TF"]
    # 2L always better: the first claim fails
    bad = _verdicts("correlation_2l", lambda q, a: 0.3, lambda q, a: 0.35, lambda q, a: 0.2,
                    lambda q, a: 0.3, [0.0, 0.5, 1.0])
    assert not bad["tf_beats_2l_low_samples_high_correlation"]
    assert bad["2l_better_large_samples_low_correlation"]


def test_negative_transfer_and_finetune_claims_can_fail():
    neg = _verdicts("negative_transfer", lambda q, a: 0.3 - 0.1 * q, lambda q, a: 0.28,
                    lambda q, a: 0.3, lambda q, a: 0.3, [0.0, 0.5, 1.0])
    assert neg["negative_transfer_corner"] and neg["positive_transfer_correlated"]
    none = _verdicts("negative_transfer", lambda q, a: 0.2, lambda q, a: 0.28,
                     lambda q, a: 0.3, lambda q, a: 0.3, [0.0, 0.5, 1.0])
    assert not none["negative_transfer_corner"]
    ft = _verdicts("finetune", lambda q, a: 0.3, lambda q, a: 0.35, lambda q, a: 0.3,
                   lambda q, a: 0.3 + (0.02 if a < 1 else -0.05 * (1 - q)), [0.0, 0.5, 1.0])
    assert ft["finetune_helps_low_correlation_large_samples"]
    assert ft["finetune_overfits_small_samples"]
    assert ft["finetune_gain_larger_at_low_correlation"]
    ft_never = _verdicts("finetune", lambda q, a: 0.3, lambda q, a: 0.35, lambda q, a: 0.3,
                         lambda q, a: 0.32, [0.0, 0.5, 1.0])
    assert not ft_never["finetune_helps_low_correlation_large_samples"]


def test_asymmetry_claims_compare_mirrored_rows():
    s = dict(SETTINGS, centre=250, cut_alpha=0.3)
    gain = lambda lt, a: 0.35 - 0.1 * (500 - lt) / 500  # noqa: E731  (smaller L_t: lower TF error)
    ok = _verdicts("asymmetric", gain, lambda lt, a: 0.4, lambda lt, a: 0.45, lambda lt, a: 0.4,
                   [100, 250, 400], s)
    assert ok["larger_gain_when_target_simpler"]
    flipped = _verdicts("asymmetric", lambda lt, a: 0.35 - 0.1 * lt / 500, lambda lt, a: 0.4,
                        lambda lt, a: 0.45, lambda lt, a: 0.4, [100, 250, 400], s)
    assert not flipped["larger_gain_when_target_simpler"]
    cut = _verdicts("asymmetric_cut", gain, lambda lt, a: 0.4, lambda lt, a: 0.45,
                    lambda lt, a: gain(lt, a) + 0.03 - 0.04 * lt / 400, [100, 250, 400], s)
    assert cut["tf_beats_rf_at_cut"] and cut["tf_beats_2l_at_cut"]
    assert cut["finetune_detrimental_small_Lt"] and cut["finetune_better_at_large_Lt"]


def test_source_size_claim_uses_the_simulations():
    s = dict(SETTINGS)
    ok = _verdicts("source_size", lambda m, a: 0.4 - 0.1 * (m > 1000), lambda m, a: 0.4,
                   lambda m, a: 0.35, lambda m, a: 0.3, [100, 5000], s)
    assert ok["tf_indistinguishable_from_rf_small_source"] and ok["learned_features_help_large_source"]
    # TF far from RF even with the smallest source: distinguishable, the claim fails
    bad = _verdicts("source_size", lambda m, a: 0.3, lambda m, a: 0.4, lambda m, a: 0.35,
                    lambda m, a: 0.3, [100, 5000], s)
    assert not bad["tf_indistinguishable_from_rf_small_source"]


def test_unknown_claims_kind_is_an_error():
    th, sims, vals = _tables(lambda v, a: 0.2, lambda v, a: 0.3, lambda v, a: 0.25,
                             lambda v, a: 0.22, [0.0, 1.0])
    with pytest.raises(ValueError, match="unknown phase-diagram claims kind"):
        phase_claims("nonsense", "g", grid_table(th, sims, vals), th, sims, SETTINGS)


def test_registry_phase_diagrams_name_existing_grid_sections():
    reg = yaml.safe_load((ROOT / "workflow" / "report" / "figures.yaml").read_text())["gerace2022"]
    for name in ("config.yaml", "configs/smoke.yaml", "configs/paper.yaml"):
        cfg = load_yaml(ROOT / name)["gerace2022"]
        for fig, meta in reg.items():
            if meta.get("family") == "phase_diagram":
                for p in meta["panels"]:
                    assert "grid" in cfg[p], (name, fig, p)
                if meta["claims"] == "asymmetric_cut":
                    (p,) = meta["panels"]
                    assert cfg[p]["claims"]["cut_alpha"] in cfg[p]["networks"]["alphas"]


# ---- Fig. 1: the schematic's relations, checked on the generator ------------------------------

def test_schematic_relations_hold_on_the_generator_and_fail_on_a_wrong_one(monkeypatch):
    import tlrepro.gerace2022.schematic as sch
    cfg = {"D": 400, "L_s": 60, "L_t": 60, "eta": 0.8, "rho": 0.25, "q": 0.6}
    ok = {v.id: v.passed for v in sch.schematic_claims(cfg, 90, n_samples=20000, n_sigma=3.0, seed=1)}
    assert all(ok.values()), ok
    real = sch.make_chmm
    # a generator that ignores q and eta (the target teacher and features copied): both claims fail
    monkeypatch.setattr(sch, "make_chmm", lambda **kw: real(**{**kw, "q": 1.0, "eta": 1.0}, ))
    bad = {v.id: v.passed for v in sch.schematic_claims(cfg, 90, n_samples=20000, n_sigma=3.0, seed=1)}
    assert not bad["teacher_alignment_q"] and not bad["feature_perturbation_eta_substitution_rho"]
