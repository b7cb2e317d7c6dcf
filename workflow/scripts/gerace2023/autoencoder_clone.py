"""Rule g23_autoencoder_clone: an autoencoder trained on the CIFAR-10 pool; the pool and the test images
replaced by their reconstructions."""
import json

import numpy as np

from tlrepro.devices import pick_device
from tlrepro.gerace2023.experiments import autoencoder_clone
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
size = int(snakemake.wildcards.size)
ds, record = autoencoder_clone(dict(np.load(snakemake.input.cifar)), size=size, cfg=snakemake.params.cfg,
                               seed=derive_seed(f"L{size}", "clone"),
                               device=str(pick_device(snakemake.params.device)), log=log)
log.info("L%d: test reconstruction MSE %.5f in %.0fs", size, record["test_mse"], record["seconds"])
atomic_write(snakemake.output.data, lambda p: np.savez(p, **ds))
atomic_write(snakemake.output.record, lambda p: p.write_text(json.dumps(record, indent=2)))
