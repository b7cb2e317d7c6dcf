# tlrepro: one DAG from synthetic data and datasets to every figure of the replicated papers.
# Run:  snakemake --cores all                      (default scale, config.yaml)
#       snakemake --cores all --configfile configs/smoke.yaml
#       snakemake --cores all figures/gerace2022/fig2b.pdf
# Layout: generic rules (common, data, figures) and one rule file per paper (docs/adding-a-paper.md).


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/gerace2022.smk"
include: "workflow/rules/gerace2023.smk"
include: "workflow/rules/lauditi2025.smk"
include: "workflow/rules/pintus2025.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        "figures/scorecard.md",
