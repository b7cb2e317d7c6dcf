"""Rule g22_train_source: train the two-layer network on the source task; save its first layer."""
import json
import time

import numpy as np

from tlrepro.devices import pick_device
from tlrepro.gerace2022.image_tasks import load_task
from tlrepro.gerace2022.job import setup_job
from tlrepro.gerace2022.nets import input_scale, predict_error, train_source
from tlrepro.runtime import atomic_write
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst, cfg = int(snakemake.wildcards.inst), snakemake.params.cfg
task = load_task(snakemake.input.task)  # a CHMM instance or an image task
X, y, Xv, yv = task.source_sets(cfg["M"], cfg["M_val"], inst)
device = str(pick_device(snakemake.params.device))
scale = input_scale(snakemake.params.parametrisation, task.D)
t0 = time.perf_counter()
res = train_source(X * scale, y, Xv * scale, yv, H=snakemake.params.H, lr=cfg["lr"],
                   batch_size=cfg["batch_size"], l2=cfg["l2"], max_epochs=cfg["max_epochs"],
                   patience=cfg["patience"], seed=derive_seed(inst, "source-init"), device=device,
                   threads=snakemake.threads, outputs=task.n_outputs)
wall = time.perf_counter() - t0
Xt, yt = task.source_test(10000, inst)
err = predict_error(res.W1, res.w2, Xt * scale, yt)
log.info("source trained on %s in %.1fs, stopped at epoch %d, test error %.4f",
         res.device, wall, res.stopped_epoch, err)
atomic_write(snakemake.output.featuremap, lambda p: np.savez(p, W1=res.W1, w2=res.w2))
meta = {"instance": inst, "device": res.device, "parametrisation": snakemake.params.parametrisation,
        "wall_seconds": wall,
        "stopped_epoch": int(res.stopped_epoch), "source_test_error": float(err),
        "seed": derive_seed(inst, "source-init"), "history": res.history.to_dict(orient="list")}
atomic_write(snakemake.output.meta, lambda p: p.write_text(json.dumps(meta, indent=2)))
