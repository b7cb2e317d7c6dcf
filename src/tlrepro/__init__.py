"""tlrepro: the science behind the transfer-learning replication workflow.

Shared machinery, under generic names (nothing here imports a paper package):
  claims       checks of a paper's claims on produced result tables (``Verdict``)
  provenance, audit, scorecard   provenance records, their audit, the replication scorecard
  config       config validation (schema + each paper's cross-key checks), ``load_config``
  runtime      job setup (log, threads), atomic writes, visible GPUs
  seeding      derived seeds;   memory   memory check before allocating
  devices      the torch device of a training job;   tables   result tables (CSV) in and out
  plotting     figure saving with a provenance stamp, byte-reproducible
  cli          the ``tlrepro`` command (audit, scorecard)
  data         dataset and pretrained-weight downloads (pooch), offline mirror, canonical arrays
  theory       the replica solver of the generalised covariate model and the separability threshold
  finetune     fine-tuning a (pretrained) image network with per-step and per-layer tracking, landscapes

One package per paper (its science, claims and figure code):
  gerace2022   Probing transfer learning with a model of synthetic correlated datasets
  gerace2023   Optimal transfer protocol by incremental layer defrosting (CIFAR-10 clones, Wide-ResNets)
  lauditi2025  Transfer learning in infinite width feature learning networks (fine-tuning theory)
  pintus2025   ResNet-50 on ImageNet fine-tuned on 50 MNIST digits (a slide deck's experiment)

docs/adding-a-paper.md says where a new paper's files go.
"""

__version__ = "0.1.0"
