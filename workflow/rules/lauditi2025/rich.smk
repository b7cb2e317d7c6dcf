# lauditi2025's jointly rich rules (Figs. 3, 4, 5): the tasks, then networks and DMFT through both phases.


rule l25_rich_task:
    """The source, target and test arrays of a jointly rich experiment."""
    input:
        unpack(l25_rich_task_inputs),
    output:
        f"{L25}/{{exp}}/rich-task.npz",
    log:
        "logs/l25_rich_task/{exp}.log",
    wildcard_constraints:
        exp="|".join(L25_RICH),
    conda:
        "../../../envs/science.yaml"
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
    script:
        "../../scripts/lauditi2025/rich_task.py"


rule l25_rich:
    """One network of width {n} ("net") or the DMFT by Monte Carlo over {n} sites ("dmft"): phase 1 on the
    source with gamma1, then phase 2 for every gamma2 and target size, with and without pre-training.
    """
    input:
        task=f"{L25}/{{exp}}/rich-task.npz",
    output:
        table=f"{L25}/{{exp}}/rich-{{model}}-n{{n}}-s{{seed}}.csv",
        arrays=f"{L25}/{{exp}}/rich-{{model}}-n{{n}}-s{{seed}}.npz",
    log:
        "logs/l25_rich/{exp}-{model}-n{n}-s{seed}.log",
    benchmark:
        "results/benchmarks/l25_rich/{exp}-{model}-n{n}-s{seed}.tsv"
    wildcard_constraints:
        exp="|".join(L25_RICH),
        model="net|dmft",
        n="[0-9]+",
        seed="[0-9]+",
    conda:
        "../../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=lambda wc: L25_CFG[wc.exp],
        device=config["device"],
    script:
        "../../scripts/lauditi2025/rich.py"
