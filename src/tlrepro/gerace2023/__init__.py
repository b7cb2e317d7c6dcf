"""gerace2023: F. Gerace, D. Doimo, S. Sarao Mannelli, L. Saglietti, A. Laio, "Optimal transfer protocol by
incremental layer defrosting" (arXiv 2303.01429; TMLR 2024 as "How to choose the right transfer learning
protocol? A qualitative analysis in a controlled set-up").

  wrn, units   pre-activation Wide-ResNets WRN-d-k cut into transfer units (WRN-28-4: 5,849,050
               parameters, 15 units); the units' count without torch
  data         the CIFAR-10 pool and test set at the experiment's resolution, target subsets
  clones       CIFAR-10 clones: GM, IsoGM (Gaussian mixtures), autoencoder clones L<bottleneck>
  train        SGD training with the paper's schedule, layer-wise defrosting, frozen-prefix caching
  experiments  one workflow job each (autoencoder clone, source network, defrosting profile)
  claims, plots, config   the paper's claims, the figures, cross-key config rules

See docs/gerace2023.md.
"""
