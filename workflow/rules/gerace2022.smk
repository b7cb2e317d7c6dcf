# gerace2022, "Probing transfer learning with a model of synthetic correlated datasets": the paper's
# wiring. Its rules (prefix g22_) are in workflow/rules/gerace2022/, its scripts in
# workflow/scripts/gerace2022/, its science in src/tlrepro/gerace2022, its notebooks in
# notebooks/gerace2022; docs/gerace2022.md explains the experiments.
import re as g22_re
from tlrepro.gerace2022 import config as g22_config, grids as g22_grids
from tlrepro.gerace2022 import reuse as g22_reuse_lib

G22 = "results/gerace2022"
# Every g22_ rule takes these constraints (rule-level, so other papers may use the same names).
G22_WILDCARDS = dict(exp="[A-Za-z0-9_]+", inst="[0-9]+", kind="tf|rf")


def g22_experiment(exp):
    """An experiment's config: a config section or a row <grid>_r<i> of a grid section."""
    return g22_grids.resolve_experiment(config["gerace2022"], exp)


def g22_exp_config(wildcards):
    return g22_experiment(wildcards.exp)


def g22_sized_config(exp):
    """The config section that sets an experiment's sizes (its `base` experiment, if it has one)."""
    cfg = g22_experiment(exp)
    return config["gerace2022"][cfg["base"]] if "base" in cfg else cfg


def g22_grid_rows(exp):
    """The row experiments of a grid section (a phase diagram), in grid order."""
    return g22_grids.rows(exp, config["gerace2022"][exp])


def g22_source_exp(exp):
    """The experiment whose source network and random features ``exp`` uses (grid rows that vary
    only the target task share row 0's)."""
    return g22_grids.source_experiment(config["gerace2022"], exp)


def g22_featuremap_file(kind):
    """Input function: the TF or RF first layer of an experiment instance ({kind} = wildcard)."""

    def path(wc):
        k = kind.format(kind=getattr(wc, "kind", kind))
        return f"{G22}/{g22_source_exp(wc.exp)}/featuremap-{k}-s{wc.inst}.npz"

    return path


def g22_mem_mb(rule):
    """The rule's memory estimate from its experiment config (tlrepro.gerace2022.memory), in MB."""
    from tlrepro.gerace2022.memory import estimate

    return lambda wc: max(1, estimate(rule, g22_sized_config(wc.exp))[0] // 2**20)


def g22_is_chmm(exp):
    """CHMM experiments have a `chmm` section; real-data experiments a `dataset` and a `task`."""
    return "chmm" in g22_experiment(exp)


def g22_is_multilabel(exp):
    """Multi-label CHMM experiments (appendix B) set chmm.classes; they have no replica theory."""
    return "classes" in g22_experiment(exp).get("chmm", {})


def g22_task_file(wc):
    """The source/target task of an experiment instance: a CHMM realisation or an image task."""
    name = "instance" if g22_is_chmm(wc.exp) else "task"
    return f"{G22}/{wc.exp}/{name}-s{wc.inst}.npz"


def g22_tf_readouts_input(wc):
    """ft-TF starts from the TF readouts the TF simulation fitted on the same sets, where that simulation
    covers every set of the networks (else ft-TF fits its own: no TF simulation is needed for it).
    """
    if not g22_config.simulation_covers_networks(g22_exp_config(wc)):
        return {}
    return {"tf_readouts": f"{G22}/{wc.exp}/readouts-tf-s{wc.inst}.npz"}


def g22_centring_input(kind):
    """CHMM features are centred by the Monte Carlo population mean; image-task features by the
    mean over the target pool, computed from the task itself (no extra input)."""

    def inputs(wc):
        k = kind.format(kind=getattr(wc, "kind", kind))
        if g22_is_chmm(wc.exp):
            return {"population": f"{G22}/{wc.exp}/pop-{k}-s{wc.inst}.npz"}
        return {}

    return inputs


def g22_instances(exp):
    return g22_sized_config(exp)["instances"]


class G22Wildcards:
    """The (exp, inst) wildcards of an upstream job, for the path helpers."""

    def __init__(self, exp, inst):
        self.exp, self.inst = exp, inst


def g22_meta(fig):
    return REGISTRY["gerace2022"][fig]


def g22_panels(fig):
    """The experiments (config sections) a gerace2022 figure is drawn from."""
    return g22_meta(fig)["panels"]


def g22_counterpart(panel):
    """The binary grid section a multi-label grid is compared with (None for other panels)."""
    return config["gerace2022"][panel].get("claims", {}).get("binary_counterpart")


def g22_curve_inputs(exp, grid):
    """The result tables of one learning-curve experiment (a panel, or a row of a phase diagram)."""
    insts, src = g22_instances(exp), g22_source_exp(exp)
    files = {
        "sims": expand(
            f"{G22}/{exp}/sim-{{model}}-s{{inst}}.csv",
            model=["tf", "rf", "2l", "fttf"],
            inst=insts,
        ),
        "meta": expand(f"{G22}/{src}/source-s{{inst}}.json", inst=insts),
        "upstream": [
            *[g22_task_file(G22Wildcards(exp, i)) for i in insts],
            *expand(
                f"{G22}/{src}/featuremap-{{kind}}-s{{inst}}.npz",
                kind=["tf", "rf"],
                inst=insts,
            ),
        ],
    }
    if g22_is_chmm(exp):
        tables = (
            []
            if g22_is_multilabel(exp)
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
                f"{G22}/{exp}/pop-{{kind}}-s{{inst}}.npz", kind=["tf", "rf"], inst=insts
            )
        )
    return files


