# Datasets: download from the official source (or take from the offline mirror), verify, and write
# one canonical array file per dataset. Library: src/tlrepro/data (registry, fetch, canonical).
from tlrepro.data.registry import downloadable_names


rule prepare_dataset:
    """Verified raw files of one dataset -> resources/datasets/{dataset}.npz (x/y train/test, metadata)."""
    output:
        "resources/datasets/{dataset}.npz",
    log:
        "logs/data/{dataset}.log",
    benchmark:
        "results/benchmarks/prepare_dataset/{dataset}.tsv"
    wildcard_constraints:
        dataset="|".join(downloadable_names()),
    localrule: True
    conda:
        "../../envs/science.yaml"
    threads: 1
    params:
        mirror=config["data"]["mirror"],
        cache="resources/downloads",
    script:
        "../scripts/prepare_dataset.py"
