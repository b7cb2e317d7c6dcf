"""The layout docs/adding-a-paper.md describes: shared machinery that imports no paper, each paper's files
in its own places, rule names with the paper's prefix, and a paper's config section read only by its own
package and rule files."""

from __future__ import annotations

import ast
import re

import pytest

from conftest import REGISTRY, ROOT
from workflow_inspect import rules

PAPERS = sorted(REGISTRY)
PACKAGE = ROOT / "src" / "tlrepro"
GENERIC_RULES = {"all", "figure", "figure_card", "scorecard", "prepare_dataset"}


def prefix(paper: str) -> str:
    """gerace2022 -> g22_, lauditi2025 -> l25_."""
    return f"{paper[0]}{paper[-2:]}_"


def _generic_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] not in PAPERS:
            yield path


def _imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text())
    package = ".".join(("tlrepro", *path.relative_to(PACKAGE).parent.parts))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


@pytest.mark.parametrize("path", list(_generic_modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_shared_machinery_imports_no_paper(path):
    papers = {m for m in _imported_modules(path) for p in PAPERS if m == f"tlrepro.{p}" or
              m.startswith(f"tlrepro.{p}.")}
    assert not papers, f"{path.relative_to(ROOT)} imports {sorted(papers)}"


def test_the_import_check_sees_relative_imports(tmp_path):
    assert "tlrepro.gerace2022.chmm" in _imported_modules(PACKAGE / "gerace2022" / "features.py")
    assert "tlrepro.claims.Verdict" in _imported_modules(PACKAGE / "gerace2022" / "curves.py")


def test_no_paper_modules_at_the_top_of_the_package():
    stray = [p.name for p in PACKAGE.glob("*.py") if any(p.stem.startswith(paper) for paper in PAPERS)]
    assert not stray, stray


def _rule_files(paper: str):
    rules_dir = ROOT / "workflow" / "rules"
    return [p for p in [rules_dir / f"{paper}.smk", *sorted((rules_dir / paper).glob("*.smk"))]
            if p.exists()]


@pytest.mark.parametrize("paper", PAPERS)
def test_every_rule_of_a_paper_has_its_prefix(paper):
    for path in _rule_files(paper):
        names = re.findall(r"^rule (\w+):", path.read_text(), re.M)
        bad = [n for n in names if not n.startswith(prefix(paper))]
        assert not bad, f"{path.relative_to(ROOT)}: rules without the prefix {prefix(paper)}: {bad}"


@pytest.mark.parametrize("paper", PAPERS)
def test_every_name_a_papers_rule_files_define_has_its_prefix(paper):
    """Rule files share one namespace: a helper named ``panels`` in one paper's file would silently
    replace another's. Functions, classes and variables at the top of a paper's rule files carry its
    prefix (g22_..., G22_...)."""
    stem = prefix(paper).rstrip("_")
    for path in _rule_files(paper):
        text = path.read_text()
        names = re.findall(r"^(?:def|class) (\w+)", text, re.M) + re.findall(r"^(\w+)\s*=", text, re.M)
        names += re.findall(r"^from \S+ import (.+)$", text, re.M) and [
            n.split(" as ")[-1].strip() for line in re.findall(r"^from \S+ import (.+)$", text, re.M)
            for n in line.split(",")]
        bad = [n for n in names if not n.lower().startswith(stem)]
        assert not bad, f"{path.relative_to(ROOT)}: names without the prefix {stem}: {bad}"


@pytest.mark.parametrize("paper", [p for p in PAPERS if (PACKAGE / p / "config.py").exists()
                                   and "\ndef problems(" in (PACKAGE / p / "config.py").read_text()])
def test_a_papers_config_rules_run_before_any_job(paper):
    """A paper with cross-key config rules registers them (register_paper runs them at parse time)."""
    text = (ROOT / "workflow" / "rules" / f"{paper}.smk").read_text()
    assert re.search(r"config_problems=\w+\.problems", text), f"{paper}.smk does not register its problems"


def test_every_rule_is_generic_or_a_papers():
    """A rule is one of the generic ones or carries a paper's prefix (in that paper's files)."""
    stray = [n for n in rules() if n not in GENERIC_RULES and not n.startswith(tuple(map(prefix, PAPERS)))]
    assert not stray, stray


def test_a_papers_config_section_is_read_only_by_its_own_files():
    files = [*ROOT.joinpath("src", "tlrepro").rglob("*.py"), *ROOT.joinpath("workflow").rglob("*.smk"),
             *ROOT.joinpath("workflow", "scripts").rglob("*.py"), ROOT / "Snakefile"]
    for paper in PAPERS:
        own = {*_rule_files(paper)}
        for path in files:
            rel = path.relative_to(ROOT)
            if path in own or rel.parts[:3] == ("src", "tlrepro", paper):
                continue
            assert f'config["{paper}"]' not in path.read_text(), f"{rel} reads config['{paper}']"


@pytest.mark.parametrize("paper", [p for p in PAPERS if any(m["implemented"] for m in REGISTRY[p].values())])
def test_a_built_paper_has_all_its_places(paper):
    for place in (f"src/tlrepro/{paper}/__init__.py", f"workflow/rules/{paper}.smk",
                  f"workflow/schemas/{paper}.schema.yaml", f"notebooks/{paper}", f"tests/{paper}",
                  f"docs/{paper}.md"):
        assert (ROOT / place).exists(), place
    assert f'include: "workflow/rules/{paper}.smk"' in (ROOT / "Snakefile").read_text()
    assert f'register_paper(\n    "{paper}",' in (ROOT / "workflow" / "rules" / f"{paper}.smk").read_text()
    for fig, meta in REGISTRY[paper].items():
        if meta["implemented"]:
            assert (ROOT / "notebooks" / paper / f"{meta['family']}.ipynb").exists(), (fig, meta["family"])