def g22_figure_inputs(wc):
    """Named inputs of a gerace2022 figure: the result files of its panels (the figure rule adds the
    notebook of its family)."""
    fam = g22_meta(wc.fig)["family"]
    if fam == "schematic":
        return {}
    if fam == "example_images":
        names = config["gerace2022"][wc.fig]["datasets"]
        return {"datasets": [f"resources/datasets/{n}.npz" for n in names]}
    if fam == "double_descent":
        (exp,) = g22_panels(wc.fig)
        base = config["gerace2022"][exp]["base"]
        scans = f"{G22}/{exp}/scan-{{kind}}-s{{inst}}.csv"
        pops = f"{G22}/{base}/pop-{{kind}}-s{{inst}}.npz"
        sims = f"{G22}/{base}/sim-{{kind}}-s{{inst}}.csv"
        insts = g22_instances(exp)
        return {
            "scan": expand(scans, kind=["tf", "rf"], inst=insts),
            "sims": expand(sims, kind=["tf", "rf"], inst=insts),
            "upstream": expand(pops, kind=["tf", "rf"], inst=insts),
        }
    if fam == "source_training":
        return g22_source_training_inputs(wc.fig)
    grid = fam == "phase_diagram"
    exps = (
        [r for p in g22_panels(wc.fig) for r in g22_grid_rows(p)]
        if grid
        else g22_panels(wc.fig)
    )
    named = {}
    for exp in exps:
        for key, paths in g22_curve_inputs(exp, grid).items():
            named.setdefault(key, []).extend(
                p for p in paths if p not in named.get(key, [])
            )
    if grid:  # a multi-label diagram is compared with its binary counterpart's tables
        for p in g22_panels(wc.fig):
            ref = g22_counterpart(p)
            if ref:
                rows = g22_grid_rows(ref)
                named["ref_sims"] = [
                    f"{G22}/{r}/sim-{m}-s{i}.csv"
                    for r in rows
                    for m in ("2l", "fttf")
                    for i in g22_instances(r)
                ]
                named["ref_theory"] = [
                    f"{G22}/{r}/theory-{k}-s{i}.csv"
                    for r in rows
                    for k in ("tf", "rf")
                    for i in g22_instances(r)
                ]
    return named


def g22_source_training_inputs(fig):
    """Beyond the paper (ext_source_training): the TF tables of every row of its grids and of its
    reference experiment (fig2b), and the reference's RF simulations (RF does not depend on the source).
    """
    ref = g22_meta(fig)["reference"]
    exps = [r for p in g22_panels(fig) for r in g22_grid_rows(p)] + [ref]
    named = {k: [] for k in ("sims", "theory", "readout", "population", "meta")}
    for exp in exps:
        for i in g22_instances(exp):
            named["sims"].append(f"{G22}/{exp}/sim-tf-s{i}.csv")
            named["theory"].append(f"{G22}/{exp}/theory-tf-s{i}.csv")
            named["readout"].append(f"{G22}/{exp}/readout-tf-s{i}.csv")
            named["population"].append(f"{G22}/{exp}/pop-tf-s{i}.npz")
            named["meta"].append(f"{G22}/{g22_source_exp(exp)}/source-s{i}.json")
    named["ref_sims"] = [f"{G22}/{ref}/sim-rf-s{i}.csv" for i in g22_instances(ref)]
    return named


def g22_notebook_params(wc):
    """Parameters of the figure's notebook beyond its inputs (titles, claim settings, sizes)."""
    fam, cfg = g22_meta(wc.fig)["family"], config["gerace2022"]
    if fam == "example_images":
        return {"n_per_dataset": cfg[wc.fig]["n_per_dataset"], "edge_alpha": [0.5, 0.7]}
    if fam == "double_descent":
        (exp,) = g22_panels(wc.fig)
        b = g22_sized_config(exp)
        what = ", ".join(f"{k}={v}" for k, v in b["chmm"].items())
        return {
            "panels": [exp],
            "titles": {
                exp: f"CHMM {what}\nH={b['H']}, simulations at lambda={b['lam']:g}"
            },
            "settings": {exp: cfg[exp]["claims"]},
        }
    if fam == "phase_diagram":
        return g22_phase_notebook_params(wc.fig)
    if fam == "source_training":
        ref = g22_meta(wc.fig)["reference"]
        first = g22_panels(wc.fig)[0]
        return {
            "rows": {
                p: dict(zip(g22_grid_rows(p), cfg[p]["grid"]["values"]))
                for p in g22_panels(wc.fig)
            },
            "labels": {p: cfg[p]["grid"]["label"] for p in g22_panels(wc.fig)},
            "reference": ref,
            "reference_M_val": cfg[ref]["source"]["M_val"],
            "settings": cfg[first]["claims"],
        }
    if fam == "schematic":
        return cfg[wc.fig]
    titles = {}
    for exp in g22_panels(wc.fig):
        e = cfg[exp]
        what = (
            ", ".join(f"{k}={v}" for k, v in e["chmm"].items())
            if g22_is_chmm(exp)
            else f"{e['dataset']}: {g22_describe_task(e['task'])}"
        )
        titles[exp] = f"{what}\nH={e['H']}, lambda={e['lam']:g}"
    return {
        "panels": g22_panels(wc.fig),
        "titles": titles,
        "settings": {exp: cfg[exp]["claims"] for exp in g22_panels(wc.fig)},
    }


