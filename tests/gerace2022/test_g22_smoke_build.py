"""gerace2022 in the end-to-end smoke build (the session's ``smoke_run``): the real-data figures use the
mirror copies, Fig. 2b reports every claim, the phase diagrams share sources and the multi-label
diagrams are simulated and compared with the binary ones."""
import json
import os
import subprocess

import numpy as np
import pandas as pd

from conftest import HAVE_DATA

FIG = "figures/gerace2022/fig2b"


def test_real_data_figures_use_the_mirror_copies(smoke_run, tmp_path):
    """The real-data figures are built from the verified mirror copies; their verdicts name panels.
    Without the copies: a mirror that lacks the dataset stops the figure at its download step, with
    a message naming the dataset and the mirror variable, and nothing of the CHMM figure is touched."""
    work, cmd = smoke_run
    if not HAVE_DATA:
        empty = tmp_path / "mirror"
        empty.mkdir()
        res = subprocess.run(cmd[:3] + ["figures/gerace2022/figC2.pdf"] + cmd[-4:], cwd=work,
                             capture_output=True, text=True, timeout=600,
                             env=dict(os.environ, TLREPRO_DATA_MIRROR=str(empty)))
        assert res.returncode != 0
        assert "mnist" in res.stderr and "TLREPRO_DATA_MIRROR" in res.stderr, res.stderr[-3000:]
        assert not (work / "resources/datasets/mnist.npz").exists()
        return
    rec = json.loads((work / "figures/gerace2022/figC1.prov.json").read_text())
    assert any(p.endswith("task-s1.npz") for p in rec["inputs"])
    ids = {c["id"] for c in json.loads((work / "figures/gerace2022/figC1.claims.json").read_text())["claims"]}
    assert {"figC1_edge:tf_below_rf", "figC1_notmnist:tf_below_rf"} <= ids
    d1 = json.loads((work / "figures/gerace2022/figD1.claims.json").read_text())
    assert {c["id"]: c["passed"] for c in d1["claims"]}["appendix_D_mnist"] is True


def test_finetune_starts_from_the_tf_simulations_readouts(smoke_run):
    """Fig. 2b's TF simulation covers its networks' sets: the ft-TF job reads its readouts (every network;
    the script requires them all) and refits none; its start is the TF solution the TF table reports."""
    work, _ = smoke_run
    log = (work / "logs/g22_simulate_finetune/fig2b-s1.log").read_text()
    ft = pd.read_csv(work / "results/gerace2022/fig2b/sim-fttf-s1.csv")
    assert f"readouts for all {len(ft)} networks" in log, log
    with np.load(work / "results/gerace2022/fig2b/readouts-tf-s1.npz") as z:
        assert set(zip(ft.M, ft.seed)) <= set(zip(z["M"].tolist(), z["seed"].tolist()))


def test_claims_file_reports_every_claim(smoke_run):
    work, _ = smoke_run
    doc = json.loads((work / f"{FIG}.claims.json").read_text())
    ids = {c["id"] for c in doc["claims"]}
    assert {"theory_matches_simulation_TF", "theory_matches_simulation_RF", "tf_below_rf_theory",
            "fig2b:tf_below_2l_small", "fig2b:finetune_worse_small", "interpolation_peaks",
            "cusp_delayed_in_tf"} <= ids
    # the ft-TF jobs record their starting point, the TF solution on the same samples (paired claims)
    ft = pd.read_csv(work / "results/gerace2022/fig2b/sim-fttf-s1.csv")
    assert ft["start_test_error"].between(0, 1).all()
    assert doc["n_passed"] == sum(c["passed"] for c in doc["claims"])
    for c in doc["claims"]:
        assert isinstance(c["passed"], bool) and c["claim"] and isinstance(c["numbers"], dict)


def test_phase_diagrams_share_sources_and_check_the_paper(smoke_run):
    """Rows of a phase diagram are experiments of their own; rows that vary only the target (q) share
    row 0's source network, rows that vary the source (L_s + L_t fixed) train their own; every
    diagram reports the theory spot checks and the paper's claims for its kind."""
    work, _ = smoke_run
    g = work / "results/gerace2022"
    assert (g / "fig3_r0/featuremap-tf-s1.npz").exists()
    assert not (g / "fig3_r1/featuremap-tf-s1.npz").exists() and (g / "fig3_r1/pop-tf-s1.npz").exists()
    assert (g / "fig5_r1/featuremap-tf-s1.npz").exists()
    expected = {"fig3a": "fig3:tf_beats_2l_low_samples_high_correlation",
                "fig3b": "fig3:negative_transfer_corner",
                "fig3c": "fig3:finetune_overfits_small_samples",
                "fig5a": "fig5:larger_gain_when_target_simpler",
                "fig5b": "fig5:finetune_detrimental_small_Lt",
                "figA1": "figA1_rho:2l_better_large_samples_low_correlation",
                "figA2": "figA2:threshold_shifts_with_width",
                "figA3": "figA3:tf_indistinguishable_from_rf_small_source"}
    for fig, claim in expected.items():
        doc = json.loads((work / f"figures/gerace2022/{fig}.claims.json").read_text())
        ids = {c["id"] for c in doc["claims"]}
        panel = claim.split(":")[0]
        assert {claim, f"{panel}:theory_converged", f"{panel}:theory_matches_simulation_TF"} <= ids
    rec = json.loads((work / "figures/gerace2022/fig3a.prov.json").read_text())
    assert rec["experiment_config"]["fig3"]["grid"]["param"] == "chmm.q"
    assert any("fig3_r2/sim-2l-s1.csv" in p for p in rec["inputs"])


