"""Rule p25_finetune: fine-tune one model (new | pretrained) on 50 MNIST digits; write its
per-step metrics table and its loss-landscape slice."""
from tlrepro.data import load
from tlrepro.pintus2025.job import run_model
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
model, params = snakemake.wildcards.model, snakemake.params
res = run_model(model, load("mnist", path=snakemake.input.mnist), params.cfg, device=params.device,
                mirror=params.mirror, log=log)
log.info("%s: %d metric rows, landscape loss range %.4g", model, len(res.metrics),
         res.landscape["loss"].max() - res.landscape["loss"].min())
atomic_write(snakemake.output.metrics, lambda p: res.metrics.to_csv(p, index=False))
atomic_write(snakemake.output.landscape, lambda p: res.landscape.to_csv(p, index=False))
