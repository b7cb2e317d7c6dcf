"""`tlrepro audit` on a real smoke build: consistent as built, and each kind of tampering is caught
and named; the Snakemake report and the scorecard show the figure with its verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import SMOKE_FIGURES, SMOKE_TARGETS
from tlrepro.audit import audit_figure, record_path
from tlrepro.cli import main
from tlrepro.scorecard import load_registry, scorecard_markdown, scorecard_rows

FIG = "gerace2022/fig2b"


@contextmanager
def tampered(path: Path, edit):
    """Apply ``edit`` to the file's text, restore the exact bytes afterwards."""
    original = path.read_bytes()
    try:
        path.write_text(edit(path.read_text()))
        yield
    finally:
        path.write_bytes(original)


def _failures(result) -> dict[str, str]:
    return {f.check: f.message for f in result.findings if f.level == "fail"}


def test_audit_of_a_fresh_build_is_consistent(smoke_run, capsys):
    work, _ = smoke_run
    result = audit_figure(FIG, work)
    assert result.passed, result.format()
    checks = {f.check for f in result.findings}
    assert {"commit", "dirty", "code", "config", "inputs", "outputs", "packages", "up-to-date"} <= checks
    assert main(["-C", str(work), "audit", "figures/gerace2022/fig2b.pdf"]) == 0
    assert "1 of 1 figures consistent" in capsys.readouterr().out


def test_audit_names_a_changed_input(smoke_run, capsys):
    work, _ = smoke_run
    target = work / "results/gerace2022/fig2b/sim-tf-s1.csv"
    with tampered(target, lambda t: t.replace("0.", "0.9", 1)):
        fails = _failures(audit_figure(FIG, work, snakemake=False))
        assert "results/gerace2022/fig2b/sim-tf-s1.csv" in fails["inputs"]
        assert "recorded sha256" in fails["inputs"]
        assert main(["-C", str(work), "audit", FIG, "--no-snakemake"]) == 1
    assert audit_figure(FIG, work, snakemake=False).passed


def test_audit_names_a_changed_config_key(smoke_run):
    work, _ = smoke_run
    with tampered(work / "configs/smoke.yaml", lambda t: t.replace("n_samples: 20000", "n_samples: 30000")):
        fails = _failures(audit_figure(FIG, work))
        assert "gerace2022.fig2b.population.n_samples: 20000 -> 30000" in fails["config"]
        assert "up-to-date" in fails  # Snakemake agrees that the figure is stale


def test_audit_catches_a_replaced_figure_and_changed_code(smoke_run):
    work, _ = smoke_run
    png = work / "figures/gerace2022/fig2b.png"
    original = png.read_bytes()
    try:
        png.write_bytes(original + b"\0")
        assert "figures/gerace2022/fig2b.png" in _failures(audit_figure(FIG, work, snakemake=False))["outputs"]
    finally:
        png.write_bytes(original)
    with tampered(work / "src/tlrepro/claims.py", lambda t: t + "\n# edited\n"):
        result = audit_figure(FIG, work, snakemake=False)
        assert "src/tlrepro/claims.py" in _failures(result)["code"]
    # a figure's own findings file is part of its code; another figure's is not
    own, other = (work / f"workflow/report/findings/{f}.yaml" for f in (FIG, "gerace2022/fig3a"))
    with tampered(own, lambda t: t + "\n# edited\n"):
        assert f"workflow/report/findings/{FIG}.yaml" in _failures(audit_figure(FIG, work, snakemake=False))["code"]
    with tampered(other, lambda t: t + "\n# edited\n"):
        assert audit_figure(FIG, work, snakemake=False).passed
    assert audit_figure(FIG, work, snakemake=False).passed


def test_audit_without_record_or_git(tmp_path):
    result = audit_figure("gerace2022/nofig", tmp_path, snakemake=False)
    assert not result.passed and "build the figure first" in result.findings[0].message
    rec_dir = tmp_path / "figures/gerace2022"
    rec_dir.mkdir(parents=True)
    (rec_dir / "x.prov.json").write_text(json.dumps({"schema_version": 2, "git": {"commit": None},
                                                     "config_files": []}))
    fails = _failures(audit_figure(str(record_path("gerace2022/x.pdf")), tmp_path, snakemake=False))
    assert "outside a git checkout" in fails["commit"] and "no config files" in fails["config"]


