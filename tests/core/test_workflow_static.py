"""Static checks of the workflow: lint, formatting, and the DAG of every shipped scale resolves, with a
job for every rule."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SCALES, with_user_data
from workflow_inspect import rules


def _run(*args, timeout=300):
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_snakemake_lint_is_clean():
    res = _run(sys.executable, "-m", "snakemake", "--lint")
    assert res.returncode == 0 and "good condition" in res.stdout + res.stderr, res.stdout + res.stderr


def test_snakefmt_check_passes():
    res = _run(sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow/")
    assert res.returncode == 0, res.stdout + res.stderr


def _jobs(*args, env=None) -> set[str]:
    """The rules of a forced dry run's jobs."""
    res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", "1", *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    return set(re.findall(r"^(?:local)?rule (\w+):$", res.stdout, re.M))


@pytest.mark.parametrize("configfile", SCALES)
def test_dag_resolves(configfile, tmp_path):
    """Every scale resolves as shipped, and with the user-provided data (IDC) every rule has a job."""
    _jobs("--configfile", configfile)
    ran = _jobs("--configfile", str(with_user_data(configfile, tmp_path)))
    assert set(rules()) <= ran, f"rules with no job in the whole DAG: {sorted(set(rules()) - ran)}"


def test_idc_panels_are_built_when_the_patches_are_provided(tmp_path):
    """setup.idc.use: auto builds the ImageNet -> IDC profiles only when <mirror>/idc/ holds something."""
    env = dict(os.environ, TLREPRO_DATA_MIRROR=str(tmp_path))
    smoke = ("--configfile", "configs/smoke.yaml")
    without = _jobs(*smoke, env=env)
    assert "g23_idc" in without and "g23_idc_defrost" not in without
    (tmp_path / "idc").mkdir()
    (tmp_path / "idc" / "archive.zip").write_bytes(b"checked when converted")
    assert {"g23_idc", "g23_idc_defrost", "prepare_dataset"} <= _jobs(*smoke, env=env)


def test_a_figure_the_workflow_does_not_build_is_named():
    """A figure of a paper that the registry does not mark as built stops the dry run with its name and
    the figures the paper does build."""
    res = _run(sys.executable, "-m", "snakemake", "figures/pintus2025/fig2b.pdf", "-n", "--cores", "1",
               "--configfile", "configs/smoke.yaml")
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "figures/pintus2025/fig2b is not built by this workflow" in out, out[-2000:]
    assert "pintus2025 builds training, landscape, table" in out, out[-2000:]
