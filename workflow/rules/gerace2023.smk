# gerace2023, "Optimal transfer protocol by incremental layer defrosting": CIFAR-10 and its clones,
# Wide-ResNets, layer-wise defrosting profiles (Figs. 1, 2, 3, 4, 7). Rules (prefix g23_) in
# workflow/rules/gerace2023/, scripts in workflow/scripts/gerace2023/, science in src/tlrepro/gerace2023,
# notebooks in notebooks/gerace2023; docs/gerace2023.md.
from tlrepro.gerace2023 import config as g23_config

G23 = "results/gerace2023"
G23_CFG = config["gerace2023"]
G23_SETUP = G23_CFG["setup"]
G23_DATASETS = g23_config.datasets(G23_CFG)
G23_SEEDS = list(range(G23_SETUP["seeds"]))
G23_WILDCARDS = dict(
    dataset="cifar10|gm|isogm|L[0-9]+",
    source="cifar10|gm|isogm|L[0-9]+",
    target="cifar10|gm|isogm|L[0-9]+",
    n="[0-9]+",
    seed="[0-9]+",
)


def g23_panels(fig):
    return G23_CFG[fig]["panels"]


def g23_figure_inputs(wc):
    """The profiles of a figure's panels (every seed), its sources' and autoencoders' records, the
    datasets it shows images of, and the ImageNet -> IDC status when it has that panel.
    """
    named = {"profiles": [], "sources": [], "datasets": [], "autoencoders": []}
    for p in g23_panels(wc.fig):
        if p["source"] in g23_config.RESNET:
            named["idc"] = [f"{G23}/profiles/imagenet-to-idc.csv"]
            continue
        named["profiles"] += [
            f"{G23}/profiles/{p['source']}-to-{p['target']}-n{n}-s{s}.csv"
            for n in p["n_per_class"]
            for s in G23_SEEDS
        ]
        named["sources"] += [
            f"{G23}/sources/{p['source']}-s{s}.json" for s in G23_SEEDS
        ]
        for d in (p["source"], p["target"]):
            named["datasets"].append(f"{G23}/data/{d}.npz")
            if d.startswith("L"):
                named["autoencoders"].append(f"{G23}/data/{d}.json")
    return {k: list(dict.fromkeys(v)) for k, v in named.items() if v}


register_paper(
    "gerace2023",
    inputs=g23_figure_inputs,
    notebook_params=lambda wc: {
        "setup": G23_SETUP,
        "panels": g23_panels(wc.fig),
        "settings": G23_CFG[wc.fig].get("claims", {}),
    },
    experiment=lambda wc: {"setup": G23_SETUP, wc.fig: G23_CFG[wc.fig]},
    seeds=lambda wc: {
        "seeds": G23_SEEDS,
        "derivation": "tlrepro.seeding.derive_seed: a clone from (clone, 'clone'), a source network from "
        "(dataset, seed), a profile's target subset and re-initialisation from (target, n, seed); the CIFAR "
        "split from data.seed",
    },
    config_problems=g23_config.problems,
)


include: "gerace2023/defrost.smk"
