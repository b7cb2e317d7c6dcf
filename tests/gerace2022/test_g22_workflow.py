"""The gerace2022 DAG: one figure pulls exactly its own chain, a real-data figure its dataset and
panels, the multi-label figures their binary counterparts (dry runs, nothing is built)."""
import re
import subprocess
import sys

from conftest import ROOT


def _run(*args, timeout=300):
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_one_figure_builds_only_what_it_needs():
    """The target figures/gerace2022/fig2b.pdf pulls exactly its own chain (paper scale: 10 instances)."""
    res = _run(sys.executable, "-m", "snakemake", "figures/gerace2022/fig2b.pdf", "-n", "--forceall",
               "--cores", "1",
               "--configfile", "configs/paper.yaml")
    out = res.stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    assert counts.get("g22_train_source") == 10 and counts.get("g22_theory") == 20, counts
    assert counts.get("figure") == 1 and "all" not in counts, counts
    assert "g22_image_task" not in counts and "prepare_dataset" not in counts, counts


def test_a_real_data_figure_pulls_its_dataset_and_panels():
    """figures/gerace2022/fig4a.pdf: one dataset download, two panels (hard -> easy, easy -> hard),
    no CHMM job."""
    res = _run(sys.executable, "-m", "snakemake", "figures/gerace2022/fig4a.pdf", "-n", "--forceall",
               "--cores", "1",
               "--configfile", "configs/paper.yaml")
    counts = {p[0]: int(p[1]) for p in (line.split() for line in res.stdout.splitlines())
              if len(p) == 2 and p[1].isdigit()}
    assert counts.get("prepare_dataset") == 1 and counts.get("g22_image_task") == 2, counts
    assert counts.get("g22_train_source") == 2 and counts.get("g22_simulate_fixed_features") == 4, counts
    assert "g22_chmm_instance" not in counts and "g22_theory" not in counts, counts


def test_multilabel_figures_simulate_everything_and_read_their_binary_counterparts():
    """Figs. B.1 / B.2 at the smoke scale: no theory job for the multi-label rows (only for the binary
    counterpart rows, figA1_eta: 2 x 2 and fig5: 3 x 2), TF / RF simulated on the multi-label rows (and TF
    on the counterpart rows whose ft-TF starts from its readouts),
    one source network for B.1's target-only grid and one per row for B.2 (and the same for the
    counterparts), identical trainings done once."""
    res = _run(sys.executable, "-m", "snakemake", "figures/gerace2022/figB1.pdf", "figures/gerace2022/figB2.pdf",
               "-n", "--forceall", "--cores", "1", "--configfile", "configs/smoke.yaml")
    counts = {p[0]: int(p[1]) for p in (line.split() for line in res.stdout.splitlines())
              if len(p) == 2 and p[1].isdigit()}
    # TF / RF on the 5 multi-label rows; and TF on figA1_eta's 2 rows, whose ft-TF starts from the TF
    # simulation's readouts (at this scale the spot checks cover every set of the networks)
    assert counts.get("g22_theory") == 10 and counts.get("g22_simulate_fixed_features") == 12, counts
    # (or of the identical experiment whose jobs they copy)
    simulated = re.findall(r"output: results/gerace2022/(\w+)/sim-(\w+)-s1\.csv, ", res.stdout)
    assert sorted(k for e, k in simulated if not e.startswith("figB")) == ["tf", "tf"], simulated
    # the 8 source networks of the rows, each trained or, where an identical training is in the DAG
    # (tlrepro.gerace2022.reuse; smoke sizes make several equal), copied: 6 trainings at this scale
    sources = set(re.findall(r"output: results/gerace2022/(\w+)/featuremap-tf-s1\.npz", res.stdout))
    assert sources >= {"figB1_r0", "figB2_r0", "figB2_r1", "figB2_r2", "figA1_eta_r0", "fig5_r0", "fig5_r1",
                       "fig5_r2"}, sources
    assert counts.get("g22_train_source") == 6 and counts.get("figure") == 2, counts
    assert "results/gerace2022/figB1_r1/sim-tf-s1.csv" in res.stdout
    assert "results/gerace2022/figB1_r1/theory-tf-s1.csv" not in res.stdout
    assert "results/gerace2022/figA1_eta_r1/theory-tf-s1.csv" in res.stdout
