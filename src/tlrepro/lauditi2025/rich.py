"""The jointly rich regime (lauditi2025 Figs. 3-5): two-layer networks trained on a source task with feature
strength gamma1 up to time t1, then on a target task with gamma2 up to t2, every weight trained in both
phases (the readout is not reset); and the dynamical mean-field theory (DMFT) of the same dynamics.

Parameterisation (as ``networks``): h = W x / sqrt(D), f(x) = z . phi(h(x)) / (gamma_out N). Gradient flow
on 1/2 sum_mu (y_mu - f(x_mu))^2 with the learning rate scaled so that, for neuron i,

    dz_i/dt = gamma sum_mu Delta_mu phi(h_i(x_mu)),
    dh_i(x)/dt = gamma sum_mu Delta_mu z_i phi'(h_i(x_mu)) K(x, x_mu),   K(x, x') = x . x' / D,

with gamma = gamma1 in phase 1 and gamma2 in phase 2, and Delta = y - f (+ f0, the output at t = 0, when
``centre``: the predictor is then f - f0). The output multiplier gamma_out is gamma1 in both phases
(``phase2_output: gamma1``, our default: the output is continuous at t1) or switches to gamma2
(``phase2_output: gamma2``). Euler steps of ``dt``.

- A **network** of width N integrates these equations in weight space (W: N x D).
- The **DMFT** is their infinite-width limit: each neuron is an independent single site (h over every point
  of both phases, z), h(., 0) ~ GP(0, K) jointly over the points and z(0) ~ N(0, 1), and the sums over
  neurons become averages <.> over the sites. It is solved by Monte Carlo over S sampled sites (the fields
  h over the points: P_all x S), so its own error is O(1/sqrt(S)) and it needs S well above the widths it
  is compared with; averaging runs over seeds shrinks it further.
- For linear networks (phi = id) the averages close exactly: M = <w w^T>, m = <w z>, q = <z^2> with
  v = sum_mu Delta_mu x_mu / sqrt(D) follow dM/dt = gamma (m v^T + v m^T), dm/dt = gamma (M + q I) v,
  dq/dt = 2 gamma m . v and f(x) = m . x / (sqrt(D) gamma_out): ``linear_moments``, an independent solver
  the Monte Carlo must agree with. It steps the moments of the Euler-discretised site dynamics exactly
  (the same equations plus their O(dt^2) terms), so the two differ by Monte Carlo error alone at any dt.

Divergence (a non-finite loss, or a training loss above ``blowup`` times its initial value) stops with a
message naming gamma, the step and the time step to lower.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd
import torch

__all__ = ["run_two_phase", "linear_moments", "DMFTDiverged"]

class DMFTDiverged(RuntimeError):
    """The dynamics blew up; the message names gamma, the step and the time step to lower."""


def _phi(h: torch.Tensor, activation: str) -> tuple[torch.Tensor, torch.Tensor]:
    if activation == "linear":
        return h, torch.ones_like(h)
    if activation == "relu":
        return torch.relu(h), (h > 0).to(h.dtype)
    raise ValueError(f"activation must be 'linear' or 'relu', got {activation!r}")


def _points(task: Mapping[str, np.ndarray], device, dtype) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict]:
    """All inputs stacked (source train, target train, target test) and the index of each block."""
    blocks = [("train1", task["X1"]), ("train2", task["X2"]), ("test2", task["Xt"])]
    X = torch.as_tensor(np.concatenate([b for _, b in blocks]), dtype=dtype, device=device)
    idx, start = {}, 0
    for name, b in blocks:
        idx[name] = torch.arange(start, start + len(b), device=device)
        start += len(b)
    ys = {k: torch.as_tensor(task[v], dtype=dtype, device=device)
          for k, v in (("train1", "y1"), ("train2", "y2"), ("test2", "yt"))}
    return X, idx, ys


def _schedule(cfg: Mapping[str, Any], gamma2: float, pretrain: bool) -> list[dict]:
    """The phases: (name, data block, gamma of the updates, output gamma, steps)."""
    g1, dt = float(cfg["gamma1"]), float(cfg["dt"])
    out2 = g1 if cfg["phase2_output"] == "gamma1" and pretrain else gamma2
    phases = []
    if pretrain:
        phases.append({"phase": 1, "data": "train1", "gamma": g1, "gamma_out": g1,
                       "steps": int(round(float(cfg["t1"]) / dt))})
    phases.append({"phase": 2, "data": "train2", "gamma": float(gamma2), "gamma_out": out2,
                   "steps": int(round(float(cfg["t2"]) / dt))})
    return phases


class _Sites:
    """A population of n neurons (single sites) on the stacked points X: the readout z and either the input
    weights W (n x D; the fields h = X W^T / sqrt(D) computed when needed) or the fields themselves on the
    points, H (P_all x n). The two forms integrate the same equations (identical trajectories from the same
    draws, tested); the cheaper is used: weights when D <= P_all."""

    def __init__(self, X: torch.Tensor, n: int, gen: torch.Generator, activation: str, form: str = "auto"):
        self.X, self.n, self.activation = X, n, activation
        D = X.shape[1]
        W = torch.randn(n, D, generator=gen, dtype=torch.float64).to(X)
        self.z = torch.randn(n, generator=gen, dtype=torch.float64).to(X)
        self.sqrt_d = math.sqrt(D)
        self.form = ("weights" if D <= len(X) else "points") if form == "auto" else form
        if self.form == "weights":
            self.W = W
        elif self.form == "points":  # h(., 0) ~ GP(0, K) on the points, the law of X W^T / sqrt(D)
            self.H = X @ W.T / self.sqrt_d
            self.K = X @ X.T / D
        else:
            raise ValueError(f"form must be 'auto', 'weights' or 'points', got {form!r}")

    def copy(self) -> "_Sites":
        other = object.__new__(_Sites)
        other.__dict__.update(self.__dict__)
        other.z = self.z.clone()
        if self.form == "weights":
            other.W = self.W.clone()
        else:
            other.H = self.H.clone()
        return other

    def fields(self, idx: torch.Tensor) -> torch.Tensor:
        """h on the points ``idx``: (len(idx), n)."""
        return self.X[idx] @ self.W.T / self.sqrt_d if self.form == "weights" else self.H[idx]

    def output(self, idx: torch.Tensor, gamma_out: float) -> torch.Tensor:
        return _phi(self.fields(idx), self.activation)[0] @ self.z / (gamma_out * self.n)

    def step(self, idx: torch.Tensor, h: torch.Tensor, delta: torch.Tensor, gamma: float, dt: float) -> None:
        act, slope = _phi(h, self.activation)
        g = delta[:, None] * slope * self.z[None, :]             # (P, n)
        dz = dt * gamma * (act.T @ delta)
        if self.form == "weights":
            self.W += dt * gamma * (g.T @ self.X[idx]) / self.sqrt_d
        else:
            self.H += dt * gamma * (self.K[:, idx] @ g)
        self.z += dz


def _phase(sites: _Sites, tr: torch.Tensor, y: torch.Tensor, test: torch.Tensor, y_test: torch.Tensor,
           f0: torch.Tensor, *, gamma: float, gamma_out: float, steps: int, t0: float, cfg, what: str):
    """Euler steps of one phase; rows (step, time, train and test loss) and the test predictions."""
    dt, every, blowup = float(cfg["dt"]), int(cfg["record_every"]), float(cfg.get("blowup", 1e6))
    rows, preds, t, first = [], [], t0, None
    for step in range(steps + 1):
        h = sites.fields(tr)
        delta = y - (_phi(h, sites.activation)[0] @ sites.z / (gamma_out * sites.n) - f0[tr])
        loss = float(delta @ delta) / len(tr)
        first = loss if first is None else first
        if not math.isfinite(loss) or loss > blowup * max(first, 1e-12):
            raise DMFTDiverged(
                f"{what} diverged at step {step} (t = {t:.4g}, training loss {loss:.3g}) with gamma = {gamma:g} "
                f"and dt = {dt:g}; lower the time step (config key 'dt')")
        if step % every == 0 or step == steps:
            ft = sites.output(test, gamma_out) - f0[test]
            rows.append({"step": step, "time": t, "train_loss": loss, "test_loss": float(((ft - y_test) ** 2).mean())})
            preds.append(ft.float().cpu().numpy())
        if step == steps:
            break
        sites.step(tr, h, delta, gamma, dt)
        t += dt
    return rows, preds, t


def run_two_phase(kind: str, task: Mapping[str, np.ndarray], cfg: Mapping[str, Any], *, n: int, seed: int,
                  gamma2s, P2s=None, device: str = "cpu", log=None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A network of width ``n`` (``kind`` "network") or the DMFT by Monte Carlo over ``n`` sites ("dmft"),
    from one initialisation (``seed``): phase 1 on the source once, then phase 2 from its end for every
    gamma2 of ``gamma2s`` and every target size P2 of ``P2s`` (the first P2 target points; default all),
    and the same phase 2 from the initialisation ("scratch": no pre-training, output multiplier gamma2).

    Rows: pretrain, gamma2, P2, phase, step, time, train_loss (mean squared error on the phase's training
    points), test_loss (on the target's test points). Arrays: the test pre-activations h (test points x n)
    at the end of every phase 2 at the largest P2 (``h/<pretrain>/<gamma2>``), and the test predictions at
    every record (``f/<pretrain>/<gamma2>/<P2>``; phase 1's under ``f/phase1``)."""
    if kind not in ("network", "dmft"):
        raise ValueError(f"kind must be 'network' or 'dmft', got {kind!r}")
    dtype = torch.float64 if cfg.get("dtype", "float64") == "float64" else torch.float32
    X, idx, ys = _points(task, device, dtype)
    P2s = list(P2s) if P2s else [len(idx["train2"])]
    if max(P2s) > len(idx["train2"]):
        raise ValueError(f"P2 = {max(P2s)} exceeds the {len(idx['train2'])} target training points of the task")
    gen = torch.Generator().manual_seed(int(seed))
    form = cfg.get("dmft", {}).get("form", "auto") if kind == "dmft" else "weights"
    init = _Sites(X, n, gen, cfg["activation"], form)
    everything = torch.arange(len(X), device=device)
    g1, dt = float(cfg["gamma1"]), float(cfg["dt"])
    steps1, steps2 = int(round(float(cfg["t1"]) / dt)), int(round(float(cfg["t2"]) / dt))
    what = "the DMFT" if kind == "dmft" else "the network"
    test, y_test = idx["test2"], ys["test2"]

    def centre(gamma_out):
        zero = torch.zeros(len(X), dtype=dtype, device=device)
        return init.output(everything, gamma_out) if cfg["centre"] else zero

    rows, arrays = [], {}
    f0 = centre(g1)
    source = init.copy()
    r, preds, t1 = _phase(source, idx["train1"], ys["train1"], test, y_test, f0, gamma=g1, gamma_out=g1,
                          steps=steps1, t0=0.0, cfg=cfg, what=f"{what} (phase 1, gamma1 = {g1:g})")
    rows += [{"pretrain": True, "gamma2": math.nan, "P2": math.nan, "phase": 1, **x} for x in r]
    arrays["f/phase1"] = np.stack(preds)
    if log is not None:
        log.info("%s n = %d seed %d: phase 1 train loss %.4g", kind, n, seed, r[-1]["train_loss"])
    for pretrain in (True, False):
        for gamma2 in gamma2s:
            gout = _schedule(cfg, gamma2, pretrain)[-1]["gamma_out"]
            f0_2 = f0 if pretrain else centre(gout)
            for P2 in P2s:
                sites = (source if pretrain else init).copy()
                tr = idx["train2"][:P2]
                r, preds, _ = _phase(sites, tr, ys["train2"][:P2], test, y_test, f0_2, gamma=float(gamma2),
                                     gamma_out=gout, steps=steps2, t0=t1 if pretrain else 0.0, cfg=cfg,
                                     what=f"{what} (phase 2, gamma2 = {gamma2:g}, P2 = {P2})")
                rows += [{"pretrain": pretrain, "gamma2": float(gamma2), "P2": P2, "phase": 2, **x} for x in r]
                arrays[f"f/{pretrain}/{gamma2:g}/{P2}"] = np.stack(preds)
                if P2 == max(P2s):
                    arrays[f"h/{pretrain}/{gamma2:g}"] = sites.fields(test).float().cpu().numpy()
                if log is not None:
                    log.info("  %s gamma2 %g P2 %d: test loss %.4g -> %.4g (best %.4g)",
                             "transfer" if pretrain else "scratch", gamma2, P2, r[0]["test_loss"],
                             r[-1]["test_loss"], min(x["test_loss"] for x in r))
    out = pd.DataFrame(rows)
    out.insert(0, "model", kind)
    out.insert(1, "n", n)
    out.insert(2, "seed", seed)
    return out, arrays


