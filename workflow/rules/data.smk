# Datasets: download from the official source (or take from the offline mirror), verify, and write
# one canonical array file per dataset. Library: src/tlrepro/data (registry, fetch, canonical).
from tlrepro.data.registry import DATASETS


rule prepare_dataset:
    """Verified raw files of one dataset -> resources/datasets/{dataset}.npz (x/y train/test, metadata). A
    dataset the user provides (breast_idc) is taken from the mirror; without it the job says how to get it.
    """
    output:
        "resources/datasets/{dataset}.npz",
    log:
        "logs/data/{dataset}.log",
    benchmark:
        "results/benchmarks/prepare_dataset/{dataset}.tsv"
    wildcard_constraints:
        dataset="|".join(DATASETS),
    localrule: True
    conda:
        "../../envs/science.yaml"
    threads: 1
    params:
        mirror=config["data"]["mirror"],
        cache="resources/downloads",
    script:
        "../scripts/prepare_dataset.py"
