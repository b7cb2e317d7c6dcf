# lauditi2025's fine-tuning rules (Figs. 1, 2): linear networks and theory, CIFAR-10 networks and theory.


rule l25_linear:
    """Linear mean-field networks of one width: source phase, measured kernel constants, new readouts."""
    output:
        f"{L25}/{{exp}}/sims-N{{width}}.csv",
    log:
        "logs/l25_linear/{exp}-N{width}.log",
    benchmark:
        "results/benchmarks/l25_linear/{exp}-N{width}.tsv"
    wildcard_constraints:
        **L25_WILDCARDS,
        exp="|".join(L25_LINEAR),
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
        device=config["device"],
    script:
        "../../scripts/lauditi2025/linear_finetune.py"


rule l25_linear_theory:
    """The closed-form losses (general formula, Results 2 and 4, linear probe) on a dense nu2 grid."""
    output:
        f"{L25}/{{exp}}/theory.csv",
    log:
        "logs/l25_linear_theory/{exp}.log",
    wildcard_constraints:
        exp="|".join(L25_LINEAR),
    conda:
        "../../../envs/science.yaml"
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
    script:
        "../../scripts/lauditi2025/linear_theory.py"


rule l25_cifar_task:
    """Source, target and test images of a CIFAR-10 class-pair experiment, preprocessed."""
    input:
        dataset=lambda wc: f"resources/datasets/{L25_CFG[wc.exp]['dataset']}.npz",
    output:
        f"{L25}/{{exp}}/task.npz",
    log:
        "logs/l25_cifar_task/{exp}.log",
    wildcard_constraints:
        exp="|".join(L25_CIFAR),
    conda:
        "../../../envs/science.yaml"
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
    script:
        "../../scripts/lauditi2025/cifar_task.py"


rule l25_cifar:
    """ReLU networks of one width pre-trained with one gamma1 (0: untrained), new readouts for every P2."""
    input:
        task=f"{L25}/{{exp}}/task.npz",
    output:
        f"{L25}/{{exp}}/sims-g{{gamma}}-N{{width}}.csv",
    log:
        "logs/l25_cifar/{exp}-g{gamma}-N{width}.log",
    benchmark:
        "results/benchmarks/l25_cifar/{exp}-g{gamma}-N{width}.tsv"
    wildcard_constraints:
        **L25_WILDCARDS,
        exp="|".join(L25_CIFAR),
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
        device=config["device"],
    script:
        "../../scripts/lauditi2025/cifar_finetune.py"


rule l25_cifar_theory:
    """Kernel regression on the target with the adaptive kernel after the source phase (theory width)."""
    input:
        task=f"{L25}/{{exp}}/task.npz",
    output:
        f"{L25}/{{exp}}/theory-g{{gamma}}.csv",
    log:
        "logs/l25_cifar_theory/{exp}-g{gamma}.log",
    benchmark:
        "results/benchmarks/l25_cifar_theory/{exp}-g{gamma}.tsv"
    wildcard_constraints:
        **L25_WILDCARDS,
        exp="|".join(L25_CIFAR),
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
        device=config["device"],
    script:
        "../../scripts/lauditi2025/cifar_theory.py"
