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
    """A YAML file as the workflow reads it; for a config, anchors resolved into independent copies
    (tlrepro.config.load_config), so that a test may edit one section without touching another."""
    from tlrepro.config import load_config

    return load_config(path)


def with_user_data(configfile: str, dest: Path) -> Path:
    """A copy of the complete config ``configfile`` in ``dest`` that builds the panels needing data the user
    provides (gerace2023's ImageNet -> IDC: ``setup.idc.use: true``), so that every rule has a job."""
    cfg = load_yaml(ROOT / configfile)
    cfg["gerace2023"]["setup"]["idc"]["use"] = True
    out = Path(dest) / f"with-user-data-{Path(configfile).name}"
    out.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return out


# Each paper's cross-key config checks, found as its rule file registers them: tlrepro.<paper>.config.problems
# (test_layout checks that every rule file registers exactly that function).
def _checks() -> dict:
    import importlib

    out = {}
    for paper in yaml.safe_load((ROOT / "workflow" / "report" / "figures.yaml").read_text()):
        try:
            out[paper] = importlib.import_module(f"tlrepro.{paper}.config").problems
        except (ModuleNotFoundError, AttributeError):
            pass
    return out


CHECKS = _checks()


def assert_config_error(paper: str, edit, fragment: str) -> None:
    """config.yaml with ``edit`` applied to the ``paper`` section stops validation with a message containing
    ``fragment`` (literally)."""
    import re

    from tlrepro.config import ConfigError, validate_config

    cfg = load_yaml(ROOT / "config.yaml")
    edit(cfg[paper])
    with pytest.raises(ConfigError, match=re.escape(fragment)):
        validate_config(cfg, checks=CHECKS)
# Every shipped scale (each a complete config).
SCALES = ["config.yaml", *sorted(f"configs/{p.name}" for p in (ROOT / "configs").glob("*.yaml"))]
# The figure registry: every figure of every paper, and which ones the workflow builds.
REGISTRY = load_yaml(ROOT / "workflow" / "report" / "figures.yaml")
IMPLEMENTED = {paper: [f for f, meta in figs.items() if meta["implemented"]]
               for paper, figs in REGISTRY.items()}


# What a user's checkout holds: copied into a fresh directory for the end-to-end tests.
SHIPPED = ["Snakefile", "config.yaml", "configs", "envs", "workflow", "notebooks", "src", "profiles",
           "docs", ".gitignore"]
# Real dataset copies (../shared/data, see its README) serve as the offline mirror of the real-data
# figures. Without them the end-to-end tests build the CHMM figures only (the data layer is then tested
# on synthetic files by test_data.py).
SHARED_DATA = Path(os.environ.get("TLREPRO_TEST_SHARED_DATA", ROOT.parent / "shared" / "data"))
HAVE_DATA = all((SHARED_DATA / d).is_dir() for d in ("mnist", "emnist", "notmnist"))
if SHARED_DATA.is_dir():
    os.environ["TLREPRO_DATA_MIRROR"] = str(SHARED_DATA)


def _downloads(paper: str, fig: str) -> set[str]:
    """What a figure needs that only a download gives, as the folders of a mirror (../shared/data has
    mnist, emnist, notmnist, cifar10; never weights/ or idc/): the datasets its panels' config sections
    name (`dataset`, `datasets`); pintus2025 needs the ImageNet weights. A paper whose figures need
    something else adds its branch here."""
    from tlrepro.data.registry import DATASETS

    if paper == "pintus2025":
        return {"mnist", "weights"}
    cfg = load_yaml(ROOT / "configs" / "smoke.yaml")[paper]
    names = {n for p in REGISTRY[paper][fig].get("panels", [])
             for n in [cfg[p].get("dataset"), *cfg[p].get("datasets", [])] if n}
    return {DATASETS[n].subdir for n in names}


def _available(folder: str) -> bool:
    return (SHARED_DATA / folder).is_dir()


# The figures the end-to-end smoke build makes here: every implemented figure whose downloads the mirror
# holds. pintus2025 needs ImageNet weights, which no machine here has: its offline failure is tested
# instead.
SMOKE_FIGURES = [(paper, fig) for paper, figs in IMPLEMENTED.items() for fig in figs
                 if all(map(_available, _downloads(paper, fig)))]
FIGS_BUILT = [fig for paper, fig in SMOKE_FIGURES if paper == "gerace2022"]
# Each figure and its report card (targets first: --configfile takes every word after it).
SMOKE_TARGETS = [f for paper, fig in SMOKE_FIGURES
                 for f in (f"figures/{paper}/{fig}.pdf", f"results/report/{paper}/{fig}.html")]
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
