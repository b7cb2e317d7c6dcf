"""tlrepro: the science behind the transfer-learning replication workflow.

Subpackages and modules, one job each:
  chmm         correlated hidden-manifold model generator (gerace2022 eqs. 1-5)
  nets         two-layer network and its training loops (source, 2L, ft-TF)
  features     feature maps v = ReLU(x W1^T / D) and their population statistics
  theory       replica solver of the generalised covariate model and the separability threshold
  baselines    simulated TF / RF logistic regressions and the 2L / ft-TF networks on the target
  claims       checks of a paper's claims on produced result tables
  provenance   provenance records for figures
"""

__version__ = "0.1.0"
