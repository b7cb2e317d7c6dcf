"""gerace2023's claims on constructed profiles pass where the data say so and fail where they do not; the
IDC claims are not evaluated without the data; the config's cross-key rules name the key."""

import pandas as pd
import pytest

from conftest import assert_config_error
from tlrepro.gerace2023.claims import (fig1_claims, fig3_claims, fig4_claims, fig7_claims, optimum,
                                       summarise_profiles)

DEPTHS = [0, 1, 3, 5, 7, 8]


def rows(source, target, n, accuracies, seeds=3, noise=0.002):
    return [{"source": source, "target": target, "n_per_class": n, "seed": s, "k": k,
             "accuracy": a + noise * (s - 1)} for s in range(seeds) for k, a in zip(DEPTHS, accuracies)]


def peak(at, base=0.5, height=0.1):
    return [base + height * (k == at) + 0.02 * (k == at - 1 if at else 0) for k in DEPTHS]


def test_optimum_and_fig1():
    table = pd.DataFrame(rows("L256", "cifar10", 128, peak(8)) + rows("cifar10", "gm", 32, peak(3))
                         + rows("L256", "cifar10", 0, peak(0)))
    s = summarise_profiles(table)
    assert optimum(s, "L256", "cifar10", 128)["k_star"] == 8
    panels = [{"source": "L256", "target": "cifar10", "n_per_class": [128]},
              {"source": "imagenet", "target": "idc", "n_per_class": [10000]},
              {"source": "cifar10", "target": "gm", "n_per_class": [32]},
              {"source": "L256", "target": "cifar10", "n_per_class": [0]}]
    idc = pd.DataFrame([{"available": False, "status": "data not provided", "details": "put it in <mirror>/idc"}])
    v = {x.id: x for x in fig1_claims(s, panels, DEPTHS, {"top_depth_min": 7, "bottom_depth_max": 1}, idc)}
    assert v["fig1a:optimum_top"].passed and v["fig1c:optimum_interior"].passed and v["fig1d:optimum_bottom"].passed
    b = v["fig1b:optimum_interior"]
    assert not b.passed and not b.evaluated and "mirror" in b.numbers["details"]
    bad = summarise_profiles(pd.DataFrame(rows("L256", "cifar10", 128, peak(3)) + rows("cifar10", "gm", 32, peak(8))
                                          + rows("L256", "cifar10", 0, peak(5))))
    v = {x.id: x for x in fig1_claims(bad, panels, DEPTHS, {"top_depth_min": 7, "bottom_depth_max": 1}, idc)}
    assert not any(v[k].passed for k in ("fig1a:optimum_top", "fig1c:optimum_interior", "fig1d:optimum_bottom"))


@pytest.mark.parametrize("optima,passes", [((5, 3, 1, 0), True), ((1, 3, 5, 5), False)])
def test_fig3_optimum_moves_back_with_size(optima, passes):
    sizes = [16, 64, 256, 0]
    table = pd.DataFrame([r for n, at, lift in zip(sizes, optima, (0.0, 0.15, 0.3, 0.45))
                          for r in rows("gm", "cifar10", n, [a + lift for a in peak(at)])])
    panels = [{"source": "gm", "target": "cifar10", "n_per_class": sizes}]
    v = {x.id: x for x in fig3_claims(summarise_profiles(table), panels, {"n_sigma": 3.0}, None, 1800)}
    assert v["fig3:gm:optimum_not_deeper_with_size"].passed is passes
    assert v["fig3:gm:accuracy_grows_with_size"].passed  # every k gains at least 0.05 per step


def test_fig4_and_fig7():
    table = pd.DataFrame(rows("isogm", "cifar10", 384, peak(0)) + rows("gm", "cifar10", 384, peak(3))
                         + rows("L256", "cifar10", 384, peak(7)))
    panels = [{"source": s, "target": "cifar10", "n_per_class": [384]} for s in ("isogm", "gm", "L256")]
    assert all(v.passed for v in fig4_claims(summarise_profiles(table), panels))
    table = pd.DataFrame(rows("isogm", "cifar10", 384, peak(5)) + rows("gm", "cifar10", 384, peak(3))
                         + rows("L256", "cifar10", 384, peak(1)))
    assert not any(v.passed for v in fig4_claims(summarise_profiles(table), panels))
    sizes = {"isogm": [8, 64], "L4": [4, 16, 64], "L32": [64], "L256": [128, 256, 0]}
    optima = {"isogm": [0, 0], "L4": [8, 8, 5], "L32": [8], "L256": [8, 8, 3]}
    table = pd.DataFrame([r for s in sizes for n, at in zip(sizes[s], optima[s]) for r in rows(s, "cifar10", n, peak(at))])
    panels = [{"source": s, "target": "cifar10", "n_per_class": sizes[s]} for s in sizes]
    aes = [{"size": 4, "test_mse": 0.05}, {"size": 32, "test_mse": 0.02}, {"size": 256, "test_mse": 0.01}]
    v = {x.id: x for x in fig7_claims(summarise_profiles(table), panels, DEPTHS, aes, {"n_sigma": 3.0}, 1800)}
    assert all(x.passed for x in v.values()), {k: x.passed for k, x in v.items()}
    aes[2]["test_mse"] = 0.03
    assert not fig7_claims(summarise_profiles(table), panels, DEPTHS, aes, {"n_sigma": 3.0}, 1800)[-1].passed


@pytest.mark.parametrize("edit,fragment", [
    (lambda c: c["setup"]["network"].update(depth=20), "gerace2023.setup.network.depth = 20"),
    (lambda c: c["setup"].update(depths=[0, 3, 9]), "k = 9 is beyond WRN-16-1's 9 units"),
    (lambda c: c["setup"]["target_training"].update(augment="crop_flip"), "cache_prefix needs augment: none"),
    (lambda c: c["fig1"]["panels"][0].update(target="idc"), "gerace2023.fig1.panels[0]: the ResNet-18 panel"),
    (lambda c: c["fig1"]["claims"].update(top_depth_min=6), "gerace2023.fig1.claims.top_depth_min = 6"),
    (lambda c: c["fig4"]["panels"][0].update(n_per_class=[-1]), "gerace2023.fig4.panels[0].n_per_class[0]"),
    (lambda c: c["setup"]["idc"].update(depths=[0, 5, 10]), "gerace2023.setup.idc.depths[2]"),
    (lambda c: c["setup"]["idc"].update(use="maybe"), "gerace2023.setup.idc.use"),
    (lambda c: c["setup"]["idc"]["training"].update(augment="crop_flip"), "setup.idc.training: cache_prefix needs"),
    (lambda c: c["fig3"]["claims"].update(idc_vanilla_sizes=[5000, 20000]), "fig3.claims.idc_vanilla_sizes = [5000, 20000]"),
    (lambda c: c["fig3"]["claims"].pop("idc_equivalence_margin"), "fig3.claims.idc_equivalence_margin is missing"),
])
def test_bad_config_names_the_key(edit, fragment):
    assert_config_error("gerace2023", edit, fragment)
