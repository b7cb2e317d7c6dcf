"""Audit a figure's provenance record against the workspace.

``audit_figure`` re-checks everything a record (``figures/<paper>/<fig>.prov.json``, written by
``provenance.build_record``) claims: the commit exists and whether the tree was dirty, no workflow code
changed since, the config the recorded files give today hashes to the recorded hash, every input that
still exists has its recorded checksum, the figure files are the ones recorded, the package versions
are the same, and (optionally) Snakemake has nothing to rebuild. Each check gives a ``Finding``; any
finding at level "fail" makes the audit fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from .provenance import config_hash, package_versions, sha256_file

__all__ = ["Finding", "AuditResult", "audit_figure", "find_records", "record_path", "merged_config"]

# Paths whose changes can change a figure (the library, rules, scripts, notebooks, envs).
CODE_PATHS = ("src/tlrepro", "workflow", "notebooks", "Snakefile", "envs")
FINDINGS_DIR = "workflow/report/findings"  # one file per figure: <paper>/<fig>.yaml (tlrepro.findings)
LEVELS = ("ok", "warn", "fail")


@dataclass(frozen=True)
class Finding:
    check: str
    level: str  # ok | warn | fail
    message: str


@dataclass
class AuditResult:
    figure: str
    record: str
    findings: list[Finding]

    @property
    def passed(self) -> bool:
        return not any(f.level == "fail" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"figure": self.figure, "record": self.record, "passed": self.passed,
                "findings": [asdict(f) for f in self.findings]}

    def format(self) -> str:
        mark = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}
        lines = [f"{self.figure}: {'consistent' if self.passed else 'NOT consistent'} ({self.record})"]
        lines += [f"  [{mark[f.level]}] {f.check}: {f.message}" for f in self.findings]
        return "\n".join(lines)


def record_path(figure: str, workdir: str | os.PathLike = ".") -> Path:
    """The record of ``figure``: 'gerace2022/fig2b', 'figures/gerace2022/fig2b.pdf' or a .prov.json path."""
    name = str(figure)
    if name.endswith(".prov.json"):
        return Path(workdir) / name
    name = name.removeprefix("figures/")
    for ext in (".pdf", ".png", ".claims.json"):
        name = name.removesuffix(ext)
    return Path(workdir) / "figures" / f"{name}.prov.json"


def find_records(workdir: str | os.PathLike = ".") -> list[Path]:
    """Every provenance record under ``figures/``."""
    return sorted((Path(workdir) / "figures").glob("*/*.prov.json"))


def merged_config(files: Iterable[str], workdir: str | os.PathLike = ".") -> dict[str, Any]:
    """The config Snakemake builds from ``files`` (the Snakefile's configfile first, then each
    --configfile, deep-merged in order)."""
    import yaml
    from snakemake.utils import update_config

    config: dict[str, Any] = {}
    for name in files:
        with open(Path(workdir) / name) as fh:
            update_config(config, yaml.safe_load(fh) or {})
    return config


def _flat(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        out.update(_flat(v, key) if isinstance(v, Mapping) else {key: v})
    return out


def _git(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=workdir, capture_output=True, text=True)


def _check_git(rec: Mapping[str, Any], workdir: Path) -> list[Finding]:
    git = rec.get("git") or {}
    commit = git.get("commit")
    if not commit:
        return [Finding("commit", "fail", "no commit recorded: the figure was built outside a git "
                        "checkout, so its code cannot be identified")]
    if _git(workdir, "cat-file", "-e", f"{commit}^{{commit}}").returncode != 0:
        return [Finding("commit", "fail", f"recorded commit {commit[:12]} is not in this repository")]
    out = [Finding("commit", "ok", f"{commit[:12]} present")]
    if git.get("dirty"):
        out.append(Finding("dirty", "warn", "built from a tree with uncommitted changes: the commit "
                           "alone does not reproduce it"))
    else:
        out.append(Finding("dirty", "ok", "built from a clean tree"))
    changed = _git(workdir, "diff", "--name-only", commit, "--", *CODE_PATHS)
    # another figure's findings file (the causes of ITS failing claims) does not change this figure
    own = f"{FINDINGS_DIR}/{rec.get('figure')}.yaml"
    files = [f for f in changed.stdout.split() if f and (not f.startswith(FINDINGS_DIR + "/") or f == own)]
    if changed.returncode != 0:
        out.append(Finding("code", "fail", f"cannot diff against {commit[:12]}: {changed.stderr.strip()}"))
    elif files:
        shown = ", ".join(files[:8]) + (f" and {len(files) - 8} more" if len(files) > 8 else "")
        out.append(Finding("code", "fail", f"workflow code changed since {commit[:12]}: {shown}; "
                           "rebuild the figure"))
    else:
        out.append(Finding("code", "ok", f"no change in {', '.join(CODE_PATHS)} since {commit[:12]}"))
    return out


def _check_config(rec: Mapping[str, Any], workdir: Path) -> list[Finding]:
    files = rec.get("config_files") or []
    if not files:
        return [Finding("config", "fail", "record lists no config files")]
    missing = [f for f in files if not (workdir / f).is_file()]
    if missing:
        return [Finding("config", "fail", f"config file(s) {missing} no longer exist")]
    current = merged_config(files, workdir)
    if config_hash(current) == rec.get("config_sha256"):
        return [Finding("config", "ok", f"{' + '.join(files)} hash to the recorded "
                        f"{rec['config_sha256'][:12]}")]
    old, new = _flat(rec.get("config") or {}), _flat(current)
    keys = sorted(k for k in old.keys() | new.keys() if old.get(k, "<absent>") != new.get(k, "<absent>"))
    detail = "; ".join(f"{k}: {old.get(k, '<absent>')!r} -> {new.get(k, '<absent>')!r}" for k in keys[:6])
    return [Finding("config", "fail", f"config changed since the figure was built ({detail or 'hash differs'})")]


def _check_files(entries: Mapping[str, Mapping[str, Any]], workdir: Path, check: str, *,
                 missing_level: str) -> list[Finding]:
    bad, missing, ok = [], [], 0
    for path, meta in entries.items():
        p = workdir / path
        if not p.is_file():
            missing.append(path)
            continue
        actual = sha256_file(p)
        if actual != meta["sha256"]:
            bad.append(f"{path} (recorded sha256 {meta['sha256'][:12]}, now {actual[:12]})")
        else:
            ok += 1
    out = [Finding(check, "fail", f"changed: {b}") for b in bad]
    if missing:
        what = "no longer present, not checked" if missing_level == "warn" else "missing"
        out.append(Finding(check, missing_level, f"{len(missing)} {what}: " + ", ".join(missing[:5])))
    if not bad:
        out.append(Finding(check, "ok", f"{ok} of {len(entries)} match their recorded sha256"))
    return out


def _check_packages(rec: Mapping[str, Any]) -> list[Finding]:
    recorded = rec.get("packages") or {}
    now = package_versions(recorded.keys())
    diff = [f"{k} {recorded[k]} -> {now[k]}" for k in sorted(recorded) if recorded[k] != now[k]]
    if diff:
        return [Finding("packages", "fail", "versions differ from the record: " + ", ".join(diff))]
    return [Finding("packages", "ok", f"{len(recorded)} package versions as recorded")]


def _check_snakemake(rec: Mapping[str, Any], workdir: Path) -> list[Finding]:
    """Ask Snakemake (dry run, same config files) whether anything the figure needs would rerun."""
    targets = sorted(rec.get("outputs") or {})
    overwrite = list((rec.get("config_files") or [])[1:])
    cmd = [sys.executable, "-m", "snakemake", *targets, "-n", "--quiet", "rules"]
    if overwrite:
        cmd += ["--configfile", *overwrite]
    res = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True)
    text = res.stdout + res.stderr
    if res.returncode != 0:
        tail = " ".join(text.strip().splitlines()[-3:])
        return [Finding("up-to-date", "fail", f"snakemake dry run failed: {tail}")]
    if "Nothing to be done" in text:
        return [Finding("up-to-date", "ok", "snakemake has nothing to rebuild")]
    rules = sorted({line.split()[0] for line in text.splitlines()
                    if line and line.split()[0].isidentifier() and len(line.split()) == 2
                    and line.split()[1].isdigit() and line.split()[0] not in ("job", "total")})
    return [Finding("up-to-date", "fail", "snakemake would rebuild it (rules: "
                    f"{', '.join(rules) or 'see snakemake -n'})")]


def audit_figure(figure: str, workdir: str | os.PathLike = ".", *, snakemake: bool = True,
                 strict: bool = False) -> AuditResult:
    """Check one figure's record against the workspace ``workdir`` (see module docstring).

    ``strict`` turns warnings (dirty tree, inputs no longer present) into failures."""
    workdir = Path(workdir).resolve()
    path = record_path(figure, workdir)
    name = str(figure)
    if not path.is_file():
        return AuditResult(name, str(path), [Finding("record", "fail", f"no provenance record at "
                                                     f"{path}; build the figure first")])
    try:
        rec = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        return AuditResult(name, str(path), [Finding("record", "fail", f"unreadable record: {err}")])
    findings = [Finding("record", "ok", f"schema {rec.get('schema_version')}, scale "
                        f"{rec.get('scale')}, built {rec.get('finished')}")]
    if rec.get("schema_version", 0) < 2:
        findings.append(Finding("record", "fail", "record predates config tracking (schema < 2); "
                                "rebuild the figure"))
    else:
        findings += _check_git(rec, workdir)
        findings += _check_config(rec, workdir)
        findings += _check_files(rec.get("inputs") or {}, workdir, "inputs", missing_level="warn")
        findings += _check_files(rec.get("outputs") or {}, workdir, "outputs", missing_level="fail")
        findings += _check_packages(rec)
        if snakemake:
            findings += _check_snakemake(rec, workdir)
    claims = rec.get("claims") or {}
    if claims:
        findings.append(Finding("claims", "ok", f"{claims.get('n_passed')} of {claims.get('n_claims')} "
                                "claims passed at build time (not a provenance check)"))
    if strict:
        findings = [Finding(f.check, "fail", f.message) if f.level == "warn" else f for f in findings]
    return AuditResult(rec.get("figure", name), str(path.relative_to(workdir)), findings)
