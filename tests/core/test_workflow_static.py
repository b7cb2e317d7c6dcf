"""Static checks of the workflow: lint, formatting, and the DAG of every shipped scale resolves, with a
job for every rule."""
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SCALES
from workflow_inspect import rules


def _run(*args, timeout=300):
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_snakemake_lint_is_clean():
    res = _run(sys.executable, "-m", "snakemake", "--lint")
    assert res.returncode == 0 and "good condition" in res.stdout + res.stderr, res.stdout + res.stderr


def test_snakefmt_check_passes():
    res = _run(sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow/")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("configfile", SCALES)
def test_dag_resolves(configfile):
    res = _run(sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", "1", "--configfile",
               configfile)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    ran = set(re.findall(r"^(?:local)?rule (\w+):$", res.stdout, re.M))
    assert set(rules()) <= ran, f"rules with no job in the whole DAG: {sorted(set(rules()) - ran)}"


def test_a_figure_the_workflow_does_not_build_is_named():
    """A figure of a paper that the registry does not mark as built stops the dry run with its name and
    the figures the paper does build."""
    res = _run(sys.executable, "-m", "snakemake", "figures/pintus2025/fig2b.pdf", "-n", "--cores", "1",
               "--configfile", "configs/smoke.yaml")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "figures/pintus2025/fig2b is not built by this workflow" in out, out[-2000:]
    assert "pintus2025 builds training, landscape, table" in out, out[-2000:]
