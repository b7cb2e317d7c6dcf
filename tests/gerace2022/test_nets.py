"""Tests of the two-layer network and its training loops (tlrepro.gerace2022.nets)."""

import math

import numpy as np
import pytest
import torch

from tlrepro.gerace2022.chmm import make_chmm
from tlrepro.gerace2022.nets import (TwoLayer, predict_error, train_source, train_two_layer,
                                     train_two_layer_batched)

D, L, H = 100, 20, 50


@pytest.fixture(scope="module")
def data():
    m = make_chmm(D=D, L_s=L, L_t=L, eta=1.0, rho=0.0, q=1.0, seed=0)
    return dict(train=m.sample_source(3000, 1), val=m.sample_source(1000, 2), test=m.sample_source(4000, 3))


@pytest.fixture(scope="module")
def trained(data):
    (X, y), (Xv, yv) = data["train"], data["val"]
    return train_source(X, y, Xv, yv, H=H, lr=5e-3, max_epochs=100, patience=0, seed=0, device="cpu")


def _numpy_forward(W1, w2, X, center=None):
    V = np.maximum(X.astype(np.float64) @ W1.T.astype(np.float64) / W1.shape[1], 0.0)
    if center is not None:
        V = V - center
    return V @ w2.astype(np.float64) / math.sqrt(W1.shape[0])


def test_source_training_learns(data, trained):
    # 4000 test samples: binomial SE of an error near 0.5 is 0.008, so "< 0.3" and "init - 0.1" are
    # far outside noise; a net that does not learn sits at ~0.5.
    Xt, yt = data["test"]
    (X, y), (Xv, yv) = data["train"], data["val"]
    init = train_source(X, y, Xv, yv, H=H, max_epochs=0, seed=0, device="cpu")
    err0 = predict_error(init.W1, init.w2, Xt, yt)
    err = predict_error(trained.W1, trained.w2, Xt, yt)
    assert err < 0.3
    assert err < err0 - 0.1
    assert trained.W1.shape == (H, D) and trained.w2.shape == (H,) and trained.W1.dtype == np.float32
    assert trained.device == "cpu"
    assert list(trained.history.columns) == ["epoch", "train_loss", "val_loss", "train_error", "val_error"]
    # the init row of the history is the evaluation of the init weights
    h0 = init.history.iloc[0]
    f0 = _numpy_forward(init.W1, init.w2, Xv)
    assert h0.val_loss == pytest.approx(np.logaddexp(0, -yv * f0).mean(), rel=1e-5)


def test_early_stopping_patience_zero(data, trained):
    h = trained.history.set_index("epoch").val_loss
    s = trained.stopped_epoch
    assert trained.early_stopped and 2 <= s < 100
    assert len(h) == s + 1  # epochs 0..s, nothing trained after the stop
    # val loss strictly decreased at every epoch 2..s-1 and did not decrease at epoch s
    assert all(h[e] < h[e - 1] for e in range(2, s))
    assert h[s] >= h[s - 1]
    # Keras restore_best_weights=False: returned weights are those of epoch s (val loss h[s], l2 = 0)
    Xv, yv = data["val"]
    f = _numpy_forward(trained.W1, trained.w2, Xv)
    assert np.logaddexp(0, -yv * f).mean() == pytest.approx(h[s], rel=1e-5)


def test_crafted_validation_stops_at_epoch_2(data):
    # Validation labels = minus the training labels: whatever lowers the training loss in epoch 1 raises
    # the loss on the flipped set, so it "improves" only at epoch 1 (best = inf) and stops at epoch 2.
    X, y = data["train"]
    r = train_source(X[:500], y[:500], X[:500], -y[:500], H=H, lr=5e-3, max_epochs=50, seed=1, device="cpu")
    assert r.stopped_epoch == 2 and r.early_stopped
    # patience=None disables early stopping
    r = train_source(X[:500], y[:500], X[:500], -y[:500], H=H, max_epochs=4, patience=None, seed=1, device="cpu")
    assert r.stopped_epoch == 4 and not r.early_stopped


