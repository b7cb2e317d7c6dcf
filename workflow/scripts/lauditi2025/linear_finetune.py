"""Rule l25_linear: linear mean-field networks of one width, pre-trained and fine-tuned (Figs. 1, 2a)."""
from tlrepro.devices import pick_device
from tlrepro.lauditi2025.experiments import linear_finetune
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
cfg, device = snakemake.params.cfg, str(pick_device(snakemake.params.device))
out = linear_finetune(cfg, int(snakemake.wildcards.width), range(cfg["repetitions"]), device=device, log=log)
out["device"] = device
atomic_write(snakemake.output[0], lambda p: out.to_csv(p, index=False))
