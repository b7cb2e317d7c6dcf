"""Config validation: every shipped scale is valid; bad keys, types and values fail naming the key."""
import subprocess
import sys

import pytest

from conftest import CHECKS, ROOT, SCALES, load_yaml
from tlrepro.config import ConfigError, load_config, validate_config


@pytest.fixture
def cfg():
    return load_yaml(ROOT / "config.yaml")


@pytest.mark.parametrize("path", SCALES)
def test_shipped_configs_are_valid(path):
    validate_config(load_yaml(ROOT / path), checks=CHECKS)


def _fails(cfg, *fragments):
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, checks=CHECKS)
    for f in fragments:
        assert f in str(err.value), str(err.value)


def test_unknown_key_is_named(cfg):
    cfg["gerace2022"]["fig2b"]["source"]["learning_rate"] = 0.1
    _fails(cfg, "gerace2022.fig2b.source.learning_rate", "allowed keys")


def test_unknown_top_level_key_is_named(cfg):
    cfg["thread"] = 3
    _fails(cfg, "unknown config key thread")


def test_wrong_type_is_named(cfg):
    cfg["gerace2022"]["fig2b"]["H"] = "500"
    _fails(cfg, "gerace2022.fig2b.H", "not of type 'integer'")


@pytest.mark.parametrize("key,value", [("eta", 1.5), ("q", -0.1), ("rho", 2)])
def test_out_of_range_is_named(cfg, key, value):
    cfg["gerace2022"]["fig2b"]["chmm"][key] = value
    _fails(cfg, f"gerace2022.fig2b.chmm.{key}")


def test_missing_key_is_named(cfg):
    del cfg["gerace2022"]["fig2b"]["lam"]
    _fails(cfg, "'lam' is a required property")


def test_bad_enum_is_named(cfg):
    cfg["device"] = "tpu"
    _fails(cfg, "config key device", "tpu")


def test_snakemake_stops_before_any_job_naming_the_key(tmp_path):
    """The workflow itself refuses a bad config (dry-run, so nothing is built)."""
    bad = load_yaml(ROOT / "configs" / "smoke.yaml")
    bad["gerace2022"]["fig2b"]["population"]["n_sample"] = bad["gerace2022"]["fig2b"]["population"].pop("n_samples")
    import yaml
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    res = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "gerace2022.fig2b.population.n_sample" in out, out[-2000:]


@pytest.mark.parametrize("path", SCALES)
def test_merged_onto_config_yaml_a_scale_file_is_itself(path):
    """Each scale file is complete: merged onto config.yaml as Snakemake merges a --configfile, it gives
    exactly the file alone; and the copy the workflow uses (load_config, common.smk) shares no list or
    mapping between sections, so that no section edits another."""
    from snakemake.common.configfile import load_configfile
    from snakemake.utils import update_config

    merged = {}
    update_config(merged, load_configfile(str(ROOT / "config.yaml")))
    update_config(merged, load_configfile(str(ROOT / path)))
    cfg = load_config(ROOT / path)
    assert merged == cfg
    seen = {}

    def walk(node, where):
        if isinstance(node, (dict, list)):
            assert id(node) not in seen, f"{where} is the same object as {seen[id(node)]}"
            seen[id(node)] = where
            for k, v in (node.items() if isinstance(node, dict) else enumerate(node)):
                walk(v, f"{where}.{k}")

    walk(cfg, "config")


def test_a_config_states_values_once(tmp_path):
    """load_config resolves merge keys (a block's keys, then overrides) and gives independent copies."""
    path = tmp_path / "c.yaml"
    path.write_text("a: &a {x: 1, y: {z: 2}}\nb: {<<: *a, x: 3}\nc: *a\n")
    cfg = load_config(path)
    assert cfg == {"a": {"x": 1, "y": {"z": 2}}, "b": {"x": 3, "y": {"z": 2}}, "c": {"x": 1, "y": {"z": 2}}}
    cfg["c"]["y"]["z"] = 5
    assert cfg["a"]["y"]["z"] == 2 and cfg["b"]["y"]["z"] == 2
