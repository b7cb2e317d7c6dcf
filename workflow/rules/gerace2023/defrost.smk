# gerace2023's rules: the CIFAR-10 pool and test set, the clones, source networks, defrosting profiles.


rule g23_cifar:
    """CIFAR-10 at the experiment's resolution: the training pool and the held-out (or official) test set."""
    input:
        dataset="resources/datasets/cifar10.npz",
    output:
        f"{G23}/data/cifar10.npz",
    log:
        "logs/g23_cifar/cifar10.log",
    conda:
        "../../../envs/science.yaml"
    params:
        cfg=G23_SETUP["data"],
    script:
        "../../scripts/gerace2023/cifar.py"


rule g23_gaussian_clone:
    """GM (a Gaussian per class and channel, full covariance) or IsoGM (isotropic) fitted on the pool."""
    input:
        cifar=f"{G23}/data/cifar10.npz",
    output:
        f"{G23}/data/{{clone}}.npz",
    log:
        "logs/g23_gaussian_clone/{clone}.log",
    wildcard_constraints:
        clone="gm|isogm",
    conda:
        "../../../envs/science.yaml"
    params:
        jitter=G23_SETUP["clones"]["jitter"],
    script:
        "../../scripts/gerace2023/gaussian_clone.py"


rule g23_autoencoder_clone:
    """An autoencoder with a bottleneck of {size} units trained on the pool; its reconstructions."""
    input:
        cifar=f"{G23}/data/cifar10.npz",
    output:
        data=f"{G23}/data/L{{size}}.npz",
        record=f"{G23}/data/L{{size}}.json",
    log:
        "logs/g23_autoencoder_clone/L{size}.log",
    benchmark:
        "results/benchmarks/g23_autoencoder_clone/L{size}.tsv"
    wildcard_constraints:
        size="[0-9]+",
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=G23_SETUP["clones"]["autoencoder"],
        device=config["device"],
    script:
        "../../scripts/gerace2023/autoencoder_clone.py"


rule g23_source:
    """A Wide-ResNet trained from scratch on a whole dataset (the source of the transfers)."""
    input:
        data=f"{G23}/data/{{dataset}}.npz",
    output:
        state=f"{G23}/sources/{{dataset}}-s{{seed}}.pt",
        record=f"{G23}/sources/{{dataset}}-s{{seed}}.json",
    log:
        "logs/g23_source/{dataset}-s{seed}.log",
    benchmark:
        "results/benchmarks/g23_source/{dataset}-s{seed}.tsv"
    wildcard_constraints:
        **G23_WILDCARDS,
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        network=G23_SETUP["network"],
        cfg=G23_SETUP["source_training"],
        device=config["device"],
    script:
        "../../scripts/gerace2023/source.py"


rule g23_defrost:
    """The defrosting profile of one source network on n images per class of the target (0: the pool)."""
    input:
        source=f"{G23}/sources/{{source}}-s{{seed}}.pt",
        target=f"{G23}/data/{{target}}.npz",
    output:
        f"{G23}/profiles/{{source}}-to-{{target}}-n{{n}}-s{{seed}}.csv",
    log:
        "logs/g23_defrost/{source}-to-{target}-n{n}-s{seed}.log",
    benchmark:
        "results/benchmarks/g23_defrost/{source}-to-{target}-n{n}-s{seed}.tsv"
    wildcard_constraints:
        **G23_WILDCARDS,
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        network=G23_SETUP["network"],
        cfg=G23_SETUP["target_training"],
        depths=G23_SETUP["depths"],
        device=config["device"],
    script:
        "../../scripts/gerace2023/defrost.py"


rule g23_idc:
    """ImageNet -> IDC (ResNet-18): whether the user-provided IDC patches and the ImageNet weights are there."""
    output:
        f"{G23}/profiles/imagenet-to-idc.csv",
    log:
        "logs/g23_idc/status.log",
    conda:
        "../../../envs/science.yaml"
    params:
        mirror=config["data"]["mirror"],
        enabled=G23_IDC,
        use=G23_SETUP["idc"]["use"],
    script:
        "../../scripts/gerace2023/idc_status.py"


rule g23_idc_defrost:
    """ImageNet -> IDC: the defrosting profile of torchvision's ImageNet ResNet-18 on {n} patches per class."""
    input:
        idc="resources/datasets/breast_idc.npz",
    output:
        f"{G23}/profiles/imagenet-to-idc-n{{n}}-s{{seed}}.csv",
    log:
        "logs/g23_idc_defrost/n{n}-s{seed}.log",
    benchmark:
        "results/benchmarks/g23_idc_defrost/n{n}-s{seed}.tsv"
    wildcard_constraints:
        n="[0-9]+",
        seed="[0-9]+",
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        idc=G23_SETUP["idc"],
        cfg=g23_config.idc_training(G23_CFG),
        device=config["device"],
        mirror=config["data"]["mirror"],
    script:
        "../../scripts/gerace2023/idc_defrost.py"
