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

# GPUs: the training rules request gpu=1. Unless --resources or a profile sets the `gpu` limit, it is
# capped at the GPUs visible here, so on a CPU-only machine those jobs are scaled to gpu=0 and train
# on the CPU, and on a GPU workstation at most one training job runs per GPU.
if "gpu" not in workflow.global_resources:
    from snakemake.resources import Resource
    from tlrepro.runtime import visible_gpus

    workflow.global_resources["gpu"] = Resource("gpu", visible_gpus())

# The files the config was merged from, in merge order (for provenance and `tlrepro audit`).
CONFIG_FILES = [
    os.path.relpath(f)
    for f in [
        f for f in workflow.configfiles if f not in workflow.overwrite_configfiles
    ]
    + list(workflow.overwrite_configfiles or [])
]

G22 = "results/gerace2022"


wildcard_constraints:
    exp="[A-Za-z0-9_]+",
    inst="[0-9]+",
    kind="tf|rf",
    model="tf|rf|2l|fttf",


def exp_config(wildcards):
    return config["gerace2022"][wildcards.exp]


def mem_mb(rule):
    """The rule's memory estimate from its experiment config (tlrepro.memory), in MB."""
    from tlrepro.memory import estimate

    return lambda wc: max(1, estimate(rule, exp_config(wc))[0] // 2**20)


def instances(exp):
    return config["gerace2022"][exp]["instances"]


def repo_path(relative):
    """A file shipped with the workflow, relative to the working directory when inside it."""
    path = os.path.join(workflow.basedir, relative)
    inside = not os.path.relpath(path).startswith("..")
    return os.path.relpath(path) if inside else os.path.abspath(path)


# Every figure of the papers, with its caption; the workflow builds those marked implemented.
with open(workflow.source_path("../report/figures.yaml")) as _fh:
    REGISTRY = yaml.safe_load(_fh)
FIGURES = {
    paper: [fig for fig, meta in figs.items() if meta["implemented"]]
    for paper, figs in REGISTRY.items()
}


def figure_files(exts=("pdf", "png", "claims.json", "prov.json")):
    return [
        f"figures/{paper}/{fig}.{ext}"
        for paper, figs in FIGURES.items()
        for fig in figs
        for ext in exts
    ]


def all_figures():
    return figure_files() + [
        f"results/report/{paper}/{fig}.html"
        for paper, figs in FIGURES.items()
        for fig in figs
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
