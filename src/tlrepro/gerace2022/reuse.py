"""Jobs that would compute the same result: one computes it, the others copy it.

Grids and panels overlap. Fig. 3's row q = 1 and Fig. A.1's rows eta = 1 and rho = 0 are one experiment;
Fig. A.3 varies only the source size, so its 2L networks and everything built on random features are
the same in every row. A job's outputs are a function of its rule, the experiment-config values its
parameters read, its ``kind`` and ``inst`` wildcards and its inputs; the workflow is deterministic, so
two jobs that agree on all of these write byte-identical files. ``copies`` finds them: for each group it
keeps the job of one experiment (a panel before a grid row, then the first by name) and maps the outputs
of the others to that job's, which the rule ``g22_reuse`` copies.

A job's key is built from what its rule declares, nothing else. ``RULES`` lists, per rule, the config
keys of its ``params`` (tests/gerace2022/test_reuse.py checks them against the rules) and its inputs,
whose keys are the keys of the jobs that write them:
- ``task``: the CHMM instance (the ``chmm`` section) or the image task (dataset and task spec);
- ``source_task``: what a source training reads of it: for a CHMM, the section without the target-only
  parameters (``grids.TARGET_ONLY``: the source features and teacher are drawn first, whatever they are);
- ``featuremap``: the transferred first layer (the source training of ``grids.source_experiment``) or
  the random one (D, H and the instance: ``rng(inst, "random-features")``);
- ``population``: the Monte Carlo population of the same experiment and kind; ``centring``: the same,
  for CHMM experiments only (image tasks centre with the mean over their own target pool);
- ``tf_readouts``: the TF readouts of the experiment's TF simulation, where it covers the networks' sets.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any, Iterable, Mapping

from .config import simulation_covers_networks
from .grids import TARGET_ONLY, parse_row, resolve_experiment, source_experiment

__all__ = ["RULES", "copies", "job_key"]

#: rule -> (config keys its params read, its inputs, whether it has a {kind} wildcard). A dotted key is
#: a key of a section; "extra_alphas" is the theory's union of the simulated alphas (as the rule has it).
RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    "g22_train_source": (("source", "H", "parametrisation"), ("source_task",), False),
    "g22_population": (("population.n_samples",), ("task", "featuremap"), True),
    "g22_theory": (("lam", "theory", "extra_alphas"), ("population",), True),
    "g22_readout_gaussianity": (("readout_check",), ("task", "featuremap", "population"), True),
    "g22_simulate_fixed_features": (("simulation", "H", "lam"), ("task", "featuremap", "centring"), True),
    "g22_simulate_twolayer": (("networks", "H", "lam", "parametrisation"), ("task",), False),
    "g22_simulate_finetune": (("networks", "H", "lam", "parametrisation"),
                              ("task", "featuremap", "centring", "tf_readouts"), False),
    "g22_simulate_gaussian_equivalent": (("simulation", "lam"), ("population",), True),
}
_TARGET_ONLY_CHMM = {p.split(".", 1)[1] for p in TARGET_ONLY if p.startswith("chmm.")}


def _value(cfg: Mapping[str, Any], key: str):
    if key == "extra_alphas":
        simulated = cfg.get("simulation", {}).get("alphas", [])
        return sorted(set(simulated) | set(cfg.get("networks", {}).get("alphas", [])))
    section, _, sub = key.partition(".")
    value = cfg.get(section)
    return value.get(sub) if sub and isinstance(value, Mapping) else value


def _hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=repr).encode()).hexdigest()[:20]


class _Keys:
    def __init__(self, sections: Mapping[str, Any]):
        self.sections, self.cache = sections, {}

    def cfg(self, exp: str) -> Mapping[str, Any]:
        return resolve_experiment(self.sections, exp)

    def task(self, exp: str, inst: int, *, source: bool = False):
        cfg = self.cfg(exp)
        if "chmm" in cfg:
            chmm = {k: v for k, v in cfg["chmm"].items() if not (source and k in _TARGET_ONLY_CHMM)}
            return ["chmm-source" if source else "chmm", chmm, inst]
        return ["task", cfg.get("dataset"), cfg.get("task"), inst]

    def featuremap(self, exp: str, kind: str, inst: int):
        src = source_experiment(self.sections, exp)
        if kind == "tf":
            return self.job("g22_train_source", src, None, inst)
        cfg = self.cfg(src)
        D = cfg["chmm"]["D"] if "chmm" in cfg else self.task(src, inst)
        return ["random-features", D, cfg["H"], inst]

    def job(self, rule: str, exp: str, kind: str | None, inst: int) -> str:
        memo = (rule, exp, kind, inst)
        if memo not in self.cache:
            params, inputs, _ = RULES[rule]
            cfg = self.cfg(exp)
            kind_in = kind or "tf"  # rules without {kind} read the transferred features
            key = {"rule": rule, "kind": kind, "inst": inst, "params": {k: _value(cfg, k) for k in params}}
            for name in inputs:
                if name in ("task", "source_task"):
                    key[name] = self.task(exp, inst, source=name == "source_task")
                elif name == "featuremap":
                    key[name] = self.featuremap(exp, kind_in, inst)
                elif name == "population" or (name == "centring" and "chmm" in cfg):
                    key[name] = self.job("g22_population", exp, kind_in, inst)
                elif name == "tf_readouts" and simulation_covers_networks(cfg):
                    key[name] = self.job("g22_simulate_fixed_features", exp, "tf", inst)
            self.cache[memo] = _hash(key)
        return self.cache[memo]


def job_key(sections: Mapping[str, Any], rule: str, exp: str, kind: str | None, inst: int) -> str:
    """The key of one job: equal keys, byte-identical outputs."""
    return _Keys(sections).job(rule, exp, kind, inst)


def copies(sections: Mapping[str, Any], jobs: Iterable[tuple[str, str, str | None, int]],
           outputs: Mapping[str, list[str]]) -> dict[str, str]:
    """{output path: the path of the same output of the job that computes it} for every job of ``jobs``
    ((rule, experiment, kind or None, instance), rules of ``RULES`` only) whose key another job of
    ``jobs`` shares: a group's job is that of its first experiment, panels (config sections) before grid
    rows, then by name. ``outputs``: each rule's output patterns ({exp}, {kind}, {inst})."""
    keys, groups = _Keys(sections), defaultdict(list)
    for rule, exp, kind, inst in sorted(set(jobs), key=lambda j: (j[0], parse_row(j[1]) is not None, j[1],
                                                                  j[2] or "", j[3])):
        if rule == "g22_train_source" and source_experiment(sections, exp) != exp:
            continue  # a row that takes its grid's source network has no source training of its own
        groups[keys.job(rule, exp, kind, inst)].append((rule, exp, kind, inst))
    out = {}
    for members in groups.values():
        (rule, first, kind, inst), *later = members
        fmt = dict(kind=kind or "", inst=inst)
        for _, exp, _, _ in later:
            for pattern in outputs[rule]:
                out[pattern.format(exp=exp, **fmt)] = pattern.format(exp=first, **fmt)
    return out
