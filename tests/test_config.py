"""Config validation: every shipped scale is valid; bad keys, types and values fail naming the key."""
import copy
import subprocess
import sys

import pytest

from conftest import ROOT, load_yaml
from tlrepro.config import ConfigError, seeds_for, validate_config

SCALES = [ROOT / "config.yaml", *sorted((ROOT / "configs").glob("*.yaml"))]


@pytest.mark.parametrize("path", SCALES, ids=lambda p: p.name)
def test_shipped_configs_are_valid(path):
    validate_config(load_yaml(path))


def test_paper_config_uses_the_caption_values():
    exp = load_yaml(ROOT / "configs" / "paper.yaml")["gerace2022"]["fig2b"]
    assert exp["chmm"] == {"D": 1000, "L_s": 150, "L_t": 150, "eta": 1.0, "rho": 0.3, "q": 1.0}
    assert (exp["H"], exp["lam"], exp["source"]["M"]) == (500, 1e-7, 51200)
    assert (exp["source"]["lr"], exp["source"]["batch_size"], exp["source"]["max_epochs"],
            exp["source"]["patience"]) == (1e-3, 50, 200, 0)
    nets = exp["networks"]
    assert (nets["twolayer"]["lr"], nets["twolayer"]["batch_size"], nets["twolayer"]["epochs"]) == (0.1, 1000, 200)
    assert (nets["finetune"]["lr"], nets["finetune"]["batch_size"], nets["finetune"]["epochs"]) == (0.01, 1000, 200)
    # 50, 20, 10 samples at low, intermediate, high M/H = instances x seeds per instance
    n_inst = len(exp["instances"])
    assert [n_inst * t["n"] for t in exp["simulation"]["seeds"]] == [50, 20, 10]


@pytest.fixture
def cfg():
    return load_yaml(ROOT / "config.yaml")


def _fails(cfg, *fragments):
    with pytest.raises(ConfigError) as err:
        validate_config(cfg)
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


def test_cross_field_rules(cfg):
    bad = copy.deepcopy(cfg)
    bad["gerace2022"]["fig2b"]["theory"]["alpha_min"] = 100.0
    _fails(bad, "theory.alpha_min must be smaller than alpha_max")
    bad = copy.deepcopy(cfg)
    bad["gerace2022"]["fig2b"]["simulation"]["seeds"][-1]["up_to_alpha"] = 1.0
    _fails(bad, "simulation.seeds", "no seed tier covers alpha")


def test_seed_tiers():
    tiers = [{"up_to_alpha": 0.5, "n": 50}, {"up_to_alpha": 2.0, "n": 20}, {"up_to_alpha": 100, "n": 10}]
    assert [seeds_for(a, tiers) for a in (0.1, 0.5, 0.51, 2.0, 7)] == [50, 50, 20, 20, 10]
    with pytest.raises(ConfigError):
        seeds_for(1000, tiers)


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
