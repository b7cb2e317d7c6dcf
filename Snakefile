# tlrepro: one DAG from synthetic data and datasets to every figure of the replicated papers.
# Run:  snakemake --cores all                      (default scale, config.yaml)
#       snakemake --cores all --configfile configs/smoke.yaml
#       snakemake --cores all figures/gerace2022/fig2b.pdf


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/chmm.smk"
include: "workflow/rules/theory.smk"
include: "workflow/rules/baselines.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/pintus2025.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        "figures/scorecard.md",
