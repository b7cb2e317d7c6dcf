"""Jobs that would compute the same result are computed once (tlrepro.gerace2022.reuse): a job's key holds
everything its rule reads, a change anywhere upstream separates two jobs, and the workflow copies the
outputs of the others."""

from __future__ import annotations

import copy
import re
import subprocess
import sys

import pytest

from conftest import ROOT, load_yaml
from tlrepro.gerace2022 import reuse
from tlrepro.gerace2022.grids import rows

RULE_FILES = sorted((ROOT / "workflow/rules/gerace2022").glob("*.smk"))


def _rule_body(name: str) -> str:
    for path in RULE_FILES:
        m = re.search(rf"^rule {name}:\n((?:[ \t]+.*\n|\n)+)", path.read_text(), re.M)
        if m:
            return m.group(1)
    raise AssertionError(f"rule {name} not found")


def _section(body: str, directive: str) -> str:
    m = re.search(rf"^    {directive}:\n((?:        .*\n|\n)+)", body, re.M)
    return m.group(1) if m else ""


@pytest.mark.parametrize("name", sorted(reuse.RULES))
def test_a_key_holds_everything_its_rule_reads(name):
    """The config values of the rule's params, its inputs and its wildcards are all in the key: a
    parameter added to a rule without adding it here would make two different jobs look the same."""
    params, inputs, has_kind = reuse.RULES[name]
    body = _rule_body(name)
    read = set()
    for m in re.finditer(r'g22_exp_config\(wc\)(\["\w+"\](?:\["\w+"\])?)((?:\.get\("\w+".*?\))*)', _section(body, "params")):
        keys = re.findall(r'"(\w+)"', m.group(1) + m.group(2))
        read.add(".".join(keys[:2]))
    covered = set(params) | ({"simulation.alphas", "networks.alphas"} if "extra_alphas" in params else set())
    missing = {k for k in read if k not in covered and k.split(".")[0] not in covered}
    assert read and not missing, f"rule {name} reads {sorted(missing)}: add them to reuse.RULES"
    other = re.findall(r"^        (\w+)=(?!lambda wc: g22_exp_config)(.*)$", _section(body, "params"), re.M)
    assert all(v.startswith(('config["', '"')) or k == "extra_alphas" for k, v in other), other  # global or fixed
    text = _section(body, "input")
    used = {"task": "g22_task_file" in text or "instance-s" in text,
            "featuremap": "g22_featuremap_file" in text, "centring": "g22_centring_input" in text,
            "population": "/pop-" in text, "tf_readouts": "g22_tf_readouts_input" in text}
    declared = {"task" if i == "source_task" else i for i in inputs}
    assert {k for k, v in used.items() if v} == declared, (name, used, inputs)
    assert ("{kind}" in _section(body, "output")) == has_kind


@pytest.fixture(scope="module")
def sections():
    return load_yaml(ROOT / "config.yaml")["gerace2022"]


def _key(sections, rule, exp, kind=None):
    return reuse.job_key(sections, rule, exp, kind, 1)


def test_rows_that_vary_the_source_share_only_the_target_side(sections):
    """Fig. A.3 varies the source size: every row trains the same 2L networks and builds the same RF
    tables, but its own source network and everything transferred from it."""
    r0, r3 = rows("figA3", sections["figA3"])[0], rows("figA3", sections["figA3"])[3]
    for rule, kind in [("g22_simulate_twolayer", None), ("g22_population", "rf"), ("g22_theory", "rf"),
                       ("g22_simulate_fixed_features", "rf"), ("g22_readout_gaussianity", "rf")]:
        assert _key(sections, rule, r0, kind) == _key(sections, rule, r3, kind), rule
    for rule, kind in [("g22_train_source", None), ("g22_population", "tf"), ("g22_simulate_finetune", None),
                       ("g22_simulate_fixed_features", "tf")]:
        assert _key(sections, rule, r0, kind) != _key(sections, rule, r3, kind), rule


def test_target_only_rows_share_the_source_training_and_nothing_after(sections):
    """Fig. 3 varies q, a target-only parameter: the source network is the same, the target task is not."""
    r0, r4 = rows("fig3", sections["fig3"])[0], rows("fig3", sections["fig3"])[4]
    assert _key(sections, "g22_train_source", r0) == _key(sections, "g22_train_source", r4)
    for rule, kind in [("g22_simulate_twolayer", None), ("g22_population", "tf"), ("g22_population", "rf")]:
        assert _key(sections, rule, r0, kind) != _key(sections, rule, r4, kind), rule


