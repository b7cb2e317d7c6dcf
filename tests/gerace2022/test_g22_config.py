"""The gerace2022 config section: the paper scale has the captions' values, the cross-key rules of
tlrepro.gerace2022.config stop a bad config naming the key, and the seed tiers."""
import pytest

from conftest import ROOT, load_yaml
from tlrepro.config import ConfigError, validate_config
from tlrepro.gerace2022.config import problems, seeds_for, simulation_covers_networks


@pytest.fixture
def cfg():
    return load_yaml(ROOT / "config.yaml")


def _fails(cfg, *fragments):
    with pytest.raises(ConfigError) as err:
        validate_config(cfg, checks={"gerace2022": problems})
    for f in fragments:
        assert f in str(err.value), str(err.value)


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


def test_cross_field_rules(cfg):
    cfg["gerace2022"]["fig2b"]["theory"]["alpha_min"] = 100.0
    _fails(cfg, "theory.alpha_min must be smaller than alpha_max")
    cfg = load_yaml(ROOT / "config.yaml")
    cfg["gerace2022"]["fig2b"]["simulation"]["seeds"][-1]["up_to_alpha"] = 1.0
    _fails(cfg, "simulation.seeds", "no seed tier covers alpha")


def test_seed_tiers():
    tiers = [{"up_to_alpha": 0.5, "n": 50}, {"up_to_alpha": 2.0, "n": 20}, {"up_to_alpha": 100, "n": 10}]
    assert [seeds_for(a, tiers) for a in (0.1, 0.5, 0.51, 2.0, 7)] == [50, 50, 20, 20, 10]
    with pytest.raises(ConfigError):
        seeds_for(1000, tiers)


def test_simulation_covers_networks():
    """ft-TF reads the TF simulation's readouts only where that simulation fitted every set the networks
    train on: each network alpha simulated, with at least as many seeds."""
    tiers = lambda *n: [{"up_to_alpha": 0.5, "n": n[0]}, {"up_to_alpha": 100.0, "n": n[1]}]
    net = {"alphas": [0.2, 2.0], "seeds": tiers(6, 3)}
    assert simulation_covers_networks({"simulation": {"alphas": [0.2, 1.0, 2.0], "seeds": tiers(6, 3)},
                                       "networks": net})
    assert not simulation_covers_networks({"simulation": {"alphas": [0.2], "seeds": tiers(6, 3)}, "networks": net})
    assert not simulation_covers_networks({"simulation": {"alphas": [0.2, 2.0], "seeds": tiers(6, 2)},
                                           "networks": net})
    assert not simulation_covers_networks({"networks": net})
    sections = load_yaml(ROOT / "config.yaml")["gerace2022"]
    assert simulation_covers_networks(sections["fig2b"]) and simulation_covers_networks(sections["figC2"])
    assert not simulation_covers_networks(sections["fig3"])  # spot checks at two alphas only


def test_binary_counterpart_must_be_a_grid_over_the_same_parameter(cfg):
    """(The grid rules themselves: tests/gerace2022/test_phase_diagrams.py.)"""
    cfg["gerace2022"]["figB1"]["claims"]["binary_counterpart"] = "fig5"
    _fails(cfg, "gerace2022.figB1.claims.binary_counterpart: fig5 must be a grid over the same parameter")
