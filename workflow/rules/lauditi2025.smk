# lauditi2025, "Transfer learning in infinite width feature learning networks": fine-tuning from adaptive
# kernels (Figs. 1, 2) and the jointly rich regime (Figs. 3, 4, 5: two-phase networks and their DMFT). Rules (prefix l25_) and wiring; science in src/tlrepro/lauditi2025, scripts in
# workflow/scripts/lauditi2025, notebooks in notebooks/lauditi2025; docs/lauditi2025.md.
from tlrepro.lauditi2025 import config as l25_config

L25 = "results/lauditi2025"
L25_CFG = config["lauditi2025"]
L25_LINEAR = [e for e, c in L25_CFG.items() if "alpha_s" in c.get("target", {})]
L25_CIFAR = [e for e, c in L25_CFG.items() if "classes" in c]
L25_RICH = [e for e, c in L25_CFG.items() if "gamma2" in c]
L25_WILDCARDS = dict(width="[0-9]+", gamma="[0-9.]+")


def l25_gammas(exp):
    """The gamma1 values of a CIFAR experiment as file-name parts, 0 (the untrained network) first."""
    return [f"{g:g}" for g in [0.0, *L25_CFG[exp]["source"]["gamma1"]]]


def l25_rich_task_inputs(wc):
    """A CIFAR-10 task needs the dataset; the Gaussian polynomial tasks need nothing."""
    task = L25_CFG[wc.exp]["task"]
    return (
        {"dataset": f"resources/datasets/{task['dataset']}.npz"}
        if task["kind"] == "cifar"
        else {}
    )


def l25_rich_runs(exp):
    """The jobs of a jointly rich experiment: (model, n, seed), networks at every width and the DMFT."""
    cfg = L25_CFG[exp]
    nets = [("net", w, s) for w in cfg["widths"] for s in range(cfg["seeds"])]
    return nets + [
        ("dmft", cfg["dmft"]["samples"], s) for s in range(cfg["dmft"]["seeds"])
    ]


def l25_panels(fig):
    return REGISTRY["lauditi2025"][fig]["panels"]


def l25_figure_inputs(wc):
    """The tables of a figure's panels: linear networks and theory, CIFAR networks and theory."""
    named = {}
    for exp in l25_panels(wc.fig):
        cfg = L25_CFG[exp]
        if exp in L25_RICH:
            named.setdefault("rich", []).extend(
                f"{L25}/{exp}/rich-{m}-n{n}-s{s}.csv" for m, n, s in l25_rich_runs(exp)
            )
            named.setdefault("rich_arrays", []).extend(
                f"{L25}/{exp}/rich-{m}-n{n}-s{s}.npz" for m, n, s in l25_rich_runs(exp)
            )
        elif exp in L25_LINEAR:
            named.setdefault("sims", []).extend(
                f"{L25}/{exp}/sims-N{w}.csv" for w in cfg["widths"]
            )
            named.setdefault("theory", []).append(f"{L25}/{exp}/theory.csv")
        else:
            named["cifar"] = [
                f"{L25}/{exp}/sims-g{g}-N{w}.csv"
                for g in l25_gammas(exp)
                for w in cfg["widths"]
            ]
            named["cifar_theory"] = [
                f"{L25}/{exp}/theory-g{g}.csv" for g in l25_gammas(exp)
            ]
            named["upstream"] = [f"{L25}/{exp}/task.npz"]
    return named


register_paper(
    "lauditi2025",
    inputs=l25_figure_inputs,
    notebook_params=lambda wc: {"cfgs": {p: L25_CFG[p] for p in l25_panels(wc.fig)}},
    experiment=lambda wc: {p: L25_CFG[p] for p in l25_panels(wc.fig)},
    seeds=lambda wc: {
        "derivation": "tlrepro.seeding.derive_seed(repetition, purpose, ...): source task, "
        "initialisation (and width), target inputs; the theory kernel's networks derive_seed(i, "
        "'theory-init', width); CIFAR split seed in the config; jointly rich runs derive_seed(seed, "
        "model, n) for the initialisation, task.seed for the data",
        **{
            p: (
                {
                    "seeds": L25_CFG[p]["seeds"],
                    "dmft_seeds": L25_CFG[p]["dmft"]["seeds"],
                }
                if p in L25_RICH
                else {"repetitions": L25_CFG[p]["repetitions"]}
            )
            for p in l25_panels(wc.fig)
        },
    },
    config_problems=l25_config.problems,
)


include: "lauditi2025/finetune.smk"
include: "lauditi2025/rich.smk"
