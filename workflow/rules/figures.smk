# Figures: papermill-executed notebooks that draw, check the paper's claims and record provenance.


rule figure:
    """A gerace2022 figure: its family's notebook (chmm_learning_curve, real_data_learning_curve,
    phase_diagram, double_descent, example_images or schematic) draws it from the result tables of its
    panels, checks the paper's claims and the rule records provenance."""
    input:
        unpack(figure_inputs),
    output:
        pdf="figures/gerace2022/{fig}.pdf",
        png=report(
            "figures/gerace2022/{fig}.png",
            caption="../report/figure.rst",
            category="gerace2022",
            subcategory="{fig}",
            labels={"figure": "{fig}", "file": "figure"},
        ),
        claims="figures/gerace2022/{fig}.claims.json",
        prov="figures/gerace2022/{fig}.prov.json",
        notebook="results/notebooks/gerace2022/{fig}.ipynb",
    log:
        "logs/figures/gerace2022-{fig}.log",
    wildcard_constraints:
        fig="|".join(FIGURES["gerace2022"]),
    conda:
        "../../envs/notebook.yaml"
    params:
        paper="gerace2022",
        notebook_params=notebook_params,
        experiment=lambda wc: {p: config["gerace2022"][p] for p in panels(wc.fig)},
        seeds=figure_seeds,
        config_files=CONFIG_FILES,
        caption=lambda wc: REGISTRY["gerace2022"][wc.fig]["caption"],
        # the notebook as the repository has it (the input is Snakemake's cached copy)
        notebook_path=lambda wc: repo_path(
            f"notebooks/gerace2022/{REGISTRY['gerace2022'][wc.fig]['family']}.ipynb"
        ),
    script:
        "../scripts/run_notebook.py"


rule figure_card:
    """One figure's claims verdicts and provenance as an HTML card for the report."""
    input:
        claims="figures/{paper}/{fig}.claims.json",
        prov="figures/{paper}/{fig}.prov.json",
    output:
        report(
            "results/report/{paper}/{fig}.html",
            caption="../report/card.rst",
            category="{paper}",
            subcategory="{fig}",
            labels={"figure": "{fig}", "file": "claims and provenance"},
        ),
    log:
        "logs/figure_card/{paper}-{fig}.log",
    conda:
        "../../envs/science.yaml"
    script:
        "../scripts/figure_card.py"


rule scorecard:
    """Replication scorecard: every figure, its scale and its claims passed / failed."""
    input:
        claims=figure_files(["claims.json"]),
        prov=figure_files(["prov.json"]),
        registry=workflow.source_path("../report/figures.yaml"),
    output:
        md="figures/scorecard.md",
        html=report(
            "results/report/scorecard.html",
            caption="../report/scorecard.rst",
            category="Scorecard",
            labels={"file": "scorecard"},
        ),
    log:
        "logs/scorecard/scorecard.log",
    conda:
        "../../envs/science.yaml"
    script:
        "../scripts/scorecard.py"
