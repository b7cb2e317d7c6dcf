"""lauditi2025 Figs. 3a and 4: the transfer-vs-scratch verdicts under the other readings the captions allow, at
width N = 1000 of the default scale (2 seeds): the phase-2 output multiplier (1/gamma1 as our default, or
1/gamma2) and, for Fig. 4, which class of each CIFAR-10 pair is labelled +1 (the readout is not reset, so the
pre-trained function starts aligned or anti-aligned with the target). Prints the best test loss over time with
and without pre-training per gamma2. Usage: python benchmarks/diagnose_l25_readings.py [fig3a|fig4 ...]."""
import copy
import sys

import pandas as pd
import torch

from tlrepro.config import load_config
from tlrepro.data import load
from tlrepro.lauditi2025.claims import rich_best
from tlrepro.lauditi2025.experiments import rich_run
from tlrepro.lauditi2025.tasks import rich_task

torch.set_num_threads(2)
section = load_config("config.yaml")["lauditi2025"]
for exp in sys.argv[1:] or ["fig3a", "fig4"]:
    base = section[exp]
    readings = {"phase2_output: gamma2": {"phase2_output": "gamma2"}}  # the default's numbers: the claims file
    if base["task"]["kind"] == "cifar":
        flipped = copy.deepcopy(base["task"])
        flipped["classes"]["target"] = flipped["classes"]["target"][::-1]
        readings[f"target classes {flipped['classes']['target']} (the other sign)"] = {"task": flipped}
    dataset = load("cifar10") if base["task"]["kind"] == "cifar" else None
    n = 1000
    for name, change in readings.items():
        cfg = {**base, **change}
        task = rich_task(cfg, dataset)
        best = rich_best(pd.concat([rich_run(task, cfg, "net", n, s)[0] for s in range(base["seeds"])]))
        table = best.groupby(["gamma2", "pretrain"])["test_loss"].mean().unstack("pretrain")
        print(f"{exp}, {name} (N = {n}): best test loss, mean of {base['seeds']} seeds")
        for g, row in table.iterrows():
            print(f"  gamma2 = {g:g}: with pre-training {row[True]:.4f}, without {row[False]:.4f}, "
                  f"difference {row[True] - row[False]:+.4f}", flush=True)
