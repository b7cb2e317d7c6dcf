"""lauditi2025's theory tables (numpy only): the closed-form curves of a linear experiment on a dense nu2
grid, and ridgeless kernel regression for a measured kernel."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from .theory import finetune_loss, kernel_constants, linear_probe_loss, result2, result4, spike

__all__ = ["linear_theory", "kernel_regression_loss"]


def linear_theory(cfg: Mapping[str, Any]) -> pd.DataFrame:
    """Closed-form curves on a dense nu2 grid for every (nu1, gamma1, alignment) of the experiment: the
    general formula under each kernel model and chi reading that is defined there, Results 2 and 4, and
    the linear probe. Columns: curve, kernel_model, chi_reading, nu1, gamma1, alpha_s, alpha_g, nu2, loss."""
    g = cfg["theory"]
    nu2 = np.linspace(g["nu2_min"], g["nu2_max"], g["n"])
    rows = []

    def add(curve, loss, **keys):
        rows.extend({"curve": curve, **keys, "nu2": float(n), "loss": float(v)} for n, v in zip(nu2, loss))

    src, tgt = cfg["source"], cfg["target"]
    for nu1 in src["nu1"]:
        for alpha_s in tgt["alpha_s"]:
            for alpha_g in tgt["alpha_g"]:
                keys = dict(nu1=nu1, alpha_s=alpha_s, alpha_g=alpha_g)
                add("linear_probe", linear_probe_loss(nu2), kernel_model="", chi_reading="", gamma1=0.0,
                    **keys)
                for reading in ("ridgeless", "spike_only"):
                    add(f"result4_{reading}", result4(nu2, nu1, alpha_s, alpha_g, reading), kernel_model="",
                        chi_reading="", gamma1=np.inf, **keys)
                for gamma1 in src["gamma1"]:
                    for model in ("gradient_flow", "caption"):
                        for reading in ("plus", "printed"):
                            try:
                                c = kernel_constants(nu1, gamma1, model, reading)
                                loss = finetune_loss(nu2, alpha_s, alpha_g, *c)
                            except ValueError:  # not defined there (printed chi for gamma1 > 1, ...)
                                continue
                            add("finetune", loss, kernel_model=model, chi_reading=reading, gamma1=gamma1,
                                **keys)
                    if nu1 >= 1 and alpha_g == 0:
                        for reading in ("plus", "printed"):
                            if reading == "printed" and gamma1 > 1:
                                continue
                            add("result2", result2(nu2, alpha_s, float(spike(gamma1, reading))),
                                kernel_model="", chi_reading=reading, gamma1=gamma1, **keys)
    return pd.DataFrame(rows)


def kernel_regression_loss(K_train: np.ndarray, K_test: np.ndarray, y_train: np.ndarray,
                           y_test: np.ndarray) -> float:
    """Ridgeless kernel regression: predictions K_test K_train^+ y_train; mean squared test error."""
    coef = np.linalg.lstsq(K_train, y_train, rcond=None)[0]
    return float(np.mean((K_test @ coef - y_test) ** 2))