def g22_phase_notebook_params(fig):
    """A phase diagram's notebook parameters: its panels (grid sections), each with its rows and their
    grid values, axis label, title and claim settings; the diagrams to draw and the claims kind.
    """
    meta, cfg = g22_meta(fig), config["gerace2022"]
    out = {
        "panels": g22_panels(fig),
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
    for p in g22_panels(fig):
        g = cfg[p]["grid"]
        out["rows"][p] = dict(zip(g22_grid_rows(p), g["values"]))
        out["ylabels"][p] = g["label"]
        varied = (g["param"], (g["complement"] or {}).get("param"))
        fixed = {k: v for k, v in cfg[p]["chmm"].items() if f"chmm.{k}" not in varied}
        fixed |= {k: cfg[p][k] for k in ("H", "lam") if k not in varied}
        fixed |= {"M1": cfg[p]["source"]["M"]} if "source.M" not in varied else {}
        out["titles"][p] = f"{p}: " + ", ".join(f"{k}={v:g}" for k, v in fixed.items())
        out["settings"][p] = cfg[p]["claims"]
        out["x_factor"][p] = cfg[p]["H"] if meta.get("x") == "M" else 1
        out["ylog"][p] = g["param"] in ("H", "source.M")  # sizes: log axis
        if g22_counterpart(p):
            ref = g22_counterpart(p)
            out["counterparts"][p] = dict(
                zip(g22_grid_rows(ref), cfg[ref]["grid"]["values"])
            )
    return out


def g22_describe_task(task):
    def side(s):
        parts = [s["labels"], str(s.get("groups", "")), str(s.get("classes", ""))]
        parts.append("with edges" if s["transform"] == "edge" else "")
        return " ".join(p for p in parts if p)

    return f"{side(task['source'])} -> {side(task['target'])}"


def g22_seeds(wc):
    return {
        "derivation": "tlrepro.seeding.derive_seed(instance, purpose, alpha, repetition)",
        **{
            exp: {
                k: (
                    g22_sized_config(exp)[k]["seeds"]
                    if k != "instances"
                    else g22_instances(exp)
                )
                for k in ("instances", "simulation", "networks")
                if k in g22_sized_config(exp)
            }
            for exp in g22_panels(wc.fig)
        },
    }


def g22_used_experiments():
    """Every experiment whose jobs a gerace2022 figure reads: its panels (the rows of a grid),
    reference, base and binary counterpart."""
    cfg, out = config["gerace2022"], set()
    for meta in REGISTRY["gerace2022"].values():
        if meta["family"] in ("schematic", "example_images"):
            continue
        for panel in meta.get("panels", []) + [meta.get("reference")]:
            if not panel or panel not in cfg:
                continue
            # an experiment on another's data (a `base`) has no jobs of its own
            for exp in (panel, cfg[panel].get("base"), g22_counterpart(panel)):
                if exp and "base" not in cfg[exp]:
                    out |= set(g22_grid_rows(exp)) if "grid" in cfg[exp] else {exp}
    return sorted(out)


def g22_reuse_copies():
    """{output: the identical output of the job that computes it}, over every job of the figures."""
    jobs = [
        (name, exp, kind, inst)
        for exp in g22_used_experiments()
        for inst in g22_instances(exp)
        for name, (_, _, has_kind) in g22_reuse_lib.RULES.items()
        for kind in (("tf", "rf") if has_kind else (None,))
    ]
    outputs = {
        name: [str(o) for o in getattr(rules, name).output]
        for name in g22_reuse_lib.RULES
    }
    return g22_reuse_lib.copies(config["gerace2022"], jobs, outputs)


def g22_reuse_pattern():
    """The copied outputs, exactly (none: a pattern that matches nothing)."""
    return "|".join(g22_re.escape(p) for p in G22_REUSE) or "(?!)"


register_paper(
    "gerace2022",
    inputs=g22_figure_inputs,
    notebook_params=g22_notebook_params,
    experiment=lambda wc: {
        p: config["gerace2022"][p]
        for p in g22_panels(wc.fig) + [g22_meta(wc.fig).get("reference")]
        if p
    },
    seeds=g22_seeds,
    config_problems=g22_config.problems,
)


include: "gerace2022/chmm.smk"
include: "gerace2022/theory.smk"
include: "gerace2022/baselines.smk"
include: "gerace2022/reuse.smk"
