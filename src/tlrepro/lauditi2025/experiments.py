"""lauditi2025's experiments, one call per workflow job: tidy tables in, nothing written here.

``linear_finetune``: linear mean-field networks pre-trained on a linear source task, then a new readout
fitted on linear targets of set alignments (Figs. 1 and 2a). Every network is also compared with the theory
at the kernel constants measured on it: c = U^T Sigma U - I with Sigma = W^T W / N and U = [b, g].
(The closed-form curves of the same experiments are ``tlrepro.lauditi2025.curves``: no torch there.)
``cifar_finetune`` / ``cifar_theory``: ReLU networks on CIFAR-10 class pairs (Fig. 2b, 2c); the theory is
kernel regression on the target with the adaptive kernel after the source phase, averaged over networks of
the theory's width initialised apart from the simulated ones.

Seeds (``tlrepro.seeding.derive_seed``): the source task, the network's initialisation and the target
draws depend on the repetition only, so every gamma1, alignment and the linear probe of a repetition see
the same data and the same initial network (paired comparisons).

``rich_run``: the jointly rich regime (Figs. 3-5, ``tlrepro.lauditi2025.rich``) on a task's arrays
(``tasks.rich_task``): one network or one DMFT Monte Carlo per job through phase 1 and, from its end and from
its initialisation, phase 2 for every gamma2 and target size.
A job's initialisation comes from derive_seed(seed, model, n): transfer and scratch runs of one job share it.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import torch

from ..seeding import derive_seed, rng
from .curves import kernel_regression_loss
from .networks import MeanFieldNet, fit_readout, network_gamma
from .rich import run_two_phase
from .tasks import linear_source, target_direction
from .theory import finetune_loss, kernel_constants

__all__ = ["linear_finetune", "cifar_finetune", "cifar_theory", "rich_run"]


def _tensor(a: np.ndarray, device: str) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(a), dtype=torch.float64, device=device)


def _linear_loss(net: MeanFieldNet, X2: torch.Tensor, t: np.ndarray, method: str) -> float:
    """Test loss ||beta_hat - t||^2 (exact for isotropic inputs) of the readout fitted on (X2, X2 t)."""
    y = X2 @ _tensor(t, X2.device)
    a = fit_readout(net.preactivations(X2), y, method)
    beta = (net.W.T @ a / np.sqrt(net.D)).cpu().numpy()
    return float(np.sum((beta - t) ** 2))


def _measured_constants(net: MeanFieldNet, b: np.ndarray, g: np.ndarray) -> tuple[float, float, float]:
    U = _tensor(np.stack([b, g], 1), net.W.device)
    C = (U.T @ net.input_kernel() @ U).cpu().numpy() - np.eye(2)
    return float(C[0, 1]), float(C[0, 0]), float(C[1, 1])


def linear_finetune(cfg: Mapping[str, Any], width: int, repetitions: Sequence[int], *,
                    device: str = "cpu", log=None) -> pd.DataFrame:
    """Rows: repetition, nu1, gamma1 (0 = the linear probe on the untrained network), alignments, nu2,
    the test loss, the measured kernel constants and the theory at them and at the config's kernel model."""
    D, src, tgt = int(cfg["D"]), cfg["source"], cfg["target"]
    rows = []
    for rep in repetitions:
        for nu1 in src["nu1"]:
            task = linear_source(D, nu1, rng(rep, "source", f"{nu1:.12g}"))
            X1, y1 = _tensor(task.X, device), _tensor(task.y, device)
            r_rng = derive_seed(rep, "target", f"{nu1:.12g}")
            draws = {nu2: _tensor(rng(rep, "target-inputs", f"{nu2:.12g}").standard_normal(
                (max(1, int(round(nu2 * D))), D)), device) for nu2 in tgt["nu2"]}
            init = derive_seed(rep, "init", width)
            for gamma1 in [0.0, *src["gamma1"]]:
                net = MeanFieldNet.init(D, width, "linear", init, device)
                train_loss = 0.0
                if gamma1 > 0:
                    gamma = network_gamma(gamma1, D, cfg["gamma_units"])
                    train_loss = net.train(X1, y1, gamma=gamma, eta=src["eta"], time=src["t1"])
                c1, c2, c3 = _measured_constants(net, task.b, task.g)
                model_c = (kernel_constants(nu1, gamma1, cfg["kernel_model"], cfg["chi_reading"])
                           if gamma1 > 0 else (0.0, 0.0, 0.0))
                for alpha_s in tgt["alpha_s"]:
                    for alpha_g in tgt["alpha_g"]:
                        t = target_direction(task.b, task.g, alpha_s, alpha_g, np.random.default_rng(r_rng))
                        for nu2 in tgt["nu2"]:
                            rows.append({
                                "repetition": rep, "width": width, "nu1": nu1, "gamma1": gamma1,
                                "model": "finetuned" if gamma1 > 0 else "probe", "alpha_s": alpha_s,
                                "alpha_g": alpha_g, "nu2": nu2,
                                "loss": _linear_loss(net, draws[nu2], t, cfg["readout"]),
                                "c1": c1, "c2": c2, "c3": c3, "chi_hat": c2,
                                "theory_measured": float(finetune_loss(nu2, alpha_s, alpha_g, c1, c2, c3)),
                                "theory_model": float(finetune_loss(nu2, alpha_s, alpha_g, *model_c)),
                                "source_train_loss": train_loss})
                if log is not None:
                    log.info("rep %d nu1 %g gamma1 %g width %d: c = (%.4f, %.4f, %.4f), model %s, source "
                             "loss %.2e", rep, nu1, gamma1, width, c1, c2, c3,
                             np.round(model_c, 4).tolist(), train_loss)
    return pd.DataFrame(rows)


