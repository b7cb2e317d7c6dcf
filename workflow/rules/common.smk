# The generic part of the workflow: config validation, GPUs, the config files, the figure registry and
# the papers' registration (each paper's rule file calls register_paper; the one figure rule reads it).
import json
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

from tlrepro.config import ConfigError, raise_problems, validate_config  # noqa: E402

# YAML anchors (`*name`, `<<: *name`) let a config state each value once; the loaded config may then
# share one list or mapping between sections. Make every section its own copy before anything reads it,
# so that nothing that edits one section can edit another (same values, same config hash).
_fresh = json.loads(json.dumps(config))
config.clear()
config.update(_fresh)

# Our validator first: its messages name the key and the fix. --configfile deep-merges onto
# config.yaml, so each file given on the command line is also validated alone: every scale must be
# complete (a missing key is an error, not a silent default). Snakemake's validate() then applies the
# same schema (it would fill defaults; there are none, every config is explicit). Each paper's
# cross-key rules run when its rule file registers (register_paper), before any job.
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


def notebook(paper, fig):
    """The notebook that draws a figure: notebooks/<paper>/<family>.ipynb (family from figures.yaml)."""
    return f"notebooks/{paper}/{REGISTRY[paper][fig]['family']}.ipynb"


# paper -> what the figure rule needs to build its figures, as functions of its wildcards (the
# named inputs, notebook parameters, and the experiment config and seeds recorded in provenance).
PAPERS = {}


def register_paper(
    paper, *, inputs, notebook_params, experiment, seeds, config_problems=None
):
    """Called once by each paper's rule file. ``config_problems`` (the paper section in, one message
    per problem out) runs at once: a bad value stops the workflow before any job."""
    if config_problems is not None:
        try:
            raise_problems(config_problems(config[paper]))
        except ConfigError as err:
            raise WorkflowError(str(err))
    PAPERS[paper] = dict(
        inputs=inputs,
        notebook_params=notebook_params,
        experiment=experiment,
        seeds=seeds,
    )


# The notebook of every built figure, resolved once at parse time. workflow.source_path copies a file into
# Snakemake's runtime source cache; called inside an input function, one job at a time, it adds files to a
# cache folder that Snakemake has already listed, and later jobs then see their notebook as missing.
NOTEBOOKS = {
    (paper, fig): workflow.source_path(f"../../{notebook(paper, fig)}")
    for paper, figs in FIGURES.items()
    for fig in figs
}


def figure_inputs(wc):
    """Named inputs of a figure: what its paper registered, the notebook of its family and, where the
    figure has one, its findings file (the measured causes of failing claims, tlrepro.findings).
    """
    named = paper_hook("inputs")(wc) | {"notebook": NOTEBOOKS[wc.paper, wc.fig]}
    findings = repo_path(f"workflow/report/findings/{wc.paper}/{wc.fig}.yaml")
    if os.path.exists(findings):
        named["findings"] = findings
    return named


def paper_hook(name):
    """Input/params function of the figure rule: the registered function ``name`` of the figure's
    paper, which fails with a clear message for a figure the workflow does not build."""

    def call(wc):
        if wc.fig not in FIGURES.get(wc.paper, []):
            raise WorkflowError(
                f"figures/{wc.paper}/{wc.fig} is not built by this workflow: "
                f"{wc.paper} builds {', '.join(FIGURES.get(wc.paper, [])) or 'no figure yet'} "
                "(workflow/report/figures.yaml, implemented: true)."
            )
        return PAPERS[wc.paper][name](wc)

    return call
