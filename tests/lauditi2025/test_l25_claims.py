"""lauditi2025's claims on constructed tables: each verdict passes where the data say so and fails where
they do not; the statistics are paired over repetitions and use the Student-t bound."""

import math

import numpy as np
import pandas as pd
import pytest

from tlrepro.claims import z_bound
from tlrepro.lauditi2025.claims import (
    _versus_probe,
    fig2_claims,
    networks_match_theory,
    optimal_gamma1,
    paired,
)

NU2 = [0.3, 0.5, 0.7, 0.9]


def table(finetuned, probe=lambda nu2: 1 - nu2, reps=10, noise=0.01, widths=(100, 400), seed=0):
    """Rows of a linear experiment: the fine-tuned loss finetuned(nu2) and the probe's, per repetition."""
    rng = np.random.default_rng(seed)
    rows = []
    for width in widths:
        for rep in range(reps):
            shared = rng.normal(0, noise)  # the repetition's data, common to both conditions
            for nu2 in NU2:
                for model, f, g in (("finetuned", finetuned, 2.0), ("probe", probe, 0.0)):
                    rows.append({"repetition": rep, "width": width, "nu1": 0.5, "gamma1": g, "model": model,
                                 "alpha_s": 0.5, "alpha_g": 0.1, "nu2": nu2,
                                 "loss": f(nu2) + shared + rng.normal(0, noise / 10),
                                 "theory_measured": f(nu2)})
    return pd.DataFrame(rows)


def test_paired_statistics():
    st = paired(pd.Series([0.1, 0.2, 0.3, 0.4]), 3.0)
    assert st["mean"] == pytest.approx(0.25) and st["se"] == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 20)
    assert st["z"] == pytest.approx(st["mean"] / st["se"]) and st["z_bound"] == pytest.approx(z_bound(3.0, 3))
    assert math.isnan(paired(pd.Series([0.3]), 3.0)["z_bound"])


def test_versus_probe_is_paired_per_repetition():
    """A 0.02 excess over the probe, hidden in repetition noise of 0.05, is significant only when paired."""
    df = table(lambda nu2: 1 - nu2 + 0.02, noise=0.05)
    pts = _versus_probe(df[df["width"] == 400], 3.0)
    assert len(pts) == len(NU2) and all(p["z"] > p["z_bound"] for p in pts)
    unpaired = df[(df["width"] == 400) & (df["model"] == "finetuned")].groupby("nu2")["loss"].sem().max()
    assert unpaired > 0.01  # the unpaired SE is too large to show 0.02 at 3 SE


def test_networks_match_theory_fails_on_a_bias_and_needs_the_wider_net_closer():
    good = table(lambda nu2: 0.5 * (1 - nu2))
    verdicts = networks_match_theory(good, "theory_measured", 3.0, "claim", "match")
    assert [v.passed for v in verdicts[:2]] == [True, True]
    bad = good.copy()
    bad.loc[bad["width"] == 400, "loss"] += 0.05
    verdicts = networks_match_theory(bad, "theory_measured", 3.0, "claim", "match")
    assert verdicts[0].passed and not verdicts[1].passed and not verdicts[2].passed  # shrinks: no


def test_optimal_gamma1_finds_only_boundary_minima_with_the_captions_constants():
    grid = np.linspace(0.04, 8, 200)
    rows = optimal_gamma1(0.5, 0.8, 0.1, [0.6, 0.9], grid, "plus")
    assert all(not r["interior"] and r["monotone"] for r in rows)
    assert all(r["argmin_gamma1"] == pytest.approx(8.0) for r in rows)  # the spike only helps: largest gamma1
    rows = optimal_gamma1(0.5, 0.8, 0.1, [0.6], np.linspace(0.005, 1, 200), "printed")
    assert rows[0]["argmin_gamma1"] == pytest.approx(0.005) and not rows[0]["interior"]  # a negative spike hurts


def _cifar(helps: float, reps=8, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for width in (64, 256):
        for rep in range(reps):
            for P2 in (10, 25, 100):
                shared = rng.normal(0, 0.05)
                for g in (0.0, 1.0):
                    base = 1.0 - 0.001 * P2
                    rows.append({"repetition": rep, "width": width, "gamma1": g, "P2": P2,
                                 "loss": base - (helps if g > 0 and P2 <= 25 else 0) + shared
                                 + rng.normal(0, 0.005)})
    sims = pd.DataFrame(rows)
    theory = sims.groupby(["gamma1", "P2"])["loss"].mean().reset_index()
    return sims, theory


def _fig2a_cfgs():
    lin = {"claims": {"n_sigma": 3.0, "high_nu2_min": 0.5}, "source": {"nu1": [0.5], "gamma1": [1.0, 2.0, 4.0]},
           "target": {"alpha_s": [0.8], "alpha_g": [0.1], "nu2": NU2}, "theory": {"gamma1_max": 8.0}}
    return {"fig2a": lin, "fig2_cifar": {"claims": {"n_sigma": 3.0, "small_P2_max": 25},
                                         "theory": {"inits": 1, "width": 256}}}


@pytest.mark.parametrize("helps,passes", [(0.05, True), (-0.05, False), (0.0, False)])
def test_transfer_helps_at_small_P2(helps, passes):
    sims, theory = _cifar(helps)
    rows = []
    for g in (1.0, 2.0, 4.0):
        t = table(lambda nu2: 0.5 * (1 - nu2))
        t.loc[t["model"] == "finetuned", "gamma1"] = g
        rows.append(t[(t["model"] == "finetuned")])
    linear = pd.concat(rows)
    verdicts = {v.id: v for v in fig2_claims(linear, sims, theory, _fig2a_cfgs())}
    assert verdicts["fig2_cifar:transfer_helps_small_P2"].passed is passes
    assert verdicts["fig2_cifar:networks_match_adaptive_kernel_N256"].passed  # theory = the mean here
    assert not verdicts["fig2a:networks_optimal_gamma1"].passed  # equal losses: no significant optimum
