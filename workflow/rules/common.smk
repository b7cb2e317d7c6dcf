import os
import sys

import yaml
from snakemake.utils import min_version, validate

min_version("9.0")

# The science lives in src/tlrepro; scripts (and papermill kernels) import it from there, so a
# checkout works without installing the package into every per-rule environment.
SRC = os.path.abspath(os.path.join(workflow.basedir, "src"))
sys.path.insert(0, SRC)
_pythonpath = [SRC] + [
    p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p
]
os.environ.update(PYTHONPATH=os.pathsep.join(dict.fromkeys(_pythonpath)))

from tlrepro.config import ConfigError, validate_config  # noqa: E402

# Our validator first: its messages name the key and the fix. --configfile deep-merges onto
# config.yaml, so each file given on the command line is also validated alone: every scale must be
# complete (a missing key is an error, not a silent default). Snakemake's validate() then applies the
# same schema (it would fill defaults; there are none, every config is explicit).
try:
    validate_config(config)
    for _path in workflow.overwrite_configfiles or []:
        with open(_path) as _fh:
            try:
                validate_config(yaml.safe_load(_fh))
            except ConfigError as err:
                raise ConfigError(f"{_path}: {err}") from None
except ConfigError as err:
    raise WorkflowError(str(err))
validate(config, "../schemas/config.schema.yaml")

G22 = "results/gerace2022"


wildcard_constraints:
    exp="[A-Za-z0-9_]+",
    inst="[0-9]+",
    kind="tf|rf",
    model="tf|rf|2l|fttf",


def exp_config(wildcards):
    return config["gerace2022"][wildcards.exp]


def instances(exp):
    return config["gerace2022"][exp]["instances"]


FIGURES = {"gerace2022": ["fig2b"]}


def all_figures():
    return [
        f"figures/{paper}/{fig}.{ext}"
        for paper, figs in FIGURES.items()
        for fig in figs
        for ext in ("pdf", "png", "claims.json", "prov.json")
    ]


def learning_curve_inputs(wc):
    exp, insts = wc.fig, instances(wc.fig)
    pattern = lambda name: expand(f"{G22}/{exp}/{name}", inst=insts)
    return {
        "theory": expand(
            f"{G22}/{exp}/theory-{{kind}}-s{{inst}}.csv", kind=["tf", "rf"], inst=insts
        ),
        "sims": expand(
            f"{G22}/{exp}/sim-{{model}}-s{{inst}}.csv",
            model=["tf", "rf", "2l", "fttf"],
            inst=insts,
        ),
        "geq": expand(
            f"{G22}/{exp}/geq-{{kind}}-s{{inst}}.csv", kind=["tf", "rf"], inst=insts
        ),
        "meta": pattern("source-s{inst}.json"),
        "upstream": pattern("instance-s{inst}.npz")
        + expand(
            f"{G22}/{exp}/{{f}}-{{kind}}-s{{inst}}.npz",
            f=["featuremap", "pop"],
            kind=["tf", "rf"],
            inst=insts,
        ),
    }
