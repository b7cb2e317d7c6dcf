"""gerace2022 Fig. 1: the schematic of the CHMM and the transfer protocol, drawn by code, and the
relations it depicts (eqs. 1-5) checked on a CHMM drawn by the workflow's own generator.

The schematic is a picture; what it claims is how source and target are coupled: feature perturbation
eta (shared rows correlated eta), substitution rho (round(rho L) rows replaced), teacher alignment q
(labels on the same latent vector agree with probability 1 - arccos(q)/pi) and the latent-dimension
change (eqs. 4-5: the first min(L_s, L_t) rows copied). Each is checked within standard errors."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from .chmm import make_chmm, sample_hmm
from ..claims import Verdict

__all__ = ["draw_schematic", "schematic_claims"]

#: The generator is checked against the equations Fig. 1 depicts: checks of this workflow, not findings of the paper.
SOURCE = "this workflow (generator check: Gerace et al. 2022, Sec. 2.1, eqs. 1-5, drawn in Fig. 1)"


def _row_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = (a - a.mean(1, keepdims=True)) / a.std(1, keepdims=True)
    b = (b - b.mean(1, keepdims=True)) / b.std(1, keepdims=True)
    return (a * b).mean(1)


def schematic_claims(chmm_cfg: Mapping[str, Any], L_t_changed: int, *, n_samples: int,
                     n_sigma: float, seed: int) -> list[Verdict]:
    """Verdicts on a CHMM with the schematic's (eta, rho, q) and on one with L_t changed."""
    m = make_chmm(**chmm_cfg, seed=seed)
    D, L = m.D, m.L_s
    eta, rho, q = chmm_cfg["eta"], chmm_cfg["rho"], chmm_cfg["q"]
    out = []

    cos = float(m.theta_s @ m.theta_t / np.linalg.norm(m.theta_s) / np.linalg.norm(m.theta_t))
    se_cos = (1 - q**2) / math.sqrt(L)  # delta method, L i.i.d. components
    _, ys = sample_hmm(m.F_s, m.theta_s, n_samples, np.random.default_rng(seed + 1))
    _, yt = sample_hmm(m.F_t, m.theta_t, n_samples, np.random.default_rng(seed + 1))  # same latents
    agree, p = float((ys == yt).mean()), 1 - math.acos(max(-1.0, min(1.0, cos))) / math.pi
    se_p = math.sqrt(p * (1 - p) / n_samples)
    out.append(Verdict(
        "teacher_alignment_q",
        "Teacher perturbation (eq. 3): theta_t = q theta_s + sqrt(1 - q^2) theta~, so labels of the same "
        f"latent vector agree with probability 1 - arccos(q)/pi (cosine within {n_sigma:g} SE of q, "
        f"agreement within {n_sigma:g} binomial SE of the formula).",
        bool(abs(cos - q) <= n_sigma * max(se_cos, 1e-12) and abs(agree - p) <= n_sigma * se_p),
        {"q": q, "cosine": cos, "se_cosine": se_cos, "agreement": agree, "formula": p,
         "se_agreement": se_p, "formula_at_q": 1 - math.acos(q) / math.pi}, SOURCE))

    r = _row_corr(m.F_s, m.F_t)
    n_sub = round(rho * L)
    kept = r[n_sub:]
    se_eta = (1 - eta**2) / math.sqrt(D) / math.sqrt(max(kept.size, 1))
    sub_mean = float(r[:n_sub].mean()) if n_sub else 0.0
    se_sub = 1 / math.sqrt(D) / math.sqrt(max(n_sub, 1))
    out.append(Verdict(
        "feature_perturbation_eta_substitution_rho",
        f"Feature perturbation and substitution (eq. 2): round(rho L) = {n_sub} generative features "
        f"are replaced (correlation 0 with the source) and the others are eta F_s + sqrt(1 - eta^2) "
        f"F~ (correlation eta); means within {n_sigma:g} SE.",
        bool(abs(kept.mean() - eta) <= n_sigma * max(se_eta, 1e-12)
             and abs(sub_mean) <= n_sigma * se_sub),
        {"eta": eta, "mean_corr_kept": float(kept.mean()), "se_kept": se_eta, "n_substituted": n_sub,
         "mean_corr_substituted": sub_mean, "se_substituted": se_sub}, SOURCE))

    up = make_chmm(**{**chmm_cfg, "L_t": L_t_changed, "eta": 1.0, "rho": 0.0, "q": 1.0}, seed=seed)
    k = min(L, L_t_changed)
    copied = bool(np.array_equal(up.F_t[:k], up.F_s[:k]) and np.array_equal(up.theta_t[:k],
                                                                              up.theta_s[:k]))
    extra = _row_corr(up.F_t[k:], up.F_s[: max(0, L_t_changed - k)]) if L_t_changed > k else np.zeros(0)
    fresh = bool(extra.size == 0 or np.abs(extra).max() <= n_sigma * 2 / math.sqrt(D))
    out.append(Verdict(
        "latent_dimension_change",
        f"Latent-dimension change (eqs. 4-5), L_s = {L} -> L_t = {L_t_changed}: the first "
        f"min(L_s, L_t) = {k} generative features and teacher components are copied, the others are "
        "fresh draws (uncorrelated).", copied and fresh,
        {"L_s": L, "L_t": L_t_changed, "shared": k, "copied_exactly": copied,
         "max_abs_corr_fresh": float(np.abs(extra).max()) if extra.size else None}, SOURCE))
    return out


