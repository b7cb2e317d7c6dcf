"""The multi-label CHMM of appendix B (Figs. B.1, B.2): generator, population statistics, softmax
regression, softmax networks and the phase-diagram claims that compare with the binary diagrams."""
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from tlrepro.gerace2022.baselines import (
    _errors,
    _logistic_loss,
    fit_logistic,
    simulate_fixed_features,
)
from tlrepro.gerace2022.chmm import CHMM, make_chmm
from tlrepro.gerace2022.features import Population, estimate_population, relu_features
from tlrepro.gerace2022.nets import predict_error, train_source, train_two_layer
from tlrepro.gerace2022.network_baselines import _network_output, simulate_networks
from tlrepro.gerace2022.phase import diagram, grid_table, phase_claims

K = 4


@pytest.fixture(scope="module")
def chmm():
    return make_chmm(D=120, L_s=30, L_t=30, eta=0.9, rho=0.0, q=1.0, seed=5, classes=K)


def test_labels_are_the_argmax_of_the_teacher_fields(chmm, tmp_path):
    X, y, lam0 = chmm.sample_target_latent(4000, np.random.default_rng(0))
    assert chmm.n_outputs == K and lam0.shape == (4000, K) and y.dtype == np.int64
    assert np.array_equal(y, lam0.argmax(axis=1))
    assert set(np.unique(y)) == set(range(K))
    # the fields are independent of the features' draw: recompute them from the same latent vectors
    rng = np.random.default_rng(0)
    c = rng.standard_normal((4000, chmm.L_t), dtype=np.float32)
    assert np.allclose(c.astype(np.float64) @ chmm.theta_t / math.sqrt(chmm.L_t), lam0)
    chmm.save(tmp_path / "m.npz")
    back = CHMM.load(tmp_path / "m.npz")
    assert back.n_outputs == K and np.array_equal(back.theta_t, chmm.theta_t)


def test_binary_model_is_unchanged_by_the_multilabel_option():
    a = make_chmm(D=50, L_s=10, L_t=12, eta=0.5, rho=0.2, q=0.7, seed=3)
    b = make_chmm(D=50, L_s=10, L_t=12, eta=0.5, rho=0.2, q=0.7, seed=3, classes=None)
    assert a.n_outputs == 1 and a.theta_s.shape == (10,)
    assert np.array_equal(a.F_t, b.F_t) and np.array_equal(a.theta_t, b.theta_t)


def test_teacher_alignment_acts_on_every_class():
    """Same latent vectors: q = 1 (and eta = 1) gives the source labels exactly; agreement falls with q."""
    agree = []
    for q in (1.0, 0.7, 0.0):
        m = make_chmm(D=60, L_s=40, L_t=40, eta=1.0, rho=0.0, q=q, seed=11, classes=K)
        c = np.random.default_rng(1).standard_normal((20000, 40))
        ys = (c @ m.theta_s).argmax(axis=1)
        yt = (c @ m.theta_t).argmax(axis=1)
        agree.append(float((ys == yt).mean()))
    assert agree[0] == 1.0
    assert agree[0] > agree[1] > agree[2]
    assert abs(agree[2] - 1 / K) < 0.05  # independent teachers: near chance agreement


def test_bad_class_counts_are_refused():
    with pytest.raises(ValueError, match="classes must be >= 2"):
        make_chmm(D=10, L_s=3, L_t=3, eta=1, rho=0, q=1, seed=0, classes=1)
    with pytest.raises(ValueError, match="same number of outputs"):
        CHMM(F_s=np.zeros((3, 5)), theta_s=np.zeros((3, 2)), F_t=np.zeros((3, 5)), theta_t=np.zeros(3))


def test_population_columns_equal_the_binary_estimates(chmm):
    """b[:, k] and rho[k, k] of the multi-label statistics are exactly those of the binary model whose
    teacher is column k (the same samples are drawn: the latent block does not depend on the teacher)."""
    W1 = np.random.default_rng(2).standard_normal((20, chmm.D))
    pop = estimate_population(chmm, W1, n_samples=3000, seed=9, chunk=1000)
    assert pop.b.shape == (20, K) and pop.rho.shape == (K, K)
    for k in (0, 3):
        one = CHMM(F_s=chmm.F_s, theta_s=chmm.theta_s[:, k], F_t=chmm.F_t, theta_t=chmm.theta_t[:, k])
        ref = estimate_population(one, W1, n_samples=3000, seed=9, chunk=1000)
        assert np.allclose(pop.b[:, k], ref.b, rtol=1e-10, atol=1e-12)
        assert math.isclose(pop.rho[k, k], ref.rho, rel_tol=1e-12)
        assert np.array_equal(pop.omega, ref.omega) and np.array_equal(pop.mean, ref.mean)
    with pytest.raises(ValueError, match="multi-label CHMM"):
        pop.require_binary("the replica theory")