def test_multilabel_diagrams_are_simulated_and_compared_with_the_binary_ones(smoke_run):
    """Figs. B.1 / B.2: multi-label CHMM rows (K-class teachers, integer labels), TF and RF simulated
    with softmax regressions, no theory job; the claims compare each diagram with its binary
    counterpart (Figs. A.1(a) and 5a), whose tables are inputs of the figure."""
    work, _ = smoke_run
    g = work / "results/gerace2022"
    with np.load(g / "figB1_r0/instance-s1.npz") as z:
        assert z["theta_s"].shape == (30, 4) and z["theta_t"].shape == (30, 4)
    assert not list(g.glob("figB1_r*/theory-*.csv")) and not list(g.glob("figB2_r*/theory-*.csv"))
    sims = pd.read_csv(g / "figB1_r1/sim-tf-s1.csv")
    assert sims["converged"].all() and (sims["test_error"] < 0.75).all()  # below chance (K = 4)
    b1 = json.loads((work / "figures/gerace2022/figB1.claims.json").read_text())
    ids = {c["id"] for c in b1["claims"]}
    assert {"figB1:negative_transfer_corner", "figB1:matches_binary_TF-2L", "figB1:matches_binary_TF-RF",
            "figB1:matches_binary_ft-TF-TF"} <= ids
    assert not any("theory" in i for i in ids)
    agree = next(c for c in b1["claims"] if c["id"] == "figB1:matches_binary_TF-2L")
    # the named feature judged on both diagrams: the binary one from figA1_eta's tables
    assert agree["numbers"]["feature"] and "binary_passed" in agree["numbers"], agree["numbers"]
    assert "results/gerace2022/figA1_eta_r0/theory-tf-s1.csv" in json.loads(
        (work / "figures/gerace2022/figB1.prov.json").read_text())["inputs"]
    b2 = json.loads((work / "figures/gerace2022/figB2.claims.json").read_text())
    assert "figB2:matches_binary_TF-RF" in {c["id"] for c in b2["claims"]}
    rec = json.loads((work / "figures/gerace2022/figB2.prov.json").read_text())
    assert any("fig5_r1/theory-tf-s1.csv" in p for p in rec["inputs"])
    assert rec["experiment_config"]["figB2"]["chmm"]["classes"] == 4


def test_ext_source_training_is_built_beyond_the_paper(smoke_run):
    """ext_source_training (beyond the paper) in the smoke DAG: its rows train the source for a fixed
    number of epochs (or early-stop on other validation sets), compute TF only, share Fig. 2b's target
    task (so its RF simulations are paired with theirs), and its verdicts are this workflow's findings."""
    work, _ = smoke_run
    g = work / "results/gerace2022"
    doc = json.loads((work / "figures/gerace2022/ext_source_training.claims.json").read_text())
    assert {c["id"] for c in doc["claims"]} == {
        "theory_agrees_after_short_training", "theory_deviation_grows_with_training",
        "readout_deviation_grows_with_training", "spike_grows_with_training", "transfer_gain_persists"}
    assert all(c["source"].startswith("this workflow") for c in doc["claims"])
    assert {t["kind"] for t in doc["trainings"]} == {"epochs", "early stopping"}
    for i, epochs in enumerate([1, 3]):
        assert json.loads((g / f"ext_source_epochs_r{i}/source-s1.json").read_text())["stopped_epoch"] == epochs
    with np.load(g / "fig2b/instance-s1.npz") as a, np.load(g / "ext_source_epochs_r0/instance-s1.npz") as b:
        assert all(np.array_equal(a[k], b[k]) for k in a.files)
    assert not (g / "ext_source_epochs_r0/sim-rf-s1.csv").exists()  # RF comes from fig2b
    rec = json.loads((work / "figures/gerace2022/ext_source_training.prov.json").read_text())
    assert set(rec["experiment_config"]) == {"ext_source_epochs", "ext_source_validation", "fig2b"}


def test_the_figure_rule_puts_the_findings_next_to_the_verdicts(smoke_run):
    """A figure with a findings file: the rule annotates its claims file (explanations of failing claims,
    stale ones listed) and records the file, with its checksum, among the figure's inputs."""
    work, _ = smoke_run
    doc = json.loads((work / "figures/gerace2022/fig2b.claims.json").read_text())
    assert "stale_explanations" in doc
    for c in doc["claims"]:
        assert c["passed"] or "explanation" not in c or {"cause", "docs", "holds"} <= set(c["explanation"])
    rec = json.loads((work / "figures/gerace2022/fig2b.prov.json").read_text())
    assert "workflow/report/findings/gerace2022/fig2b.yaml" in rec["inputs"]
