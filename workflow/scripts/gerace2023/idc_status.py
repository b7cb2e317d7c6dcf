"""Rule g23_idc: the ImageNet -> IDC panels need the user-provided IDC patches and torchvision's ResNet-18
ImageNet weights; record whether they are there and, if not, how to provide them."""
import pandas as pd

from tlrepro.data import DataError, fetch, fetch_weights
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
missing = []
for what, get in (("IDC patches", lambda: fetch("breast_idc", mirror=snakemake.params.mirror)),
                  ("ResNet-18 ImageNet weights",
                   lambda: fetch_weights("resnet18", "IMAGENET1K_V1", mirror=snakemake.params.mirror))):
    try:
        get()
    except DataError as err:
        missing.append(f"{what}: {err}")
status = ("data not provided" if missing else
          "data provided; the ResNet-18 defrosting of the IDC panels is not implemented yet")
log.info("ImageNet -> IDC: %s", status)
for m in missing:
    log.info("%s", m)
atomic_write(snakemake.output[0], lambda p: pd.DataFrame(
    [{"available": not missing, "status": status, "details": " | ".join(missing)}]).to_csv(p, index=False))
