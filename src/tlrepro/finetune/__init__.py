"""Fine-tuning image classifiers with per-step diagnostics (PyTorch), one job per module:

  models      torchvision architectures, random or ImageNet-pretrained (via tlrepro.data), new head
  images      balanced subsets, uint8 images -> normalised 3-channel network input (ImageSet)
  tracking    parameter scopes, gradient norms, weight-norm and angle changes, balanced accuracy
  loop        the fine-tuning loop: a tidy per-step, per-scope metrics table
  landscape   filter-normalised directions (Li et al. 2018) and 2-D loss-landscape slices

Used by the pintus2025 experiment (:mod:`tlrepro.pintus2025`); nothing here is specific to it.
"""

from .images import IMAGENET_MEAN, IMAGENET_STD, ImageSet, balanced_indices, to_network_input
from .landscape import filter_normalized_direction, grid_coordinates, loss_landscape
from .loop import evaluate, finetune, make_optimizer
from .models import build_model, tiny_convnet
from .tracking import WeightTracker, angle_between, balanced_accuracy, module_scopes

__all__ = [
    "IMAGENET_MEAN", "IMAGENET_STD", "ImageSet", "WeightTracker", "angle_between", "balanced_accuracy",
    "balanced_indices", "build_model", "evaluate", "filter_normalized_direction", "finetune",
    "grid_coordinates", "loss_landscape", "make_optimizer", "module_scopes", "tiny_convnet",
    "to_network_input",
]
