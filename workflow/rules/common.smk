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


def experiment(exp):
    """An experiment's config: a config section or a row <grid>_r<i> of a grid section."""
    from tlrepro.grid_experiments import resolve_experiment

    return resolve_experiment(config["gerace2022"], exp)


def exp_config(wildcards):
    return experiment(wildcards.exp)


def sized_config(exp):
    """The config section that sets an experiment's sizes (its `base` experiment, if it has one)."""
    cfg = experiment(exp)
    return config["gerace2022"][cfg["base"]] if "base" in cfg else cfg


def grid_rows(exp):
    """The row experiments of a grid section (a phase diagram), in grid order."""
    from tlrepro.grid_experiments import rows

    return rows(exp, config["gerace2022"][exp])


def source_exp(exp):
    """The experiment whose source network and random features ``exp`` uses (grid rows that vary
    only the target task share row 0's)."""
    from tlrepro.grid_experiments import source_experiment

    return source_experiment(config["gerace2022"], exp)


def featuremap_file(kind):
    """Input function: the TF or RF first layer of an experiment instance ({kind} = wildcard)."""

    def path(wc):
        k = kind.format(kind=getattr(wc, "kind", kind))
        return f"{G22}/{source_exp(wc.exp)}/featuremap-{k}-s{wc.inst}.npz"

    return path


