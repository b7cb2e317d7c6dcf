"""Per-rule conda envs cover what each rule imports; the SLURM profile puts a GPU on every rule that
trains a network and on no other; the local profile caps the GPU request at the visible GPUs."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import with_user_data
from workflow_inspect import (CONDA_NAME, ROOT, env_packages, notebook_source, rules,
                              third_party_imports)


def _needs(rule) -> set[str]:
    src = rule.script.read_text()
    for notebook in rule.notebooks:
        src += "\n" + notebook_source(notebook)
    return third_party_imports(src)


def test_every_rule_with_a_script_has_an_env():
    table = rules()
    assert len(table) >= 5
    for rule in table.values():
        if rule.script is not None:
            assert rule.conda is not None and rule.conda.is_file(), f"rule {rule.name}: no conda env"
            assert rule.script.is_file(), f"rule {rule.name}: missing script {rule.script}"


@pytest.mark.parametrize("name", sorted(n for n, r in rules().items() if r.script is not None))
def test_env_provides_every_import(name):
    rule = rules()[name]
    provided = env_packages(rule.conda)
    missing = sorted(m for m in _needs(rule) if CONDA_NAME.get(m, m).lower() not in provided)
    assert not missing, (f"rule {name}: {rule.conda.name} lacks {missing} "
                         f"(imported by {rule.script.name} or the tlrepro modules it uses)")


def test_notebook_kernel_is_in_the_notebook_env():
    figure = rules()["figure"]
    assert {p.parent.name for p in figure.notebooks} >= {"gerace2022", "pintus2025"}, figure.notebooks
    for rule in rules().values():
        if rule.notebooks:
            assert "ipykernel" in env_packages(rule.conda), rule.name


def test_inspection_detects_a_missing_import(tmp_path):
    """The checker itself: an import of torch through tlrepro.gerace2022.nets is found; a guarded one
    is not; torch imported inside a function of a library module is not needed by its importers."""
    assert "torch" in third_party_imports("from tlrepro.gerace2022.nets import TwoLayer")
    assert "torch" not in third_party_imports("from tlrepro.devices import pick_device")
    assert third_party_imports("try:\n    import torch\nexcept ImportError:\n    pass\n") == set()
    assert "sklearn" in third_party_imports("from tlrepro.gerace2022 import baselines")


def test_envs_are_pinned_and_use_conda_forge():
    import yaml

    for path in (ROOT / "envs").glob("*.yaml"):
        env = yaml.safe_load(path.read_text())
        assert env["channels"][-1] == "nodefaults" and "conda-forge" in env["channels"], path.name
        for dep in env["dependencies"]:
            if isinstance(dep, str):
                assert re.search(r"=[0-9]", dep), f"{path.name}: {dep} is not pinned"


def _dry_run_jobs(*args: str, env: dict | None = None) -> list[tuple[str, dict[str, str]]]:
    """(rule, resources) of every job of a forced dry run, parsed from Snakemake's job listing.

    Targets must come before ``--configfile`` in ``args`` (it takes every word after it)."""
    out = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--forceall", *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    if "--workflow-profile" not in args:
        assert "Using workflow specific profile profiles/default" in out.stdout + out.stderr
    jobs, rule = [], None
    for line in (out.stdout + out.stderr).splitlines():
        if m := re.match(r"^(?:local)?rule (\w+):$", line.strip()):
            rule = m.group(1)
        elif rule and line.strip().startswith("resources:"):
            res = dict(kv.split("=", 1) for kv in line.split(":", 1)[1].strip().split(", "))
            jobs.append((rule, res))
            rule = None
    assert jobs, "no jobs parsed from the dry run"
    return jobs


def _trains_a_network(rule) -> bool:
    return rule is not None and rule.script is not None and "torch" in _needs(rule)


def test_slurm_profile_tags_exactly_the_training_rules():
    """Whole paper-scale DAG under profiles/slurm, resources resolved (no cluster needed).

    The conda env is swapped for env-modules only so that the dry run needs no conda binary, and the
    profile's queue limit (jobs: 200) is lifted, so that the dry run does not schedule the 7,443 jobs in
    rounds of 200 (about half its time); neither changes a job's resources."""
    pytest.importorskip("snakemake_executor_plugin_slurm")
    table = rules()
    jobs = _dry_run_jobs("--workflow-profile", "profiles/slurm", "--sdm", "env-modules", "--jobs", "100000",
                         "--configfile", "configs/paper.yaml")
    trains = {name: _trains_a_network(r) for name, r in table.items()}  # once per rule, not per job
    seen = set()
    for rule, res in jobs:
        seen.add(rule)
        gpus = int(res.get("gpu", 0))
        if trains.get(rule, False):
            assert gpus >= 1 and res.get("gpu_model"), f"{rule} trains a network but has {res}"
            assert res.get("slurm_partition") == "gpu", rule
        else:
            assert gpus == 0 and "gpu_model" not in res, f"CPU-only rule {rule} has a GPU tag: {res}"
        if rule != "all":
            assert int(res["runtime"]) > 0 and int(res["mem_mb"]) > 0, rule
    training = {n for n, r in table.items() if r.script is not None and trains[n]}
    assert training and training <= seen, f"training rules missing from the DAG: {training - seen}"


def test_local_profile_caps_gpus_at_visible(tmp_path):
    """No GPU visible: the training jobs are scaled to gpu=0 (CPU); an explicit limit is respected."""
    smoke = ("--configfile", str(with_user_data("configs/smoke.yaml", tmp_path)))  # every training rule
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    for rule, res in _dry_run_jobs(*smoke, env=env):
        assert res.get("gpu", "0") == "0", (rule, res)
    env["CUDA_VISIBLE_DEVICES"] = "0,1"
    tagged = {rule for rule, res in _dry_run_jobs(*smoke, env=env) if res.get("gpu") == "1"}
    training = {name for name, rule in rules().items() if _trains_a_network(rule)}
    assert training and training <= tagged, training - tagged


def test_thread_cap_reaches_torch_without_importing_it():
    """A job's ``threads`` caps torch too, whether torch is imported before setup or after; the
    jobs that never train do not pay torch's import (seconds per job)."""
    code = ("import sys\nfrom tlrepro.runtime import configure_threads\nconfigure_threads(1)\n"
            "late = 'torch' not in sys.modules\nimport torch\nprint(late, torch.get_num_threads())\n")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["True", "1"]
    code = ("import torch\nfrom tlrepro.runtime import configure_threads\nconfigure_threads(1)\n"
            "print(torch.get_num_threads())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.split() == ["1"]