def test_determinism(data):
    X, y = data["train"]
    Xv, yv = data["val"]
    a = train_source(X, y, Xv, yv, H=H, max_epochs=3, patience=None, seed=5, device="cpu")
    b = train_source(X, y, Xv, yv, H=H, max_epochs=3, patience=None, seed=5, device="cpu")
    c = train_source(X, y, Xv, yv, H=H, max_epochs=3, patience=None, seed=6, device="cpu")
    np.testing.assert_array_equal(a.W1, b.W1)
    np.testing.assert_array_equal(a.w2, b.w2)
    assert not np.array_equal(a.W1, c.W1)
    d = train_two_layer(X, y, H=H, lr=1e-3, batch_size=50, epochs=2, l2=0.1, seed=5, device="cpu")
    e = train_two_layer(X, y, H=H, lr=1e-3, batch_size=50, epochs=2, l2=0.1, seed=5, device="cpu")
    np.testing.assert_array_equal(d.W1, e.W1)


def test_two_layer_init_and_interpolation():
    rng = np.random.default_rng(0)
    W1 = rng.standard_normal((H, D)).astype(np.float32)
    w2 = rng.standard_normal(H).astype(np.float32)
    X = np.abs(rng.standard_normal((20, D))).astype(np.float32)
    y = np.where(rng.random(20) < 0.5, -1.0, 1.0).astype(np.float32)  # random labels, 20 points
    r0 = train_two_layer(X, y, H=H, lr=1e-2, batch_size=10, epochs=0, l2=0.0, seed=0, init=(W1, w2))
    np.testing.assert_array_equal(r0.W1, W1)
    np.testing.assert_array_equal(r0.w2, w2)
    assert r0.stopped_epoch == 0 and len(r0.history) == 1
    # 20 points with H = 50 hidden units are separable: training error must reach exactly 0
    r = train_two_layer(X, y, H=H, lr=2e-2, batch_size=10, epochs=300, l2=0.0, seed=0, device="cpu")
    assert predict_error(r.W1, r.w2, X, y) == 0.0
    assert r.history.train_error.iloc[0] > 0.2  # it was not trivially separated at init


def test_l2_convention():
    # batch_size = M: epoch 1 has a single step whose recorded loss is evaluated at the init weights,
    # so it must equal mean BCE + l2/(2M) ||w2||^2 computed independently.
    rng = np.random.default_rng(1)
    M, l2 = 40, 3.0
    X = np.abs(rng.standard_normal((M, D))).astype(np.float32)
    y = np.where(rng.random(M) < 0.5, -1.0, 1.0).astype(np.float32)
    r = train_two_layer(X, y, H=H, lr=1e-3, batch_size=M, epochs=1, l2=l2, seed=3, device="cpu")
    init = train_two_layer(X, y, H=H, lr=1e-3, batch_size=M, epochs=0, l2=l2, seed=3, device="cpu")
    f = _numpy_forward(init.W1, init.w2, X)
    expected = np.logaddexp(0, -y * f).mean() + l2 / (2 * M) * np.sum(init.w2.astype(np.float64) ** 2)
    assert r.history.train_loss.iloc[1] == pytest.approx(expected, rel=1e-5)