def test_population_round_trip_keeps_the_class_matrix(chmm, tmp_path):
    W1 = np.random.default_rng(2).standard_normal((10, chmm.D))
    pop = estimate_population(chmm, W1, n_samples=500, seed=1)
    pop.save(tmp_path / "p.npz")
    back = Population.load(tmp_path / "p.npz")
    assert np.array_equal(back.rho, pop.rho) and np.array_equal(back.b, pop.b)


def test_softmax_regression_matches_sklearn_multinomial():
    """All classes present: the same objective as scikit-learn's multinomial LogisticRegression."""
    rng = np.random.default_rng(0)
    V = rng.standard_normal((300, 12))
    y = (V @ rng.standard_normal((12, K))).argmax(axis=1)
    lam = 0.5
    W, info = fit_logistic(V, y, lam=lam, classes=K)
    assert info["converged"] and W.shape == (12, K)
    clf = LogisticRegression(C=1 / lam, fit_intercept=False, max_iter=10000, tol=1e-10).fit(V / math.sqrt(12), y)
    ref = clf.coef_.T

    def objective(Wm):
        f = V @ Wm / math.sqrt(12)
        return _logistic_loss(y, f).sum() + lam / 2 * (Wm**2).sum()

    assert objective(W) <= objective(ref) + 1e-8
    assert np.allclose(W, ref, atol=1e-4)


def test_softmax_regression_keeps_absent_classes():
    rng = np.random.default_rng(1)
    V = rng.standard_normal((8, 5))
    y = np.array([0, 0, 2, 2, 0, 2, 0, 2])  # classes 1 and 3 absent
    W, info = fit_logistic(V, y, lam=1e-3, classes=K)
    assert info["converged"] and W.shape == (5, K) and np.isfinite(W).all()
    f = V @ W / math.sqrt(5)
    assert not _errors(y, f).any()  # separable: fitted exactly
    with pytest.raises(ValueError, match="lam > 0"):
        fit_logistic(V, y, lam=0.0, classes=K)


def test_softmax_networks_train_and_refuse_wrong_labels(chmm):
    X, y, Xv, yv = chmm.source_sets(2000, 400, 1)
    res = train_source(X, y, Xv, yv, H=40, seed=3, max_epochs=15, outputs=K)
    assert res.w2.shape == (40, K)
    hist = res.history
    assert hist["train_loss"].iloc[-1] < hist["train_loss"].iloc[0]
    Xt, yt = chmm.source_test(3000, 1)
    err = predict_error(res.W1, res.w2, Xt, yt)
    assert err < 1 - 1 / K - 0.2  # well below chance
    with pytest.raises(ValueError, match="outputs=K"):
        train_source(X, y, Xv, yv, H=10, seed=0, max_epochs=1)
    with pytest.raises(ValueError, match="4 outputs needs integer labels"):
        train_source(X, np.where(y > 1, 1.0, -1.0), None, None, H=10, seed=0, max_epochs=1, outputs=K)


def test_finetuning_starts_from_the_softmax_tf_solution(chmm):
    """epochs=0 returns the start: the network then computes exactly the TF readout on centred
    transferred features, as in the binary case."""
    W1 = np.random.default_rng(4).standard_normal((30, chmm.D)).astype(np.float32)
    X, y = chmm.sample_target(200, np.random.default_rng(5))
    mean = relu_features(X, W1).astype(np.float64).mean(axis=0)
    V = relu_features(X, W1).astype(np.float64) - mean
    w, _ = fit_logistic(V, y, lam=1e-2, classes=K)
    res = train_two_layer(X, y, H=30, lr=0.01, batch_size=50, epochs=0, l2=0.0, seed=0, init=(W1, w),
                          center=mean, outputs=K)
    f_net = _network_output(res.W1, res.w2, X, mean)
    assert np.allclose(f_net, V @ w / math.sqrt(30), atol=1e-4)


