# Jobs whose outputs another job computes identically (tlrepro.gerace2022.reuse): copied, not recomputed.


G22_REUSE = g22_reuse_copies()


rule g22_reuse:
    """An output that another job of the same rule computes identically (the same parameters, inputs,
    kind and instance; tlrepro.gerace2022.reuse): copied from that job's output instead of computed.
    """
    input:
        lambda wc: G22_REUSE[wc.path],
    output:
        "{path}",
    log:
        "logs/g22_reuse/{path}.log",
    wildcard_constraints:
        path=g22_reuse_pattern(),
    localrule: True
    conda:
        "../../../envs/science.yaml"
    script:
        "../../scripts/gerace2022/reuse.py"


ruleorder: g22_reuse > g22_train_source
ruleorder: g22_reuse > g22_population
ruleorder: g22_reuse > g22_theory
ruleorder: g22_reuse > g22_readout_gaussianity
ruleorder: g22_reuse > g22_simulate_fixed_features
ruleorder: g22_reuse > g22_simulate_twolayer
ruleorder: g22_reuse > g22_simulate_finetune
ruleorder: g22_reuse > g22_simulate_gaussian_equivalent
