"""Similarity of two representations of the same N points: information imbalance, neighbourhood overlap,
debiased linear CKA and the Spearman correlation of neighbour ranks.

Every measure takes ``a`` and ``b``, (N, p) and (N, q) arrays or tensors whose rows are the same points in
the same order (feature maps flattened or pooled first), and returns a float. Distances are Euclidean,
computed in float64 over blocks of ``chunk`` rows on ``device`` (a GPU when given), so memory is
O(chunk · N) and N = 10,000 fits easily; every result is exact (no sub-sampling). Self-distances are
excluded everywhere.

Conventions (the docs, ``docs/gerace2023.md``, state them for the figures):

- ``information_imbalance(a, b, k)``, Δ(a → b) of Glielmo et al. (2022) in gerace2023's form: for each point
  i take its k nearest neighbours j in ``a``; n_ij is the number of points closer to i than j in ``b``
  (the 0-based rank); II = 2/N · mean n_ij. Identical spaces give exactly 0; ``b`` independent of ``a``
  gives (N − 2)/N ≈ 1 in expectation. DADApy's convention uses the 1-based rank, so its value is this
  one plus 2/N.
- ``neighbourhood_overlap(a, b, k)`` (Doimo et al. 2020): the mean over points of the fraction of the k
  nearest neighbours in ``a`` that are among the k nearest in ``b``. 1 for identical neighbourhoods,
  k/(N − 1) in expectation for independent ones.
- ``cka(a, b)``: linear CKA with the unbiased HSIC estimator (Song et al. 2012; Nguyen et al. 2021), from
  the features when p·q ≤ N² and from blocks of the Gram matrices otherwise. 1 for spaces equal up to an
  orthogonal map and a scale; about 0 for independent ones.
- ``neighbour_rank_spearman(a, b, k)``: for each point i, its k nearest neighbours in ``a`` in order
  (ranks 1..k) against the order of the same k points by their distance from i in ``b``; Spearman's ρ of
  the two orders (no ties: ρ = 1 − 6 Σ d² / (k (k² − 1))), averaged over points. 1 when ``b`` keeps the
  order, about 0 when it is unrelated.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["information_imbalance", "neighbourhood_overlap", "cka", "neighbour_rank_spearman", "all_measures",
           "SimilarityInputError"]

CHUNK = 1024


class SimilarityInputError(ValueError):
    """Representations that cannot be compared (shapes, NaNs, k too large)."""


def _as_matrix(x, name: str, device) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).detach()
    t = t.reshape(len(t), -1).to(device=device, dtype=torch.float64)
    if not torch.isfinite(t).all():
        bad = int((~torch.isfinite(t)).any(1).sum())
        raise SimilarityInputError(f"representation {name} has NaN or infinite features in {bad} of {len(t)} "
                                   "points: check the network that produced it (a diverged training?)")
    return t


def _pair(a, b, k: int | None = None, device="cpu") -> tuple[torch.Tensor, torch.Tensor]:
    a, b = _as_matrix(a, "a", device), _as_matrix(b, "b", device)
    if len(a) != len(b):
        raise SimilarityInputError(f"the representations hold different numbers of points ({len(a)} and "
                                   f"{len(b)}): compute both on the same points, in the same order")
    if len(a) < 4:
        raise SimilarityInputError(f"{len(a)} points are too few to compare representations (at least 4)")
    if k is not None and not 1 <= k < len(a) - 1:
        raise SimilarityInputError(f"k = {k} neighbours needs at least k + 2 points, and there are {len(a)}: "
                                   f"lower k below {len(a) - 1} or compare more points")
    return a, b


def _distances(x: torch.Tensor, rows: slice, sq: torch.Tensor) -> torch.Tensor:
    """Squared distances from the points ``rows`` to every point, self-distances set to +inf."""
    d = sq[rows, None] + sq[None, :] - 2.0 * (x[rows] @ x.T)
    d.clamp_(min=0.0)
    idx = torch.arange(rows.start, rows.stop, device=x.device)
    d[idx - rows.start, idx] = float("inf")
    return d


def _blocks(n: int, chunk: int):
    for s in range(0, n, chunk):
        yield slice(s, min(s + chunk, n))


def _ii_block(da: torch.Tensor, db: torch.Tensor, k: int) -> torch.Tensor:
    """Σ n_ij over a block: for the k nearest neighbours j in a, the points closer to i than j in b."""
    d_ij = db.gather(1, da.topk(k, dim=1, largest=False).indices)
    return sum((db < d_ij[:, m:m + 1]).sum() for m in range(k))


def _overlap_block(da: torch.Tensor, db: torch.Tensor, k: int) -> torch.Tensor:
    na = da.topk(k, dim=1, largest=False).indices
    nb = db.topk(k, dim=1, largest=False).indices
    mask = torch.zeros(da.shape, dtype=torch.bool, device=da.device).scatter_(1, na, True)
    return mask.gather(1, nb).sum()


def _spearman_block(da: torch.Tensor, db: torch.Tensor, k: int) -> torch.Tensor:
    nn = da.topk(k, dim=1, largest=False, sorted=True).indices
    rank_b = db.gather(1, nn).argsort(dim=1, stable=True).argsort(dim=1).to(torch.float64)
    d2 = ((rank_b - torch.arange(k, dtype=torch.float64, device=da.device)) ** 2).sum(1)
    return (1.0 - 6.0 * d2 / (k * (k * k - 1))).sum()


def _scan(a: torch.Tensor, b: torch.Tensor, parts: dict, chunk: int) -> dict[str, float]:
    """One pass over blocks of rows: both blocks of distances computed once, every part summed on them."""
    sa, sb = (a * a).sum(1), (b * b).sum(1)
    sums = dict.fromkeys(parts, 0.0)
    for rows in _blocks(len(a), chunk):
        da, db = _distances(a, rows, sa), _distances(b, rows, sb)
        for name, fn in parts.items():
            sums[name] += float(fn(da, db))
    return sums


def information_imbalance(a, b, k: int = 1, chunk: int = CHUNK, device="cpu") -> float:
    """Δ(a → b): how much of b's neighbourhoods a does NOT predict; 0 equivalent, ~1 unrelated."""
    a, b = _pair(a, b, k, device)
    n = len(a)
    return 2.0 * _scan(a, b, {"ii": lambda da, db: _ii_block(da, db, k)}, chunk)["ii"] / (n * n * k)


