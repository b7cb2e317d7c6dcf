"""Regenerate tests/reference/similarity_reference.{npz,json}: the reference values that test_similarity.py
checks ``tlrepro.similarity`` against.

Step 1 (the project's environment, after a default-scale gerace2023 build): representations of real workflow
networks, the CIFAR-10 network and the IsoGM / GM networks of seed 0, at three units, on 300 CIFAR-10 test
images, average-pooled to one value per channel:

    python tests/reference/make_similarity_reference.py representations

Step 2 (DADApy's own environment: it needs numpy < 2, see docs/gerace2023.md and envs/dadapy.yaml): DADApy's
information imbalance (k = 1, the whole set at once) and data overlap (k = 30) of every pair:

    /path/to/dadapy-env/bin/python tests/reference/make_similarity_reference.py dadapy
"""
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
PAIRS = [("gm", 2), ("gm", 6), ("isogm", 6), ("isogm", 9)]


def representations() -> None:
    import torch

    from tlrepro.gerace2023.experiments import _network, _tensors
    from tlrepro.gerace2023.representations import unit_representations

    root = Path("results/gerace2023")
    net_cfg = {"depth": 16, "widen": 1}
    x, _ = _tensors(dict(np.load(root / "data/cifar10.npz")), test=True)
    x = x[np.random.default_rng(0).choice(len(x), 300, replace=False)]
    nets = {d: _network(net_cfg, torch.load(root / f"sources/{d}-s0.pt", weights_only=True))
            for d in ("cifar10", "gm", "isogm")}
    arrays = {}
    for clone, unit in PAIRS:
        a = unit_representations(nets[clone], x, [unit], pool=1)[unit]
        b = unit_representations(nets["cifar10"], x, [unit], pool=1)[unit]
        arrays[f"a_{clone}_{unit}"], arrays[f"b_{clone}_{unit}"] = a.numpy(), b.numpy()
    np.savez_compressed(HERE / "similarity_reference.npz", **arrays)


def dadapy_values() -> None:
    from importlib.metadata import version

    from dadapy import MetricComparisons

    data = np.load(HERE / "similarity_reference.npz")
    out = {"dadapy": version("dadapy"), "numpy": np.__version__, "pairs": {}}
    for clone, unit in PAIRS:
        a, b = (data[f"{s}_{clone}_{unit}"].astype(np.float64) for s in "ab")
        mc = MetricComparisons(coordinates=a, maxk=len(a) - 1)
        ab, ba = mc.return_information_imbalace(b, k=1, subset_size=len(a))
        overlap = mc.return_data_overlap(coordinates=b, k=30)
        out["pairs"][f"{clone}_{unit}"] = {"ii_ab": float(ab[0]), "ii_ba": float(ba[0]), "overlap": float(overlap)}
    (HERE / "similarity_reference.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    {"representations": representations, "dadapy": dadapy_values}[sys.argv[1]]()
