import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# Test the checkout these tests belong to, whichever copy of tlrepro is installed.
sys.path.insert(0, str(ROOT / "src"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def load_yaml(path: Path) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)


# What a user's checkout holds: copied into a fresh directory for the end-to-end tests.
SHIPPED = ["Snakefile", "config.yaml", "configs", "envs", "workflow", "notebooks", "src", "profiles",
           ".gitignore"]
# Real dataset copies (../shared/data, see its README) serve as the offline mirror of the real-data
# figures. Without them the end-to-end tests build the CHMM figures only (the data layer is then tested
# on synthetic files by test_data.py).
SHARED_DATA = Path(os.environ.get("TLREPRO_TEST_SHARED_DATA", ROOT.parent / "shared" / "data"))
HAVE_DATA = all((SHARED_DATA / d).is_dir() for d in ("mnist", "emnist", "notmnist"))
if HAVE_DATA:
    os.environ["TLREPRO_DATA_MIRROR"] = str(SHARED_DATA)
CHMM_FIGS = ["fig1", "fig2b", "fig3a", "fig3b", "fig3c", "fig4b", "fig5a", "fig5b", "fig6", "figA1", "figA2",
             "figA3", "figB1", "figB2"]
FIGS_BUILT = CHMM_FIGS + (["fig2a", "fig4a", "figC1", "figC2", "figD1"] if HAVE_DATA else [])
# Every gerace2022 figure and its report card (targets first: --configfile takes every word after it).
# pintus2025 needs ImageNet weights, which no machine here has: its offline failure is tested instead.
SMOKE_TARGETS = [f for fig in FIGS_BUILT
                 for f in (f"figures/gerace2022/{fig}.pdf", f"results/report/gerace2022/{fig}.html")]
SMOKE_CMD = [sys.executable, "-m", "snakemake", *SMOKE_TARGETS, "--cores", "2", "--configfile",
             "configs/smoke.yaml"]


def fresh_checkout(dest: Path) -> Path:
    """Copy the workflow into ``dest`` and commit it in a new git repository (as a clone would be)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(src, dest / name)
    git = ["git", "-c", "user.name=tlrepro-test", "-c", "user.email=test@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "checkout"]):
        subprocess.run(git + args, cwd=dest, check=True, capture_output=True)
    return dest


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """The whole DAG at the smoke scale, once per test session, in a fresh git checkout."""
    work = fresh_checkout(tmp_path_factory.mktemp("wf"))
    res = subprocess.run(SMOKE_CMD, cwd=work, capture_output=True, text=True, timeout=1500)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    return work, list(SMOKE_CMD)
