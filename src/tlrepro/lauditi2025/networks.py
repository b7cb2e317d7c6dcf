"""Two-layer networks in the mean-field (muP) parameterisation, trained by full-batch gradient descent.

    h = W x / sqrt(D),   f(x) = z . phi(h) / (gamma N),   W_ij, z_i ~ N(0, 1),   phi = id or ReLU,

squared loss L = 1/2 sum_mu (f(x_mu) - y_mu)^2 over the training set, gradient descent with learning rate
eta gamma^2 N, so that in time t = steps * eta every pre-activation moves by an O(1) amount for any width:

    dz_i = eta gamma sum_mu Delta_mu phi(h_i(x_mu)),
    dW_i = eta gamma sum_mu Delta_mu z_i phi'(h_i(x_mu)) x_mu / sqrt(D),   Delta = y - f.

gamma -> 0 is the lazy (kernel) limit, gamma ~ 1 the rich one. ``gamma_units`` relates the paper's
feature strength gamma1 to the gamma of this parameterisation: with ||x||^2 ~ D and y = b . x, a linear
network's spike is sqrt(1 + gamma^2 D) - 1, so the paper's chi(gamma1) = sqrt(1 + gamma1^2) - 1 is
gamma = gamma1 / sqrt(D) ("per_sqrt_D"); "plain" uses gamma = gamma1.

After the source phase the features are frozen and a new readout is fitted on the target: ridgeless
least squares (the minimum-norm solution) or gradient flow from zero to convergence, which reaches the same
solution. Both are kernel regression with the feature kernel phi(h) phi(h)^T / N of the trained network.

Determinism: W and z come from a CPU torch.Generator seeded with ``seed``; computations are float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["GAMMA_UNITS", "MeanFieldNet", "TrainingDiverged", "fit_readout", "network_gamma"]

GAMMA_UNITS = ("per_sqrt_D", "plain")


class TrainingDiverged(RuntimeError):
    """Gradient descent blew up; the message names the learning rate to lower."""


def network_gamma(gamma1: float, D: int, units: str) -> float:
    """The gamma of this parameterisation for the paper's feature strength gamma1 (module docstring)."""
    if units == "per_sqrt_D":
        return gamma1 / math.sqrt(D)
    if units == "plain":
        return float(gamma1)
    raise ValueError(f"gamma_units must be one of {GAMMA_UNITS}, got {units!r}")


@dataclass
class MeanFieldNet:
    W: torch.Tensor  # (N, D)
    z: torch.Tensor  # (N,)
    activation: str
    history: list = field(default_factory=list)  # (time, training loss) records

    @classmethod
    def init(cls, D: int, N: int, activation: str, seed: int, device: str = "cpu") -> "MeanFieldNet":
        if activation not in ("linear", "relu"):
            raise ValueError(f"activation must be 'linear' or 'relu', got {activation!r}")
        gen = torch.Generator().manual_seed(int(seed))
        W = torch.randn(N, D, generator=gen, dtype=torch.float64)
        z = torch.randn(N, generator=gen, dtype=torch.float64)
        return cls(W.to(device), z.to(device), activation)

    @property
    def N(self) -> int:
        return self.W.shape[0]

    @property
    def D(self) -> int:
        return self.W.shape[1]

    def preactivations(self, X: torch.Tensor) -> torch.Tensor:
        return X @ self.W.T / math.sqrt(self.D)

    def features(self, X: torch.Tensor) -> torch.Tensor:
        h = self.preactivations(X)
        return h if self.activation == "linear" else torch.relu(h)

    def output(self, X: torch.Tensor, gamma: float) -> torch.Tensor:
        return self.features(X) @ self.z / (gamma * self.N)

    def train(self, X: torch.Tensor, y: torch.Tensor, *, gamma: float, eta: float, time: float,
              record_every: int = 0) -> float:
        """Full-batch gradient descent for ``time`` / ``eta`` steps; returns the final training loss."""
        steps = int(round(time / eta))
        sqrt_d = math.sqrt(self.D)
        loss = float("nan")
        for step in range(steps + 1):
            if self.activation == "linear":  # f = X (W^T z) / (gamma N sqrt(D)): rank-one updates
                delta = y - X @ (self.W.T @ self.z) / (gamma * self.N * sqrt_d)
            else:
                h = self.preactivations(X)
                delta = y - torch.relu(h) @ self.z / (gamma * self.N)
            loss = 0.5 * float(delta @ delta)
            if record_every and step % record_every == 0:
                self.history.append((step * eta, loss))
            if not math.isfinite(loss) or loss > 1e12:
                raise TrainingDiverged(
                    f"gradient descent diverged at step {step} (training loss {loss:.3g}) with eta = {eta} "
                    f"and gamma = {gamma:.4g}; lower the time step eta (config key 'eta')")
            if step == steps:
                break
            if self.activation == "linear":
                v = X.T @ delta / sqrt_d
                dz = eta * gamma * (self.W @ v)
                self.W += eta * gamma * torch.outer(self.z, v)
                self.z += dz
            else:
                act, slope = torch.relu(h), (h > 0).to(h.dtype)
                dz = eta * gamma * (act.T @ delta)
                dW = eta * gamma * ((delta[:, None] * slope) * self.z[None, :]).T @ X / sqrt_d
                self.W += dW
                self.z += dz
        return loss

    def kernel(self, X: torch.Tensor, X2: torch.Tensor | None = None) -> torch.Tensor:
        """Feature kernel phi(h(x)) . phi(h(x')) / N between the rows of X and of X2 (default X)."""
        F = self.features(X)
        G = F if X2 is None else self.features(X2)
        return F @ G.T / self.N

    def input_kernel(self) -> torch.Tensor:
        """A linear network's feature kernel in input space, Sigma = W^T W / N (D, D):
        phi(h(x)) . phi(h(x')) / N = x^T Sigma x' / D."""
        return self.W.T @ self.W / self.N


def fit_readout(F: torch.Tensor, y: torch.Tensor, method: str = "lstsq", *, tol: float = 1e-10,
                max_steps: int = 500000) -> torch.Tensor:
    """Readout weights a with F a ~ y, computed in kernel form (K = F F^T, P x P: cheaper than the N-wide
    feature matrix): the minimum-norm least-squares solution a = F^T K^+ y ("lstsq"), or gradient flow from
    a = 0 on 1/2 ||F a - y||^2, which keeps a = F^T c and moves c by y - K c, until the gradient F^T (y - K c)
    is below ``tol`` relative to F^T y ("gradient_flow"; it converges to the same solution)."""
    K = F @ F.T
    if method == "lstsq":
        coef = np.linalg.lstsq(K.cpu().numpy(), y.cpu().numpy(), rcond=None)[0]
        return F.T @ torch.from_numpy(coef).to(F)
    if method != "gradient_flow":
        raise ValueError(f"readout method must be 'lstsq' or 'gradient_flow', got {method!r}")
    lr = 1.0 / float(torch.linalg.eigvalsh(K)[-1])
    c = torch.zeros_like(y)
    scale = float(torch.linalg.vector_norm(F.T @ y)) or 1.0
    for _ in range(max_steps):
        residual = y - K @ c
        if float(torch.linalg.vector_norm(F.T @ residual)) <= tol * scale:
            return F.T @ c
        c += lr * residual
    raise RuntimeError(f"readout gradient flow did not converge in {max_steps} steps (relative gradient "
                       f"{float(torch.linalg.vector_norm(F.T @ residual)) / scale:.3g} > tol = {tol}); use "
                       "readout 'lstsq' or raise the step budget")
