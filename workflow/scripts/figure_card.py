"""Rule figure_card: the claims verdicts and provenance of one figure as an HTML card."""
import json

from tlrepro.runtime import atomic_write, setup_job
from tlrepro.scorecard import figure_card_html

log = setup_job(snakemake)
claims = json.load(open(snakemake.input.claims))
prov = json.load(open(snakemake.input.prov))
text = figure_card_html(claims, prov)
atomic_write(snakemake.output[0], lambda p: p.write_text(text))
log.info("card for %s: %s of %s claims pass", prov.get("figure"), claims.get("n_passed"),
         claims.get("n_claims"))
