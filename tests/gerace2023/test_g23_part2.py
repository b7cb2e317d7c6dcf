"""gerace2023 part 2: layer representations, similarity profiles and compliant learning on small networks;
the claims of Figs. 5, 6, 8, 9 on constructed tables (each can fail); the config's cross-key rules."""

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import assert_config_error
from tlrepro.gerace2023.claims import fig5_claims, fig9_claims, similarity_claims, summarise_profiles
from tlrepro.gerace2023.data import with_stats
from tlrepro.gerace2023.experiments import compliant, similarity, train_source
from tlrepro.gerace2023.representations import cosine_distance, elastic_penalty, unit_representations
from tlrepro.gerace2023.wrn import WideResNet

torch.set_num_threads(1)
NET = {"depth": 10, "widen": 1}
CFG = dict(epochs=2, min_steps=0, max_steps=30, batch_size=32, lr=0.05, momentum=0.9, weight_decay=5e-4,
           augment="none")


def _dataset(n_per_class=20, size=8, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(10), n_per_class)
    base = rng.uniform(40, 200, (10, size, size, 3))
    x = np.clip(base[y] + rng.normal(0, 25, (len(y), size, size, 3)), 0, 255).astype(np.uint8)
    return with_stats({"x": x, "y": y, "x_test": x[::2].copy(), "y_test": y[::2].copy()})


def test_unit_representations_shapes_pooling_and_units():
    net = WideResNet(10, 1)
    x = torch.randn(7, 3, 8, 8)
    reps = unit_representations(net, x, [1, 3, 6], batch_size=3)
    assert reps[1].shape == (7, 16 * 8 * 8) and reps[3].shape == (7, 32 * 4 * 4) and reps[6].shape == (7, 10)
    pooled = unit_representations(net, x, [1], pool=1)[1]
    assert pooled.shape == (7, 16) and torch.allclose(pooled, reps[1].view(7, 16, 64).mean(-1), atol=1e-6)
    with torch.no_grad():
        assert torch.allclose(reps[6], net.eval()(x), atol=1e-5)
    with pytest.raises(ValueError, match="units \\[7\\] are outside 1..6"):
        unit_representations(net, x, [7])


def test_similarity_of_a_network_with_itself_is_exact():
    ds = _dataset()
    state = WideResNet(10, 1).state_dict()
    prof = similarity(ds, state, state, NET, {"n_per_class": 5, "pool": 0, "k_ii": 1, "k_overlap": 5,
                                              "k_spearman": 10})
    assert list(prof["unit"]) == list(range(1, 7)) and set(prof["points"]) == {50}
    assert (prof["information_imbalance"] == 0).all() and (prof["overlap"] == 1).all()
    assert np.allclose(prof["cka"], 1) and (prof["spearman"] == 1).all()
    with pytest.raises(ValueError, match="n_per_class = 11 exceeds the 10 test images per class"):
        similarity(ds, state, state, NET, {"n_per_class": 11, "pool": 0, "k_ii": 1, "k_overlap": 5, "k_spearman": 10})


def test_elastic_penalty_pulls_the_coupled_units_only():
    net, anchor = WideResNet(10, 1), WideResNet(10, 1)
    pen = elastic_penalty(net, anchor, units=2, lam=0.5)
    expected = 0.5 * sum(((p - q) ** 2).sum() for i in range(2)
                         for p, q in zip(net.units[i].parameters(), anchor.units[i].parameters()))
    value = pen()
    assert torch.allclose(value, expected)
    value.backward()
    assert net.units[0].weight.grad is not None and net.units[2].bn1.weight.grad is None
    assert torch.allclose(net.units[0].weight.grad, (net.units[0].weight - anchor.units[0].weight).detach())
    w = torch.randn(10)
    assert cosine_distance(w, 3 * w) == pytest.approx(0, abs=1e-12) and cosine_distance(w, -w) == pytest.approx(2)


def test_compliant_learning_couples_and_reduces_to_the_source_at_zero():
    """lambda = 0 from the CIFAR-10 source's initialisation and batches is the CIFAR-10 source network; a
    strong coupling brings the first layer close to the anchor's."""
    ds = _dataset()
    source, record = train_source(ds, NET, CFG, seed=11)
    anchor, _ = train_source(ds, NET, CFG, seed=5)
    plain = compliant(ds, source.state_dict(), NET, CFG, lam=0.0, units=3, init_seed=11, seed=11)
    assert plain["test_accuracy"] == record["test_accuracy"] and plain["distance_first"] == pytest.approx(0, abs=1e-12)
    free = compliant(ds, anchor.state_dict(), NET, CFG, lam=0.0, units=3, init_seed=11, seed=11)
    tied = compliant(ds, anchor.state_dict(), NET, CFG, lam=1.0, units=3, init_seed=11, seed=11)
    assert free["distance_first"] > 0.5 and tied["distance_first"] < 0.1 * free["distance_first"]
    shared = compliant(ds, anchor.state_dict(), NET, CFG, lam=0.0, units=3, init_seed=5, seed=11)
    assert shared["distance_first_init"] < 0.1 < free["distance_first_init"]  # from the anchor's initialisation
    with pytest.raises(ValueError, match="fig5.compliant.units = 9"):
        compliant(ds, anchor.state_dict(), NET, CFG, lam=1.0, units=9, init_seed=5, seed=11)


