"""Figure rules: execute the figure's notebook with papermill, then write its provenance record."""
import json
import os

import pandas as pd
import papermill as pm

from tlrepro.provenance import build_record, config_hash, git_state, now_iso, write_record
from tlrepro.runtime import setup_job

log = setup_job(snakemake)
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
os.environ["MPLBACKEND"] = "Agg"
out, inp, params = snakemake.output, snakemake.input, snakemake.params
figure = f"{params.paper}/{snakemake.wildcards.fig}"
git = git_state(snakemake.scriptdir + "/../..")
stamp = {"figure": figure, "commit": str(git["commit"])[:12] + ("+dirty" if git["dirty"] else ""),
         "config": config_hash(snakemake.config)[:12], "scale": snakemake.config["scale"]}
started = now_iso()
pm.execute_notebook(
    inp.notebook, out.notebook, kernel_name="python3", cwd=os.getcwd(), progress_bar=False,
    parameters={
        "figure": figure,
        "title": "CHMM {chmm}\nH={H}, lambda={lam:g}".format(
            chmm=", ".join(f"{k}={v}" for k, v in params.experiment["chmm"].items()),
            H=params.experiment["H"], lam=params.experiment["lam"]),
        "theory_csvs": [os.path.abspath(p) for p in inp.theory],
        "sim_csvs": [os.path.abspath(p) for p in inp.sims],
        "geq_csvs": [os.path.abspath(p) for p in inp.geq],
        "source_meta": [os.path.abspath(p) for p in inp.meta],
        "settings": dict(params.settings),
        "out_stem": os.path.abspath(os.path.splitext(out.pdf)[0]),
        "claims_path": os.path.abspath(out.claims),
        "stamp": stamp,
    },
)
finished = now_iso()
devices = [{k: v for k, v in json.load(open(p)).items() if k in ("instance", "device", "wall_seconds")}
           | {"rule": "train_source"} for p in inp.meta]
for p in inp.sims:
    df = pd.read_csv(p)
    if "device" in df:
        devices.append({"rule": os.path.basename(p), "device": sorted(df["device"].unique())})
exp = params.experiment
record = build_record(
    figure=figure, outputs=[out.pdf, out.png, out.claims, out.notebook],
    inputs=list(inp.theory) + list(inp.sims) + list(inp.geq) + list(inp.meta) + list(inp.upstream)
    + [params.notebook_path],
    config=snakemake.config, experiment_config=exp,
    seeds={"instances": exp["instances"],
           "derivation": "tlrepro.seeding.derive_seed(instance, purpose, alpha, repetition)",
           "simulation_seed_tiers": exp["simulation"]["seeds"],
           "network_seed_tiers": exp["networks"]["seeds"]},
    started=started, finished=finished, devices=devices, repo=snakemake.scriptdir + "/../..",
    config_files=params.config_files,
    extra={"claims": {k: v for k, v in json.load(open(out.claims)).items()
                      if k in ("n_claims", "n_passed", "all_passed")}})
write_record(out.prov, record)
log.info("figure %s written; claims %s", figure, record["claims"])
