"""Rule g23_compliant: a CIFAR-10 network trained with its first units elastically coupled to the GM source."""
import json

import numpy as np
import torch

from tlrepro.devices import pick_device
from tlrepro.gerace2023.experiments import compliant
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
wc, p = snakemake.wildcards, snakemake.params
seed = int(wc.seed)
record = compliant(dict(np.load(snakemake.input.cifar)), torch.load(snakemake.input.anchor, weights_only=True),
                   p.network, p.cfg, lam=float(wc.lam), units=int(p.units), seed=derive_seed("cifar10", seed),
                   init_seed=derive_seed("gm" if p.shared_init else "cifar10", seed),
                   device=str(pick_device(p.device)), log=log)
record.update(seed=seed, shared_init=bool(p.shared_init))
log.info("lambda %s seed %d: accuracy %.4f, first-layer distance %.3f", wc.lam, seed, record["test_accuracy"],
         record["distance_first"])
atomic_write(snakemake.output[0], lambda path: path.write_text(json.dumps(record, indent=2)))
