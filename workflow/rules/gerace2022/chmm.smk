# Synthetic data (CHMM) or image tasks, and the feature maps that are transferred (TF) or random (RF).


rule g22_chmm_instance:
    """One CHMM realisation: source and target generative features and teachers (eqs. 1-5)."""
    output:
        f"{G22}/{{exp}}/instance-s{{inst}}.npz",
    log:
        "logs/g22_chmm_instance/{exp}-s{inst}.log",
    wildcard_constraints:
        **G22_WILDCARDS,
    # scheduling only (an instance gates every job of its experiment); results do not depend on it
    priority: 2
    conda:
        "../../../envs/science.yaml"
    resources:
        mem_mb=g22_mem_mb("g22_chmm_instance"),
    params:
        cfg=lambda wc: g22_exp_config(wc)["chmm"],
    script:
        "../../scripts/gerace2022/chmm_instance.py"


rule g22_train_source:
    """Two-layer network trained on the source task (appendix D.2); its first layer is transferred."""
    input:
        task=g22_task_file,
    output:
        featuremap=f"{G22}/{{exp}}/featuremap-tf-s{{inst}}.npz",
        meta=f"{G22}/{{exp}}/source-s{{inst}}.json",
    log:
        "logs/g22_train_source/{exp}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_train_source/{exp}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    # scheduling only (a source network gates its experiment's longest jobs); results do not depend on it
    priority: 2
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_train_source"),
        gpu=1,
    params:
        cfg=lambda wc: g22_exp_config(wc)["source"],
        H=lambda wc: g22_exp_config(wc)["H"],
        device=config["device"],
        parametrisation=lambda wc: g22_exp_config(wc)["parametrisation"],
    script:
        "../../scripts/gerace2022/train_source.py"


rule g22_random_features:
    """The random-feature (RF) first layer: i.i.d. N(0, 1) weights."""
    input:
        task=g22_task_file,
    output:
        featuremap=f"{G22}/{{exp}}/featuremap-rf-s{{inst}}.npz",
    log:
        "logs/g22_random_features/{exp}-s{inst}.log",
    wildcard_constraints:
        **G22_WILDCARDS,
    conda:
        "../../../envs/science.yaml"
    resources:
        mem_mb=g22_mem_mb("g22_random_features"),
    params:
        H=lambda wc: g22_exp_config(wc)["H"],
    script:
        "../../scripts/gerace2022/random_features.py"


rule g22_image_task:
    """Source and target pools of a real-data experiment: labelling rule, transform and split."""
    input:
        dataset=lambda wc: f"resources/datasets/{g22_exp_config(wc)['dataset']}.npz",
    output:
        f"{G22}/{{exp}}/task-s{{inst}}.npz",
    log:
        "logs/g22_image_task/{exp}-s{inst}.log",
    wildcard_constraints:
        **G22_WILDCARDS,
    conda:
        "../../../envs/science.yaml"
    resources:
        mem_mb=g22_mem_mb("g22_image_task"),
    params:
        spec=lambda wc: g22_exp_config(wc)["task"],
    script:
        "../../scripts/gerace2022/image_task.py"
