"""tlrepro: the science behind the transfer-learning replication workflow.

Subpackages and modules, one job each:
  chmm         correlated hidden-manifold model generator (gerace2022 eqs. 1-5)
  nets         two-layer network and its training loops (source, 2L, ft-TF)
  features     feature maps v = ReLU(x W1^T / D) and their population statistics
  theory       replica solver of the generalised covariate model and the separability threshold
  baselines    simulated TF / RF logistic regressions on the target (network_baselines: 2L, ft-TF)
  image_tasks  binary source/target tasks from real image datasets (labelling, EdgeDetect, splits)
  data         dataset and pretrained-weight downloads (pooch), offline mirror, canonical arrays
  gerace2022, gerace2022_real, gerace2022_examples   the claims of gerace2022's figures
  finetune     fine-tuning a (pretrained) image network with per-step and per-layer tracking, landscapes
  pintus2025   the pintus2025 experiment: config, jobs, analysis and claims, figures
  claims       checks of a paper's claims on produced result tables
  provenance, audit, scorecard   provenance records, their audit, the replication scorecard
  memory, runtime, config, seeding   memory estimates, job setup, config validation, seeds
"""

__version__ = "0.1.0"