def mem_mb(rule):
    """The rule's memory estimate from its experiment config (tlrepro.memory), in MB."""
    from tlrepro.memory import estimate

    return lambda wc: max(1, estimate(rule, sized_config(wc.exp))[0] // 2**20)


def is_chmm(exp):
    """CHMM experiments have a `chmm` section; real-data experiments a `dataset` and a `task`."""
    return "chmm" in experiment(exp)


def is_multilabel(exp):
    """Multi-label CHMM experiments (appendix B) set chmm.classes; they have no replica theory."""
    return "classes" in experiment(exp).get("chmm", {})


def task_file(wc):
    """The source/target task of an experiment instance: a CHMM realisation or an image task."""
    name = "instance" if is_chmm(wc.exp) else "task"
    return f"{G22}/{wc.exp}/{name}-s{wc.inst}.npz"


def centring_input(kind):
    """CHMM features are centred by the Monte Carlo population mean; image-task features by the
    mean over the target pool, computed from the task itself (no extra input)."""

    def inputs(wc):
        k = kind.format(kind=getattr(wc, "kind", kind))
        if is_chmm(wc.exp):
            return {"population": f"{G22}/{wc.exp}/pop-{k}-s{wc.inst}.npz"}
        return {}

    return inputs


def instances(exp):
    return sized_config(exp)["instances"]


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


# Each family's notebook, resolved once at parse time (relative to this file, so --directory works).
NOTEBOOKS = {
    fam: workflow.source_path(f"../../notebooks/gerace2022/{fam}.ipynb")
    for fam in (
        "chmm_learning_curve",
        "real_data_learning_curve",
        "example_images",
        "double_descent",
        "phase_diagram",
        "schematic",
    )
}


def panels(fig):
    """The experiments (config sections) a gerace2022 figure is drawn from."""
    return REGISTRY["gerace2022"][fig]["panels"]


def family(fig):
    return REGISTRY["gerace2022"][fig]["family"]


def figure_inputs(wc):
    """Named inputs of a figure: the notebook of its family and the result files of its panels."""
    fam = family(wc.fig)
    named = {
        "notebook": workflow.source_path(f"../../notebooks/gerace2022/{fam}.ipynb")
    }
    if fam == "schematic":
        return named
    if fam == "example_images":
        names = config["gerace2022"][wc.fig]["datasets"]
        return named | {"datasets": [f"resources/datasets/{n}.npz" for n in names]}
    if fam == "double_descent":
        (exp,) = panels(wc.fig)
        base = config["gerace2022"][exp]["base"]
        scans = f"{G22}/{exp}/scan-{{kind}}-s{{inst}}.csv"
        pops = f"{G22}/{base}/pop-{{kind}}-s{{inst}}.npz"
        sims = f"{G22}/{base}/sim-{{kind}}-s{{inst}}.csv"
        insts = instances(exp)
        return named | {
            "scan": expand(scans, kind=["tf", "rf"], inst=insts),
            "sims": expand(sims, kind=["tf", "rf"], inst=insts),
            "upstream": expand(pops, kind=["tf", "rf"], inst=insts),
        }
    grid = fam == "phase_diagram"
    exps = [r for p in panels(wc.fig) for r in grid_rows(p)] if grid else panels(wc.fig)
    for exp in exps:
        insts, src = instances(exp), source_exp(exp)
        files = {
            "sims": expand(
                f"{G22}/{exp}/sim-{{model}}-s{{inst}}.csv",
                model=["tf", "rf", "2l", "fttf"],
                inst=insts,
            ),
            "meta": expand(f"{G22}/{src}/source-s{{inst}}.json", inst=insts),
            "upstream": [
                *[task_file(Wildcards(exp, i)) for i in insts],
                *expand(
                    f"{G22}/{src}/featuremap-{{kind}}-s{{inst}}.npz",
                    kind=["tf", "rf"],
                    inst=insts,
                ),
            ],
        }
        if is_chmm(exp):
            tables = (
                []
                if is_multilabel(exp)
                else ["theory", "readout"] if grid else ["theory", "geq", "readout"]
            )
            for table in tables:
                files[table] = expand(
                    f"{G22}/{exp}/{table}-{{kind}}-s{{inst}}.csv",
                    kind=["tf", "rf"],
                    inst=insts,
                )
            files["upstream"].extend(
                expand(
                    f"{G22}/{exp}/pop-{{kind}}-s{{inst}}.npz",
                    kind=["tf", "rf"],
                    inst=insts,
                )
            )
        for key, paths in files.items():
            named.setdefault(key, []).extend(
                p for p in paths if p not in named.get(key, [])
            )
    if grid:  # a multi-label diagram is compared with its binary counterpart's tables
        for p in panels(wc.fig):
            ref = counterpart(p)
            if ref:
                rows = grid_rows(ref)
                named["ref_sims"] = [
                    f"{G22}/{r}/sim-{m}-s{i}.csv"
                    for r in rows
                    for m in ("2l", "fttf")
                    for i in instances(r)
                ]
                named["ref_theory"] = [
                    f"{G22}/{r}/theory-{k}-s{i}.csv"
                    for r in rows
                    for k in ("tf", "rf")
                    for i in instances(r)
                ]
    return named


def counterpart(panel):
    """The binary grid section a multi-label grid is compared with (None for other panels)."""
    return config["gerace2022"][panel].get("claims", {}).get("binary_counterpart")


class Wildcards:
    """The (exp, inst) wildcards of an upstream job, for the path helpers."""

    def __init__(self, exp, inst):
        self.exp, self.inst = exp, inst


def notebook_params(wc):
    """Parameters of the figure's notebook beyond its inputs (titles, claim settings, sizes)."""
    fam, cfg = family(wc.fig), config["gerace2022"]
    if fam == "example_images":
        return {"n_per_dataset": cfg[wc.fig]["n_per_dataset"], "edge_alpha": [0.5, 0.7]}
    if fam == "double_descent":
        (exp,) = panels(wc.fig)
        b = sized_config(exp)
        what = ", ".join(f"{k}={v}" for k, v in b["chmm"].items())
        return {
            "panels": [exp],
            "titles": {
                exp: f"CHMM {what}\nH={b['H']}, simulations at lambda={b['lam']:g}"
            },
            "settings": {exp: cfg[exp]["claims"]},
        }
    if fam == "phase_diagram":
        return phase_notebook_params(wc.fig)
    if fam == "schematic":
        return cfg[wc.fig]
    titles = {}
    for exp in panels(wc.fig):
        e = cfg[exp]
        what = (
            ", ".join(f"{k}={v}" for k, v in e["chmm"].items())
            if is_chmm(exp)
            else f"{e['dataset']}: {describe_task(e['task'])}"
        )
        titles[exp] = f"{what}\nH={e['H']}, lambda={e['lam']:g}"
    return {
        "panels": panels(wc.fig),
        "titles": titles,
        "settings": {exp: cfg[exp]["claims"] for exp in panels(wc.fig)},
    }


def phase_notebook_params(fig):
    """A phase diagram's notebook parameters: its panels (grid sections), each with its rows and their
    grid values, axis label, title and claim settings; the diagrams to draw and the claims kind.
    """
    meta, cfg = REGISTRY["gerace2022"][fig], config["gerace2022"]
    out = {
        "panels": panels(fig),
        "diagrams": meta["diagrams"],
        "claims_kind": meta["claims"],
        "rows": {},
        "ylabels": {},
        "titles": {},
        "settings": {},
        "x_factor": {},
        "ylog": {},
        "counterparts": {},
    }
    for p in panels(fig):
        g = cfg[p]["grid"]
        out["rows"][p] = dict(zip(grid_rows(p), g["values"]))
        out["ylabels"][p] = g["label"]
        varied = (g["param"], (g["complement"] or {}).get("param"))
        fixed = {k: v for k, v in cfg[p]["chmm"].items() if f"chmm.{k}" not in varied}
        fixed |= {k: cfg[p][k] for k in ("H", "lam") if k not in varied}
        fixed |= {"M1": cfg[p]["source"]["M"]} if "source.M" not in varied else {}
        out["titles"][p] = f"{p}: " + ", ".join(f"{k}={v:g}" for k, v in fixed.items())
        out["settings"][p] = cfg[p]["claims"]
        out["x_factor"][p] = cfg[p]["H"] if meta.get("x") == "M" else 1
        out["ylog"][p] = g["param"] in ("H", "source.M")  # sizes: log axis
        if counterpart(p):
            ref = counterpart(p)
            out["counterparts"][p] = dict(
                zip(grid_rows(ref), cfg[ref]["grid"]["values"])
            )
    return out


def describe_task(task):
    def side(s):
        parts = [s["labels"], str(s.get("groups", "")), str(s.get("classes", ""))]
        parts.append("with edges" if s["transform"] == "edge" else "")
        return " ".join(p for p in parts if p)

    return f"{side(task['source'])} -> {side(task['target'])}"


def figure_seeds(wc):
    return {
        "derivation": "tlrepro.seeding.derive_seed(instance, purpose, alpha, repetition)",
        **{
            exp: {
                k: sized_config(exp)[k]["seeds"] if k != "instances" else instances(exp)
                for k in ("instances", "simulation", "networks")
                if k in sized_config(exp)
            }
            for exp in panels(wc.fig)
        },
    }
