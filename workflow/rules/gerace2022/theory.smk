# Population matrices by Monte Carlo, then the replica theory and the separability threshold.


rule g22_population:
    """Centred feature covariance Omega, teacher projection b and teacher power rho (Monte Carlo)."""
    input:
        chmm=f"{G22}/{{exp}}/instance-s{{inst}}.npz",
        featuremap=g22_featuremap_file("{kind}"),
    output:
        f"{G22}/{{exp}}/pop-{{kind}}-s{{inst}}.npz",
    log:
        "logs/g22_population/{exp}-{kind}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_population/{exp}-{kind}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    # scheduling only (the population gates its experiment's ft-TF training); results do not depend on it
    priority: 2
    conda:
        "../../../envs/science.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_population"),
    params:
        n_samples=lambda wc: g22_exp_config(wc)["population"]["n_samples"],
    script:
        "../../scripts/gerace2022/population.py"


rule g22_theory:
    """Replica learning curve (V, q, m, test error, training loss per alpha) and alpha*."""
    input:
        population=f"{G22}/{{exp}}/pop-{{kind}}-s{{inst}}.npz",
    output:
        f"{G22}/{{exp}}/theory-{{kind}}-s{{inst}}.csv",
    log:
        "logs/g22_theory/{exp}-{kind}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_theory/{exp}-{kind}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    conda:
        "../../../envs/science.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_theory"),
    params:
        lam=lambda wc: g22_exp_config(wc)["lam"],
        grid=lambda wc: g22_exp_config(wc)["theory"],
        extra_alphas=lambda wc: sorted(
            set(g22_exp_config(wc)["simulation"]["alphas"])
            | set(g22_exp_config(wc).get("networks", {}).get("alphas", []))
        ),
    script:
        "../../scripts/gerace2022/theory.py"


rule g22_theory_scan:
    """Double descent (Fig. 6): replica test error vs model complexity H/M at several lambda, from the
    population matrices of the base experiment; one eigendecomposition serves every point.
    """
    input:
        population=lambda wc: f"{G22}/{g22_exp_config(wc)['base']}/pop-{wc.kind}-s{wc.inst}.npz",
    output:
        f"{G22}/{{exp}}/scan-{{kind}}-s{{inst}}.csv",
    log:
        "logs/g22_theory_scan/{exp}-{kind}-s{inst}.log",
    benchmark:
        "results/benchmarks/g22_theory_scan/{exp}-{kind}-s{inst}.tsv"
    wildcard_constraints:
        **G22_WILDCARDS,
    conda:
        "../../../envs/science.yaml"
    threads: config["threads"]
    resources:
        mem_mb=g22_mem_mb("g22_theory_scan"),
    params:
        cfg=g22_exp_config,
    script:
        "../../scripts/gerace2022/theory_scan.py"
