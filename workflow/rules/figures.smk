# Figures: papermill-executed notebooks that draw, check the paper's claims and record provenance.


rule figure_learning_curve:
    """gerace2022 learning-curve figures (Fig. 2b): TF, RF theory and simulation, 2L, ft-TF vs M/H."""
    input:
        unpack(learning_curve_inputs),
        notebook=workflow.source_path("../../notebooks/gerace2022/fig2b.ipynb"),
    output:
        pdf="figures/gerace2022/{fig}.pdf",
        png="figures/gerace2022/{fig}.png",
        claims="figures/gerace2022/{fig}.claims.json",
        prov="figures/gerace2022/{fig}.prov.json",
        notebook="results/notebooks/gerace2022/{fig}.ipynb",
    log:
        "logs/figures/gerace2022-{fig}.log",
    wildcard_constraints:
        fig="fig2b",
    conda:
        "../../envs/notebook.yaml"
    params:
        paper="gerace2022",
        settings=lambda wc: config["gerace2022"][wc.fig]["claims"],
        experiment=lambda wc: config["gerace2022"][wc.fig],
    script:
        "../scripts/run_notebook.py"
