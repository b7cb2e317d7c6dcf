"""Rule g23_source: a Wide-ResNet trained from scratch on one dataset."""
import json

import numpy as np
import torch

from tlrepro.devices import pick_device
from tlrepro.gerace2023.experiments import train_source
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
dataset, seed = snakemake.wildcards.dataset, int(snakemake.wildcards.seed)
device = str(pick_device(snakemake.params.device))
net, record = train_source(dict(np.load(snakemake.input.data)), snakemake.params.network, snakemake.params.cfg,
                           seed=derive_seed(dataset, seed), device=device, log=log)
record.update(dataset=dataset, device=device)
log.info("source %s seed %d: test accuracy %.4f", dataset, seed, record["test_accuracy"])
atomic_write(snakemake.output.state, lambda p: torch.save(net.cpu().state_dict(), p))
atomic_write(snakemake.output.record, lambda p: p.write_text(json.dumps(record, indent=2)))