def test_multilabel_simulations_pair_the_models(chmm):
    """TF / RF / 2L / ft-TF rows at equal (seed, alpha) see the same data; errors are 0-1 over K classes."""
    W1 = np.random.default_rng(6).standard_normal((40, chmm.D))
    mean = estimate_population(chmm, W1, n_samples=5000, seed=0).mean
    kw = dict(alphas=[0.5, 2.0], H=40, seeds=[1, 2], n_test=2000)
    tf = simulate_fixed_features(chmm, W1, mean, lam=1e-3, model="RF", **kw)
    ft = simulate_networks(chmm, model="ft-TF", lr=0.01, batch_size=100, epochs=0, l2=1e-3,
                           W1_init=W1, mean=mean, **kw)
    assert tf["converged"].all() and ((tf["test_error"] > 0) & (tf["test_error"] < 1)).all()
    # zero fine-tuning epochs: ft-TF is the fixed-feature solution, on the same train and test sets
    assert np.allclose(ft["test_error"], tf["test_error"], atol=2e-3)
    assert np.allclose(ft["train_error"], tf["train_error"])


ETA = [0.0, 0.2, 0.8, 1.0]
ML_ALPHAS = [0.1, 0.3, 3.0, 6.0]
ML_SETTINGS = {"n_sigma": 3.0, "peak_halfwidth_log10": 0.2, "small_alpha_max": 0.3, "large_alpha_min": 3.0,
               "correlated": [0.8, 1.0], "uncorrelated": [0.0, 0.2], "min_effect": 0.005, "min_cells": 2,
               "equivalence_margin": 0.01, "equivalence_level": 0.05, "min_peak_prominence": 0.005,
               "size_factor": 2.0, "min_pattern_correlation": 0.8, "overfit_train_error_max": 0.01}


def _sims(err, values=ETA, alphas=ML_ALPHAS, n=6, models=("TF", "RF", "2L", "ft-TF"), seed=0):
    """Simulations of a grid from err(model, value, alpha); per seed a shared sample noise and a small
    one of each model; ft-TF rows carry start_test_error, the TF simulation on the same samples."""
    rng = np.random.default_rng(seed)
    out = []
    for i, value in enumerate(values):
        for alpha in alphas:
            c = rng.standard_normal(n) * 0.02
            e = {m: rng.standard_normal(n) * 0.002 for m in ("TF", "RF", "2L", "ft-TF")}
            for s in range(n):
                tf = err("TF", value, alpha) + c[s] + e["TF"][s]
                for m in models:
                    row = {"row": f"g_r{i}", "model": m, "alpha": alpha, "instance": 1, "seed": s,
                           "test_error": err(m, value, alpha) + c[s] + e[m][s], "train_error": 0.0,
                           "train_loss": 0.0}
                    if m == "ft-TF":
                        row["start_test_error"] = tf
                    out.append(row)
    return pd.DataFrame(out), {f"g_r{i}": v for i, v in enumerate(values)}


def _b1_err(corner: float):
    """B.1-like errors: TF better than 2L at low samples and high eta; TF − RF = ``corner`` at low eta
    and few samples (negative transfer when positive); fine-tuning hurts most at low samples, high eta."""
    def err(model, eta, alpha):
        low = alpha <= 0.3
        if model == "TF":
            return 0.3
        if model == "RF":
            return 0.3 - corner if (eta <= 0.2 and low) else 0.36
        if model == "2L":
            return 0.36 if low else 0.25
        return 0.3 + (0.03 if (low and eta >= 0.8) else -0.01)  # ft-TF
    return err


def _binary_reference(corner: float):
    """A binary counterpart: replica TF / RF (TF − RF = ``corner`` in the corner) and paired 2L / ft-TF."""
    err = _b1_err(corner)
    sims, values = _sims(err, models=("2L", "ft-TF"), seed=7)
    th = pd.DataFrame([{"row": f"g_r{i}", "model": m, "instance": 1, "alpha": a, "test_error": err(m, v, a),
                        "converged": True, "alpha_star": 50.0}
                       for i, v in enumerate(ETA) for a in [0.05, 0.1, 0.2, 0.3, 1.0, 3.0, 6.0] for m in ("TF", "RF")])
    return grid_table(th, sims, values), sims


def _b1(corner_ml: float, corner_binary: float, **kw):
    sims, values = _sims(_b1_err(corner_ml))
    ref, ref_sims = _binary_reference(corner_binary)
    return {v.id.split(":")[1]: v for v in phase_claims("multilabel_correlation", "g", grid_table(None, sims, values),
                                                       None, sims, ML_SETTINGS, reference=ref,
                                                       reference_sims=ref_sims, **kw)}


def test_multilabel_claims_use_paired_simulations_only():
    v = _b1(0.03, 0.03)
    assert not any("theory" in k for k in v)
    for claim in ("tf_beats_2l_low_samples_high_correlation", "negative_transfer_corner",
                  "tf_advantage_over_finetune_low_samples_high_correlation"):
        assert v[claim].passed, claim
    assert v["negative_transfer_corner"].numbers["simulated"]  # judged with significance
    with pytest.raises(ValueError, match="unknown phase-diagram claims kind"):
        phase_claims("multilabel_other", "g", pd.DataFrame({"row": [], "value": []}), None, pd.DataFrame(), ML_SETTINGS)


