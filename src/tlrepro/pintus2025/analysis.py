"""Result tables in, summaries and claim verdicts out (no PyTorch needed: used by the figure notebook).

Loss and balanced accuracy of the table are those of the held-out evaluation set (eval mode): the
slides' 2.3025 = ln 10 for the new model can only be a held-out loss, since a ResNet-50 fits 50
training images (its training loss goes to ~0 within a few steps, see the training figure).

Tolerances (settings ``n_sigma`` and ``alpha``):

- pretrained vs new: a gap must exceed ``n_sigma`` standard errors of the difference; the loss SE is
  the standard error of the mean cross-entropy over the evaluation images (``eval_loss_sem``), the
  balanced-accuracy SE the binomial sqrt(p (1 - p) / n_eval) (an upper bound of the SE of a balanced
  accuracy on a balanced set).
- new model at chance: the best value is the extreme of K evaluations, so the one-sided level ``alpha``
  is split over them (Bonferroni): z = Phi^-1(1 - alpha / K). Balanced accuracy: |best - 1/10| <=
  z sqrt(0.1 * 0.9 / n_eval); loss: |best - ln 10| <= z * eval_loss_sem + 5e-5 (the slides' rounding
  to 4 decimals).
- smoothness: the mean absolute discrete Laplacian of the loss over the slice's interior grid points
  (finite differences, spacing h: (f(a+h,b) + f(a-h,b) + f(a,b+h) + f(a,b-h) - 4 f(a,b)) / h^2), the
  pretrained one smaller; the loss range over the slice is reported beside it.
- layer-wise changes: at the last step, the head (``fc``) has the largest weight-norm change and the
  largest angle change among the convolutional and fully connected layers of the pretrained model.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..claims import Verdict
from .config import CHANCE_LOSS, PAPER_TABLE, SOURCE

N_CLASSES = 10
ROUNDING = 5e-5  # the slides print 4 decimals
LAYER_KINDS = ("Conv2d", "Linear")


def network_rows(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["scope"] == "network"]


def best_table(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per model: best (lowest) evaluation loss and best (highest) balanced accuracy, the steps and
    standard errors at which they occur, the best training loss and the evaluation-set size."""
    rows = []
    for model, g in network_rows(metrics).groupby("model", sort=True):
        ev = g.dropna(subset=["eval_loss"])
        i_loss, i_acc = ev["eval_loss"].idxmin(), ev["balanced_accuracy"].idxmax()
        n_eval = int(ev["n_eval"].iloc[0])
        acc = float(ev.at[i_acc, "balanced_accuracy"])
        rows.append({"model": model, "best_loss": float(ev.at[i_loss, "eval_loss"]),
                     "best_loss_sem": float(ev.at[i_loss, "eval_loss_sem"]),
                     "best_loss_step": int(ev.at[i_loss, "step"]),
                     "best_balanced_accuracy": acc,
                     "best_balanced_accuracy_se": math.sqrt(acc * (1 - acc) / n_eval),
                     "best_balanced_accuracy_step": int(ev.at[i_acc, "step"]),
                     "best_train_loss": float(g["train_loss"].min()),
                     "n_eval": n_eval, "n_evaluations": int(len(ev)), "steps": int(g["step"].max())})
    return pd.DataFrame(rows).set_index("model")


def roughness(grid: pd.DataFrame) -> dict[str, float]:
    """Mean absolute discrete Laplacian of one model's landscape slice, and its loss range."""
    surface = grid.pivot(index="beta", columns="alpha", values="loss").sort_index().sort_index(axis=1)
    f, h = surface.to_numpy(), float(np.diff(surface.columns.to_numpy())[0])
    lap = (f[2:, 1:-1] + f[:-2, 1:-1] + f[1:-1, 2:] + f[1:-1, :-2] - 4 * f[1:-1, 1:-1]) / h ** 2
    centre = grid.loc[(grid["alpha"] == 0) & (grid["beta"] == 0), "loss"]
    return {"mean_abs_laplacian": float(np.abs(lap).mean()) if lap.size else math.nan,
            "loss_range": float(f.max() - f.min()), "loss_min": float(f.min()),
            "loss_max": float(f.max()), "loss_centre": float(centre.iloc[0]) if len(centre) else math.nan,
            "spacing": h, "points": int(f.shape[0])}


