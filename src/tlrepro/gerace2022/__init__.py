"""gerace2022: F. Gerace, L. Saglietti, S. Sarao Mannelli, A. Saxe, L. Zdeborova, "Probing transfer
learning with a model of synthetic correlated datasets", Mach. Learn.: Sci. Technol. 3, 015030 (2022).

The science of the paper, one module per job (imported by the workflow's gerace2022 scripts and
notebooks; nothing here is imported by the generic machinery one level up):
  chmm                 the correlated hidden-manifold model generator (eqs. 1-5, appendix B's K classes)
  features             feature maps v = ReLU(x W1^T / D) and their population statistics (Omega, b, rho)
  nets                 the two-layer network and its training loops (source, 2L, ft-TF)
  baselines            TF / RF logistic regressions on the target, the Gaussian-equivalent model
  network_baselines    2L and ft-TF on the target
  image_tasks          binary source/target tasks from real image datasets (labelling, EdgeDetect, splits)
  readout_gaussianity  the fixed-readout test of Gaussian equivalence (a check of this workflow)
  grids                phase-diagram rows as experiments, the theory's alpha grid
  config, memory, job  cross-key config rules and seed tiers, memory estimates, job setup
  curves, real, phase, double_descent, examples, schematic   each figure family's claims
  plots                learning curves and phase diagrams in the paper's colours

The replica solver it uses is generic: ``tlrepro.theory``. See docs/gerace2022.md.
"""