def test_multilabel_agreement_is_on_the_named_features():
    """matches_binary_<diagram>: the diagram's named feature has the same verdict in both (the binary TF − RF
    on its replica theory, the rest on paired simulations)."""
    both = _b1(0.03, 0.03)
    assert all(both[f"matches_binary_{d}"].passed for d in ("TF-2L", "TF-RF", "ft-TF-TF"))
    m = both["matches_binary_TF-RF"].numbers
    assert m["feature"] == "negative_transfer_corner" and m["multilabel_passed"] and m["binary_passed"]
    # the corner is in the binary diagram only: the match fails, although the other cells have the same
    # sign (the old all-cell sign agreement, at least 75 % of the shared cells, passed)
    ml_only = _b1(-0.06, 0.03)
    sims, values = _sims(_b1_err(-0.06))
    key = ["value", "alpha"]
    cells = diagram(grid_table(None, sims, values), "TF-RF").merge(
        diagram(_binary_reference(0.03)[0], "TF-RF"), on=key)
    assert len(cells) == 16 and (np.sign(cells["diff_x"]) == np.sign(cells["diff_y"])).mean() >= 0.75
    assert not ml_only["negative_transfer_corner"].passed
    assert not ml_only["matches_binary_TF-RF"].passed and ml_only["matches_binary_TF-2L"].passed
    # absent in both: the features agree (the corner claim itself fails)
    neither = _b1(-0.06, -0.06)
    assert neither["matches_binary_TF-RF"].passed and not neither["negative_transfer_corner"].passed


def test_multilabel_corner_is_a_region_not_one_cell():
    def err(model, eta, alpha):
        base = _b1_err(-0.06)(model, eta, alpha)
        return 0.25 if (model == "RF" and eta == 0.0 and alpha == 0.1) else base  # one red cell
    sims, values = _sims(err)
    v = {x.id.split(":")[1]: x for x in phase_claims("multilabel_correlation", "g", grid_table(None, sims, values),
                                                     None, sims, ML_SETTINGS)}
    assert not v["negative_transfer_corner"].passed and v["negative_transfer_corner"].numbers["n_with_sign"] == 1
    assert not v["matches_binary_TF-RF"].passed and "error" in v["matches_binary_TF-RF"].numbers  # no reference


def test_multilabel_finetune_needs_the_start_points():
    sims, values = _sims(_b1_err(0.03))
    with pytest.raises(ValueError, match="rebuild the ft-TF jobs"):
        phase_claims("multilabel_correlation", "g", grid_table(None, sims, values), None,
                     sims.drop(columns="start_test_error"), ML_SETTINGS)


def test_multilabel_asymmetric_claims_and_their_match():
    lt = [50, 100, 150, 200, 250]
    s = dict(ML_SETTINGS, centre=150)

    def err(gain_left):
        def f(model, v, alpha):
            if model == "TF":
                return 0.3 - (gain_left * (150 - v) / 100 if v < 150 else 0.0)
            return {"RF": 0.35, "2L": 0.36 if alpha <= 0.3 else 0.2, "ft-TF": 0.3}[model]
        return f

    sims, values = _sims(err(0.05), values=lt)
    ref_sims, _ = _sims(err(0.05), values=lt, models=("2L", "ft-TF"), seed=3)
    th = pd.DataFrame([{"row": f"g_r{i}", "model": m, "instance": 1, "alpha": a, "test_error": err(0.05)(m, v, a),
                        "converged": True, "alpha_star": 50.0} for i, v in enumerate(lt) for a in ML_ALPHAS
                       for m in ("TF", "RF")])
    ref = grid_table(th, ref_sims, values)
    v = {x.id.split(":")[1]: x for x in phase_claims("multilabel_asymmetric", "g", grid_table(None, sims, values),
                                                     None, sims, s, reference=ref, reference_sims=ref_sims)}
    assert v["larger_gain_when_target_simpler"].passed and v["tf_beats_2l_low_samples"].passed
    assert v["matches_binary_TF-RF"].passed and v["matches_binary_TF-2L"].passed
    flat, _ = _sims(err(0.0), values=lt)  # no asymmetry in the multi-label diagram
    w = {x.id.split(":")[1]: x for x in phase_claims("multilabel_asymmetric", "g", grid_table(None, flat, values),
                                                     None, flat, s, reference=ref, reference_sims=ref_sims)}
    assert not w["larger_gain_when_target_simpler"].passed and not w["matches_binary_TF-RF"].passed
