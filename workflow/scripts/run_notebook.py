"""Figure rules: execute the figure's notebook with papermill, add the explanations of its failing
claims (the figure's findings file, ``tlrepro.findings``), then write its provenance record.

Every named input except the notebook and the findings registry reaches the notebook as
``inputs[name]`` (absolute paths); the rule's ``params.notebook_params`` are passed as they are. Training devices come from every input that
records one: a JSON record with a ``device`` key, a CSV table with a ``device`` column."""
import json
import os

import pandas as pd
import papermill as pm

from tlrepro.findings import annotate, load_findings
from tlrepro.provenance import build_record, config_hash, git_state, now_iso, write_record
from tlrepro.runtime import atomic_write, setup_job

log = setup_job(snakemake)
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
os.environ["MPLBACKEND"] = "Agg"
out, inp, params = snakemake.output, snakemake.input, snakemake.params
figure = f"{params.paper}/{snakemake.wildcards.fig}"
git = git_state(snakemake.scriptdir + "/../..")
stamp = {"figure": figure, "commit": str(git["commit"])[:12] + ("+dirty" if git["dirty"] else ""),
         "config": config_hash(snakemake.config)[:12], "scale": snakemake.config["scale"]}
named = {k: [os.path.abspath(p) for p in ([v] if isinstance(v, str) else v)]
         for k, v in inp.items() if k not in ("notebook", "findings")}
started = now_iso()
pm.execute_notebook(
    inp.notebook, out.notebook, kernel_name="python3", cwd=os.getcwd(), progress_bar=False,
    parameters={"figure": figure, "inputs": named, "out_stem": os.path.abspath(os.path.splitext(out.pdf)[0]),
                "claims_path": os.path.abspath(out.claims), "stamp": stamp, **params.notebook_params},
)
finished = now_iso()
if "findings" in inp.keys():  # the measured causes of failing claims, next to their verdicts
    doc = annotate(json.load(open(out.claims)), load_findings(inp.findings))
    atomic_write(out.claims, lambda p: p.write_text(json.dumps(doc, indent=2) + "\n"))
    for s in doc["stale_explanations"]:
        log.warning("stale explanation %s: %s", s["id"], s["why"])
devices = []  # every input that says where it was computed: a JSON record or a table with a device
for p in dict.fromkeys(q for paths in named.values() for q in paths):
    if p.endswith(".json"):
        rec = json.load(open(p))
        if isinstance(rec, dict) and "device" in rec:
            devices.append({k: v for k, v in rec.items() if k in ("instance", "device", "wall_seconds")}
                           | {"file": os.path.relpath(p)})
    elif p.endswith(".csv"):
        df = pd.read_csv(p, nrows=0)
        if "device" in df:
            devices.append({"file": os.path.relpath(p),
                            "device": sorted(pd.read_csv(p, usecols=["device"])["device"].unique())})
files = [os.path.relpath(p) for k, v in named.items() for p in v]
files += [os.path.relpath(inp.findings)] if "findings" in inp.keys() else []
record = build_record(
    figure=figure, outputs=[out.pdf, out.png, out.claims, out.notebook],
    inputs=files + [params.notebook_path], config=snakemake.config,
    experiment_config=params.experiment, seeds=params.seeds, started=started, finished=finished,
    devices=devices, repo=snakemake.scriptdir + "/../..", config_files=params.config_files,
    extra={"claims": {k: v for k, v in json.load(open(out.claims)).items()
                      if k in ("n_claims", "n_passed", "all_passed")}})
write_record(out.prov, record)
log.info("figure %s written; claims %s", figure, record["claims"])