def cifar_finetune(task: Mapping[str, np.ndarray], cfg: Mapping[str, Any], gamma1: float, width: int,
                   repetitions: Sequence[int], *, device: str = "cpu", log=None) -> pd.DataFrame:
    """ReLU networks of one width pre-trained on the source pair with gamma1 (gamma1 = 0: the untrained
    network, the no-pre-training baseline), a new readout fitted on the first P2 target images for every
    P2 of the config; rows: repetition, width, gamma1, P2, test loss, source training loss."""
    src = cfg["source"]
    D = task["x_source"].shape[1]
    Xs = _tensor(task["x_source"][: src["P1"]], device)
    ys = _tensor(task["y_source"][: src["P1"]], device)
    Xt, yt = _tensor(task["x_target"], device), _tensor(task["y_target"], device)
    Xe, ye = _tensor(task["x_test"], device), _tensor(task["y_test"], device)
    rows = []
    for rep in repetitions:
        net = MeanFieldNet.init(D, width, "relu", derive_seed(rep, "init", width), device)
        train_loss = 0.0
        if gamma1 > 0:
            train_loss = net.train(Xs, ys, gamma=network_gamma(gamma1, D, cfg["gamma_units"]),
                                   eta=src["eta"], time=src["t1"])
        Ft, Fe = net.features(Xt), net.features(Xe)
        for P2 in cfg["target"]["P2"]:
            a = fit_readout(Ft[:P2], yt[:P2], cfg["readout"])
            loss = float(torch.mean((Fe @ a - ye) ** 2))
            rows.append({"repetition": rep, "width": width, "gamma1": gamma1, "P2": P2, "loss": loss,
                         "source_train_loss": train_loss / len(ys)})
        if log is not None:
            log.info("rep %d width %d gamma1 %g: source loss per sample %.4f, target loss at P2 = %s: %s",
                     rep, width, gamma1, train_loss / len(ys), cfg["target"]["P2"],
                     [round(r["loss"], 4) for r in rows[-len(cfg["target"]["P2"]):]])
    return pd.DataFrame(rows)


def cifar_theory(task: Mapping[str, np.ndarray], cfg: Mapping[str, Any], gamma1: float, *,
                 device: str = "cpu", log=None) -> pd.DataFrame:
    """The adaptive-kernel theory: the feature kernel over target and test images, averaged over
    ``theory.inits`` networks of width ``theory.width`` pre-trained like the simulated ones (their own
    initialisations), then ridgeless kernel regression on the first P2 target images."""
    th, src = cfg["theory"], cfg["source"]
    D = task["x_source"].shape[1]
    Xs = _tensor(task["x_source"][: src["P1"]], device)
    ys = _tensor(task["y_source"][: src["P1"]], device)
    X = _tensor(np.concatenate([task["x_target"], task["x_test"]]), device)
    n_t = len(task["x_target"])
    K = torch.zeros(len(X), len(X), dtype=torch.float64, device=device)
    for i in range(th["inits"]):
        net = MeanFieldNet.init(D, th["width"], "relu", derive_seed(i, "theory-init", th["width"]), device)
        if gamma1 > 0:
            net.train(Xs, ys, gamma=network_gamma(gamma1, D, cfg["gamma_units"]), eta=src["eta"],
                      time=src["t1"])
        K += net.kernel(X) / th["inits"]
    K = K.cpu().numpy()
    yt, ye = task["y_target"], task["y_test"]
    rows = [{"gamma1": gamma1, "P2": P2, "width": th["width"], "inits": th["inits"],
             "loss": kernel_regression_loss(K[:P2, :P2], K[n_t:, :P2], yt[:P2], ye)}
            for P2 in cfg["target"]["P2"]]
    if log is not None:
        log.info("theory gamma1 %g: %s", gamma1, [round(r["loss"], 4) for r in rows])
    return pd.DataFrame(rows)


def rich_run(task: Mapping[str, np.ndarray], cfg: Mapping[str, Any], model: str, n: int, seed: int, *,
             device: str = "cpu", log=None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """One network of width ``n`` (``model`` "net") or one DMFT Monte Carlo over ``n`` sites ("dmft") of a
    jointly rich experiment: both phases, every gamma2 of the config and every target size (``P2s``)."""
    kind = {"net": "network", "dmft": "dmft"}[model]
    out, arrays = run_two_phase(kind, task, cfg, n=n, seed=derive_seed(seed, model, n), gamma2s=cfg["gamma2"],
                                P2s=cfg.get("P2s"), device=device, log=log)
    out["model"], out["seed"] = model, seed  # the file names' model ("net" or "dmft") and seed
    return out, arrays
