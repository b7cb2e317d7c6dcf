"""Static checks of the workflow: lint, formatting, and the DAG of every shipped scale resolves."""
import subprocess
import sys

import pytest

from conftest import ROOT


def _run(*args, timeout=300):
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_snakemake_lint_is_clean():
    res = _run(sys.executable, "-m", "snakemake", "--lint")
    assert res.returncode == 0 and "good condition" in res.stdout + res.stderr, res.stdout + res.stderr


def test_snakefmt_check_passes():
    res = _run(sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow/")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("configfile", ["config.yaml", "configs/smoke.yaml", "configs/paper.yaml"])
def test_dag_resolves(configfile):
    res = _run(sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", configfile)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    assert "figure_learning_curve" in res.stdout


def test_one_figure_builds_only_what_it_needs():
    """The target figures/gerace2022/fig2b.pdf pulls exactly its own chain (paper scale: 10 instances)."""
    res = _run(sys.executable, "-m", "snakemake", "figures/gerace2022/fig2b.pdf", "-n", "--cores", "1",
               "--configfile", "configs/paper.yaml")
    out = res.stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    assert counts.get("train_source") == 10 and counts.get("theory") == 20, counts
    assert counts.get("figure_learning_curve") == 1 and "all" not in counts, counts
