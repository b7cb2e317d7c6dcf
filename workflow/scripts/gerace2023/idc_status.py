"""Rule g23_idc: the ImageNet -> IDC panels need the user-provided IDC patches and torchvision's ResNet-18
ImageNet weights; record whether they are there, whether the panels are built (gerace2023.setup.idc.use),
and, if something is missing, how to provide it."""
import pandas as pd

from tlrepro.data import DataError, fetch, fetch_weights
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
p = snakemake.params
missing = []
for what, get in (("IDC patches", lambda: fetch("breast_idc", mirror=p.mirror)),
                  ("ResNet-18 ImageNet weights", lambda: fetch_weights("resnet18", "IMAGENET1K_V1", mirror=p.mirror))):
    try:
        get()
    except DataError as err:
        missing.append(f"{what}: {err}")
if p.enabled:
    status = "built from the provided data" if not missing else "data not provided (its jobs will stop and say so)"
elif p.use is False:
    status = "not built (config key gerace2023.setup.idc.use: false)"
else:
    status = ("data not provided" if missing else
              "data provided, not converted when the workflow started: run it again to build the panels")
log.info("ImageNet -> IDC: %s", status)
for m in missing:
    log.info("%s", m)
atomic_write(snakemake.output[0], lambda path: pd.DataFrame(
    [{"available": not missing, "built": bool(p.enabled), "status": status,
      "details": " | ".join(missing)}]).to_csv(path, index=False))
