"""Rule prepare_dataset: fetch one dataset (offline mirror or official download, each file verified)
and write its canonical npz; a failed check stops the job before anything is written."""
from tlrepro.data import DataError, prepare
from tlrepro.data.canonical import CanonicalDataset
from tlrepro.runtime import setup_job

log = setup_job(snakemake)
name = snakemake.wildcards.dataset
try:
    out = prepare(name, snakemake.output[0], mirror=snakemake.params.mirror,
                  cache=snakemake.params.cache)
except DataError as err:
    log.error("%s", err)
    raise
meta = CanonicalDataset.load(out).meta
log.info("%s: %s form (%s), shapes %s", name, meta["form"], meta["origin"], meta["shapes"])
for note in meta["notes"]:
    log.info("note: %s", note)
for f in meta["files"]:
    log.info("file %s: sha256 %s, checked by %s (%s)", f["name"], f["sha256"], f["check"],
             f["expected"])
