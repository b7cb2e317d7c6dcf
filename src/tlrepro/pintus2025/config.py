"""The pintus2025 experiment's settings: what the slides state and what they leave open ("our choice").

Slides ("The Experiment"): ResNet-50, pre-trained on ImageNet-1K, fine-tuned on MNIST downsampled to
50 images; tracked: loss, (balanced) accuracy, gradient norm, weight-norm and weight-alignment change,
network- and layer-wise; a loss-landscape comparison; the table of best loss and best balanced accuracy.
Everything else below is our choice. ``CONFIG`` is the default ("laptop") scale; the workflow passes the
``pintus2025.finetune`` section of its config, which has the same keys."""

from __future__ import annotations

import math

MODELS = {"new": False, "pretrained": True}  # model name -> initialised from ImageNet weights

# The slides' table "Best Loss" (loss, balanced accuracy).
PAPER_TABLE = {"new": {"best_loss": 2.3025, "best_balanced_accuracy": 0.1105},
               "pretrained": {"best_loss": 1.8348, "best_balanced_accuracy": 0.6169}}
CHANCE_LOSS = math.log(10.0)  # cross-entropy of the uniform prediction over 10 digits
SOURCE = "Pintus 2025, slides 'An Empirical Analysis of Transfer Learning and Implicit Regularization'"

CONFIG = {
    "arch": "resnet50",              # slides
    "weights": "IMAGENET1K_V1",      # our choice: torchvision's original ImageNet-1K weights
    "n_train_per_class": 5,          # slides: 50 images; our choice: balanced, 5 per digit
    "n_eval_per_class": 30,          # our choice: held-out balanced subset of the MNIST test split
    "image_size": 64,                # our choice (paper scale: 224, ResNet-50's ImageNet input size)
    "steps": 40,                     # our choice: full-batch optimisation steps
    "eval_every": 4,                 # our choice: evaluation-set metrics every this many steps
    "eval_batch_size": 250,          # our choice (memory only; results do not depend on it)
    "optimizer": {                   # our choice: Adam, a common fine-tuning default
        "name": "adam", "lr": 1.0e-4, "weight_decay": 0.0,
        "momentum": 0.9,             # used by sgd only
    },
    "seed": 0,                       # our choice; every draw derives from it (tlrepro.seeding)
    "landscape": {                   # Li et al. 2018 filter-normalised 2-D slice, training images
        "center": "final",           # our choice: around the fine-tuned weights (Li et al.'s minimiser)
        "span": 1.0,                 # our choice (Li et al.: [-1, 1])
        "points": 7,                 # our choice: per axis, odd (paper scale: 51, as Li et al.)
    },
    "claims": {
        "n_sigma": 3.0,              # our choice: pretrained vs new gaps must exceed n_sigma SE
        "alpha": 0.01,               # our choice: level of the "new model at chance" checks
    },
}
