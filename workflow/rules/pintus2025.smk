# pintus2025: ResNet-50 pretrained on ImageNet-1K vs randomly initialised ("new"), each fine-tuned on
# 50 balanced MNIST images; per-step metrics, loss-landscape slices, the table of best values.
# Library: src/tlrepro/finetune (models, images, tracking, loop, landscape), src/tlrepro/pintus2025.
# Needs the config section pintus2025.finetune and, for the pretrained model, the torchvision ImageNet
# weights (official download, or <mirror>/weights/ with TLREPRO_DATA_MIRROR or data.mirror).

P25 = "results/pintus2025"
P25_MODELS = ["new", "pretrained"]
P25_CFG = config["pintus2025"]["finetune"]


rule p25_finetune:
    """Fine-tune one model (new | pretrained) on 50 MNIST digits: per-step metrics, network and per
    layer, and a filter-normalised 2-D loss-landscape slice."""
    input:
        mnist="resources/datasets/mnist.npz",
    output:
        metrics=f"{P25}/metrics-{{model}}.csv",
        landscape=f"{P25}/landscape-{{model}}.csv",
    log:
        "logs/p25_finetune/{model}.log",
    benchmark:
        "results/benchmarks/p25_finetune/{model}.tsv"
    wildcard_constraints:
        model="|".join(P25_MODELS),
    conda:
        "../../envs/torch.yaml"
    threads: config["threads"]
    resources:
        gpu=1,
    params:
        cfg=P25_CFG,
        device=config["device"],
        mirror=config["data"]["mirror"],
    script:
        "../scripts/pintus2025/finetune.py"


# Every figure (training, landscape, table) is drawn by notebooks/pintus2025/finetune.ipynb from both
# models' tables.
register_paper(
    "pintus2025",
    inputs=lambda wc: {
        "metrics": expand(f"{P25}/metrics-{{model}}.csv", model=P25_MODELS),
        "landscape": expand(f"{P25}/landscape-{{model}}.csv", model=P25_MODELS),
        "upstream": "resources/datasets/mnist.npz",
    },
    notebook_params=lambda wc: {
        "settings": P25_CFG["claims"],
        "title": "ResNet-50, 50 MNIST images, {image_size}px, {steps} steps, {opt} lr={lr:g}".format(
            opt=P25_CFG["optimizer"]["name"], lr=P25_CFG["optimizer"]["lr"], **P25_CFG
        ),
    },
    experiment=lambda wc: P25_CFG,
    seeds=lambda wc: {
        "seed": P25_CFG["seed"],
        "derivation": "tlrepro.seeding.derive_seed(seed, 'pintus2025', purpose), purpose in "
        "train-subset, eval-subset, init, landscape (shared by both models)",
    },
)
