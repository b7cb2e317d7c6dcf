# gerace2023, "Optimal transfer protocol by incremental layer defrosting": CIFAR-10 and its clones,
# Wide-ResNets, layer-wise defrosting profiles (Figs. 1, 2, 3, 4, 7), compliant learning (Fig. 5) and
# representation similarity (Figs. 6, 8, 9). Rules (prefix g23_) in
# workflow/rules/gerace2023/, scripts in workflow/scripts/gerace2023/, science in src/tlrepro/gerace2023,
# notebooks in notebooks/gerace2023; docs/gerace2023.md.
from tlrepro.gerace2023 import config as g23_config

G23 = "results/gerace2023"
G23_CFG = config["gerace2023"]
G23_SETUP = G23_CFG["setup"]
G23_DATASETS = g23_config.datasets(G23_CFG)
G23_SEEDS = list(range(G23_SETUP["seeds"]))
# ImageNet -> IDC: built when setup.idc.use says so (auto: when the user has provided the patches)
G23_IDC = g23_config.idc_enabled(G23_CFG, config["data"]["mirror"])
G23_IDC_SEEDS = list(range(G23_SETUP["idc"]["seeds"]))
G23_WILDCARDS = dict(
    dataset="cifar10|gm|isogm|L[0-9]+",
    source="cifar10|gm|isogm|L[0-9]+",
    target="cifar10|gm|isogm|L[0-9]+",
    n="[0-9]+",
    seed="[0-9]+",
)


def g23_panels(fig):
    return G23_CFG[fig].get("panels", [])


def g23_figure_inputs(wc):
    """The profiles of a figure's panels (every seed), its sources' and autoencoders' records, the
    datasets it shows images of, and for an ImageNet -> IDC panel its status and, when built, its profiles.
    """
    named = {"profiles": [], "sources": [], "datasets": [], "autoencoders": []}
    for p in g23_panels(wc.fig):
        if p["source"] in g23_config.RESNET:
            named["idc"] = [f"{G23}/profiles/imagenet-to-idc.csv"]
            if G23_IDC:
                named["profiles"] += [
                    f"{G23}/profiles/imagenet-to-idc-n{n}-s{s}.csv"
                    for n in p["n_per_class"]
                    for s in G23_IDC_SEEDS
                ]
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
    clones = G23_CFG[wc.fig].get("clones", [])
    if clones:
        named["similarity"] = [
            f"{G23}/similarity/{c}-vs-cifar10-s{s}.csv"
            for c in clones
            for s in G23_SEEDS
        ]
        named["sources"] += [
            f"{G23}/sources/{d}-s{s}.json"
            for d in ["cifar10", *clones]
            for s in G23_SEEDS
        ]
    if "compliant" in G23_CFG[wc.fig]:
        named["compliant"] = [
            f"{G23}/compliant/lambda{g23_config.lambda_label(lam)}-s{s}.json"
            for lam in G23_CFG[wc.fig]["compliant"]["lambdas"]
            for s in G23_SEEDS
        ]
        named["sources"] += [
            f"{G23}/sources/{d}-s{s}.json" for d in ("cifar10", "gm") for s in G23_SEEDS
        ]
    return {k: list(dict.fromkeys(v)) for k, v in named.items() if v}


register_paper(
    "gerace2023",
    inputs=g23_figure_inputs,
    notebook_params=lambda wc: {
        "setup": G23_SETUP,
        "panels": g23_panels(wc.fig),
        "settings": G23_CFG[wc.fig].get("claims", {}),
        "clones": G23_CFG[wc.fig].get("clones", []),
        # Fig. 8's monotonicity claim skips the clones Fig. 6 judges (each verdict counted once)
        "judged_elsewhere": G23_CFG["fig6"]["clones"] if wc.fig == "fig8" else [],
    },
    experiment=lambda wc: {"setup": G23_SETUP, wc.fig: G23_CFG[wc.fig]},
    seeds=lambda wc: {
        "seeds": G23_SEEDS,
        "idc_seeds": G23_IDC_SEEDS if G23_IDC else [],
        "derivation": "tlrepro.seeding.derive_seed: a clone from (clone, 'clone'), a source network from "
        "(dataset, seed), a profile's target subset and re-initialisation from (target, n, seed), an IDC "
        "profile's subsets and re-initialisation from ('idc', n, seed); a similarity profile compares the "
        "source networks of one seed; a compliant network is initialised from ('gm', seed) (shared_init) "
        "or ('cifar10', seed) and trained with the batches of ('cifar10', seed); the CIFAR split from "
        "data.seed",
    },
    config_problems=g23_config.problems,
)


include: "gerace2023/defrost.smk"
include: "gerace2023/similarity.smk"