def test_center_shifts_output():
    rng = np.random.default_rng(2)
    W1 = rng.standard_normal((H, D)).astype(np.float32)
    w2 = rng.standard_normal(H).astype(np.float32)
    mu = rng.random(H).astype(np.float32)
    X = np.abs(rng.standard_normal((30, D))).astype(np.float32)
    plain = TwoLayer.from_weights(W1, w2)
    cent = TwoLayer.from_weights(W1, w2, center=mu)
    with torch.no_grad():
        f0 = plain(torch.from_numpy(X)).numpy().astype(np.float64)
        f1 = cent(torch.from_numpy(X)).numpy().astype(np.float64)
    np.testing.assert_allclose(f1, _numpy_forward(W1, w2, X, mu), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(f0 - f1, mu.astype(np.float64) @ w2 / math.sqrt(H), rtol=1e-4, atol=1e-5)
    assert len(list(cent.parameters())) == 2  # the centring vector is not trainable
    # training with a center keeps it fixed and uses it: epochs=0 error matches the numpy forward
    y = np.where(rng.random(30) < 0.5, -1.0, 1.0).astype(np.float32)
    err = np.mean(np.where(_numpy_forward(W1, w2, X, mu) >= 0, 1.0, -1.0) != y)
    assert predict_error(W1, w2, X, y, center=mu) == pytest.approx(err)
    r = train_two_layer(X, y, H=H, lr=1e-2, batch_size=10, epochs=2, l2=0.0, seed=0, init=(W1, w2), center=mu)
    assert not np.array_equal(r.W1, W1)  # both layers are trained in ft-TF
    assert not np.array_equal(r.w2, w2)


@pytest.mark.parametrize("outputs,centred", [(1, False), (1, True), (3, False)])
def test_batched_training_equals_one_at_a_time(outputs, centred):
    """B networks trained as one batched model end where each would alone (own init, own mini-batch order,
    own loss; Adam is element-wise): float32 rounding only, with a starting point (ft-TF) or from scratch,
    binary or softmax."""
    rng = np.random.default_rng(0)
    D, H, M, seeds = 60, 24, 45, [3, 7, 11, 19]
    Xs = [np.abs(rng.standard_normal((M, D))).astype(np.float32) for _ in seeds]
    ys = [(rng.integers(0, outputs, M) if outputs > 1 else np.where(rng.standard_normal(M) > 0, 1.0, -1.0))
          for _ in seeds]
    center = np.full(H, 0.1, np.float32) if centred else None
    inits = None
    if centred:
        inits = (rng.standard_normal((len(seeds), H, D)).astype(np.float32),
                 rng.standard_normal((len(seeds), H)).astype(np.float32))
    kw = dict(H=H, lr=0.05, batch_size=16, epochs=5, l2=1e-3, device="cpu", outputs=outputs, center=center)
    together = train_two_layer_batched(Xs, ys, seeds=seeds, inits=inits, **kw)
    for k, seed in enumerate(seeds):
        alone = train_two_layer(Xs[k], ys[k], seed=seed, init=None if inits is None else (inits[0][k], inits[1][k]),
                                **kw)
        np.testing.assert_allclose(together[k].W1, alone.W1, rtol=0, atol=1e-5)
        np.testing.assert_allclose(together[k].w2, alone.w2, rtol=0, atol=1e-5)
        assert together[k].stopped_epoch == alone.stopped_epoch == 5
    # the networks differ from each other: each has its own seed and data
    assert np.abs(together[0].W1 - together[1].W1).max() > 0.1


def test_batched_networks_rows_match_one_at_a_time():
    """simulate_networks trains the seeds of an alpha together by default: the same table as training
    them one at a time, up to float rounding (test errors within 2 of 2000 points)."""
    from tlrepro.gerace2022.network_baselines import simulate_networks

    chmm = make_chmm(D=40, L_s=20, L_t=20, eta=0.8, rho=0.1, q=0.9, seed=0)
    W1 = np.random.default_rng(1).standard_normal((16, 40))
    kw = dict(alphas=[1.0, 3.0], H=16, seeds=[0, 1, 2], n_test=2000, lr=1e-2, batch_size=16, epochs=3,
              l2=0.1, device="cpu")
    for model, extra in (("2L", {}), ("ft-TF", dict(W1_init=W1, mean=np.zeros(16), lam_tf=0.1))):
        a = simulate_networks(chmm, model=model, batched=True, **kw, **extra)
        b = simulate_networks(chmm, model=model, batched=False, **kw, **extra)
        assert (a[["alpha", "seed"]].values == b[["alpha", "seed"]].values).all()
        assert np.abs(a.test_error - b.test_error).max() <= 2 / 2000
        np.testing.assert_allclose(a.train_loss, b.train_loss, rtol=1e-4)


def _flushes() -> bool:
    """Whether subnormal float32 inputs are read as zero right now (x86 DAZ)."""
    return bool((torch.tensor([1e-40], dtype=torch.float32) * 1.0).item() == 0.0)


def test_training_flushes_subnormals_and_restores():
    """Training on CPU runs with subnormals flushed to zero (an x86 slow path; see nets._threads) and
    leaves torch's default (off) behind it."""
    from tlrepro.gerace2022.nets import _threads

    if not torch.set_flush_denormal(False):
        pytest.fail("this CPU cannot flush subnormals (no SSE3): the training speed-up does not apply here")
    assert not _flushes()
    with _threads(1, device="cpu", batch_size=10):
        assert _flushes()
    assert not _flushes()
    with _threads(1, device="meta", batch_size=10):  # not a CPU: left alone
        assert not _flushes()


def test_flushing_subnormals_leaves_training_unchanged(monkeypatch):
    """A start whose margins are all ~95 has per-sample gradients of order e^-95, below float32's
    smallest normal: Adam's moments hold subnormals when they are kept. Flushing them to zero (as training
    does) gives the same weights, bit for bit, as keeping them."""
    from tlrepro.gerace2022 import nets

    rng = np.random.default_rng(0)
    D, H, M = 20, 10, 40
    X = np.abs(rng.standard_normal((M, D))).astype(np.float32)
    y = np.where(rng.standard_normal(M) > 0, 1.0, -1.0).astype(np.float32)
    W1 = rng.standard_normal((H, D)).astype(np.float32)
    V = np.maximum(X @ W1.T / D, 0.0)
    w2 = np.linalg.lstsq(V / math.sqrt(H), 95.0 * y, rcond=None)[0].astype(np.float32)  # y f ~ 95 everywhere
    opts = []
    monkeypatch.setattr(nets, "_Adam", lambda params, lr, _f=nets._Adam: opts.append(_f(params, lr)) or opts[-1])
    runs = {}
    for flush in (False, True):
        monkeypatch.setattr(nets, "FLUSH_DENORMAL", flush)
        runs[flush] = train_two_layer(X, y, H=H, lr=0.01, batch_size=M, epochs=20, l2=0.0, seed=0,
                                      init=(W1, w2), device="cpu")
    kept = opts[0].moments()
    assert any(((v != 0) & (v.abs() < torch.finfo(torch.float32).tiny)).any() for v in kept)  # subnormals held
    np.testing.assert_array_equal(runs[True].W1, runs[False].W1)
    np.testing.assert_array_equal(runs[True].w2, runs[False].w2)


@pytest.mark.parametrize("centred", [False, True])
@pytest.mark.parametrize("batch_size", [7, 64])
def test_hand_written_step_equals_autograd(monkeypatch, centred, batch_size):
    """Binary networks train with a hand-written forward/backward pass (nets._binary_step); it must give
    autograd's numbers bit for bit: the weights and the running metrics after several epochs, with a
    centring, an L2 penalty, a last partial mini-batch (M = 50) and a large learning rate that would
    amplify any difference."""
    from tlrepro.gerace2022 import nets

    rng = np.random.default_rng(3)
    D, H, M = 30, 15, 50  # sqrt(H) and 1/D inexact in binary: a changed rounding would show
    X = rng.standard_normal((M, D)).astype(np.float32) * D
    y = np.where(rng.standard_normal(M) > 0, 1.0, -1.0).astype(np.float32)
    center = np.abs(rng.standard_normal(H)).astype(np.float32) if centred else None
    init = (rng.standard_normal((H, D)).astype(np.float32), rng.standard_normal(H).astype(np.float32))
    calls = []
    monkeypatch.setattr(nets, "_binary_step", lambda *a, _f=nets._binary_step: calls.append(1) or _f(*a))
    runs = {}
    for hand in (False, True):
        monkeypatch.setattr(nets, "HAND_WRITTEN_STEP", hand)
        runs[hand] = train_two_layer(X, y, H=H, lr=0.1, batch_size=batch_size, epochs=8, l2=0.3, seed=1,
                                     init=init, center=center, device="cpu")
    assert len(calls) == 8 * math.ceil(M / batch_size)  # the hand-written pass did run, and only when on
    np.testing.assert_array_equal(runs[True].W1, runs[False].W1)
    np.testing.assert_array_equal(runs[True].w2, runs[False].w2)
    pd_equal = runs[True].history.equals(runs[False].history)
    assert pd_equal, (runs[True].history, runs[False].history)
    assert not np.array_equal(runs[True].W1, init[0])  # it trained


def test_hand_written_step_gradients_are_autograd_gradients():
    """One pass: the gradients _binary_step sets are those of loss.backward() on the same objective."""
    from tlrepro.gerace2022.nets import _binary_step

    g = torch.Generator().manual_seed(0)
    net = TwoLayer(12, 9, center=np.linspace(0.1, 0.9, 9), generator=g)
    x, y = torch.randn(20, 12, generator=g) * 12, torch.where(torch.randn(20, generator=g) > 0, 1.0, -1.0)
    loss = torch.nn.functional.softplus(-y * net(x)).mean() + 0.05 * net.w2.square().sum()
    loss.backward()
    want = (net.W1.grad.clone(), net.w2.grad.clone())
    got_loss, f = _binary_step(net, x, y, 0.05)
    assert torch.equal(net.W1.grad, want[0]) and torch.equal(net.w2.grad, want[1])
    assert torch.equal(got_loss, loss.detach()) and torch.equal(f, net(x).detach())
    assert want[0].abs().max() > 0


def test_direct_adam_step_equals_the_optimiser(monkeypatch):
    """Training calls Adam's fused kernel directly, without torch's optimiser (nets._Adam): the same
    weights, bit for bit, as torch.optim.Adam's step() every time; a source training with early stopping,
    and a softmax network (the autograd pass) with it."""
    from tlrepro.gerace2022 import nets

    rng = np.random.default_rng(5)
    D, H, M = 21, 13, 60
    X, Xv = rng.standard_normal((M, D)).astype(np.float32), rng.standard_normal((30, D)).astype(np.float32)
    y = np.where(X[:, 0] > 0, 1.0, -1.0).astype(np.float32)
    yv = np.where(Xv[:, 0] > 0, 1.0, -1.0).astype(np.float32)
    labels = (X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0)
    optimiser_steps, built = [], []
    monkeypatch.setattr(torch.optim.Adam, "step", lambda self, *a, _f=torch.optim.Adam.step:
                        optimiser_steps.append(1) or _f(self, *a))
    monkeypatch.setattr(torch.optim.Adam, "__init__", lambda self, *a, _f=torch.optim.Adam.__init__, **k:
                        built.append(1) or _f(self, *a, **k))
    runs, counts = {}, {}
    for direct in (False, True):
        monkeypatch.setattr(nets, "DIRECT_ADAM", direct)
        optimiser_steps.clear()
        built.clear()
        runs[direct] = (train_source(X, y, Xv, yv, H=H, lr=0.05, batch_size=8, l2=0.1, max_epochs=6,
                                     patience=2, seed=2, device="cpu"),
                        train_two_layer(X, labels, H=H, lr=0.05, batch_size=16, epochs=4, l2=0.1, seed=2,
                                        outputs=3, device="cpu"))
        counts[direct] = len(built), len(optimiser_steps)
    assert counts[True] == (0, 0) and counts[False][0] == 2 < counts[False][1]  # directly: no optimiser
    for a, b in zip(runs[False], runs[True]):
        np.testing.assert_array_equal(a.W1, b.W1)
        np.testing.assert_array_equal(a.w2, b.w2)
        assert a.history.equals(b.history) and a.stopped_epoch == b.stopped_epoch


def test_direct_adam_step_falls_back_when_the_kernel_refuses(monkeypatch):
    """A torch whose private fused kernel takes other arguments: the first direct call fails, the step
    counts are restored and torch's optimiser is used from then on, from its first step, with the same
    weights."""
    from tlrepro.gerace2022 import nets

    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 11)).astype(np.float32)
    y = np.where(X[:, 0] > 0, 1.0, -1.0).astype(np.float32)
    kw = dict(H=7, lr=0.05, batch_size=10, epochs=3, l2=0.1, seed=4, device="cpu")
    want = train_two_layer(X, y, **kw)

    def refuse(*args, **kwargs):
        raise TypeError("_fused_adam_() got an unexpected keyword argument")

    monkeypatch.setattr(nets._Adam, "kernel", staticmethod(refuse))
    built = []
    monkeypatch.setattr(nets._Adam, "_optimiser", lambda self, _f=nets._Adam._optimiser: built.append(1) or _f(self))
    got = train_two_layer(X, y, **kw)
    assert built == [1]
    np.testing.assert_array_equal(got.W1, want.W1)
    np.testing.assert_array_equal(got.w2, want.w2)