def test_scorecard_lists_every_registry_figure(smoke_run):
    work, _ = smoke_run
    registry = load_registry(work / "workflow/report/figures.yaml")
    rows = scorecard_rows(registry, work / "figures")
    assert len(rows) == sum(len(f) for f in registry.values())
    built = [r for r in rows if r.built]
    assert sorted((r.paper, r.figure) for r in built) == sorted(SMOKE_FIGURES)
    assert all(r.scale == "smoke" for r in built)
    claims = json.loads((work / "figures/gerace2022/fig2b.claims.json").read_text())
    fig2b = next(r for r in built if r.figure == "fig2b")
    # the paper's claims and this workflow's checks (solver, Gaussian equivalence) add up to the file's
    assert fig2b.n_checks >= 3 and "features_gaussian_equivalent_TF" not in fig2b.failed
    assert fig2b.n_passed + fig2b.n_checks_passed == claims["n_passed"]
    assert fig2b.n_claims + fig2b.n_checks == claims["n_claims"]
    assert main(["-C", str(work), "scorecard", "--out", "results/scorecard-cli.md"]) == 0
    text = (work / "results/scorecard-cli.md").read_text()
    assert f"| gerace2022 | fig2b | " in text and f"| {fig2b.n_passed} / {fig2b.n_claims} |" in text
    pending = [(p, f) for p, figs in registry.items() for f, meta in figs.items() if not meta["implemented"]]
    assert ("not implemented yet" in text) == bool(pending)  # every registered figure is listed, built or not
    assert "| pintus2025 | table | not built |" in text  # implemented, needs the ImageNet weights


def test_snakemake_report_shows_figure_card_and_scorecard(smoke_run):
    work, cmd = smoke_run
    # the report of what was built (pintus2025 is not: no ImageNet weights here); targets first
    res = subprocess.run([sys.executable, "-m", "snakemake", *SMOKE_TARGETS, "--report", "report.html",
                          "--configfile", "configs/smoke.yaml"], cwd=work, capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    html = (work / "report.html").read_text(errors="replace")
    for needle in ("gerace2022", "fig2b", "claims and provenance"):
        assert needle in html, needle
    card = (work / "results/report/gerace2022/fig2b.html").read_text()
    assert "theory_matches_simulation_TF" in card and "tlrepro audit gerace2022/fig2b" in card
    (work / "report.html").unlink()


def test_scorecard_counts_the_papers_claims_apart_from_the_workflows_checks(tmp_path):
    """A verdict whose source starts with 'this workflow' is a check of ours, not a claim of the paper:
    the status follows the paper's claims only, and failing checks are listed in their own column."""
    figs = tmp_path / "figures/p"
    figs.mkdir(parents=True)
    verdicts = [{"id": "a", "passed": True, "source": "Paper, Sec. 2"},
                {"id": "b", "passed": True, "source": "Paper, Sec. 3"},
                {"id": "solver", "passed": False, "source": "this workflow (solver check)"}]
    (figs / "f.claims.json").write_text(json.dumps({"n_claims": 3, "n_passed": 2, "claims": verdicts}))
    (figs / "f.prov.json").write_text(json.dumps({"scale": "smoke", "git": {"commit": "abc", "dirty": False}}))
    (row,) = scorecard_rows({"p": {"f": {"implemented": True}}}, tmp_path / "figures")
    assert (row.n_passed, row.n_claims, row.n_checks_passed, row.n_checks) == (2, 2, 0, 1)
    assert row.status == "all claims pass" and row.failed == [] and row.failed_checks == ["solver"]
    md = scorecard_markdown([row])
    assert "| p | f | all claims pass | smoke | 2 / 2 |  | 0 / 1 | solver |" in md
    assert "the papers' claims passed: 2 of 2 (under the plain normal reading" in md
    assert "this workflow's checks and findings passed: 0 of 1" in md


def _figure(root, name, verdicts):
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{name}.claims.json").write_text(json.dumps({"claims": verdicts}))
    (root / f"{name}.prov.json").write_text(json.dumps({"scale": "default", "git": {"commit": "abc"}}))


def test_scorecard_counts_each_verdict_once_and_shows_both_readings(tmp_path):
    """A verdict several figures show (same id, outcome and numbers) counts under the first figure of
    the registry; a verdict with the same id but other numbers is another verdict. Where the plain
    normal reading differs from the Student-t verdict, the row and the totals say so."""
    spot = {"id": "g:spot", "passed": False, "passed_normal": True, "numbers": {"z": 5.0},
            "source": "Paper"}
    _figure(tmp_path / "figures/p", "a", [spot, {"id": "x", "passed": True, "numbers": {"v": 1}, "source": "Paper"}])
    _figure(tmp_path / "figures/p", "b", [spot, {"id": "x", "passed": True, "numbers": {"v": 2}, "source": "Paper"}])
    _figure(tmp_path / "figures/p", "c", [{**spot, "numbers": {"z": 6.0}}])
    ra, rb, rc = scorecard_rows({"p": {f: {"implemented": True} for f in "abc"}}, tmp_path / "figures")
    assert (ra.n_claims, ra.n_passed, ra.n_passed_normal) == (2, 1, 2)
    assert ra.normal_differs == {"g:spot": True} and not ra.shared
    assert (rb.n_claims, rb.shared) == (1, {"g:spot": "a"})  # x with other numbers is its own verdict
    assert rc.n_claims == 1 and not rc.shared  # same id, other numbers: counted
    md = scorecard_markdown([ra, rb, rc])
    assert "claims passed: 2 of 4 (under the plain normal reading of 'within n standard errors': 4 of 4)" in md
    assert "g:spot (passes)" in md and "1 counted in a" in md
