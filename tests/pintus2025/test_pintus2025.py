"""pintus2025: fine-tuning diagnostics (tlrepro.finetune), the experiment job and its notebook.

Everything runs on tiny randomly initialised networks; MNIST comes from resources/datasets/mnist.npz
when it exists, else from a small synthetic stand-in with the same layout, so no test needs
/work/shared or the network. The ResNet-50 weights are never available here: their tests check the
clear error and, with a fake registered file, the loading path."""

from __future__ import annotations

import copy
import io
import hashlib
import json
import math
import time
import types
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score

from conftest import ROOT
from data_helpers import closed_port, isolate_data
from tlrepro import data
from tlrepro.data import MissingDataError, OfflineError, registry
from tlrepro.finetune import (ImageSet, WeightTracker, balanced_accuracy, balanced_indices,
                              build_model, evaluate, filter_normalized_direction, finetune,
                              grid_coordinates, loss_landscape, module_scopes, tiny_convnet,
                              to_network_input)
from tlrepro.pintus2025 import CONFIG, best_table, roughness
from tlrepro.pintus2025.job import run_model
from tlrepro.pintus2025.figures import FIGURES

MNIST = ROOT / "resources" / "datasets" / "mnist.npz"
TINY = dict(CONFIG, image_size=12, steps=4, eval_every=2, n_eval_per_class=3,
            optimizer=dict(CONFIG["optimizer"], lr=1e-2), landscape=dict(CONFIG["landscape"], points=5))


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No mirror from the environment, a private cache, no proxy (data_helpers.isolate_data)."""
    isolate_data(monkeypatch, tmp_path)


@pytest.fixture(scope="module")
def digits():
    """MNIST (x_train, y_train, x_test, y_test; uint8 28x28) or a synthetic stand-in."""
    if MNIST.is_file():
        ds = data.load("mnist", path=MNIST)
        return types.SimpleNamespace(x_train=ds.x_train[:2000], y_train=ds.y_train[:2000],
                                     x_test=ds.x_test[:1000], y_test=ds.y_test[:1000])
    rng = np.random.default_rng(0)
    return types.SimpleNamespace(x_train=rng.integers(0, 256, (300, 28, 28), dtype=np.uint8),
                                 y_train=np.tile(np.arange(10), 30),
                                 x_test=rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
                                 y_test=np.tile(np.arange(10), 10))


@pytest.fixture(scope="module")
def run(digits):
    """A tiny network fine-tuned 4 steps: (initial copy, trained model, metrics, train, eval set)."""
    torch.manual_seed(0)
    model = tiny_convnet()
    model.fc = torch.nn.Linear(model.fc.in_features, 10)
    initial = copy.deepcopy(model)
    idx = balanced_indices(digits.y_train, 5, seed=1)
    train = ImageSet(digits.x_train[idx], digits.y_train[idx], 12)
    ev = balanced_indices(digits.y_test, 3, seed=2)
    evalset = ImageSet(digits.x_test[ev], digits.y_test[ev], 12)
    metrics = finetune(model, train, evalset, steps=4, optimizer={"name": "adam", "lr": 1e-2},
                       eval_every=2, device="cpu", name="new")
    return initial, model, metrics, train, evalset


def _flat(model):
    return torch.cat([p.detach().double().ravel() for p in model.parameters()])


# ------------------------------------------------------------------------------------------- data
def test_balanced_subset_has_five_per_class_and_is_deterministic(digits):
    idx = balanced_indices(digits.y_train, 5, seed=7)
    assert np.bincount(digits.y_train[idx], minlength=10).tolist() == [5] * 10
    assert len(set(idx.tolist())) == 50
    assert np.array_equal(idx, balanced_indices(digits.y_train, 5, seed=7))
    assert not np.array_equal(idx, balanced_indices(digits.y_train, 5, seed=8))
    with pytest.raises(ValueError, match="fewer"):
        balanced_indices(np.array([0, 0, 1]), 2, seed=0)


def test_network_input_is_resized_three_channel_imagenet_normalised():
    imgs = np.zeros((2, 28, 28), np.uint8)
    imgs[1] = 255
    x = to_network_input(imgs, 32)
    assert x.shape == (2, 3, 32, 32) and x.dtype == torch.float32
    mean, std = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])
    assert torch.allclose(x[0, :, 5, 7], -mean / std) and torch.allclose(x[1, :, 3, 3], (1 - mean) / std)


# --------------------------------------------------------------------------------------- tracking
def test_weight_changes_are_zero_at_step_zero_and_positive_after(run):
    _, _, metrics, _, _ = run
    first, last = metrics[metrics["step"] == 0], metrics[metrics["step"] == 4]
    assert (first[["weight_norm_change", "angle_change", "distance"]] == 0).all().all()
    assert (last["weight_norm_change"] > 0).all() and (last["angle_change"] > 0).all()
    assert set(metrics["scope"]) == {"network", "conv1", "bn1", "conv2", "fc"}
    assert len(metrics) == 5 * 5 and metrics["step"].max() == 4


def test_weight_changes_match_a_direct_computation(run):
    initial, model, metrics, _, _ = run
    last = metrics[metrics["step"] == 4].set_index("scope")
    w0, w = _flat(initial), _flat(model)
    cos = torch.dot(w, w0) / (w.norm() * w0.norm())
    assert last.at["network", "angle_change"] == pytest.approx(float(torch.arccos(cos)), rel=1e-6)
    assert last.at["network", "weight_norm_change"] == pytest.approx(
        float(abs(w.norm() - w0.norm()) / w0.norm()), rel=1e-6)
    assert last.at["network", "distance"] == pytest.approx(float((w - w0).norm() / w0.norm()), rel=1e-6)
    for scope in ("conv2", "fc"):
        a = torch.cat([p.detach().double().ravel() for p in getattr(model, scope).parameters()])
        b = torch.cat([p.detach().double().ravel() for p in getattr(initial, scope).parameters()])
        angle = torch.arccos(torch.dot(a, b) / (a.norm() * b.norm()))
        assert last.at[scope, "angle_change"] == pytest.approx(float(angle), rel=1e-6)


def test_grad_norm_matches_a_direct_computation(run):
    initial, _, metrics, train, _ = run
    model = copy.deepcopy(initial).train()
    x, y = train.tensors()
    F.cross_entropy(model(x), y).backward()
    first = metrics[metrics["step"] == 0].set_index("scope")
    total = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for p in model.parameters()))
    assert first.at["network", "grad_norm"] == pytest.approx(total, rel=1e-6)
    fc = math.sqrt(sum(float((p.grad.double() ** 2).sum()) for p in model.fc.parameters()))
    assert first.at["fc", "grad_norm"] == pytest.approx(fc, rel=1e-6)
    with torch.no_grad():
        loss = float(F.cross_entropy(model(x), y))
    assert first.at["network", "train_loss"] == pytest.approx(loss, rel=1e-6)


def test_balanced_accuracy_equals_sklearn(run):
    rng = np.random.default_rng(3)
    y_true = rng.choice(10, 200, p=np.r_[0.3, np.full(9, 0.7 / 9)])
    y_pred = np.where(rng.random(200) < 0.4, y_true, rng.integers(0, 4, 200))
    ours = balanced_accuracy(torch.as_tensor(y_true), torch.as_tensor(y_pred))
    assert ours == pytest.approx(balanced_accuracy_score(y_true, y_pred), abs=1e-12)
    _, model, metrics, _, evalset = run
    x, y = evalset.tensors()
    with torch.no_grad():
        pred = model.eval()(x).argmax(1)
    final = metrics[(metrics["scope"] == "network") & (metrics["step"] == 4)].iloc[0]
    assert final["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y.numpy(), pred.numpy()))
    assert evaluate(model, evalset, device="cpu")["balanced_accuracy"] == final["balanced_accuracy"]


def test_module_scopes_group_weight_and_bias():
    scopes = module_scopes(tiny_convnet())
    assert scopes.names == ["conv1", "bn1", "conv2", "fc"]
    assert scopes.kinds == ["Conv2d", "BatchNorm2d", "Conv2d", "Linear"]
    assert scopes.n_params.tolist() == [108, 8, 296, 9000]
    tracker = WeightTracker(tiny_convnet())
    assert tracker.raw().shape == (5, 4)


# -------------------------------------------------------------------------------------- landscape
def test_landscape_centre_is_the_model_loss_and_directions_are_filter_normalised(run):
    _, model, _, train, _ = run
    x, y = train.tensors()
    grid = loss_landscape(model, x, y, seed=5, span=0.5, points=5)
    assert len(grid) == 25 and sorted(grid["alpha"].unique()) == [-0.5, -0.25, 0.0, 0.25, 0.5]
    with torch.no_grad():
        direct = float(F.cross_entropy(model.eval()(x), y))
    centre = grid[(grid["alpha"] == 0) & (grid["beta"] == 0)]["loss"].item()
    assert centre == pytest.approx(direct, rel=1e-6)
    assert grid["loss"].std() > 0
    d = filter_normalized_direction(model, torch.Generator().manual_seed(5))
    for name, w in model.named_parameters():
        if w.ndim > 1:
            assert torch.allclose(d[name].flatten(1).norm(dim=1), w.detach().flatten(1).norm(dim=1),
                                  rtol=1e-5)
        else:
            assert not d[name].any()
    assert grid_coordinates(1.0, 7)[3] == 0.0
    with pytest.raises(ValueError, match="odd"):
        grid_coordinates(1.0, 6)


def test_roughness_of_known_surfaces():
    a = grid_coordinates(1.0, 5)
    A, B = np.meshgrid(a, a)
    bowl = pd.DataFrame({"alpha": A.ravel(), "beta": B.ravel(), "loss": (A ** 2 + B ** 2).ravel()})
    assert roughness(bowl)["mean_abs_laplacian"] == pytest.approx(4.0)
    plane = bowl.assign(loss=(2 * A - B).ravel())
    assert roughness(plane)["mean_abs_laplacian"] == pytest.approx(0.0, abs=1e-12)
    assert roughness(plane)["loss_range"] == pytest.approx(6.0)


# ------------------------------------------------------------------------------------------- job
def test_same_seed_gives_identical_tables(digits):
    one = run_model("new", digits, TINY, arch=tiny_convnet, device="cpu")
    two = run_model("new", digits, TINY, arch=tiny_convnet, device="cpu")
    pd.testing.assert_frame_equal(one.metrics, two.metrics, check_exact=True)
    pd.testing.assert_frame_equal(one.landscape, two.landscape, check_exact=True)
    other = run_model("new", digits, dict(TINY, seed=1), arch=tiny_convnet, device="cpu")
    assert not one.metrics["train_loss"].equals(other.metrics["train_loss"])
    best = best_table(one.metrics)
    net = one.metrics[one.metrics["scope"] == "network"]
    assert best.at["new", "best_loss"] == net["eval_loss"].min()
    assert best.at["new", "n_evaluations"] == 3 and best.at["new", "n_eval"] == 30


@pytest.fixture
def no_weights(monkeypatch):
    """The ResNet-50 URL pointing at a closed local port (with the autouse ``_isolated``: no
    mirror, an empty private cache, no proxy)."""
    key = ("resnet50", CONFIG["weights"])
    w = registry.WEIGHTS[key]
    dead = replace(w.file, url=f"http://127.0.0.1:{closed_port()}/{w.file.fname}")
    monkeypatch.setitem(registry.WEIGHTS, key, replace(w, file=dead))
    return w.file.fname


def test_pretrained_without_weights_or_mirror_fails_fast_naming_the_fix(no_weights):
    t0 = time.perf_counter()
    with pytest.raises(OfflineError) as err:
        build_model("resnet50", pretrained=True, weights=CONFIG["weights"])
    assert time.perf_counter() - t0 < 5
    msg = str(err.value)
    assert "resnet50" in msg and "TLREPRO_DATA_MIRROR" in msg and no_weights in msg


def test_pretrained_with_an_empty_mirror_never_downloads(no_weights, tmp_path, monkeypatch):
    fetch_mod = __import__("tlrepro.data.fetch", fromlist=["obtain_cached"])

    def refuse(*args, **kwargs):
        raise AssertionError("the network must not be used while a mirror is set")

    monkeypatch.setattr(fetch_mod, "obtain_cached", refuse)
    (tmp_path / "mirror").mkdir()
    monkeypatch.setenv(data.MIRROR_ENV, str(tmp_path / "mirror"))
    with pytest.raises(MissingDataError) as err:
        build_model("resnet50", pretrained=True, weights=CONFIG["weights"])
    msg = str(err.value)
    assert "resnet50" in msg and "TLREPRO_DATA_MIRROR" in msg and str(tmp_path / "mirror") in msg


def test_pretrained_weights_are_loaded_and_the_head_replaced(tmp_path, monkeypatch):
    torchvision = pytest.importorskip("torchvision")
    torch.manual_seed(11)
    source = torchvision.models.resnet18()
    buf = io.BytesIO()
    torch.save(source.state_dict(), buf)
    sha = hashlib.sha256(buf.getvalue()).hexdigest()
    fname = f"resnet18-{sha[:8]}.pth"
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / fname).write_bytes(buf.getvalue())
    monkeypatch.setitem(registry.WEIGHTS, ("resnet18", "IMAGENET1K_V1"), registry.Weights(
        "resnet18", "IMAGENET1K_V1", registry.RemoteFile(fname, url="http://127.0.0.1:9/" + fname,
                                                         hash_prefix=sha[:8])))
    net = build_model("resnet18", pretrained=True, weights="IMAGENET1K_V1", mirror=tmp_path, seed=3)
    new = build_model("resnet18", pretrained=False, seed=3)
    state = source.state_dict()
    assert torch.equal(net.layer4[1].conv2.weight, state["layer4.1.conv2.weight"])
    assert net.fc.out_features == 10 and torch.equal(net.fc.weight, new.fc.weight)
    assert not torch.equal(new.conv1.weight, state["conv1.weight"])
    with pytest.raises(ValueError, match="architecture name"):
        build_model(tiny_convnet, pretrained=True)


# -------------------------------------------------------------------------------------- notebook
def test_notebook_draws_every_figure_and_writes_claims(digits, tmp_path, monkeypatch):
    pm = pytest.importorskip("papermill")
    tables = {"metrics": [], "landscape": []}
    for model, seed in (("new", 0), ("pretrained", 1)):
        res = run_model("new", digits, dict(TINY, seed=seed), arch=tiny_convnet, device="cpu")
        for key, df in (("metrics", res.metrics), ("landscape", res.landscape)):
            path = tmp_path / f"{key}-{model}.csv"
            df.assign(model=model).to_csv(path, index=False)
            tables[key].append(str(path))
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for fig in FIGURES:
        stem = tmp_path / "figures" / fig
        pm.execute_notebook(
            str(ROOT / "notebooks" / "pintus2025" / "finetune.ipynb"), str(tmp_path / f"{fig}.ipynb"),
            kernel_name="python3", progress_bar=False, cwd=str(tmp_path),
            parameters={"figure": f"pintus2025/{fig}", "inputs": tables, "settings": TINY["claims"],
                        "title": "test", "out_stem": str(stem),
                        "claims_path": str(tmp_path / f"{fig}.claims.json"),
                        "stamp": {"figure": f"pintus2025/{fig}", "commit": "test"}})
        assert stem.with_suffix(".pdf").stat().st_size > 0 and stem.with_suffix(".png").stat().st_size > 0
        doc = json.loads((tmp_path / f"{fig}.claims.json").read_text())
        assert doc["figure"] == f"pintus2025/{fig}" and doc["n_claims"] == len(doc["claims"]) >= 1
