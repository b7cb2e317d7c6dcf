"""Replication scorecard and per-figure cards, generated from the claims verdicts and provenance
records the figure rules write (``figures/<paper>/<fig>.{claims,prov}.json``).

The scorecard lists every figure of the registry (``workflow/report/figures.yaml``), built or not:
at which scale it was built, from which commit, and how many of its claims passed.

Counting rules: each verdict is counted once. A verdict that several figures show (the same id, verdict
and numbers, e.g. the spot checks of a grid drawn in three panels) counts under the first figure of
the registry and is listed as shared in the others. The papers' claims and this workflow's checks
(``claims.is_workflow_check``) are counted apart, and where the plain normal reading of "within n
standard errors" (``passed_normal``) gives another verdict than the Student-t bound, both are shown."""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .claims import is_workflow_check
from .findings import status as _finding_status

__all__ = ["load_registry", "ScoreRow", "scorecard_rows", "scorecard_markdown", "scorecard_html",
           "figure_card_html"]


def load_registry(path: str | os.PathLike) -> dict[str, dict[str, dict[str, Any]]]:
    """paper -> figure -> {caption, implemented}."""
    import yaml

    with open(path) as fh:
        return yaml.safe_load(fh)


@dataclass
class ScoreRow:
    paper: str
    figure: str
    caption: str
    implemented: bool
    built: bool = False
    scale: str | None = None
    commit: str | None = None
    finished: str | None = None
    n_claims: int = 0  # the paper's claims
    n_passed: int = 0
    failed: list[str] = field(default_factory=list)
    n_checks: int = 0  # this workflow's own checks (claims.is_workflow_check)
    n_checks_passed: int = 0
    failed_checks: list[str] = field(default_factory=list)
    not_evaluated: list[str] = field(default_factory=list)  # claims whose data are missing
    shared: dict[str, str] = field(default_factory=dict)  # verdict id -> the figure it is counted under
    #: verdicts (claims and checks) whose plain normal reading differs: id -> passed under that reading
    normal_differs: dict[str, bool] = field(default_factory=dict)
    n_passed_normal: int = 0  # the paper's claims passed under the plain normal reading
    #: failing claims of the paper by explanation (``tlrepro.findings``): id -> the verdict record
    explained: dict[str, dict] = field(default_factory=dict)  # "fails, cause measured"
    unexplained: dict[str, dict] = field(default_factory=dict)  # "fails, unexplained" (none, or stale)
    stale: list[dict] = field(default_factory=list)  # registered explanations that no longer apply
    beyond_the_paper: bool = False  # an extension figure (registry: beyond_the_paper: true)

    @property
    def status(self) -> str:
        if not self.built:
            return "not built" if self.implemented else "not implemented yet"
        if self.beyond_the_paper:  # its verdicts are this workflow's findings
            return "findings hold" if self.n_checks_passed == self.n_checks else "findings failing"
        return "all claims pass" if self.n_passed == self.n_claims else "claims failing"


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def _split(claims: Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """(the paper's claims, this workflow's checks) of a claims file, both without the claims that could
    not be evaluated (``_not_evaluated``)."""
    verdicts = [c for c in claims.get("claims", []) if c.get("evaluated", True)]
    return ([c for c in verdicts if not is_workflow_check(c.get("source"))],
            [c for c in verdicts if is_workflow_check(c.get("source"))])


def _not_evaluated(claims: Mapping[str, Any]) -> list[str]:
    return [c["id"] for c in claims.get("claims", []) if not c.get("evaluated", True)]


def _identity(paper: str, verdict: Mapping[str, Any]) -> str:
    """What makes two verdicts the same verdict: paper, id, outcome and numbers."""
    key = {k: verdict.get(k) for k in ("id", "passed", "passed_normal", "numbers")}
    return paper + ":" + hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def _normal(verdict: Mapping[str, Any]) -> bool:
    """The verdict under the plain normal reading (the verdict itself where it has no such reading)."""
    value = verdict.get("passed_normal")
    return bool(verdict.get("passed")) if value is None else bool(value)


def scorecard_rows(registry: Mapping[str, Mapping[str, Mapping[str, Any]]],
                   figures_dir: str | os.PathLike = "figures") -> list[ScoreRow]:
    """One row per registry figure, filled from its claims and provenance files when they exist."""
    rows, counted_in = [], {}
    for paper, figs in registry.items():
        for fig, meta in figs.items():
            row = ScoreRow(paper, fig, meta.get("caption", ""), bool(meta.get("implemented")),
                           beyond_the_paper=bool(meta.get("beyond_the_paper")))
            claims = _read_json(Path(figures_dir) / paper / f"{fig}.claims.json")
            prov = _read_json(Path(figures_dir) / paper / f"{fig}.prov.json")
            if claims is not None and prov is not None:
                git = prov.get("git") or {}
                row.built = True
                row.scale = prov.get("scale")
                row.commit = (str(git.get("commit"))[:12] + ("+dirty" if git.get("dirty") else "")
                              if git.get("commit") else "no git")
                row.finished = prov.get("finished")
                of_paper, checks = _split(claims)
                for c in of_paper + checks:  # count each verdict once: under the first figure showing it
                    first = counted_in.setdefault(_identity(paper, c), fig)
                    if first != fig:
                        row.shared[c["id"]] = first
                of_paper = [c for c in of_paper if c["id"] not in row.shared]
                checks = [c for c in checks if c["id"] not in row.shared]
                row.normal_differs = {c["id"]: _normal(c) for c in of_paper + checks
                                      if _normal(c) != bool(c.get("passed"))}
                row.n_passed_normal = sum(_normal(c) for c in of_paper)
                row.n_claims, row.n_passed = len(of_paper), sum(bool(c.get("passed")) for c in of_paper)
                row.failed = [c["id"] for c in of_paper if not c.get("passed")]
                for c in of_paper:
                    if not c.get("passed"):
                        kind = _finding_status(c)
                        (row.explained if kind == "fails, cause measured" else row.unexplained)[c["id"]] = c
                row.stale = list(claims.get("stale_explanations") or [])
                row.n_checks, row.n_checks_passed = len(checks), sum(bool(c.get("passed")) for c in checks)
                row.failed_checks = [c["id"] for c in checks if not c.get("passed")]
                row.not_evaluated = _not_evaluated(claims)
            rows.append(row)
    return rows


def _totals(rows: list[ScoreRow]) -> str:
    built = [r for r in rows if r.built]
    n_claims = sum(r.n_claims for r in built)
    return (f"{len(built)} of {len(rows)} figures built; the papers' claims passed: "
            f"{sum(r.n_passed for r in built)} of {n_claims} (under the plain normal reading of 'within "
            f"n standard errors': {sum(r.n_passed_normal for r in built)} of {n_claims}); failing, "
            f"cause measured: {sum(len(r.explained) for r in built)}, unexplained: "
            f"{sum(len(r.unexplained) for r in built)}; this workflow's checks and findings passed: "
            f"{sum(r.n_checks_passed for r in built)} of {sum(r.n_checks for r in built)}; each verdict "
            f"counted once")


def _explanations(rows: list[ScoreRow]) -> list[str]:
    """The "why claims fail" section: per figure, each failing claim with its measured cause (or that it
    has none), and the registered explanations the data no longer support."""
    out = []
    for r in rows:
        if not (r.explained or r.unexplained or r.stale):
            continue
        out.append(f"### {r.paper} {r.figure}")
        for i, c in r.explained.items():
            e = c["explanation"]
            out.append(f"- `{i}`, fails, cause measured: {e['cause']} ([docs](../{e['docs']}))")
        for i, c in r.unexplained.items():
            e = c.get("explanation")
            if e:
                broken = "; ".join(f"{p['verdict']}" + (f".{p['number']}" if "number" in p else "")
                                   + f" measured {p['measured']}" for p in e["premises"] if not p["holds"])
                out.append(f"- `{i}`, fails, unexplained: its explanation no longer matches the data "
                           f"({broken}): {e['cause']}")
            else:
                out.append(f"- `{i}`, fails, unexplained: no measured cause yet")
        for st in r.stale:
            out.append(f"- stale explanation `{st['id']}`: {st['why']}")
        out.append("")
    return out


def _failing(r: ScoreRow) -> str:
    return ", ".join([f"{i} (cause measured)" for i in r.explained]
                     + [f"{i} (unexplained)" for i in r.unexplained])


def _differs(r: ScoreRow) -> str:
    return ", ".join(f"{i} ({'passes' if ok else 'fails'})" for i, ok in r.normal_differs.items())


def _shared(r: ScoreRow) -> str:
    by_fig: dict[str, list[str]] = {}
    for i, fig in r.shared.items():
        by_fig.setdefault(fig, []).append(i)
    return "; ".join(f"{len(ids)} counted in {fig}" for fig, ids in by_fig.items())


def scorecard_markdown(rows: list[ScoreRow]) -> str:
    """The scorecard as a Markdown table (what the README links to)."""
    lines = ["# Replication scorecard", "",
             "Generated by the workflow (`rule scorecard`, or `tlrepro scorecard`) from the claims "
             "verdicts (`figures/<paper>/<fig>.claims.json`) and provenance records "
             "(`figures/<paper>/<fig>.prov.json`). Do not edit by hand. Claims are the papers' statements; "
             "checks are this workflow's own (solver convergence, generators, datasets, Gaussian "
             "equivalence, theory spot checks), counted apart. Each verdict is counted once: one that "
             "several figures show counts under the first. Statistical verdicts use the Student-t bound "
             "for the number of seeds; where the plain normal bound gives another verdict, the last "
             "columns but two say so.", "",
             f"**{_totals(rows)}.**", "",
             "| paper | figure | status | scale | claims passed | failing claims | checks passed | "
             "failing checks | plain normal reading differs | shared verdicts | commit | built |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        claims = f"{r.n_passed} / {r.n_claims}" if r.built else ""
        if r.not_evaluated:
            claims += f" ({len(r.not_evaluated)} not evaluated: {', '.join(r.not_evaluated)})"
        checks = f"{r.n_checks_passed} / {r.n_checks}" if r.built else ""
        figure = f"{r.figure} (beyond the paper)" if r.beyond_the_paper else r.figure
        lines.append(f"| {r.paper} | {figure} | {r.status} | {r.scale or ''} | {claims} | "
                     f"{_failing(r)} | {checks} | {', '.join(r.failed_checks)} | {_differs(r)} | "
                     f"{_shared(r)} | {r.commit or ''} | {r.finished or ''} |")
    why = _explanations(rows)
    if why:
        lines += ["", "## Why claims fail", "",
                  "The measured cause of each failing claim (`workflow/report/findings/<paper>/<fig>.yaml`, "
                  "checked against the data at every build); the verdicts themselves are unchanged.", "",
                  *why]
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellpadding='4'><tr>{head}</tr>{body}</table>"


def scorecard_html(rows: list[ScoreRow]) -> str:
    """The scorecard as a standalone HTML page (shown in the Snakemake report)."""
    colour = {"all claims pass": "#d4edda", "claims failing": "#f8d7da", "findings hold": "#d4edda",
              "findings failing": "#f8d7da"}
    cells = [[html.escape(r.paper), html.escape(r.figure),
              f"<span style='background:{colour.get(r.status, '#eeeeee')}'>{r.status}</span>",
              html.escape(r.scale or ""), f"{r.n_passed} / {r.n_claims}" if r.built else "",
              html.escape(_failing(r)), f"{r.n_checks_passed} / {r.n_checks}" if r.built else "",
              html.escape(", ".join(r.failed_checks)), html.escape(_differs(r)), html.escape(_shared(r)),
              html.escape(r.commit or "")] for r in rows]
    return ("<html><body><h1>Replication scorecard</h1>"
            f"<p><b>{html.escape(_totals(rows))}.</b></p>"
            + _table(["paper", "figure", "status", "scale", "claims passed", "failing claims",
                      "checks passed", "failing checks", "plain normal reading differs",
                      "shared verdicts", "commit"], cells) + "</body></html>\n")


def figure_card_html(claims: Mapping[str, Any], prov: Mapping[str, Any]) -> str:
    """One figure's claims verdicts (with the paper's words and the numbers) and its provenance."""
    def numbers(d: Mapping[str, Any]) -> str:
        return html.escape(json.dumps(d, sort_keys=True, default=str)[:600])

    def normal(c: Mapping[str, Any]) -> str:
        value = c.get("passed_normal")
        if value is None:
            return ""
        return ("PASS" if value else "FAIL") + (" (differs)" if bool(value) != bool(c["passed"]) else "")

    def explanation(c: Mapping[str, Any]) -> str:
        e = c.get("explanation")
        if c.get("passed") or not c.get("evaluated", True):
            return ""
        if not e:
            return "<i>unexplained</i>"
        flag = "" if e.get("holds") else "<b>no longer matches the data</b>: "
        return (f"{flag}{html.escape(e['cause'])} (<a href='{html.escape(e['docs'])}'>"
                f"{html.escape(e['docs'])}</a>)")

    verdicts = [[html.escape(c["id"]), "NOT EVALUATED" if not c.get("evaluated", True)
                 else "PASS" if c["passed"] else "<b>FAIL</b>", normal(c),
                 "this workflow" if is_workflow_check(c.get("source")) else "paper",
                 html.escape(c.get("claim", "")), explanation(c), numbers(c.get("numbers", {}))]
                for c in claims.get("claims", [])]
    git = prov.get("git") or {}
    facts = [
        ("figure", prov.get("figure")), ("scale", prov.get("scale")),
        ("commit", f"{git.get('commit')} ({'dirty' if git.get('dirty') else 'clean'})"),
        ("config files", ", ".join(prov.get("config_files") or [])),
        ("config sha256", prov.get("config_sha256")),
        ("inputs", f"{len(prov.get('inputs') or {})} files, sha256 in the record"),
        ("training devices", json.dumps(prov.get("training_devices"), default=str)),
        ("packages", ", ".join(f"{k} {v}" for k, v in sorted((prov.get("packages") or {}).items()))),
        ("hardware", json.dumps(prov.get("hardware"), default=str)),
        ("started / finished", f"{prov.get('started')} / {prov.get('finished')}"),
    ]
    paper, checks = _split(claims)
    return ("<html><body>"
            f"<h2>{html.escape(str(prov.get('figure')))}: {sum(bool(c['passed']) for c in paper)} of "
            f"{len(paper)} claims of the paper pass; {sum(bool(c['passed']) for c in checks)} of "
            f"{len(checks)} checks of this workflow</h2>"
            + _table(["claim", "verdict", "plain normal reading", "whose", "statement",
                      "why it fails (measured cause)", "numbers"], verdicts)
            + "<h3>Provenance</h3>"
            + _table(["", ""], [[html.escape(k), html.escape(str(v))] for k, v in facts])
            + "<p>Check it against the workspace: <code>tlrepro audit "
            + html.escape(str(prov.get("figure"))) + "</code></p></body></html>\n")
