# pintus2025: ResNet-50 pretrained on ImageNet-1K vs randomly initialised ("new"), each fine-tuned on
# 50 balanced MNIST images; per-step metrics, loss-landscape slices, the table of best values.
# Library: src/tlrepro/finetune (models, images, tracking, loop, landscape), src/tlrepro/pintus2025.
# Needs the config section pintus2025.finetune and, for the pretrained model, the torchvision ImageNet
# weights (official download, or <mirror>/weights/ with TLREPRO_DATA_MIRROR or data.mirror).

P25 = "results/pintus2025"
P25_MODELS = ["new", "pretrained"]


rule pintus2025_finetune:
    """Fine-tune one model (new | pretrained) on 50 MNIST digits: per-step metrics, network and per
    layer, and a filter-normalised 2-D loss-landscape slice."""
    input:
        mnist="resources/datasets/mnist.npz",
    output:
        metrics=f"{P25}/metrics-{{model}}.csv",
        landscape=f"{P25}/landscape-{{model}}.csv",
    log:
        "logs/pintus2025/{model}.log",
    benchmark:
        "results/benchmarks/pintus2025_finetune/{model}.tsv"
    wildcard_constraints:
        model="|".join(P25_MODELS),
    conda:
        "../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=config["pintus2025"]["finetune"],
        device=config["device"],
        mirror=config["data"]["mirror"],
    script:
        "../scripts/pintus2025_finetune.py"


rule pintus2025_figure:
    """A pintus2025 figure (training, landscape, table): the notebook draws it from both models'
    tables and checks the slides' claims; run_notebook.py records provenance."""
    input:
        metrics=expand(f"{P25}/metrics-{{model}}.csv", model=P25_MODELS),
        landscape=expand(f"{P25}/landscape-{{model}}.csv", model=P25_MODELS),
        upstream="resources/datasets/mnist.npz",
        notebook=workflow.source_path("../../notebooks/pintus2025/finetune.ipynb"),
    output:
        pdf="figures/pintus2025/{fig}.pdf",
        png=report(
            "figures/pintus2025/{fig}.png",
            caption="../report/figure.rst",
            category="pintus2025",
            subcategory="{fig}",
            labels={"figure": "{fig}", "file": "figure"},
        ),
        claims="figures/pintus2025/{fig}.claims.json",
        prov="figures/pintus2025/{fig}.prov.json",
        notebook="results/notebooks/pintus2025/{fig}.ipynb",
    log:
        "logs/figures/pintus2025-{fig}.log",
    wildcard_constraints:
        fig="training|landscape|table",
    conda:
        "../../envs/notebook.yaml"
    params:
        paper="pintus2025",
        notebook_params=lambda wc: {
            "settings": config["pintus2025"]["finetune"]["claims"],
            "title": "ResNet-50, 50 MNIST images, {image_size}px, {steps} steps, {opt} lr={lr:g}".format(
                opt=config["pintus2025"]["finetune"]["optimizer"]["name"],
                lr=config["pintus2025"]["finetune"]["optimizer"]["lr"],
                **config["pintus2025"]["finetune"],
            ),
        },
        experiment=config["pintus2025"]["finetune"],
        seeds={
            "seed": config["pintus2025"]["finetune"]["seed"],
            "derivation": "tlrepro.seeding.derive_seed(seed, 'pintus2025', purpose), purpose in "
            "train-subset, eval-subset, init, landscape (shared by both models)",
        },
        config_files=CONFIG_FILES,
        caption=lambda wc: REGISTRY["pintus2025"][wc.fig]["caption"],
        # the notebook as the repository has it (the input is Snakemake's cached copy)
        notebook_path=repo_path("notebooks/pintus2025/finetune.ipynb"),
    script:
        "../scripts/run_notebook.py"
