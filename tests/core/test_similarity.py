"""tlrepro.similarity: exact on constructed cases, equal to brute-force definitions, to DADApy (stored reference
values on real workflow representations; live when TLREPRO_DADAPY_PYTHON names a Python with DADApy) and to
ckatorch's unbiased HSIC; chunking changes nothing; bad input stops with a message."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from tlrepro.similarity import (SimilarityInputError, all_measures, cka, information_imbalance,
                                neighbour_rank_spearman, neighbourhood_overlap)

REF = Path(__file__).parents[1] / "reference"
RNG = np.random.default_rng(7)


def _dist(x):
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return d


def _brute(a, b, k_ii, k_o, k_s):
    """The definitions, written out point by point with numpy."""
    da, db = _dist(a), _dist(b)
    n = len(a)
    ii = ov = rho = 0.0
    for i in range(n):
        order_a, order_b = np.argsort(da[i])[:-1], np.argsort(db[i])[:-1]  # the last is i itself (inf)
        for j in order_a[:k_ii]:
            ii += np.sum(db[i] < db[i, j])
        ov += len(set(order_a[:k_o]) & set(order_b[:k_o])) / k_o
        nn = order_a[:k_s]
        rho += spearmanr(np.arange(k_s), db[i, nn]).statistic
    return {"information_imbalance": 2 * ii / (n * n * k_ii), "overlap": ov / n, "spearman": rho / n}


def test_measures_equal_their_definitions():
    a = RNG.normal(size=(120, 6))
    b = np.tanh(a @ RNG.normal(size=(6, 9))) + 0.3 * RNG.normal(size=(120, 9))
    got = all_measures(a, b, ii_k=3, overlap_k=10, spearman_k=20)
    want = _brute(a, b, 3, 10, 20)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-12), key
    assert got["information_imbalance_reverse"] == pytest.approx(_brute(b, a, 3, 10, 20)["information_imbalance"])
    # all_measures' single pass gives the single functions' numbers
    assert information_imbalance(a, b, 3) == got["information_imbalance"]
    assert neighbourhood_overlap(a, b, 10) == got["overlap"]
    assert neighbour_rank_spearman(a, b, 20) == got["spearman"]


def test_exact_on_constructed_cases():
    a = RNG.normal(size=(300, 12))
    rotation, _ = np.linalg.qr(RNG.normal(size=(12, 12)))
    for b in (a, a[:, RNG.permutation(12)], 5.0 * a @ rotation + 3.0):  # identical, permuted, rotated-scaled-shifted
        m = all_measures(a, b)
        assert m["information_imbalance"] == 0.0 and m["information_imbalance_reverse"] == 0.0
        assert m["overlap"] == 1.0 and m["spearman"] == 1.0
        assert m["cka"] == pytest.approx(1.0, abs=1e-12)


def test_pure_noise_within_standard_errors():
    """Independent spaces: the expectations and standard errors of the measures under independence.
    II: n_i uniform on 0..N-2, so E = (N-2)/N and SE = 2/N sqrt(var/N) with var = ((N-1)^2 - 1)/12.
    Overlap: hypergeometric, E = k/(N-1). Spearman: E = 0, per-point variance 1/(k-1). Debiased CKA: E ~ 0,
    SD ~ sqrt(2)/N (the cross-covariance's fluctuation over the self-covariances' norms)."""
    n, k_o, k_s = 800, 30, 100
    a, b = RNG.normal(size=(n, 10)), RNG.normal(size=(n, 10))
    m = all_measures(a, b, overlap_k=k_o, spearman_k=k_s)
    se_ii = 2 / n * math.sqrt((((n - 1) ** 2 - 1) / 12) / n)
    assert abs(m["information_imbalance"] - (n - 2) / n) < 4 * se_ii
    p = k_o / (n - 1)
    assert abs(m["overlap"] - p) < 4 * math.sqrt(p * (1 - p) / k_o / n) * 3  # x3: neighbouring points share
    assert abs(m["spearman"]) < 4 / math.sqrt((k_s - 1) * n) * 3               # neighbours (not independent)
    assert abs(m["cka"]) < 5 * math.sqrt(2) / n


def test_chunking_and_cka_forms_change_nothing():
    a, b = RNG.normal(size=(150, 5)), RNG.normal(size=(150, 5)) + 0.1
    b[:, :3] += a[:, :3]
    whole, chunked = all_measures(a, b, chunk=10_000), all_measures(a, b, chunk=7)
    for key in whole:
        assert chunked[key] == pytest.approx(whole[key], abs=1e-12), key
    wide_a, wide_b = RNG.normal(size=(40, 300)), RNG.normal(size=(40, 200))
    wide_b[:, :50] += wide_a[:, :50]
    from tlrepro import similarity as sim
    t = [torch.as_tensor(x, dtype=torch.float64) for x in (wide_a, wide_b)]
    assert sim._hsic_terms_gram(*t, chunk=9) == pytest.approx(sim._hsic_terms_features(*t), rel=1e-10)


def test_cka_equals_ckatorch_unbiased_hsic():
    from ckatorch.hsic import hsic1

    def reference(x, y):
        gx, gy = (torch.as_tensor(v @ v.T, dtype=torch.float64)[None] for v in (x, y))
        h = lambda g, q: float(hsic1(g, q).squeeze())  # noqa: E731
        return h(gx, gy) / math.sqrt(h(gx, gx) * h(gy, gy))

    data = np.load(REF / "similarity_reference.npz")
    pairs = [(data[f"a_{k}"], data[f"b_{k}"]) for k in ("gm_2", "isogm_9")]
    pairs.append((RNG.normal(size=(100, 20)), RNG.normal(size=(100, 7))))
    for a, b in pairs:
        a, b = a.astype(np.float64), b.astype(np.float64)
        assert cka(a, b) == pytest.approx(reference(a, b), abs=1e-10)


def test_information_imbalance_and_overlap_equal_dadapys():
    """Stored DADApy 0.3.4 values on real workflow representations (tests/reference/): DADApy's imbalance uses
    1-based ranks, so it is ours + 2/N; its data overlap is ours."""
    data = np.load(REF / "similarity_reference.npz")
    ref = json.loads((REF / "similarity_reference.json").read_text())
    assert len(ref["pairs"]) == 4
    for key, v in ref["pairs"].items():
        a, b = data[f"a_{key}"], data[f"b_{key}"]
        n = len(a)
        assert information_imbalance(a, b) + 2 / n == pytest.approx(v["ii_ab"], abs=1e-12)
        assert information_imbalance(b, a) + 2 / n == pytest.approx(v["ii_ba"], abs=1e-12)
        assert neighbourhood_overlap(a, b, 30) == pytest.approx(v["overlap"], abs=1e-12)


def test_dadapy_live_when_its_environment_is_given(tmp_path):
    """With TLREPRO_DADAPY_PYTHON (a Python with DADApy, numpy < 2), DADApy recomputes the reference values
    now and they must equal the stored ones; without it, the reference script's code is still checked to
    import and name the pairs the stored values hold."""
    python = os.environ.get("TLREPRO_DADAPY_PYTHON")
    script = REF / "make_similarity_reference.py"
    ref = json.loads((REF / "similarity_reference.json").read_text())
    if not python:
        python = sys.executable
        code = (f"import sys; sys.argv = ['x']; import runpy; g = runpy.run_path({str(script)!r}); "
                "print(','.join(f'{c}_{u}' for c, u in g['PAIRS']))")
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        assert out.split(",") == list(ref["pairs"])
        return
    work = tmp_path / "reference"
    work.mkdir()
    (work / "make_similarity_reference.py").write_text(script.read_text())
    (work / "similarity_reference.npz").write_bytes((REF / "similarity_reference.npz").read_bytes())
    subprocess.run([python, str(work / "make_similarity_reference.py"), "dadapy"], check=True, capture_output=True)
    live = json.loads((work / "similarity_reference.json").read_text())["pairs"]
    assert list(live) == list(ref["pairs"])
    for key in ref["pairs"]:
        assert live[key] == pytest.approx(ref["pairs"][key], abs=1e-12)


@pytest.mark.parametrize("a, b, k, match", [
    (np.zeros((10, 3)), np.zeros((9, 3)), 1, "different numbers of points"),
    (np.ones((10, 3)), np.ones((10, 3)), 9, "k = 9 neighbours needs at least k \\+ 2 points"),
    (np.full((10, 3), np.nan), np.ones((10, 3)), 1, "NaN or infinite features in 10 of 10 points"),
])
def test_bad_input_is_named(a, b, k, match):
    with pytest.raises(SimilarityInputError, match=match):
        information_imbalance(a, b, k)


def test_points_in_different_orders_are_named():
    a = RNG.normal(size=(10, 3))
    with pytest.raises(SimilarityInputError, match="different orders \\(first difference at row 2\\)"):
        all_measures(a, a, ii_k=1, overlap_k=2, spearman_k=3, ids=([0, 1, 2, 3] + list(range(4, 10)),
                                                                    [0, 1, 3, 2] + list(range(4, 10))))
    assert all_measures(a, a, ii_k=1, overlap_k=2, spearman_k=3, ids=(range(10), range(10)))["overlap"] == 1


def test_constant_representation_has_no_cka():
    with pytest.raises(SimilarityInputError, match="no variance"):
        cka(np.ones((20, 3)), RNG.normal(size=(20, 3)))


def test_blocks_stay_on_the_inputs_device():
    """Device placement without a GPU: on the "meta" device (shapes only) the distance blocks and every
    per-block measure create their tensors on the inputs' device."""
    from tlrepro import similarity as sim

    x = torch.empty(50, 4, dtype=torch.float64, device="meta")
    d = sim._distances(x, slice(0, 20), (x * x).sum(1))
    assert d.device.type == "meta" and d.shape == (20, 50)
    for fn in (sim._ii_block, sim._overlap_block, sim._spearman_block):
        assert fn(d, d, 5).device.type == "meta", fn.__name__