def draw_schematic(ax, chmm_cfg: Mapping[str, Any], L_t_changed: int, H: int) -> None:
    """Two HMMs sharing generative features and teachers, the transformations between them, the
    two-layer student and the transfer protocol (train on source, transfer W1, retrain the readout)."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax.set_xlim(0, 10)
    ax.set_ylim(0.9, 6.4)
    ax.axis("off")

    def box(x, y, w, h, text, color):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", fc=color, ec="k", lw=0.8))
        ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=7.5)

    def arrow(a, b, text="", color="k", dy=0.12):
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=9, color=color, lw=1))
        if text:
            ax.text((a[0] + b[0]) / 2, (a[1] + b[1]) / 2 + dy, text, ha="center", fontsize=7,
                    color=color)

    src, tgt = "#dbe9f6", "#fde3cf"
    L = chmm_cfg["L_s"]
    ax.text(1.7, 6.15, "source HMM", ha="center", fontsize=9, weight="bold")
    ax.text(1.7, 2.95, "target HMM", ha="center", fontsize=9, weight="bold")
    box(0.2, 4.6, 1.2, 1.1, f"$c\\sim\\mathcal{{N}}(0, I_{{L_s}})$\n$L_s={L}$", src)
    box(2.0, 5.15, 1.3, 0.55, "$x = \\sigma(c F_s/\\sqrt{L_s})$", src)
    box(2.0, 4.4, 1.3, 0.55, "$y = \\mathrm{sign}(c\\cdot\\theta_s/\\sqrt{L_s})$", src)
    box(0.2, 1.4, 1.2, 1.1, "$c\\sim\\mathcal{N}(0, I_{L_t})$", tgt)
    box(2.0, 1.95, 1.3, 0.55, "$x = \\sigma(c F_t/\\sqrt{L_t})$", tgt)
    box(2.0, 1.2, 1.3, 0.55, "$y = \\mathrm{sign}(c\\cdot\\theta_t/\\sqrt{L_t})$", tgt)
    for y0 in (5.42, 4.67):
        arrow((1.45, 5.15), (1.95, y0))
    for y0 in (2.22, 1.47):
        arrow((1.45, 1.95), (1.95, y0))
    # the transformations linking the HMMs
    eta, rho, q = chmm_cfg["eta"], chmm_cfg["rho"], chmm_cfg["q"]
    arrow((2.65, 4.35), (2.65, 2.55), "", "#8c2d04")
    ax.text(3.45, 3.75, f"$F_t$: perturb ($\\eta$ = {eta:g}),\nsubstitute ($\\rho$ = {rho:g})",
            fontsize=7, color="#8c2d04")
    ax.text(3.45, 3.2, f"$\\theta_t = q\\,\\theta_s + \\sqrt{{1-q^2}}\\,\\tilde\\theta$ (q = {q:g})",
            fontsize=7, color="#8c2d04")
    ax.text(3.45, 2.75, f"latent dim. $L_s \\to L_t$ (e.g. {L} $\\to$ {L_t_changed}): "
            "copy shared rows", fontsize=7, color="#8c2d04")
    # the student and the protocol
    box(6.3, 4.6, 3.4, 1.1, f"two-layer net on the source\n$\\hat y = w_2\\cdot\\sigma(x W_1)$, "
        f"H = {H}\n(Adam, early stopping)", src)
    box(6.3, 1.2, 3.4, 1.3, "target: TF = fixed $W_1$, retrain $w_2$\n(logistic regression, L2)\n"
        "RF: random $W_1$;  2L: both from scratch;\nft-TF: both from the TF solution", tgt)
    arrow((3.35, 5.42), (6.25, 5.15), "source data (M_s)")
    arrow((8.0, 4.55), (8.0, 2.55), "", "#08519c")
    ax.text(8.1, 3.5, "transfer $W_1$", fontsize=8, color="#08519c")
    arrow((3.35, 1.85), (6.25, 1.85), "target data (M = alpha H)")
