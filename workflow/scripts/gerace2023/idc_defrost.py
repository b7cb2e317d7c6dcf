"""Rule g23_idc_defrost: the defrosting profile of torchvision's ImageNet ResNet-18 on n IDC patches per class."""
from tlrepro.data import DataError, load
from tlrepro.devices import pick_device
from tlrepro.finetune.models import pretrained_state
from tlrepro.gerace2023.experiments import idc_profile
from tlrepro.runtime import atomic_write, setup_job
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
wc, p = snakemake.wildcards, snakemake.params
try:
    state = pretrained_state("resnet18", p.idc["weights"], p.mirror)
except DataError as err:
    log.error("%s", err)
    raise
device = str(pick_device(p.device))
out = idc_profile(state, load("breast_idc", path=snakemake.input.idc), int(wc.n), p.idc, p.cfg,
                  seed=derive_seed("idc", int(wc.n), int(wc.seed)), device=device, log=log)
for i, (k, v) in enumerate({"source": "imagenet", "target": "idc", "n_per_class": int(wc.n),
                            "seed": int(wc.seed)}.items()):
    out.insert(i, k, v)
out["device"] = device
atomic_write(snakemake.output[0], lambda path: out.to_csv(path, index=False))
