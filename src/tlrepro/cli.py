"""Command line: ``tlrepro audit`` (check figures' provenance against the workspace) and
``tlrepro scorecard`` (regenerate the replication scorecard from the verdict files)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .audit import audit_figure, find_records
from .scorecard import load_registry, scorecard_markdown, scorecard_rows


def _audit(args: argparse.Namespace) -> int:
    workdir = Path(args.directory)
    figures = list(args.figures)
    if args.all or not figures:
        figures = [str(p.relative_to(workdir)) for p in find_records(workdir)]
        if not figures:
            print(f"no provenance records under {workdir / 'figures'}; build a figure first",
                  file=sys.stderr)
            return 2
    results = [audit_figure(f, workdir, snakemake=not args.no_snakemake, strict=args.strict)
               for f in figures]
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        print("\n\n".join(r.format() for r in results))
        bad = [r.figure for r in results if not r.passed]
        print(f"\n{len(results) - len(bad)} of {len(results)} figures consistent"
              + (f"; not consistent: {', '.join(bad)}" if bad else ""))
    return 0 if all(r.passed for r in results) else 1


def _scorecard(args: argparse.Namespace) -> int:
    workdir = Path(args.directory)
    rows = scorecard_rows(load_registry(workdir / args.registry), workdir / "figures")
    text = scorecard_markdown(rows)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        (workdir / args.out).write_text(text)
        print(f"wrote {workdir / args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tlrepro", description=__doc__)
    parser.add_argument("-C", "--directory", default=".", help="workflow directory (default: .)")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("audit", help="check figures' provenance records against the workspace")
    a.add_argument("figures", nargs="*", help="e.g. gerace2022/fig2b or figures/gerace2022/fig2b.pdf "
                   "(default: every figure with a record)")
    a.add_argument("--all", action="store_true", help="audit every figure with a record")
    a.add_argument("--no-snakemake", action="store_true",
                   help="skip the Snakemake dry run that checks the figure is up to date")
    a.add_argument("--strict", action="store_true", help="treat warnings (dirty tree, inputs no "
                   "longer present) as failures")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=_audit)
    s = sub.add_parser("scorecard", help="write the replication scorecard from the verdict files")
    s.add_argument("--registry", default="workflow/report/figures.yaml")
    s.add_argument("--out", default="figures/scorecard.md", help="output path, '-' for stdout")
    s.set_defaults(func=_scorecard)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
