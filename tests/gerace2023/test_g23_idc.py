"""gerace2023's ImageNet -> Breast Cancer IDC path without the real data or weights (neither can be downloaded
here): the IDC archive's conversion (patient split, edge patches, duplicates), ResNet-18's transfer units
against torchvision's network, defrosting a ResNet-18 (cached = frozen prefix, resized inputs), a whole IDC
profile on synthetic patches, and the IDC claims on synthetic profiles."""

import io
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from tlrepro import data
from tlrepro.data import registry
from tlrepro.data.canonical import CanonicalDataset
from tlrepro.gerace2023 import claims as g23
from tlrepro.gerace2023.experiments import idc_profile
from tlrepro.gerace2023.resnet import IMAGENET_STATS, ResNet18Units
from tlrepro.gerace2023.train import defrost_network, defrost_profile, image_transform
from tlrepro.gerace2023.wrn import count_parameters

torch.set_num_threads(1)


def _png(rng, h=50, w=50) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _idc_zip(path, patients: dict[int, dict[str, int]], edge=None, twice=False):
    """A Kaggle-layout archive: <patient>/<class>/<patient>_idx5_x<X>_y<Y>_class<C>.png."""
    rng = np.random.default_rng(0)
    with zipfile.ZipFile(path, "w") as zf:
        for pid, per in patients.items():
            for cls, n in per.items():
                for i in range(n):
                    name = f"{pid}/{cls}/{pid}_idx5_x{50 * i}_y0_class{cls}.png"
                    blob = _png(rng, *(edge if (pid, cls, i) == (next(iter(patients)), "0", 0) and edge else (50, 50)))
                    zf.writestr(name, blob)
                    if twice:
                        zf.writestr("IDC_regular_ps50_idx5/" + name, blob)


@pytest.fixture
def small_idc(monkeypatch):
    """The registry's IDC entry with small expected counts (the real ones are 198738 and 78786)."""
    def use(counts):
        ds = registry.DATASETS["breast_idc"]
        small = replace(ds.official.files[0], expected_counts=counts)
        monkeypatch.setitem(registry.DATASETS, "breast_idc", replace(ds, forms=(replace(ds.official, files=(small,)),)))
    return use


def test_idc_archive_becomes_a_canonical_patient_split(tmp_path, small_idc):
    patients = {pid: {"0": 3, "1": 2} for pid in (8863, 8864, 9036, 10253, 10254, 12241, 12242, 13666, 13687, 14078)}
    small_idc({"0": 30, "1": 20})
    _idc_zip(tmp_path / "archive.zip", patients, edge=(50, 31), twice=True)
    (tmp_path / "none").mkdir()  # an empty mirror: the archive comes from `source`
    out = data.prepare("breast_idc", tmp_path / "idc.npz", mirror=tmp_path / "none", cache=tmp_path,
                       source=tmp_path / "archive.zip")
    ds = data.load("breast_idc", path=out)
    assert ds.x_train.shape[1:] == (50, 50, 3) and ds.x_train.dtype == np.uint8
    assert len(ds.y_train) + len(ds.y_test) == 50  # each file once although the archive holds it twice
    tr, te = set(ds.extras["train_patient"].tolist()), set(ds.extras["test_patient"].tolist())
    assert not tr & te and te == {8863, 12241}  # every 5th patient in numeric order is a test patient
    assert len(ds.y_test) == 10 and sorted(np.bincount(ds.y_train)) == [16, 24]
    # the edge patch (31 pixels wide) is padded with white on the right
    first = ds.x_test[0]
    assert (first[:, 31:] == 255).all() and not (first[:, :31] == 255).all()
    assert ds.meta["split"].startswith("by patient") and any("padded" in n for n in ds.meta["notes"])


def test_idc_archive_with_a_bad_patch_stops_and_writes_nothing(tmp_path, small_idc):
    small_idc({"0": 2, "1": 1})
    (tmp_path / "none").mkdir()
    with zipfile.ZipFile(tmp_path / "archive.zip", "w") as zf:
        rng = np.random.default_rng(0)
        zf.writestr("1/0/1_idx5_x0_y0_class0.png", _png(rng))
        zf.writestr("1/0/1_idx5_x50_y0_class0.png", b"not a png")
        zf.writestr("1/1/1_idx5_x0_y50_class1.png", _png(rng))
    with pytest.raises(data.VerificationError, match="1_idx5_x50_y0_class0.png.*re-download"):
        data.prepare("breast_idc", tmp_path / "idc.npz", mirror=tmp_path / "none", source=tmp_path / "archive.zip")
    assert not (tmp_path / "idc.npz").exists()


def test_resnet18_units_are_torchvisions_network():
    import torchvision

    torch.manual_seed(0)
    ref = torchvision.models.resnet18(weights=None).eval()
    net = ResNet18Units(1000, ref.state_dict()).eval()
    assert net.n_units == 10 and count_parameters(net) == 11_689_512 == count_parameters(ref)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        full = net(x)
        assert torch.allclose(full, ref(x), atol=1e-5)
        for k in range(net.n_units):
            assert torch.allclose(net(net(x, 0, k), k), full, atol=1e-5)


def test_resnet18_defrosting_keeps_the_imagenet_prefix_and_a_new_head():
    src = ResNet18Units(1000)
    net = defrost_network(src, 9, seed=0, classes=2)
    assert net.units[-1].fc.out_features == 2 and all(p.requires_grad for p in net.units[-1].parameters())
    assert all(torch.equal(a, b) for a, b in zip(net.units[4].state_dict().values(), src.units[4].state_dict().values()))
    with pytest.raises(ValueError, match="k = 10 is outside 0..9: ResNet-18 has 10 units"):
        defrost_network(src, 10, seed=0, classes=2)


