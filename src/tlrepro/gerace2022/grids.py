"""Grid experiments: one CHMM learning-curve experiment repeated over the rows of a parameter grid.

A phase diagram of gerace2022 (Figs. 3, 5, A.1-A.3) varies one parameter (q, eta, rho, L_t, H or the
source size M1) along its rows and M/H along its columns. In the config it is one section with a
``grid`` block; every row is a complete learning-curve experiment named ``<section>_r<i>`` whose config
is the section's with the row's value written at ``grid.param`` (and, for Fig. 5, the complement
``grid.complement.param = total - value``). The workflow's rules run on row experiments exactly as on
any other CHMM experiment, so each row is its own set of jobs (parallel under ``--cores`` or a cluster).

Rows that change only the target task (q, eta, rho) share the source network of row 0: the source HMM
(F_s, theta_s), its training set and the network's initialisation depend on the instance seed only
(see ``tlrepro.gerace2022.chmm``), so every row would train the very same network.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterable, Mapping

import numpy as np

__all__ = ["TARGET_ONLY", "is_grid", "resolve_experiment", "row_config", "row_name", "row_values",
           "rows", "source_experiment", "parse_row", "alpha_grid"]

#: Grid parameters that change only the target task (eqs. 2-3): the source network is shared.
TARGET_ONLY = frozenset({"chmm.q", "chmm.eta", "chmm.rho"})

_ROW = re.compile(r"^(?P<grid>[A-Za-z0-9_]+?)_r(?P<row>[0-9]+)$")


def is_grid(cfg: Mapping[str, Any]) -> bool:
    return "grid" in cfg


def row_name(grid: str, i: int) -> str:
    return f"{grid}_r{i}"


def rows(grid: str, cfg: Mapping[str, Any]) -> list[str]:
    """Names of the row experiments of grid section ``grid``, in the order of ``grid.values``."""
    return [row_name(grid, i) for i in range(len(cfg["grid"]["values"]))]


def row_values(cfg: Mapping[str, Any]) -> list[float]:
    return list(cfg["grid"]["values"])


def parse_row(exp: str) -> tuple[str, int] | None:
    """(grid section, row index) of a row experiment name, or None."""
    m = _ROW.match(exp)
    return (m["grid"], int(m["row"])) if m else None


def _set(d: dict, dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        d = d[key]
    if leaf not in d:
        raise KeyError(dotted)
    d[leaf] = value


def row_config(cfg: Mapping[str, Any], i: int) -> dict[str, Any]:
    """The complete learning-curve config of row ``i`` of a grid section (without its ``grid``)."""
    g = cfg["grid"]
    if not 0 <= i < len(g["values"]):
        raise IndexError(f"grid has {len(g['values'])} rows, no row {i}")
    out = copy.deepcopy({k: v for k, v in cfg.items() if k != "grid"})
    value = g["values"][i]
    _set(out, g["param"], value)
    if g.get("complement"):
        _set(out, g["complement"]["param"], g["complement"]["total"] - value)
    return out


def resolve_experiment(sections: Mapping[str, Any], exp: str) -> dict[str, Any]:
    """The config of experiment ``exp``: a config section, or a row ``<grid>_r<i>`` of a grid section.

    Raises KeyError naming the experiment when it is neither."""
    if exp in sections:
        return sections[exp]
    parsed = parse_row(exp)
    if parsed and parsed[0] in sections and is_grid(sections[parsed[0]]):
        grid, i = parsed
        try:
            return row_config(sections[grid], i)
        except IndexError as err:
            raise KeyError(f"experiment {exp}: {err} (gerace2022.{grid}.grid.values)") from None
    raise KeyError(f"experiment {exp} is neither a gerace2022 config section nor a row of a grid "
                   "section")


def source_experiment(sections: Mapping[str, Any], exp: str) -> str:
    """The experiment whose source network (and random features) ``exp`` uses: row 0 of its grid when
    the grid varies a target-only parameter, else ``exp`` itself."""
    parsed = parse_row(exp)
    if parsed and parsed[0] in sections and is_grid(sections[parsed[0]]):
        grid, _ = parsed
        if sections[grid]["grid"]["param"] in TARGET_ONLY:
            return row_name(grid, 0)
    return exp


def alpha_grid(alpha_min: float, alpha_max: float, n: int, extra: Iterable[float] = ()) -> np.ndarray:
    """Log-spaced theory grid joined with the simulated alphas (theory is compared at exactly those)."""
    grid = np.geomspace(alpha_min, alpha_max, n)
    return np.unique(np.round(np.concatenate([grid, np.asarray(list(extra), float)]), 12))
