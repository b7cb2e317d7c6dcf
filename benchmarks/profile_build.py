"""Profile a whole build from its own benchmark files: job-minutes per rule and per figure, and for every
gerace2022 training rule the achieved GFLOP/s as a fraction of the matmul peak measured in this run.

    python benchmarks/profile_build.py [--root .] [--configfile config.yaml] [--paper gerace2022]

Reads ``results/benchmarks/<rule>/<job>.tsv`` (Snakemake's ``benchmark:`` files: wall seconds ``s`` and
``cpu_time``) under ``--root``. Figures: a job counts towards every figure whose experiments (panels, grid
rows, the base or reference experiment) it belongs to, so the per-figure totals overlap where figures
share jobs (Figs. 3a-c share one grid). Training FLOPs (two-layer networks, forward and backward): about
4·M·D·H per epoch (2·M·D·H forward, the same again for the weight gradient; the input gradient is not
needed), times the epochs, summed over every network the job trains; the peak is a single-thread fp32
matmul of a (1000 × D) batch with a (D × H) weight, measured here."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def matmul_peak(D: int = 1000, H: int = 500, batch: int = 1000, repeat: int = 20) -> float:
    """Single-thread fp32 GFLOP/s of a (batch x D) @ (D x H) matmul, best of ``repeat``."""
    import torch

    torch.set_num_threads(1)
    x, w = torch.randn(batch, D), torch.randn(D, H)
    x @ w
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        x @ w
        best = min(best, time.perf_counter() - t)
    return 2 * batch * D * H / best / 1e9


def read_benchmarks(root: Path) -> list[dict]:
    out = []
    for f in sorted((root / "results/benchmarks").glob("*/*.tsv")):
        with open(f) as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        if not rows:
            continue
        r = rows[-1]
        out.append({"rule": f.parent.name, "job": f.stem, "s": float(r["s"]),
                    "cpu_s": float(r.get("cpu_time") or "nan")})
    return out


def _experiment(job: str) -> str:
    """The experiment of a gerace2022 job file name: <exp>-s<i>, <exp>-<kind>-s<i>."""
    parts = job.rsplit("-s", 1)[0]
    return parts.rsplit("-", 1)[0] if parts.endswith(("-tf", "-rf")) else parts


def figure_experiments(registry: dict, cfg: dict, paper: str) -> dict[str, set[str]]:
    from tlrepro.gerace2022.grids import resolve_experiment, rows

    out = {}
    for fig, meta in registry.get(paper, {}).items():
        exps = set()
        for p in meta.get("panels", []) + [meta.get("reference")]:
            if not p or p not in cfg:
                continue
            exps.add(p)
            if "grid" in cfg[p]:
                exps |= set(rows(p, cfg[p]))
            if "base" in cfg[p]:
                exps.add(cfg[p]["base"])
            ref = (cfg[p].get("claims") or {}).get("binary_counterpart")
            if ref:
                exps |= set(rows(ref, cfg[ref]))
        out[fig] = exps
        _ = resolve_experiment
    return out


def training_flops(rule: str, exp_cfg: dict, job: str, root: Path, exp: str) -> float | None:
    """FLOPs of the networks a gerace2022 training job trains (None for other rules)."""
    from tlrepro.gerace2022.config import seeds_for

    D = exp_cfg.get("chmm", {}).get("D", 784)
    H = exp_cfg["H"]
    if rule in ("g22_simulate_twolayer", "g22_simulate_finetune"):
        net = exp_cfg["networks"]
        train = net["twolayer" if rule == "g22_simulate_twolayer" else "finetune"]
        M = sum(round(a * H) * seeds_for(a, net["seeds"]) for a in net["alphas"])
        return 4.0 * M * D * H * train["epochs"]
    if rule == "g22_train_source":
        meta = root / "results/gerace2022" / exp / f"source-s{job.rsplit('-s', 1)[1]}.json"
        epochs = json.loads(meta.read_text())["stopped_epoch"] if meta.exists() else exp_cfg["source"]["max_epochs"]
        return 4.0 * exp_cfg["source"]["M"] * D * H * epochs
    return None


def _snakemake_jobs(root: Path) -> list[dict]:
    """Every job of the newest Snakemake log under ``root``: rule, start time (whole seconds, as the log
    prints it), outputs, log and benchmark paths."""
    import datetime
    import re

    logs = sorted((root / ".snakemake/log").glob("*.snakemake.log"))
    if not logs:
        return []
    jobs, now, block = [], None, None
    for line in logs[-1].read_text().splitlines():
        if m := re.match(r"\[(\w{3} \w{3} +\d+ [\d:]+ \d{4})\]$", line):
            now = datetime.datetime.strptime(m.group(1), "%a %b %d %H:%M:%S %Y")
        elif m := re.match(r"(?:local)?rule (\w+):$", line):
            block = {"rule": m.group(1), "start": now, "output": [], "log": None, "benchmark": None}
            jobs.append(block)
        elif block is not None and (m := re.match(r"\s+(output|log|benchmark): (.+)$", line)):
            paths = [p.strip() for p in m.group(2).split(",")]
            block[m.group(1)] = paths if m.group(1) == "output" else paths[0]
        elif not line.startswith(" "):
            block = None
    return jobs


def startup_seconds(root: Path, jobs: list[dict]) -> dict[str, list[float]]:
    """Per rule: seconds from each job's start (Snakemake's log) to the first line of its own log, which
    the job writes once its imports, Snakemake's script preamble and the job setup are done."""
    import datetime
    import re

    out = defaultdict(list)
    for j in jobs:
        path = root / j["log"] if j["log"] else None
        if j["start"] is None or path is None or not path.exists():
            continue
        with open(path) as fh:
            m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})", fh.readline())
        if m:
            first = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
            out[j["rule"]].append((first - j["start"]).total_seconds() + int(m.group(2)) / 1000)
    return out


