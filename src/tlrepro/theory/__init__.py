"""Replica theory of the Gaussian covariate model (logistic regression, sign teacher)."""

from .gcm import (
    GCMConvergenceWarning,
    GCMSolution,
    SolverNotConverged,
    Spectrum,
    default_n_quad,
    logistic_prox,
    separability_threshold,
    solve_gcm,
    spectrum,
)

__all__ = [
    "GCMConvergenceWarning",
    "GCMSolution",
    "SolverNotConverged",
    "Spectrum",
    "default_n_quad",
    "logistic_prox",
    "separability_threshold",
    "solve_gcm",
    "spectrum",
]
