"""The lauditi2025 config section: bad alignments, class indices, readings and sizes stop the run before
any job, with a message that names the key."""

import subprocess
import sys

import pytest
import yaml
from conftest import CHECKS, ROOT, load_yaml

from tlrepro.config import ConfigError, validate_config


@pytest.fixture
def cfg():
    return load_yaml(ROOT / "config.yaml")


def _fails(cfg, *fragments):
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, checks=CHECKS)
    for f in fragments:
        assert f in str(err.value), str(err.value)


@pytest.mark.parametrize("edit,fragments", [
    (lambda c: c["fig1b"]["target"].update(alpha_s=[0.999]), ["lauditi2025.fig1b.target", "exceeds 1"]),
    (lambda c: c["fig1a"]["target"].update(alpha_g=[1.5]), ["lauditi2025.fig1a.target.alpha_g[0]"]),
    (lambda c: c["fig1a"]["target"].update(nu2=[0.0, 0.5]), ["lauditi2025.fig1a.target.nu2[0]"]),
    (lambda c: c["fig2_cifar"]["classes"].update(target=[0, 10]), ["lauditi2025.fig2_cifar.classes.target[1]"]),
    (lambda c: c["fig2_cifar"]["classes"].update(source=[4, 4]), ["lauditi2025.fig2_cifar.classes.source must name"]),
    (lambda c: c["fig2a"].update(chi_reading="printed"), ["lauditi2025.fig2a.chi_reading = printed", "gamma1 = 2.0"]),
    (lambda c: c["fig1a"].update(kernel_model="caption"), ["kernel_model = caption", "nu1 <= 1"]),
    (lambda c: c["fig2_cifar"]["theory"].update(width=100), ["lauditi2025.fig2_cifar.theory.width = 100"]),
    (lambda c: c["fig1c"].update(widths=[500]), ["lauditi2025.fig1c.widths"]),
])
def test_bad_values_name_the_key(cfg, edit, fragments):
    edit(cfg["lauditi2025"])
    _fails(cfg, *fragments)


def test_the_workflow_stops_before_any_job(tmp_path):
    bad = load_yaml(ROOT / "configs" / "smoke.yaml")
    bad["lauditi2025"]["fig1a"]["target"]["alpha_s"] = [0.5, 1.2]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0 and "lauditi2025.fig1a.target.alpha_s[1]" in res.stdout + res.stderr
    bad["lauditi2025"]["fig1a"]["target"]["alpha_s"] = [0.5, 0.999]
    bad["lauditi2025"]["fig1a"]["target"]["alpha_g"] = [0.5]
    path.write_text(yaml.safe_dump(bad))
    res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode != 0 and "lauditi2025.fig1a.target: alpha_s = 0.999 with alpha_g = 0.5" in out, out[-2000:]
