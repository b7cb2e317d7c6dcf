"""Before/after table of a paper's verdicts: two figures folders (e.g. the same build judged by two commits
of the claims code) in, one Markdown row per verdict id out, with each side's outcome and the change.

    python benchmarks/compare_verdicts.py BEFORE/figures AFTER/figures --paper gerace2022 [--reasons r.yaml]

``--reasons``: a YAML file id -> "why it changed" (ids as in the claims files, "<figure>/<id>", or the
id without its panel prefix), printed in the last column. Verdicts are matched by figure and id; a verdict only on one side is
"new" or "removed"."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from tlrepro.claims import is_workflow_check  # noqa: E402


def verdicts(folder: Path, paper: str) -> dict[tuple[str, str], dict]:
    out = {}
    for f in sorted((folder / paper).glob("*.claims.json")):
        fig = f.name.removesuffix(".claims.json")
        for c in json.loads(f.read_text()).get("claims", []):
            out[fig, c["id"]] = c
    return out


def outcome(c: dict | None) -> str:
    if c is None:
        return "—"
    word = "pass" if c.get("passed") else "FAIL"
    if c.get("passed_normal") is not None and bool(c["passed_normal"]) != bool(c.get("passed")):
        word += f" (normal: {'pass' if c['passed_normal'] else 'fail'})"
    return word + (" [check]" if is_workflow_check(c.get("source")) else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--paper", default="gerace2022")
    ap.add_argument("--reasons", type=Path)
    ap.add_argument("--changed-only", action="store_true", help="only the verdicts whose outcome changed")
    a = ap.parse_args(argv)
    import yaml

    reasons = yaml.safe_load(a.reasons.read_text()) if a.reasons else {}
    b, c = verdicts(a.before, a.paper), verdicts(a.after, a.paper)
    print("| figure | verdict | before | after | change | why |")
    print("|---|---|---|---|---|---|")
    counts = {"unchanged": 0, "changed": 0, "new": 0, "removed": 0}
    for key in sorted(set(b) | set(c)):
        old, new = b.get(key), c.get(key)
        change = ("new" if old is None else "removed" if new is None
                  else "unchanged" if outcome(old) == outcome(new) else "changed")
        counts[change] += 1
        if a.changed_only and change == "unchanged":
            continue
        bare = key[1].split(":", 1)[-1]  # a panel's verdict: <panel>:<id>
        why = reasons.get(f"{key[0]}/{key[1]}", reasons.get(key[1], reasons.get(bare, "")))
        print(f"| {key[0]} | `{key[1]}` | {outcome(old)} | {outcome(new)} | {change} | {why} |")
    print()
    print(", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
