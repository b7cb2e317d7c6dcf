# Figures of every paper: papermill-executed notebooks that draw, check the paper's claims and record
# provenance; each figure's report card; the replication scorecard. Included after every paper's rule
# file, so that each paper with a built figure has registered how to build it (register_paper).

_unregistered = [p for p, figs in FIGURES.items() if figs and p not in PAPERS]
if _unregistered:
    raise WorkflowError(
        f"{', '.join(_unregistered)}: figures.yaml marks figures as implemented but no rule file "
        "registered the paper; include workflow/rules/<paper>.smk in the Snakefile before "
        "figures.smk, and call register_paper there (docs/adding-a-paper.md)."
    )


rule figure:
    """A figure of any paper: its family's notebook (notebooks/<paper>/<family>.ipynb) draws it from the
    result tables the paper's rule file names (register_paper), checks the paper's claims, and the rule
    records provenance."""
    input:
        unpack(figure_inputs),
    output:
        pdf="figures/{paper}/{fig}.pdf",
        png=report(
            "figures/{paper}/{fig}.png",
            caption="../report/figure.rst",
            category="{paper}",
            subcategory="{fig}",
            labels={"figure": "{fig}", "file": "figure"},
        ),
        claims="figures/{paper}/{fig}.claims.json",
        prov="figures/{paper}/{fig}.prov.json",
        notebook="results/notebooks/{paper}/{fig}.ipynb",
    log:
        "logs/figures/{paper}-{fig}.log",
    wildcard_constraints:
        paper="|".join(p for p, figs in FIGURES.items() if figs),
        fig="|".join(sorted({f for figs in FIGURES.values() for f in figs})),
    conda:
        "../../envs/notebook.yaml"
    params:
        paper=lambda wc: wc.paper,
        notebook_params=paper_hook("notebook_params"),
        experiment=paper_hook("experiment"),
        seeds=paper_hook("seeds"),
        config_files=CONFIG_FILES,
        caption=lambda wc: REGISTRY[wc.paper][wc.fig]["caption"],
        # the notebook as the repository has it (the input is Snakemake's cached copy)
        notebook_path=lambda wc: repo_path(notebook(wc.paper, wc.fig)),
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