def test_a_change_upstream_separates_every_job_downstream(sections):
    """A copy of fig2b shares all its jobs; a different Monte Carlo size separates the populations and
    everything that reads them (theory, readout checks, TF/RF fits through the centring, ft-TF) but not
    2L or the source network; a different 2L learning rate separates the network jobs only."""
    same = {**copy.deepcopy(sections), "twin": copy.deepcopy(sections["fig2b"])}
    jobs = [(r, e, k, 1) for e in ("fig2b", "twin") for r, (_, _, has_kind) in reuse.RULES.items()
            for k in (("tf", "rf") if has_kind else (None,))]
    assert all(_key(same, r, "fig2b", k) == _key(same, r, "twin", k) for r, _, k, _ in jobs)

    pop = copy.deepcopy(same)
    pop["twin"]["population"]["n_samples"] += 1
    apart = {r for r, _, k, _ in jobs if _key(pop, r, "fig2b", k) != _key(pop, r, "twin", k)}
    assert apart == set(reuse.RULES) - {"g22_train_source", "g22_simulate_twolayer"}

    lr = copy.deepcopy(same)
    lr["twin"]["networks"]["twolayer"]["lr"] *= 2
    apart = {r for r, _, k, _ in jobs if _key(lr, r, "fig2b", k) != _key(lr, r, "twin", k)}
    assert apart == {"g22_simulate_twolayer", "g22_simulate_finetune"}


def test_finetune_reads_the_tf_simulation_only_where_it_covers_the_networks(sections):
    """Where the TF simulation covers the networks' sets (fig2b), ft-TF starts from its readouts, so a
    change to that simulation separates the ft-TF jobs; where it does not (the phase diagrams' spot
    checks), ft-TF fits its own and the simulation section is not part of its key."""
    for exp, covered in (("fig2b", True), ("figA3_r1", False)):
        from tlrepro.gerace2022.grids import resolve_experiment

        twin = copy.deepcopy(resolve_experiment(sections, exp))
        twin["simulation"]["n_test"] += 1
        both = {**copy.deepcopy(sections), "orig": copy.deepcopy(resolve_experiment(sections, exp)), "twin": twin}
        differs = _key(both, "g22_simulate_finetune", "orig") != _key(both, "g22_simulate_finetune", "twin")
        assert differs == covered, exp
        assert _key(both, "g22_simulate_fixed_features", "orig", "tf") != _key(both, "g22_simulate_fixed_features",
                                                                              "twin", "tf")


def test_copies_take_every_output_from_the_panel_first(sections):
    """Every output of a reused job points at the same output of the kept job: a panel's before a grid
    row's, then the first experiment by name."""
    from tlrepro.gerace2022.grids import resolve_experiment

    same = {**copy.deepcopy(sections), "a_twin": copy.deepcopy(sections["fig2b"]),
            "z_panel": resolve_experiment(sections, "figA3_r2")}  # a panel equal to a grid row
    outputs = {r: [f"r/{{exp}}/{r}-{{kind}}-{{inst}}.a", f"r/{{exp}}/{r}-{{inst}}.b"] for r in reuse.RULES}
    jobs = [("g22_train_source", "fig2b", None, 1), ("g22_train_source", "a_twin", None, 1),
            ("g22_simulate_twolayer", "figA3_r2", None, 1), ("g22_simulate_twolayer", "z_panel", None, 1),
            ("g22_simulate_twolayer", "fig2b", None, 1)]
    got = reuse.copies(same, jobs, outputs)
    assert got == {"r/fig2b/g22_train_source--1.a": "r/a_twin/g22_train_source--1.a",
                   "r/fig2b/g22_train_source-1.b": "r/a_twin/g22_train_source-1.b",
                   "r/figA3_r2/g22_simulate_twolayer--1.a": "r/z_panel/g22_simulate_twolayer--1.a",
                   "r/figA3_r2/g22_simulate_twolayer-1.b": "r/z_panel/g22_simulate_twolayer-1.b"}


def test_a_figure_computes_a_shared_job_once():
    """figures/gerace2022/figA3.pdf (default scale): one 2L job for its five rows, the other four outputs
    (and the RF tables of rows 1-4) copied from row 0's."""
    res = subprocess.run([sys.executable, "-m", "snakemake", "figures/gerace2022/figA3.pdf", "-n", "--forceall",
                          "--cores", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    counts = {p[0]: int(p[1]) for p in (line.split() for line in res.stdout.splitlines())
              if len(p) == 2 and p[1].isdigit()}
    assert counts.get("g22_simulate_twolayer") == 1 and counts.get("g22_simulate_finetune") == 5, counts
    assert counts.get("g22_reuse") == 4 * 5 and counts.get("g22_simulate_fixed_features") == 5 + 1, counts
    assert re.search(r"input: results/gerace2022/figA3_r0/sim-2l-s1\.csv\n\s+output: "
                     r"results/gerace2022/figA3_r3/sim-2l-s1\.csv", res.stdout), res.stdout[-2000:]