def neighbourhood_overlap(a, b, k: int = 30, chunk: int = CHUNK, device="cpu") -> float:
    """Mean fraction of shared k nearest neighbours."""
    a, b = _pair(a, b, k, device)
    return _scan(a, b, {"o": lambda da, db: _overlap_block(da, db, k)}, chunk)["o"] / (len(a) * k)


def neighbour_rank_spearman(a, b, k: int = 100, chunk: int = CHUNK, device="cpu") -> float:
    """Mean over points of Spearman's ρ between the order of the k nearest neighbours in a and in b."""
    a, b = _pair(a, b, k, device)
    return _scan(a, b, {"r": lambda da, db: _spearman_block(da, db, k)}, chunk)["r"] / len(a)


def _hsic_terms_features(x: torch.Tensor, y: torch.Tensor) -> tuple[float, float, float, float]:
    """tr(K̃L̃), 1ᵀK̃1, 1ᵀL̃1 and 1ᵀK̃L̃1 for K = xxᵀ, L = yyᵀ with zeroed diagonals, in O(N p q)."""
    nx, ny = (x * x).sum(1), (y * y).sum(1)
    tr = float((x.T @ y).pow(2).sum() - (nx * ny).sum())
    kx = x @ x.sum(0) - nx                                             # K̃1
    ly = y @ y.sum(0) - ny                                             # L̃1
    return tr, float(kx.sum()), float(ly.sum()), float((kx * ly).sum())