def linear_moments(task, cfg, *, gamma2: float, pretrain: bool = True) -> pd.DataFrame:
    """The exact infinite-width dynamics of a linear network (the closed equations of the module docstring),
    Euler steps of ``dt``, recorded as ``run_dmft`` (with the test predictions in a column ``f_test``). At
    t = 0: M = I, m = 0, q = 1 (f0 = 0, so centring changes nothing)."""
    X1, X2, Xt = (np.asarray(task[k], dtype=np.float64) for k in ("X1", "X2", "Xt"))
    y = {"train1": (X1, np.asarray(task["y1"], np.float64)), "train2": (X2, np.asarray(task["y2"], np.float64))}
    D = X1.shape[1]
    M, m, q = np.eye(D), np.zeros(D), 1.0
    dt, every = float(cfg["dt"]), int(cfg["record_every"])
    rows, t = [], 0.0
    for ph in _schedule(cfg, gamma2, pretrain):
        Xa, ya = y[ph["data"]]
        gamma, gout = ph["gamma"], ph["gamma_out"]
        for step in range(ph["steps"] + 1):
            delta = ya - Xa @ m / (math.sqrt(D) * gout)
            loss = float(delta @ delta) / len(ya)
            if not math.isfinite(loss):
                raise DMFTDiverged(f"moment equations diverged in phase {ph['phase']} at step {step} with gamma = "
                                   f"{gamma:g} and dt = {dt:g}; lower the time step (config key 'dt')")
            if step % every == 0 or step == ph["steps"]:
                ft = Xt @ m / (math.sqrt(D) * gout)
                rows.append({"phase": ph["phase"], "step": step, "time": t, "train_loss": loss,
                             "test_loss": float(np.mean((ft - task["yt"]) ** 2)), "f_test": ft})
            if step == ph["steps"]:
                break
            # one Euler step of every site, w += a z v and z += a w . v (a = dt gamma), averaged exactly: the
            # moments of the discrete dynamics the Monte Carlo integrates (the ODE's up to O(dt^2) per step)
            a_, v = dt * gamma, Xa.T @ delta / math.sqrt(D)
            Mv, mv = M @ v, float(m @ v)
            M, m, q = (M + a_ * (np.outer(m, v) + np.outer(v, m)) + a_ * a_ * q * np.outer(v, v),
                       m + a_ * (Mv + q * v) + a_ * a_ * mv * v,
                       q + 2 * a_ * mv + a_ * a_ * float(v @ Mv))
            t += dt
    return pd.DataFrame(rows)
