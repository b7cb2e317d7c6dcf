# Figures: papermill-executed notebooks that draw, check the paper's claims and record provenance.


def learning_curve_inputs(wc):
    exp, insts = wc.fig, instances(wc.fig)
    pattern = lambda name: expand(f"{G22}/{exp}/{name}", inst=insts)
    return {
        "theory": expand(
            f"{G22}/{exp}/theory-{{kind}}-s{{inst}}.csv", kind=["tf", "rf"], inst=insts
        ),
        "sims": expand(
            f"{G22}/{exp}/sim-{{model}}-s{{inst}}.csv",
            model=["tf", "rf", "2l", "fttf"],
            inst=insts,
        ),
        "meta": pattern("source-s{inst}.json"),
        "upstream": pattern("instance-s{inst}.npz")
        + expand(
            f"{G22}/{exp}/{{f}}-{{kind}}-s{{inst}}.npz",
            f=["featuremap", "pop"],
            kind=["tf", "rf"],
            inst=insts,
        ),
    }


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
    wildcard_constraints:
        fig="fig2b",
    params:
        paper="gerace2022",
        settings=lambda wc: config["gerace2022"][wc.fig]["claims"],
        experiment=lambda wc: config["gerace2022"][wc.fig],
    log:
        "logs/figures/gerace2022-{fig}.log",
    conda:
        "../../envs/notebook.yaml"
    script:
        "../scripts/run_notebook.py"