def landscape_summary(landscapes: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({m: roughness(g) for m, g in landscapes.groupby("model", sort=True)}).T


def chance_z(n_evaluations: int, alpha: float) -> float:
    """One-sided z at level ``alpha`` split over ``n_evaluations`` (Bonferroni)."""
    return float(norm.isf(alpha / max(n_evaluations, 1)))


def table_claims(best: pd.DataFrame, settings: Mapping[str, Any]) -> list[Verdict]:
    """The "Best Loss" table: pretrained better than new; new at chance (module docstring)."""
    k, alpha = float(settings["n_sigma"]), float(settings["alpha"])
    new, pre = best.loc["new"], best.loc["pretrained"]
    paper = {"paper_new": PAPER_TABLE["new"], "paper_pretrained": PAPER_TABLE["pretrained"]}
    verdicts = []
    for col, se_col, sign, what in (("best_loss", "best_loss_sem", 1, "lower best loss"),
                                    ("best_balanced_accuracy", "best_balanced_accuracy_se", -1,
                                     "higher best balanced accuracy")):
        gap, se = sign * (new[col] - pre[col]), math.hypot(new[se_col], pre[se_col])
        verdicts.append(Verdict(
            f"pretrained_{col}", f"The pretrained model reaches a {what} than the new model "
            f"(table: new {PAPER_TABLE['new'][col]}, pretrained {PAPER_TABLE['pretrained'][col]}).",
            bool(gap > k * se), {"new": new[col], "pretrained": pre[col], "gap": gap, "se": se,
                                 "z": gap / se if se > 0 else None, "n_sigma": k, **paper}, SOURCE))
    z = chance_z(int(new["n_evaluations"]), alpha)
    tol_acc = z * math.sqrt((1 / N_CLASSES) * (1 - 1 / N_CLASSES) / new["n_eval"])
    tol_loss = z * new["best_loss_sem"] + ROUNDING
    common = {"z": z, "alpha": alpha, "n_evaluations": int(new["n_evaluations"]),
              "n_eval": int(new["n_eval"])}
    verdicts += [
        Verdict("new_best_loss_at_chance",
                "The new model never leaves chance: its best loss is ln 10 = 2.3026 (table: 2.3025).",
                bool(abs(new["best_loss"] - CHANCE_LOSS) <= tol_loss),
                {"best_loss": new["best_loss"], "chance": CHANCE_LOSS,
                 "deviation": new["best_loss"] - CHANCE_LOSS, "tolerance": tol_loss, **common},
                SOURCE),
        Verdict("new_best_balanced_accuracy_at_chance",
                "The new model never leaves chance: its best balanced accuracy is about 10 % "
                "(table: 11.05 %).",
                bool(abs(new["best_balanced_accuracy"] - 1 / N_CLASSES) <= tol_acc),
                {"best_balanced_accuracy": new["best_balanced_accuracy"], "chance": 1 / N_CLASSES,
                 "deviation": new["best_balanced_accuracy"] - 1 / N_CLASSES, "tolerance": tol_acc,
                 **common}, SOURCE),
    ]
    return verdicts


def landscape_claims(landscapes: pd.DataFrame) -> list[Verdict]:
    """"The Pre-Trained model has a clearly smoother loss": smaller mean |Laplacian| on the slice."""
    s = landscape_summary(landscapes)
    new, pre = s.loc["new"], s.loc["pretrained"]
    return [Verdict("pretrained_smoother_landscape",
                    "The Pre-Trained model has a clearly smoother loss (loss-landscape slice).",
                    bool(pre["mean_abs_laplacian"] < new["mean_abs_laplacian"]),
                    {"mean_abs_laplacian_new": new["mean_abs_laplacian"],
                     "mean_abs_laplacian_pretrained": pre["mean_abs_laplacian"],
                     "ratio_new_over_pretrained": new["mean_abs_laplacian"] / pre["mean_abs_laplacian"],
                     "loss_range_new": new["loss_range"], "loss_range_pretrained": pre["loss_range"],
                     "center": str(landscapes["center"].iloc[0]) if "center" in landscapes else None,
                     "points": int(new["points"]), "spacing": new["spacing"]}, SOURCE)]


def final_layer_changes(metrics: pd.DataFrame, model: str) -> pd.DataFrame:
    """Conv and fully connected layers of ``model`` at its last step, largest angle change first."""
    m = metrics[(metrics["model"] == model) & metrics["kind"].isin(LAYER_KINDS)]
    last = m[m["step"] == m["step"].max()]
    return last.sort_values("angle_change", ascending=False)[
        ["scope", "kind", "depth", "weight_norm_change", "angle_change", "distance"]]


def training_claims(metrics: pd.DataFrame, head: str = "fc") -> list[Verdict]:
    """"The fully connected layer constitutes the task decoder": for the pretrained model, the head
    changes most, in magnitude and in direction (the new model's ranking is reported for contrast)."""
    numbers: dict[str, Any] = {}
    passed = True
    for model in ("pretrained", "new"):
        layers = final_layer_changes(metrics, model).set_index("scope")
        for col in ("weight_norm_change", "angle_change"):
            top = layers[col].sort_values(ascending=False)
            others = top.drop(head)
            numbers[f"{model}_{col}"] = {"head": float(top[head]), "rank_of_head": int(
                list(top.index).index(head) + 1), "largest_other": str(others.index[0]),
                "largest_other_value": float(others.iloc[0]), "n_layers": int(len(top))}
            if model == "pretrained":
                passed &= bool(top.index[0] == head)
    return [Verdict("pretrained_head_changes_most",
                    "The convolutional layers constitute the semantic encoder, the fully connected "
                    "layer the task decoder: fine-tuning the pretrained model changes the fc layer "
                    "most (layer-wise magnitude and angle change).", passed, numbers, SOURCE)]
