# gerace2023's part 2: representation similarity of the source networks (Figs. 6, 8, 9) and compliant
# learning (Fig. 5).


rule g23_similarity:
    """Unit by unit, a source network against the CIFAR-10 network of the same seed, on CIFAR-10 test images:
    information imbalance, neighbourhood overlap, CKA and neighbour-rank Spearman."""
    input:
        cifar=f"{G23}/data/cifar10.npz",
        source=f"{G23}/sources/{{source}}-s{{seed}}.pt",
        target=f"{G23}/sources/cifar10-s{{seed}}.pt",
    output:
        f"{G23}/similarity/{{source}}-vs-cifar10-s{{seed}}.csv",
    log:
        "logs/g23_similarity/{source}-s{seed}.log",
    benchmark:
        "results/benchmarks/g23_similarity/{source}-s{seed}.tsv"
    wildcard_constraints:
        **G23_WILDCARDS,
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        network=G23_SETUP["network"],
        cfg=G23_SETUP["similarity"],
        device=config["device"],
    script:
        "../../scripts/gerace2023/similarity.py"


rule g23_compliant:
    """A CIFAR-10 network trained from scratch with its first units elastically coupled (strength {lam}) to
    the GM source network of the same seed."""
    input:
        cifar=f"{G23}/data/cifar10.npz",
        anchor=f"{G23}/sources/gm-s{{seed}}.pt",
    output:
        f"{G23}/compliant/lambda{{lam}}-s{{seed}}.json",
    log:
        "logs/g23_compliant/lambda{lam}-s{seed}.log",
    benchmark:
        "results/benchmarks/g23_compliant/lambda{lam}-s{seed}.tsv"
    wildcard_constraints:
        lam="[0-9.e-]+",
        seed="[0-9]+",
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        network=G23_SETUP["network"],
        cfg=G23_SETUP["source_training"],
        units=G23_CFG["fig5"]["compliant"]["units"],
        shared_init=G23_CFG["fig5"]["compliant"]["shared_init"],
        device=config["device"],
    script:
        "../../scripts/gerace2023/compliant.py"