def _hsic_terms_gram(x: torch.Tensor, y: torch.Tensor, chunk: int) -> tuple[float, float, float, float]:
    """The same terms from blocks of rows of the Gram matrices, in O(chunk · N) memory."""
    tr, kx_all, ly_all = 0.0, [], []
    for rows in _blocks(len(x), chunk):
        k, l_ = x[rows] @ x.T, y[rows] @ y.T
        idx = torch.arange(rows.start, rows.stop, device=x.device)
        k[idx - rows.start, idx] = 0.0
        l_[idx - rows.start, idx] = 0.0
        tr += float((k * l_).sum())
        kx_all.append(k.sum(1))
        ly_all.append(l_.sum(1))
    kx, ly = torch.cat(kx_all), torch.cat(ly_all)
    return tr, float(kx.sum()), float(ly.sum()), float((kx * ly).sum())


def _hsic_u(terms: tuple[float, float, float, float], n: int) -> float:
    tr, sk, sl, skl = terms
    return (tr + sk * sl / ((n - 1) * (n - 2)) - 2.0 * skl / (n - 2)) / (n * (n - 3))


def cka(a, b, chunk: int = CHUNK, device="cpu") -> float:
    """Debiased linear CKA: HSIC_u(K, L) / sqrt(HSIC_u(K, K) HSIC_u(L, L))."""
    a, b = _pair(a, b, device=device)
    n = len(a)

    def terms(x, y):
        if x.shape[1] * y.shape[1] <= n * n:
            return _hsic_terms_features(x, y)
        return _hsic_terms_gram(x, y, chunk)

    kl, kk, ll = (_hsic_u(terms(x, y), n) for x, y in ((a, b), (a, a), (b, b)))
    if kk <= 0 or ll <= 0:
        raise SimilarityInputError("a representation has no variance across the points (constant features): "
                                   "CKA is undefined; check the network and the pooling")
    return kl / float(np.sqrt(kk * ll))


def all_measures(a, b, ii_k: int = 1, overlap_k: int = 30, spearman_k: int = 100,
                 chunk: int = CHUNK, device="cpu", ids=None) -> dict[str, float]:
    """The four measures of a → b (and Δ(b → a)) from one pass over the distances; the same numbers as the
    single-measure functions. gerace2023's k's: 1, 30, 100. ``ids``: the identifiers of a's and b's rows
    (e.g. test-set indices), checked to be the same points in the same order."""
    if ids is not None:
        ia, ib = (np.asarray(i) for i in ids)
        if ia.shape != ib.shape or not np.array_equal(ia, ib):
            bad = int(np.flatnonzero(ia != ib)[0]) if ia.shape == ib.shape else None
            raise SimilarityInputError("the representations are of different points or in different orders"
                                       + (f" (first difference at row {bad})" if bad is not None else
                                          f" ({ia.shape[0]} and {ib.shape[0]} identifiers)")
                                       + ": compute both on the same points, in the same order")
    a, b = _pair(a, b, max(ii_k, overlap_k, spearman_k), device)
    n = len(a)
    sums = _scan(a, b, {
        "information_imbalance": lambda da, db: _ii_block(da, db, ii_k),
        "information_imbalance_reverse": lambda da, db: _ii_block(db, da, ii_k),
        "overlap": lambda da, db: _overlap_block(da, db, overlap_k),
        "spearman": lambda da, db: _spearman_block(da, db, spearman_k),
    }, chunk)
    return {
        "information_imbalance": 2.0 * sums["information_imbalance"] / (n * n * ii_k),
        "information_imbalance_reverse": 2.0 * sums["information_imbalance_reverse"] / (n * n * ii_k),
        "overlap": sums["overlap"] / (n * overlap_k),
        "cka": cka(a, b, chunk, device),
        "spearman": sums["spearman"] / n,
    }
