"""lauditi2025: C. Lauditi, B. Bordelon, C. Pehlevan, "Transfer learning in infinite width feature
learning networks" (arXiv 2507.04448).

  theory       closed-form fine-tuning losses (general ridgeless formula, Results 2 and 4, the spike)
  tasks        linear teachers with exact alignments; CIFAR-10 class-pair regression
  networks     two-layer mean-field networks, full-batch gradient descent, readouts, feature kernels
  experiments  one workflow job each: the networks of Figs. 1 and 2 (curves: the theory tables)
  claims, plots, config   the captions' claims, the figures, cross-key config rules

The public API of the theory is re-exported here: ``finetune_loss(nu2, alpha_s, alpha_g, c1, c2, c3)``
and ``spike(gamma1)``. See docs/lauditi2025.md.
"""

from .theory import finetune_loss, linear_probe_loss, result2, result4, spike

__all__ = ["finetune_loss", "linear_probe_loss", "result2", "result4", "spike"]
