"""The jointly rich regime: the DMFT's two forms and the network integrate the same equations; the Monte Carlo
DMFT with phi = id agrees with the exact moment equations within its derived Monte Carlo error; divergence is
named; the tasks are what the captions say; the claims pass and fail on constructed tables; bad configs are
named."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import assert_config_error
from tlrepro.claims import z_bound
from tlrepro.lauditi2025.claims import excess_kurtosis, fig3_claims, fig5_claims, rich_best
from tlrepro.lauditi2025.rich import DMFTDiverged, linear_moments, run_two_phase
from tlrepro.lauditi2025.tasks import hermite, polynomial_task

torch.set_num_threads(1)
CFG = dict(gamma1=1.0, dt=0.02, t1=1.0, t2=1.0, phase2_output="gamma1", centre=True, activation="relu",
           record_every=10)


def _task(D=12, P1=60, P2=20, n_test=40):
    return polynomial_task("linear_quadratic", D=D, P1=P1, P2=P2, n_test=n_test, seed=3)


@pytest.mark.parametrize("activation", ["relu", "linear"])
def test_network_and_both_dmft_forms_are_the_same_dynamics(activation):
    """From the same draws, the network (weights), the DMFT in weight form and in point form (fields on the
    points, the input kernel) give the same trajectories: one set of equations."""
    cfg = dict(CFG, activation=activation)
    task = _task()
    net, a_net = run_two_phase("network", task, cfg, n=64, seed=5, gamma2s=[0.5, 2.0])
    for form in ("weights", "points"):
        dm, a_dm = run_two_phase("dmft", task, dict(cfg, dmft={"form": form}), n=64, seed=5, gamma2s=[0.5, 2.0])
        assert np.allclose(net["test_loss"], dm["test_loss"], rtol=1e-9, atol=1e-12), form
        assert np.allclose(a_net["h/True/2"], a_dm["h/True/2"], atol=1e-5)
    # transfer and scratch share the initialisation: the scratch phase 2 starts from the initial output
    first = net[(net["phase"] == 2) & (net["step"] == 0)]
    scratch0 = first[~first["pretrain"]]["test_loss"].to_numpy()
    assert np.allclose(scratch0, np.mean(task["yt"] ** 2), rtol=0.05)  # centred: f - f0 = 0 at the start


def test_linear_dmft_agrees_with_the_moment_equations_within_monte_carlo_error():
    """phi = id: R independent Monte Carlo runs of S sites against the exact moments of the same Euler
    dynamics. E[L_S] = L + mean_x Var(f_S(x)) (the Monte Carlo variance of the predictor enters the squared
    loss), so the check is |mean_r L_r - mean_x s_r^2(f(x)) - L| <= z_bound(3, R - 1) SE_r(L) at every record,
    with s_r^2 the between-run variance: the tolerance comes from the runs, not from a guess."""
    cfg = dict(CFG, activation="linear", centre=False, t1=2.0, t2=2.0)
    task = _task(D=16, P1=80, P2=30, n_test=50)
    exact = linear_moments(task, cfg, gamma2=1.5)
    R, S = 8, 1500
    losses, preds = [], []
    for r in range(R):
        out, arrays = run_two_phase("dmft", task, cfg, n=S, seed=100 + r, gamma2s=[1.5])
        sel = out[(out["phase"] == 1) | ((out["pretrain"]) & (out["gamma2"] == 1.5))]
        losses.append(sel["test_loss"].to_numpy())
        preds.append(np.concatenate([arrays["f/phase1"], arrays["f/True/1.5/30"]]))
    L, F = np.array(losses), np.array(preds)                       # (R, records), (R, records, points)
    bias = F.var(axis=0, ddof=1).mean(axis=1)
    se = L.std(axis=0, ddof=1) / math.sqrt(R)
    gap = np.abs(L.mean(axis=0) - bias - exact["test_loss"].to_numpy())
    bound = z_bound(3.0, R - 1)
    assert np.all(gap <= bound * se + 1e-12), (gap / se).max()
    # and the check can fail: a 5 % error in gamma2 is detected
    wrong = linear_moments(task, cfg, gamma2=1.5 * 1.05)["test_loss"].to_numpy()
    assert np.any(np.abs(L.mean(axis=0) - bias - wrong) > bound * se)


def test_divergence_names_gamma_step_and_dt():
    with pytest.raises(DMFTDiverged, match=r"phase 1, gamma1 = 1\) diverged at step \d+ .*dt = 5.*config key 'dt'"):
        run_two_phase("dmft", _task(), dict(CFG, dt=5.0, t1=50.0), n=32, seed=0, gamma2s=[1.0])
    with pytest.raises(ValueError, match="P2 = 99 exceeds the 20 target training points"):
        run_two_phase("network", _task(), CFG, n=8, seed=0, gamma2s=[1.0], P2s=[10, 99])


def test_tasks_are_the_captions():
    nodes, weights = np.polynomial.hermite_e.hermegauss(20)  # exact Gaussian expectations of polynomials
    weights = weights / weights.sum()
    gram = [[float(weights @ (hermite(j, nodes) * hermite(k, nodes))) for k in range(7)] for j in range(7)]
    assert np.allclose(gram, np.eye(7), atol=1e-10)  # orthonormal under N(0, 1)
    t = polynomial_task("hermite", D=30, P1=5, P2=5, n_test=5, overlap=0.8, seed=1)
    assert t["X1"].shape == (5, 30)
    q = polynomial_task("linear_quadratic", D=30, P1=50, P2=50, n_test=50, seed=1)
    beta = np.linalg.lstsq(q["X1"], q["y1"], rcond=None)[0]
    assert np.allclose(q["y2"], (q["X2"] @ beta) ** 2) and np.allclose(q["yt"], (q["Xt"] @ beta) ** 2)
    with pytest.raises(ValueError, match="overlap = 1.5"):
        polynomial_task("hermite", D=4, P1=2, P2=2, n_test=2, overlap=1.5)


def test_excess_kurtosis():
    rng = np.random.default_rng(0)
    assert abs(excess_kurtosis(rng.standard_normal(200_000))) < 0.05
    assert excess_kurtosis(rng.laplace(size=200_000)) == pytest.approx(3.0, abs=0.15)


def _runs(transfer_gain, dmft_shift=0.0, P2s=(None,)):
    rows = []
    for model, n in (("net", 10), ("net", 40), ("dmft", 400)):
        for seed in range(2):
            for g in (0.5, 2.0):
                for P2 in P2s:
                    for pre in (True, False):
                        for step in (0, 10, 20):
                            base = 1.0 - 0.02 * step
                            loss = base - (transfer_gain(P2) if pre else 0) + (dmft_shift if model == "dmft" else 0)
                            loss += (0.05 / math.sqrt(n)) * (1 if model == "net" else 0) + 0.001 * seed
                            rows.append({"model": model, "n": n, "seed": seed, "pretrain": pre, "gamma2": g,
                                         "P2": 100 if P2 is None else P2, "phase": 2, "step": step,
                                         "time": step * 0.1, "train_loss": 0.0, "test_loss": loss})
    return pd.DataFrame(rows)


def test_rich_claims_pass_and_fail():
    cfg = {"gamma2": [0.5, 2.0], "task": {"kind": "linear_quadratic"}, "claims": {"match_margin": 0.1}}
    good = {v.id: v.passed for v in fig3_claims({"fig3a": _runs(lambda P2: 0.1)}, {"fig3a": cfg})}
    assert all(good.values()), good
    bad = {v.id: v.passed for v in fig3_claims({"fig3a": _runs(lambda P2: -0.1, dmft_shift=0.3)}, {"fig3a": cfg})}
    assert bad == {"fig3a:dmft_matches_networks": False, "fig3a:networks_approach_dmft": False,
                   "fig3a:transfer_beats_scratch": False}
    assert rich_best(_runs(lambda P2: 0.1))["test_loss"].min() < 0.6
    cfg5 = {"gamma2": [0.5, 2.0], "P2s": [10, 400]}
    assert fig5_claims(_runs(lambda P2: 0.2 if P2 == 10 else 0.05, P2s=(10, 400)), cfg5)[0].passed
    assert not fig5_claims(_runs(lambda P2: 0.05 if P2 == 10 else 0.2, P2s=(10, 400)), cfg5)[0].passed
    # a gain that is negative throughout does not "shrink"
    assert not fig5_claims(_runs(lambda P2: -0.05 if P2 == 10 else -0.2, P2s=(10, 400)), cfg5)[0].passed


@pytest.mark.parametrize("edit,fragment", [
    (lambda c: c["fig5"].update(P2s=[25, 100, 300]), "lauditi2025.fig5.P2s: its largest size 300 must equal task.P2"),
    (lambda c: c["fig3a"]["dmft"].update(samples=100), "lauditi2025.fig3a.dmft.samples = 100 is below"),
    (lambda c: c["fig4"].update(dt=10.0), "lauditi2025.fig4.dt = 10.0 exceeds t1"),
    (lambda c: c["fig3b"]["task"].pop("D"), "lauditi2025.fig3b.task.D is missing"),
    (lambda c: c["fig3a"].update(phase2_output="gamma3"), "lauditi2025.fig3a.phase2_output"),
])
def test_bad_rich_config_names_the_key(edit, fragment):
    assert_config_error("lauditi2025", edit, fragment)


@pytest.mark.parametrize("form", ["weights", "points"])
def test_sites_stay_on_the_inputs_device(form):
    """Device placement without a GPU: on the "meta" device (shapes only) every tensor the sites create or
    update stays on the inputs' device, so the same code runs on a GPU when the inputs are there."""
    from tlrepro.lauditi2025.rich import _Sites

    X = torch.empty(30, 8, dtype=torch.float64, device="meta")
    sites = _Sites(X, 16, torch.Generator().manual_seed(0), "relu", form)
    idx = torch.arange(10, device="meta")
    h = sites.fields(idx)
    sites.step(idx, h, torch.empty(10, dtype=torch.float64, device="meta"), gamma=1.0, dt=0.1)
    state = [sites.z, sites.W] if form == "weights" else [sites.z, sites.H, sites.K]
    assert all(t.device.type == "meta" for t in [*state, h, sites.output(idx, 1.0), sites.copy().z])