def _content_key(path: Path) -> str:
    """A file's content hash; for JSON, with timing fields (keys ending in 'seconds') left out."""
    import hashlib

    data = path.read_bytes()
    if path.suffix == ".json":
        def drop(v):
            if isinstance(v, dict):
                return {k: drop(x) for k, x in v.items() if not k.endswith("seconds")}
            return [drop(x) for x in v] if isinstance(v, list) else v
        data = json.dumps(drop(json.loads(data)), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def identical_jobs(root: Path, jobs: list[dict]) -> dict[str, tuple[int, float]]:
    """Per rule: jobs whose outputs are identical to another job's of the same rule (the same work done
    twice), and their job-seconds; each group keeps its longest job."""
    groups = defaultdict(list)
    for j in jobs:
        bench = root / j["benchmark"] if j["benchmark"] else None
        outs = [root / o for o in j["output"]]
        if bench is None or not bench.exists() or not outs or not all(o.exists() for o in outs):
            continue
        with open(bench) as fh:
            s = float(list(csv.DictReader(fh, delimiter="\t"))[-1]["s"])
        groups[(j["rule"], tuple(_content_key(o) for o in outs))].append(s)
    out = defaultdict(lambda: (0, 0.0))
    for (rule, _), times in groups.items():
        if len(times) > 1:
            n, s = out[rule]
            out[rule] = (n + len(times) - 1, s + sum(times) - max(times))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path("."))
    ap.add_argument("--configfile", type=Path, default=Path("config.yaml"))
    ap.add_argument("--paper", default="gerace2022")
    a = ap.parse_args(argv)
    from tlrepro.gerace2022.grids import resolve_experiment

    cfg = yaml.safe_load(a.configfile.read_text())[a.paper]
    registry = yaml.safe_load((a.root / "workflow/report/figures.yaml").read_text())
    bench = [b for b in read_benchmarks(a.root) if b["rule"].startswith("g22_") or a.paper != "gerace2022"]
    peak = matmul_peak()
    per_rule = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0, 0.0])  # jobs, wall s, flops, training wall s, cpu s,
    for b in bench:                                                  # training cpu s
        r = per_rule[b["rule"]]
        r[0] += 1
        r[1] += b["s"]
        r[4] += b["cpu_s"]
        exp = _experiment(b["job"])
        try:
            flops = training_flops(b["rule"], resolve_experiment(cfg, exp), b["job"], a.root, exp)
        except KeyError:
            flops = None
        if flops:
            r[2] += flops
            r[3] += b["s"]
            r[5] += b["cpu_s"]
    total = sum(r[1] for r in per_rule.values())
    total_cpu = sum(r[4] for r in per_rule.values())
    print(f"matmul peak (1 thread, fp32): {peak:.1f} GFLOP/s")
    print(f"{len(bench)} jobs, {total / 60:.1f} job-minutes of wall time, {total_cpu / 60:.1f} CPU-minutes\n")
    print("GFLOP/s per wall second and per CPU second as Snakemake samples it (every 30 s; long jobs report up to a")
    print("quarter less CPU time than wall time, although a one-thread job on its own core, timed with")
    print("/usr/bin/time, uses all of it): the CPU-minutes are a lower bound, and the wall rate is the one to read.\n")
    print("| rule | jobs | job-minutes | share | CPU-minutes | GFLOP/s (wall) | of peak (wall) | GFLOP/s (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    for rule, (n, s, flops, s_train, cpu, cpu_train) in sorted(per_rule.items(), key=lambda kv: -kv[1][1]):
        rate = (f"{flops / s_train / 1e9:.1f} | {flops / s_train / 1e9 / peak:.0%} | {flops / cpu_train / 1e9:.1f}"
                if flops else " | | ")
        print(f"| {rule} | {n} | {s / 60:.1f} | {s / total:.0%} | {cpu / 60:.1f} | {rate} |")
    print("\n| figure | job-minutes (shared jobs counted in every figure) |")
    print("|---|---|")
    exps = figure_experiments(registry, cfg, a.paper)
    for fig, names in exps.items():
        s = sum(b["s"] for b in bench if _experiment(b["job"]) in names)
        print(f"| {fig} | {s / 60:.1f} |")
    jobs = _snakemake_jobs(a.root)
    if not jobs:
        return 0
    import statistics

    starts = startup_seconds(a.root, jobs)
    print("\nJob start-up: from a job's start to the first line of its log (imports, Snakemake's script preamble,")
    print("job setup). Snakemake logs start times in whole seconds, so each value may be up to 1 s too high.\n")
    print("| rule | jobs | median s | job-minutes |")
    print("|---|---|---|---|")
    for rule, v in sorted(starts.items(), key=lambda kv: -sum(kv[1])):
        print(f"| {rule} | {len(v)} | {statistics.median(v):.2f} | {sum(v) / 60:.1f} |")
    print(f"| all | {sum(map(len, starts.values()))} | | {sum(map(sum, starts.values())) / 60:.1f} |")
    same = identical_jobs(a.root, jobs)
    print("\nThe same work done twice: jobs whose outputs are byte-identical to another job's of the same rule")
    print("(JSON compared without its timing fields), and their job-minutes (each group keeps its longest job).\n")
    print("| rule | redundant jobs | job-minutes |")
    print("|---|---|---|")
    for rule, (n, s) in sorted(same.items(), key=lambda kv: -kv[1][1]):
        print(f"| {rule} | {n} | {s / 60:.1f} |")
    print(f"| all | {sum(n for n, _ in same.values())} | {sum(s for _, s in same.values()) / 60:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
