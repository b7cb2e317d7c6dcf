"""Render a figure's report card in a real browser (headless Chromium) and save a screenshot: what a
reader of the Snakemake report sees, failing claims with their measured causes included.

    python benchmarks/screenshot_report.py gerace2022/fig2b --out docs/img/fig2b-card.png

Needs Debian's Chromium (``apt-get install chromium``; ``--chromium`` for another binary). The card is
built from ``figures/<paper>/<fig>.{claims,prov}.json`` with ``tlrepro.scorecard.figure_card_html``,
the function the workflow's ``figure_card`` rule uses; the script also prints the failing claims the
card shows and whether each has its explanation, and exits 1 when a failing claim of the paper has none
(``--allow-unexplained`` to only report)."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from tlrepro.claims import is_workflow_check  # noqa: E402
from tlrepro.findings import status  # noqa: E402
from tlrepro.scorecard import figure_card_html  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("figure", help="<paper>/<fig>, e.g. gerace2022/fig2b")
    ap.add_argument("--figures", type=Path, default=Path("figures"))
    ap.add_argument("--out", type=Path, required=True, help="the PNG to write")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--size", default="1600,2400", help="window width,height in pixels")
    ap.add_argument("--allow-unexplained", action="store_true")
    a = ap.parse_args(argv)
    claims = json.loads((a.figures / f"{a.figure}.claims.json").read_text())
    prov = json.loads((a.figures / f"{a.figure}.prov.json").read_text())
    failing = [c for c in claims["claims"] if not c.get("passed") and not is_workflow_check(c.get("source"))]
    for c in failing:
        print(f"{c['id']}: {status(c)}")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "card.html"
        page.write_text(figure_card_html(claims, prov))
        a.out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([a.chromium, *FLAGS, f"--user-data-dir={tmp}/profile", f"--window-size={a.size}",
                        f"--screenshot={a.out.resolve()}", page.as_uri()], check=True, capture_output=True,
                       timeout=120)
    print(f"wrote {a.out}")
    unexplained = [c["id"] for c in failing if status(c) != "fails, cause measured"]
    return 1 if unexplained and not a.allow_unexplained else 0


if __name__ == "__main__":
    raise SystemExit(main())
