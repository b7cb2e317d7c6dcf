"""Rule g22_image_task: source and target pools of a real-data experiment from a canonical dataset."""
from tlrepro.data.canonical import CanonicalDataset
from tlrepro.gerace2022.image_tasks import task_from_dataset
from tlrepro.gerace2022.job import setup_job
from tlrepro.runtime import atomic_write
from tlrepro.seeding import derive_seed

log = setup_job(snakemake)
inst = int(snakemake.wildcards.inst)
dataset = CanonicalDataset.load(snakemake.input.dataset)
task = task_from_dataset(dataset, snakemake.params.spec, seed=derive_seed(inst, "image-task"))
log.info("%s (%s form): source pool %d (test %d), target pool %d (test %d), D=%d; positive fraction "
         "source %.3f, target %.3f", dataset.meta["dataset"], dataset.meta["form"], len(task.ys),
         len(task.ys_test), len(task.yt), len(task.yt_test), task.D, (task.ys > 0).mean(),
         (task.yt > 0).mean())
atomic_write(snakemake.output[0], task.save)
