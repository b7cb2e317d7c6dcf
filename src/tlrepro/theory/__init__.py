"""Replica theory of the Gaussian covariate model (logistic regression, sign teacher)."""

from .gcm import (
    COLD_START_HATS,
    GCMConvergenceWarning,
    GCMGridSolution,
    GCMSolution,
    SolverNotConverged,
    Spectrum,
    default_n_quad,
    logistic_prox,
    separability_threshold,
    solve_gcm,
    solve_gcm_grid,
    spectrum,
)
from .reference import ReferenceSolution, solve_gcm_reference

__all__ = [
    "COLD_START_HATS",
    "GCMConvergenceWarning",
    "GCMGridSolution",
    "GCMSolution",
    "ReferenceSolution",
    "SolverNotConverged",
    "Spectrum",
    "default_n_quad",
    "logistic_prox",
    "separability_threshold",
    "solve_gcm",
    "solve_gcm_grid",
    "solve_gcm_reference",
    "spectrum",
]
