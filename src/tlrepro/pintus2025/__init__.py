"""pintus2025 (slides "An Empirical Analysis of Transfer Learning and Implicit Regularization"):
ResNet-50 pretrained on ImageNet-1K vs randomly initialised, each fine-tuned on 50 balanced MNIST
images; per-step loss, balanced accuracy, gradient norm, weight-norm and angle change (network and
per layer), a filter-normalised 2-D loss-landscape slice, and the table of best values.

  config     the slides' values and our choices (CONFIG, the default scale)
  job        one model's fine-tuning job (needs PyTorch: import tlrepro.pintus2025.job)
  analysis   best_table, landscape roughness, claim verdicts (no PyTorch)
  plots      the figures (no PyTorch)

The generic machinery (models, images, tracking, loop, landscape) is :mod:`tlrepro.finetune`.
"""

from .analysis import (best_table, landscape_claims, landscape_summary, roughness,
                       table_claims, training_claims)
from .config import CHANCE_LOSS, CONFIG, MODELS, PAPER_TABLE


__all__ = ["CHANCE_LOSS", "CONFIG", "MODELS", "PAPER_TABLE", "best_table", "landscape_claims",
           "landscape_summary", "roughness", "table_claims",
           "training_claims"]
