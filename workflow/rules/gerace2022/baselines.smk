# Simulated baselines on the target task: TF and RF logistic regressions, 2L and ft-TF networks.


rule g22_simulate_fixed_features:
    """TF or RF: scikit-learn logistic regression on the (centred) fixed features."""
    input:
        unpack(g22_centring_input("{kind}")),
        task=g22_task_file,
        featuremap=g22_featuremap_file("{kind}"),
    output:
        table=f"{G22}/{{exp}}/sim-{{kind}}-s{{inst}}.csv",
        readouts=f"{G22}/{{exp}}/readouts-{{kind}}-s{{inst}}.npz",
    log:
        "logs/g22_simulate_fixed_features/{exp}-{kind}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_simulate_fixed_features/{exp}-{kind}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    # scheduling only (the TF readouts gate their experiment's ft-TF training); results do not depend on it
    priority: 2
    conda:
        "../../../envs/science.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_simulate_fixed_features"),
    params:
        cfg=lambda wc: g22_exp_config(wc)["simulation"],
        H=lambda wc: g22_exp_config(wc)["H"],
        lam=lambda wc: g22_exp_config(wc)["lam"],
    script:
        "../../scripts/gerace2022/simulate_fixed_features.py"


rule g22_simulate_twolayer:
    """2L: the whole two-layer network trained from scratch on the target."""
    input:
        task=g22_task_file,
    output:
        f"{G22}/{{exp}}/sim-2l-s{{inst}}.csv",
    log:
        "logs/g22_simulate_twolayer/{exp}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_simulate_twolayer/{exp}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    # scheduling only (the longest jobs start first; short ones fill the tail); results do not depend on it
    priority: 1
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_simulate_twolayer"),
        gpu=1,
    params:
        cfg=lambda wc: g22_exp_config(wc)["networks"],
        H=lambda wc: g22_exp_config(wc)["H"],
        lam=lambda wc: g22_exp_config(wc)["lam"],
        model="2L",
        device=config["device"],
        parametrisation=lambda wc: g22_exp_config(wc)["parametrisation"],
    script:
        "../../scripts/gerace2022/simulate_networks.py"


rule g22_simulate_finetune:
    """ft-TF: both layers fine-tuned from the TF solution (transferred first layer, TF readout)."""
    input:
        unpack(g22_centring_input("tf")),
        unpack(g22_tf_readouts_input),
        task=g22_task_file,
        featuremap=g22_featuremap_file("tf"),
    output:
        f"{G22}/{{exp}}/sim-fttf-s{{inst}}.csv",
    log:
        "logs/g22_simulate_finetune/{exp}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_simulate_finetune/{exp}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    # scheduling only (the longest jobs start first; short ones fill the tail); results do not depend on it
    priority: 1
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_simulate_finetune"),
        gpu=1,
    params:
        cfg=lambda wc: g22_exp_config(wc)["networks"],
        H=lambda wc: g22_exp_config(wc)["H"],
        lam=lambda wc: g22_exp_config(wc)["lam"],
        model="ft-TF",
        device=config["device"],
        parametrisation=lambda wc: g22_exp_config(wc)["parametrisation"],
    script:
        "../../scripts/gerace2022/simulate_networks.py"


rule g22_simulate_gaussian_equivalent:
    """The model the replica equations describe (features and teacher field jointly Gaussian with the
    same Omega, b, rho): separates solver and finite-size errors from Gaussian-equivalence errors.
    """
    input:
        population=f"{G22}/{{exp}}/pop-{{kind}}-s{{inst}}.npz",
    output:
        f"{G22}/{{exp}}/geq-{{kind}}-s{{inst}}.csv",
    log:
        "logs/g22_simulate_gaussian_equivalent/{exp}-{kind}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_simulate_gaussian_equivalent/{exp}-{kind}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    conda:
        "../../../envs/science.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_simulate_gaussian_equivalent"),
    params:
        cfg=lambda wc: g22_exp_config(wc)["simulation"],
        lam=lambda wc: g22_exp_config(wc)["lam"],
    script:
        "../../scripts/gerace2022/simulate_gaussian_equivalent.py"


rule g22_readout_gaussianity:
    """The Gaussian-equivalence step alone: the error of fixed linear readouts of the features (a logistic
    regression fitted on many samples; for TF also the source network's own) on fresh CHMM samples against
    the error the Gaussian model with the same Omega, b, rho predicts for them.
    """
    input:
        chmm=f"{G22}/{{exp}}/instance-s{{inst}}.npz",
        featuremap=g22_featuremap_file("{kind}"),
        population=f"{G22}/{{exp}}/pop-{{kind}}-s{{inst}}.npz",
    output:
        f"{G22}/{{exp}}/readout-{{kind}}-s{{inst}}.csv",
    log:
        "logs/g22_readout_gaussianity/{exp}-{kind}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_readout_gaussianity/{exp}-{kind}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    conda:
        "../../../envs/science.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_readout_gaussianity"),
    params:
        cfg=lambda wc: g22_exp_config(wc)["readout_check"],
    script:
        "../../scripts/gerace2022/readout_gaussianity.py"