def _runs(acc_shift, dist):
    return pd.DataFrame([{"lambda": lam, "seed": s, "test_accuracy": 0.8 + shift + 0.001 * s,
                          "distance_first": d + 0.005 * s}
                         for lam, shift, d in zip([0.0, 0.01, 0.1, 1.0], acc_shift, dist) for s in range(4)])


def test_fig5_claims_pass_and_fail():
    settings = {"n_sigma": 3.0, "accuracy_margin": 0.02, "distance_at_zero": 0.6, "distance_tolerance": 0.15,
                "distance_rise_margin": 0.02}
    good = {v.id: v.passed for v in fig5_claims(_runs([0, 0.002, -0.001, 0.001], [0.6, 0.5, 0.3, 0.1]), settings)}
    assert all(good.values()), good
    bad = {v.id: v.passed for v in fig5_claims(_runs([0, 0.0, -0.05, 0.0], [0.2, 0.25, 0.3, 0.35]), settings)}
    assert not any(bad.values()), bad


def _sim(curves, seeds=3, noise=0.01):
    """curves: clone -> II per unit (1..n); the other measures follow from the II."""
    return pd.DataFrame([{"source": c, "seed": s, "unit": u + 1, "information_imbalance": v + noise * s,
                          "cka": 1 - v, "spearman": 1 - v, "overlap": 1 - v + noise * s}
                         for c, vals in curves.items() for s in range(seeds) for u, v in enumerate(vals)])


SETTINGS = {"n_sigma": 3.0, "drop_margin": 0.05, "near_zero": 0.1, "last_units": 2, "min_difference": 0.02}
PAPER_LIKE = {"isogm": [0.1, 0.2, 0.5, 0.6, 0.9, 0.9], "gm": [0.05, 0.1, 0.3, 0.4, 0.7, 0.8],
              "L256": [0.0, 0.01, 0.04, 0.05, 0.3, 0.5]}


def _profiles(kstar):
    return summarise_profiles(pd.DataFrame([{"source": c, "target": "cifar10", "n_per_class": 0, "seed": s, "k": k,
                                             "accuracy": 0.5 + 0.1 * (k == kstar[c]) + 0.001 * s}
                                            for c in kstar for s in range(3) for k in (0, 1, 3, 4, 5)]))


def test_similarity_claims_pass_on_the_papers_picture():
    panels = [{"source": c, "target": "cifar10", "n_per_class": [0]} for c in PAPER_LIKE]
    v = {x.id: x for x in similarity_claims("fig6", _sim(PAPER_LIKE), list(PAPER_LIKE), SETTINGS, down_units=[3, 4],
                                            body_units=4, profiles=_profiles({"isogm": 0, "gm": 1, "L256": 4}),
                                            panels=panels)}
    assert all(x.passed for x in v.values()), {k: x.numbers for k, x in v.items() if not x.passed}
    assert len(v) == 5
    assert all(x.passed for x in fig9_claims(_sim(PAPER_LIKE), list(PAPER_LIKE)))
    only_order = similarity_claims("fig8", _sim(PAPER_LIKE), list(PAPER_LIKE), SETTINGS, down_units=[3, 4],
                                   body_units=4, judged_elsewhere=list(PAPER_LIKE))
    assert [x.id for x in only_order] == ["fig8:ii_ordered_by_clone_fidelity"]  # monotonicity counted once


def test_similarity_claims_fail_on_the_opposite_picture():
    flipped = {"isogm": PAPER_LIKE["L256"], "gm": [0.5, 0.4, 0.3, 0.2, 0.1, 0.0], "L256": PAPER_LIKE["isogm"]}
    panels = [{"source": c, "target": "cifar10", "n_per_class": [0]} for c in flipped]
    v = {x.id: x.passed for x in similarity_claims("fig6", _sim(flipped), list(flipped), SETTINGS, down_units=[2],
                                                   body_units=4, profiles=_profiles({"isogm": 0, "gm": 1, "L256": 4}),
                                                   panels=panels)}
    assert not any(v.values()), v
    mixed = _sim(PAPER_LIKE)
    mixed["cka"] = 1 - mixed["cka"]  # CKA now says the opposite
    f9 = {x.id: x.passed for x in fig9_claims(mixed, list(PAPER_LIKE))}
    assert f9 == {"fig9:cka_orders_clones_like_ii": False, "fig9:spearman_orders_clones_like_ii": True,
                  "fig9:overlap_orders_clones_like_ii": True}


@pytest.mark.parametrize("edit,fragment", [
    (lambda c: c["fig5"]["compliant"].update(lambdas=[0.01, 0.1]), "fig5.compliant.lambdas = [0.01, 0.1] must include 0"),
    (lambda c: c["fig5"]["compliant"].update(lambdas=[0, 0.1, 0.01]), "fig5.compliant.lambdas must increase"),
    (lambda c: c["fig5"]["compliant"].update(units=12), "fig5.compliant.units = 12"),
    (lambda c: c["fig8"].update(clones=["cifar10", "L4"]), "fig8.clones[0] = cifar10"),
    (lambda c: c["setup"]["similarity"].update(k_spearman=1), "setup.similarity.k_spearman"),
    (lambda c: c["fig6"]["claims"].pop("n_sigma"), "gerace2023.fig6.claims"),
])
def test_bad_part2_config_names_the_key(edit, fragment):
    assert_config_error("gerace2023", edit, fragment)
