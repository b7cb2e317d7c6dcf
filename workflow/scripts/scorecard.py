"""Rule scorecard: the replication scorecard (Markdown and HTML) from the verdict files."""
from pathlib import Path

from tlrepro.runtime import atomic_write, setup_job
from tlrepro.scorecard import load_registry, scorecard_html, scorecard_markdown, scorecard_rows

log = setup_job(snakemake)
figures_dir = Path(snakemake.input.claims[0]).parents[1] if snakemake.input.claims else Path("figures")
rows = scorecard_rows(load_registry(snakemake.input.registry), figures_dir)
atomic_write(snakemake.output.md, lambda p: p.write_text(scorecard_markdown(rows)))
atomic_write(snakemake.output.html, lambda p: p.write_text(scorecard_html(rows)))
log.info("scorecard: %d figures, %d built", len(rows), sum(r.built for r in rows))