def test_resnet18_cached_prefix_equals_frozen_prefix_with_resized_inputs():
    gen = torch.Generator().manual_seed(1)
    x = torch.randint(0, 256, (48, 20, 20, 3), dtype=torch.uint8, generator=gen)
    y = torch.randint(0, 2, (48,), generator=gen)
    xt, yt = x[:16], y[:16]
    tf = image_transform(32, IMAGENET_STATS)
    assert tf(x[:2]).shape == (2, 3, 32, 32)
    cfg = dict(lr=0.01, momentum=0.9, weight_decay=5e-4, batch_size=16, epochs=1, augment="none", bn="frozen")
    src = ResNet18Units(1000)
    runs = [defrost_profile(src, [0, 5, 9], x, y, xt, yt, dict(cfg, cache_prefix=c), seed=2, classes=2, transform=tf)
            for c in (True, False)]
    assert [r["cached"] for r in runs[0]] == [False, True, True]
    for a, b in zip(*runs):
        assert a["accuracy"] == b["accuracy"] and a["steps"] == b["steps"]


def test_idc_profile_on_synthetic_patches():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (60, 50, 50, 3), dtype=np.uint8)
    y = np.repeat([0, 1], 30)
    x[y == 1, :, :, 0] = 255  # a red channel the network can learn
    ds = CanonicalDataset("breast_idc", x[::2], y[::2], x[1::2], y[1::2])
    idc = {"image_size": 32, "n_test_per_class": 10, "depths": [0, 9]}
    cfg = dict(lr=0.01, momentum=0.9, weight_decay=5e-4, batch_size=10, epochs=2, augment="none", bn="frozen",
               cache_prefix=True)
    import torchvision

    torch.manual_seed(0)
    state = torchvision.models.resnet18(weights=None).state_dict()  # stands in for the ImageNet weights
    out = idc_profile(state, ds, 8, idc, cfg, seed=0)
    assert list(out["k"]) == [0, 9] and (out["n_train"] == 16).all() and (out["n_test"] == 20).all()
    assert out["accuracy"].between(0, 1).all()
    with pytest.raises(ValueError, match="gerace2023.setup.idc.n_per_class|n_per_class"):
        idc_profile(state, ds, 16, idc, cfg, seed=0)


def _idc_rows(acc):
    """Profiles imagenet -> idc: acc[(n, k)] -> a list of per-seed accuracies."""
    return pd.DataFrame([{"source": "imagenet", "target": "idc", "n_per_class": n, "k": k, "seed": s, "accuracy": a}
                         for (n, k), accs in acc.items() for s, a in enumerate(accs)])


def test_idc_claims_are_evaluated_on_profiles():
    depths = [0, 5, 9]
    base = {(n, k): [a + d for d in np.linspace(-0.002, 0.002, 10)]
            for n, prof in {500: (0.70, 0.80, 0.78), 5000: (0.80, 0.86, 0.84), 50000: (0.85, 0.87, 0.86)}.items()
            for k, a in zip(depths, prof)}
    summary = g23.summarise_profiles(_idc_rows(base))
    panel = {"source": "imagenet", "target": "idc", "n_per_class": [500, 5000, 50000]}
    settings = {"n_sigma": 3.0, "idc_vanilla_sizes": [5000, 50000], "idc_equivalence_margin": 0.01}
    v = {x.id: x for x in g23.fig3_claims(summary, [panel], settings, None, 0, idc_depths=depths)}
    assert v["fig3:idc_optimal_matches_vanilla_10x"].evaluated and v["fig3:idc_optimal_matches_vanilla_10x"].passed
    assert v["fig3:idc_optimal_matches_vanilla_10x"].numbers["difference"] == pytest.approx(0.0)
    assert v["fig3:imagenet:optimum_not_deeper_with_size"].passed
    # vanilla freezing with 10x the data is clearly better: the claim fails
    worse = dict(base) | {(50000, 9): [0.90] * 10}
    v = {x.id: x for x in g23.fig3_claims(g23.summarise_profiles(_idc_rows(worse)), [panel], settings, None, 0,
                                          idc_depths=depths)}
    assert not v["fig3:idc_optimal_matches_vanilla_10x"].passed
    # Fig. 1 (b) on the same data, next to a WRN panel (a): an interior optimum at 5000 per class
    wrn = pd.DataFrame([{"source": "L256", "target": "cifar10", "n_per_class": 128, "k": k, "seed": s, "accuracy": a}
                        for k, a in zip([0, 3, 8], (0.3, 0.4, 0.5)) for s in range(2)])
    both = g23.summarise_profiles(pd.concat([_idc_rows(base), wrn]))
    panels = [{"source": "L256", "target": "cifar10", "n_per_class": [128]}, {**panel, "n_per_class": [5000]}]
    v1 = g23.fig1_claims(both, panels, [0, 3, 8], {"top_depth_min": 7, "bottom_depth_max": 1}, None,
                         idc_depths=depths)
    assert [v.id for v in v1] == ["fig1a:optimum_top", "fig1b:optimum_interior"]
    assert v1[1].evaluated and v1[1].passed and v1[1].numbers["k_star"] == 5
    assert "0 < k* < 9" in v1[1].claim  # ResNet-18's deepest depth, not the WRN's
