"""Static inspection of the workflow for tests: which rule runs which script in which conda env, and
which third-party modules a script needs (following imports into the tlrepro package)."""

from __future__ import annotations

import ast
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "workflow" / "rules"
PACKAGE = ROOT / "src" / "tlrepro"

# import name -> conda-forge package name, where they differ
CONDA_NAME = {"sklearn": "scikit-learn", "yaml": "pyyaml", "torch": "pytorch",
              "matplotlib": "matplotlib-base", "PIL": "pillow"}


@dataclass(frozen=True)
class RuleInfo:
    name: str
    conda: Path | None
    script: Path | None
    notebooks: tuple[Path, ...] = ()


def figure_notebooks() -> tuple[Path, ...]:
    """The notebooks the figure rule runs: notebooks/<paper>/<family>.ipynb of every built figure."""
    import yaml

    registry = yaml.safe_load((ROOT / "workflow" / "report" / "figures.yaml").read_text())
    return tuple(sorted({ROOT / "notebooks" / paper / f"{meta['family']}.ipynb"
                         for paper, figs in registry.items() for meta in figs.values()
                         if meta["implemented"]}))


def rules() -> dict[str, RuleInfo]:
    """Rule name -> its env, script and notebooks, parsed from the snakefmt-formatted .smk files (the
    notebooks of the figure rule come from the figure registry)."""
    out: dict[str, RuleInfo] = {}
    for smk in sorted(RULES.rglob("*.smk")):
        text = smk.read_text()
        for match in re.finditer(r"^rule (\w+):\n((?:[ \t]+.*\n|\n)+)", text, re.M):
            name, body = match.group(1), match.group(2)

            def directive(key: str) -> Path | None:
                m = re.search(rf"^    {key}:\n\s+\"([^\"]+)\"", body, re.M)
                return (smk.parent / m.group(1)).resolve() if m else None

            script = directive("script")
            runs_notebooks = script is not None and script.name == "run_notebook.py"
            out[name] = RuleInfo(name, directive("conda"), script,
                                 figure_notebooks() if runs_notebooks else ())
    return out


def _guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """True if an import sits in a ``try`` whose handler catches ImportError (an optional import)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.Try):
            for h in node.handlers:
                names = [h.type] if not isinstance(h.type, ast.Tuple) else list(h.type.elts)
                if any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError")
                       for n in names):
                    return True
    return False


def _in_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True
    return False


def _imports(source: str, module: str | None = None) -> set[str]:
    """Absolute dotted names imported by ``source`` (relative imports resolved against ``module``).

    In a library module (``module`` given) imports inside functions are skipped: they run only when
    that function is called (the lazy imports of optional, heavy dependencies); a script's or
    notebook's own imports all count."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    names: set[str] = set()
    for node in ast.walk(tree):
        if _guarded(node, parents) or (module is not None and _in_function(node, parents)):
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = (module or "").split(".")
                base = base[: len(base) - node.level]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names.add(prefix)
            names.update(f"{prefix}.{a.name}" for a in node.names)
    return names


def _module_file(name: str) -> tuple[Path, str] | None:
    """File and canonical module name of a tlrepro (sub)module, or None if ``name`` is not one."""
    parts = name.split(".")
    if parts[0] != "tlrepro":
        return None
    for k in range(len(parts), 0, -1):
        base = PACKAGE.joinpath(*parts[1:k])
        for cand, mod in ((base.with_suffix(".py"), ".".join(parts[:k])),
                          (base / "__init__.py", ".".join(parts[:k]))):
            if cand.is_file():
                return cand, mod
    return None


def third_party_imports(source: str) -> set[str]:
    """Top-level third-party modules needed by ``source``, following imports into tlrepro."""
    needed: set[str] = set()
    seen: set[str] = set()
    todo = [(source, None)]
    while todo:
        src, mod = todo.pop()
        for name in _imports(src, mod):
            top = name.split(".")[0]
            if top == "tlrepro":
                found = _module_file(name)
                if found and found[1] not in seen:
                    seen.add(found[1])
                    is_pkg = found[0].name == "__init__.py"
                    todo.append((found[0].read_text(), found[1] + (".__init__" if is_pkg else "")))
            elif top and top not in sys.stdlib_module_names and top != "__future__":
                needed.add(top)
    return needed


def notebook_source(path: Path) -> str:
    """The code cells of a notebook, joined (magics dropped)."""
    nb = json.loads(path.read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return "\n".join(line for cell in cells for line in cell.splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def env_packages(path: Path) -> set[str]:
    """Package names listed in a conda env file (version pins stripped; pip sections included)."""
    import yaml

    deps = yaml.safe_load(path.read_text())["dependencies"]
    names: set[str] = set()
    for dep in deps:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            names.add(re.split(r"[=<>! ]", item, maxsplit=1)[0].lower())
    return names
