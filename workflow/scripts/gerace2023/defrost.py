"""Rule g23_defrost: the defrosting profile of one source network on n images per class of the target."""
import numpy as np
import torch

from tlrepro.devices import pick_device
from tlrepro.gerace2023.experiments import profile
from tlrepro.gerace2023.wrn import WideResNet
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
wc, p = snakemake.wildcards, snakemake.params
source = WideResNet(p.network["depth"], p.network["widen"])
source.load_state_dict(torch.load(snakemake.input.source, weights_only=True))
device = str(pick_device(p.device))
out = profile(source.to(device), dict(np.load(snakemake.input.target)), int(wc.n), p.depths, p.cfg,
              seed=derive_seed(wc.target, int(wc.n), int(wc.seed)), device=device, log=log)
for i, (k, v) in enumerate({"source": wc.source, "target": wc.target, "n_per_class": int(wc.n),
                            "seed": int(wc.seed)}.items()):
    out.insert(i, k, v)
out["device"] = device
atomic_write(snakemake.output[0], lambda path: out.to_csv(path, index=False))
