"""Explanations of failing claims: the measured cause of each failing verdict, kept next to the verdict.

A figure's findings file (``workflow/report/findings/<paper>/<fig>.yaml``, one per figure so that
editing one reruns only that figure) maps claim id -> an explanation::

    theory_matches_simulation_TF:
      cause: "The CHMM simulation does better than the theory by ... (z = ...)"
      docs: docs/gerace2022.md#what-does-not-reproduce-and-why
      premises:                      # what the data must show for the cause to apply
        - {verdict: features_gaussian_equivalent_TF, passed: false}
        - {verdict: theory_matches_simulation_TF, number: max_abs_z, above: 3.0}

A premise names a verdict of the same figure and either its outcome (``passed``) or one of its numbers
(``number``, a dotted path into ``numbers``) with a bound (``above`` / ``below``) or a value
(``equals``). ``annotate`` adds to
each failing verdict that has an entry ``explanation = {cause, docs, premises (each with its measured
value and whether it holds), holds}``; the verdict itself never changes. An explanation whose premises
no longer hold, or one registered for a claim that now passes, is flagged (``holds`` false, or listed
under ``stale_explanations``), so that an explanation cannot silently outlive the data it was written
for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

__all__ = ["annotate", "load_findings", "FindingsError", "status"]


class FindingsError(ValueError):
    """A findings registry that cannot be read or names what is not there."""


def load_findings(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """claim id -> explanation, from a figure's findings file; {} when the file does not exist."""
    import yaml

    p = Path(path)
    if not p.exists():
        return {}
    try:
        doc = yaml.safe_load(p.read_text()) or {}
    except yaml.YAMLError as err:
        raise FindingsError(f"{p}: not valid YAML ({err}); fix the file or remove it") from None
    for cid, e in doc.items():
        missing = {"cause", "docs"} - set(e or {})
        if missing:
            raise FindingsError(f"{p}: {cid} lacks {sorted(missing)}: every explanation states its measured "
                                "cause and the docs section that explains it")
    return doc


def _number(verdict: Mapping[str, Any], path: str) -> Any:
    value: Any = verdict.get("numbers", {})
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _premise(p: Mapping[str, Any], by_id: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    v = by_id.get(p["verdict"])
    out = dict(p)
    if v is None:
        return out | {"measured": None, "holds": False, "why": "no such verdict in this figure"}
    if "number" in p:
        x = _number(v, p["number"])
        if "equals" in p:
            return out | {"measured": x, "holds": bool(x == p["equals"])}
        ok = isinstance(x, (int, float)) and not isinstance(x, bool)
        holds = ok and ("above" not in p or x > p["above"]) and ("below" not in p or x < p["below"])
        return out | {"measured": x, "holds": bool(holds)}
    return out | {"measured": bool(v.get("passed")), "holds": bool(v.get("passed")) == bool(p["passed"])}


def annotate(claims: dict[str, Any], entries: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """The claims document with an ``explanation`` on every failing verdict its figure's findings
    ``entries`` explain, and ``stale_explanations`` naming the entries that no longer apply (the claim
    passes now, or the figure has no such claim). Returns the same (modified) document."""
    entries = entries or {}
    verdicts = claims.get("claims", [])
    by_id = {v["id"]: v for v in verdicts}
    stale = []
    for cid, e in entries.items():
        v = by_id.get(cid)
        if v is None:
            stale.append({"id": cid, "why": "the figure has no such claim"})
            continue
        if v.get("passed"):
            stale.append({"id": cid, "why": "the claim passes: its explanation no longer applies"})
            continue
        premises = [_premise(p, by_id) for p in e.get("premises", [])]
        v["explanation"] = {"cause": e["cause"], "docs": e["docs"], "premises": premises,
                            "holds": all(p["holds"] for p in premises)}
    claims["stale_explanations"] = stale
    return claims


def status(verdict: Mapping[str, Any]) -> str:
    """How a verdict reads with its explanation: 'passes', 'fails, cause measured' (an explanation whose
    premises hold), or 'fails, unexplained' (none, or one the data no longer support)."""
    if verdict.get("passed"):
        return "passes"
    e = verdict.get("explanation")
    return "fails, cause measured" if e and e.get("holds") else "fails, unexplained"
