"""Rule g23_similarity: unit by unit, the similarity of a source network to the CIFAR-10 network (same seed)."""
import numpy as np
import torch

from tlrepro.devices import pick_device
from tlrepro.gerace2023.experiments import similarity
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
wc, p, i = snakemake.wildcards, snakemake.params, snakemake.input
out = similarity(dict(np.load(i.cifar)), torch.load(i.source, weights_only=True), torch.load(i.target, weights_only=True),
                 p.network, p.cfg, device=str(pick_device(p.device)), log=log)
out.insert(0, "source", wc.source)
out.insert(1, "seed", int(wc.seed))
atomic_write(snakemake.output[0], lambda path: out.to_csv(path, index=False))
