"""Fine-tuning from an adaptive kernel: closed-form test losses of lauditi2025's linear model.

Setting (D -> infinity, nu = P / D): isotropic Gaussian inputs x in R^D, noise-free linear teachers
y = beta . x / sqrt(D) with ||beta||^2 = D, source direction b = beta_s / sqrt(D), a unit direction g
orthogonal to b, and the target direction t = beta_t / sqrt(D) = alpha_s b + alpha_g g + r with r
orthogonal to both (||r||^2 = 1 - alpha_s^2 - alpha_g^2). Pre-training leaves the kernel

    K(x, x') = x^T Sigma x' / D,   Sigma = I + U C U^T,   U = [b, g],   C = [[c2, c1], [c1, c3]],

and fine-tuning is ridgeless (minimum-norm) regression of the target with that kernel on P2 = nu2 D
samples. Its test loss E[(f - y)^2] (E[y^2] = 1) is, for nu2 < 1 (derivation in docs/lauditi2025.md),

    L = (1 - nu2) [1 - ||a||^2 + ||(I + nu2 C)^-1 a||^2],   a = (alpha_s, alpha_g),

and 0 for nu2 >= 1 (interpolation recovers a noise-free linear teacher). The linear probe (no
pre-training, C = 0) gives 1 - nu2. The loss exceeds the probe (negative transfer) only where I + nu2 C
shrinks a direction of a, i.e. only when C has a negative eigenvalue: c1^2 > c2 c3, or c2 < 0, or c3 < 0.

Special cases (tested against ``finetune_loss``):
  * ``result2``: nu1 -> infinity, the spike lies along b alone (c2 = chi, c1 = c3 = 0):
    L = (1 - nu2) [1 - alpha_s^2 (1 - (1 + chi nu2)^-2)].
  * ``result4``: gamma1 -> infinity, a rank-one spike along u = (sqrt(nu1) b + sqrt(1 - nu1) g): the
    ridgeless limit is L = (1 - nu2) [1 - (u . a)^2]; a readout restricted to the spike direction (a
    rank-one kernel without its isotropic part) gives 1 - (u . a)^2, the form independent of nu2.
  * ``spike``: the two-layer linear network's spike chi(gamma1) = sqrt(1 + gamma1^2) - 1; the caption of
    Fig. 2a prints sqrt(1 - gamma1^2) - 1, kept as the reading "printed".

Every function is vectorised over ``nu2`` (and ``gamma1`` for ``spike``) and checks its arguments: an
alignment outside [-1, 1], alpha_s^2 + alpha_g^2 > 1, nu2 <= 0, or c's for which I + C is not positive
definite raise ``ValueError`` naming the argument.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CHI_READINGS", "KERNEL_MODELS", "RESULT4_READINGS", "check_alignments", "check_kernel",
           "finetune_loss", "kernel_constants", "linear_probe_loss", "result2", "result4", "spike"]

CHI_READINGS = ("plus", "printed")  # sqrt(1 + g^2) - 1, and the caption's sqrt(1 - g^2) - 1
KERNEL_MODELS = ("gradient_flow", "caption")
RESULT4_READINGS = ("ridgeless", "spike_only")


def _nu(nu2) -> np.ndarray:
    nu2 = np.asarray(nu2, dtype=float)
    if not np.all(np.isfinite(nu2)) or np.any(nu2 <= 0):
        raise ValueError(f"nu2 = P2 / D must be positive (a target task needs data), got {nu2}")
    return nu2


def check_alignments(alpha_s: float, alpha_g: float) -> np.ndarray:
    """a = (alpha_s, alpha_g), checked: each in [-1, 1] and alpha_s^2 + alpha_g^2 <= 1."""
    for name, value in (("alpha_s", alpha_s), ("alpha_g", alpha_g)):
        if not (np.isfinite(value) and -1.0 <= value <= 1.0):
            raise ValueError(f"{name} is a cosine between unit directions and lies in [-1, 1], got {value}")
    if alpha_s ** 2 + alpha_g ** 2 > 1.0 + 1e-12:
        raise ValueError(f"alpha_s^2 + alpha_g^2 = {alpha_s ** 2 + alpha_g ** 2:.6g} exceeds 1: the target "
                         f"direction has unit norm (alpha_s = {alpha_s}, alpha_g = {alpha_g})")
    return np.array([alpha_s, alpha_g], dtype=float)


def check_kernel(c1: float, c2: float, c3: float) -> np.ndarray:
    """C = [[c2, c1], [c1, c3]], checked: finite, and I + C positive definite (a kernel)."""
    C = np.array([[c2, c1], [c1, c3]], dtype=float)
    if not np.all(np.isfinite(C)):
        raise ValueError(f"kernel constants must be finite, got c1 = {c1}, c2 = {c2}, c3 = {c3}")
    lowest = float(np.linalg.eigvalsh(np.eye(2) + C)[0])
    if lowest <= 0:
        raise ValueError(f"I + C is not positive definite for c1 = {c1}, c2 = {c2}, c3 = {c3} (lowest "
                         f"eigenvalue {lowest:.4g}): the pre-trained kernel I + U C U^T must be one")
    return C


def linear_probe_loss(nu2) -> np.ndarray:
    """No pre-training (isotropic kernel): 1 - nu2 below nu2 = 1, 0 above."""
    return np.clip(1.0 - _nu(nu2), 0.0, None)


def finetune_loss(nu2, alpha_s: float, alpha_g: float, c1: float, c2: float, c3: float) -> np.ndarray:
    """D -> infinity test loss of ridgeless regression with the kernel I + U C U^T (module docstring)."""
    nu2 = _nu(nu2)
    a, C = check_alignments(alpha_s, alpha_g), check_kernel(c1, c2, c3)
    below = np.minimum(nu2, 1.0)
    # (I + nu2 C)^-1 a for every nu2 at once: batched 2x2 solves
    M = np.eye(2) + below[..., None, None] * C
    Ra = np.linalg.solve(M, np.broadcast_to(a, below.shape + (2,))[..., None])[..., 0]
    loss = (1.0 - below) * (1.0 - a @ a + np.sum(Ra ** 2, axis=-1))
    return np.where(nu2 >= 1.0, 0.0, loss)


def spike(gamma1, reading: str = "plus") -> np.ndarray:
    """chi(gamma1) of a two-layer linear network trained on the source (nu1 >= 1): the top eigenvalue of
    its feature kernel minus 1 along the source direction. ``reading``: "plus" = sqrt(1 + gamma1^2) - 1
    (the gradient-flow result), "printed" = sqrt(1 - gamma1^2) - 1 (Fig. 2a's caption as printed; real
    only for |gamma1| <= 1)."""
    gamma1 = np.asarray(gamma1, dtype=float)
    if reading == "plus":
        return np.sqrt(1.0 + gamma1 ** 2) - 1.0
    if reading == "printed":
        if np.any(np.abs(gamma1) > 1):
            raise ValueError(f"the printed reading sqrt(1 - gamma1^2) - 1 is not real for |gamma1| > 1, got "
                             f"gamma1 = {gamma1}; use the reading 'plus' or gamma1 <= 1")
        return np.sqrt(1.0 - gamma1 ** 2) - 1.0
    raise ValueError(f"reading must be one of {CHI_READINGS}, got {reading!r}")


def kernel_constants(nu1: float, gamma1: float, model: str = "gradient_flow",
                     reading: str = "plus") -> tuple[float, float, float]:
    """(c1, c2, c3) of the kernel a source task with nu1 = P1 / D leaves at feature strength gamma1.

    "gradient_flow": a linear network trained to interpolation learns a rank-one spike along the
    normalised projection of b on the source inputs, u = (sqrt(nu1), sqrt(1 - nu1)) in the (b, g) basis
    (u = b for nu1 >= 1), with eigenvalue sqrt(1 + gamma1^2 min(nu1, 1)) - 1 ("plus") or
    sqrt(1 - gamma1^2 min(nu1, 1)) - 1 ("printed").
    "caption": Fig. 2a's constants c1 = nu1 sqrt(nu1 (1 - nu1)) chi, c2 = nu1^2 chi, c3 = nu1 (1 - nu1) chi
    with chi = spike(gamma1, reading) (a rank-one spike along the unnormalised projection, eigenvalue
    nu1 chi); defined for nu1 <= 1."""
    if not nu1 > 0:
        raise ValueError(f"nu1 = P1 / D must be positive, got {nu1}")
    if model == "gradient_flow":
        f = min(nu1, 1.0)
        chi = float(spike(gamma1 * np.sqrt(f), reading))
        u = np.array([np.sqrt(f), np.sqrt(1.0 - f)])
    elif model == "caption":
        if nu1 > 1:
            raise ValueError(f"the caption's constants are written for nu1 <= 1, got nu1 = {nu1}")
        chi = float(spike(gamma1, reading)) * nu1
        u = np.array([np.sqrt(nu1), np.sqrt(1.0 - nu1)])
    else:
        raise ValueError(f"model must be one of {KERNEL_MODELS}, got {model!r}")
    C = chi * np.outer(u, u)
    return float(C[0, 1]), float(C[0, 0]), float(C[1, 1])


def result2(nu2, alpha_s: float, chi: float) -> np.ndarray:
    """Result 2 (nu1 -> infinity): (1 - nu2) [1 - alpha_s^2 (1 - (1 + chi nu2)^-2)], 0 for nu2 >= 1."""
    nu2 = _nu(nu2)
    check_alignments(alpha_s, 0.0)
    check_kernel(0.0, chi, 0.0)
    below = np.minimum(nu2, 1.0)
    loss = (1.0 - below) * (1.0 - alpha_s ** 2 * (1.0 - (1.0 + chi * below) ** -2))
    return np.where(nu2 >= 1.0, 0.0, loss)


def result4(nu2, nu1: float, alpha_s: float, alpha_g: float, reading: str = "ridgeless") -> np.ndarray:
    """Result 4 (gamma1 -> infinity): the loss left by an infinitely strong rank-one spike along
    u = sqrt(nu1) b + sqrt(1 - nu1) g (u = b for nu1 >= 1). "ridgeless": the limit of ``finetune_loss``,
    (1 - nu2) [1 - (u . a)^2] (0 for nu2 >= 1); "spike_only": a readout on the spike direction alone,
    1 - (u . a)^2 for every nu2 > 0."""
    nu2 = _nu(nu2)
    a = check_alignments(alpha_s, alpha_g)
    if not nu1 > 0:
        raise ValueError(f"nu1 = P1 / D must be positive, got {nu1}")
    f = min(nu1, 1.0)
    ua2 = float(np.array([np.sqrt(f), np.sqrt(1.0 - f)]) @ a) ** 2
    if reading == "ridgeless":
        return np.clip(1.0 - nu2, 0.0, None) * (1.0 - ua2)
    if reading == "spike_only":
        return np.full(nu2.shape, 1.0 - ua2)
    raise ValueError(f"reading must be one of {RESULT4_READINGS}, got {reading!r}")
