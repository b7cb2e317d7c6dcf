"""benchmarks/profile_build.py reads a build's own files: the start-up of each job (its start in
Snakemake's log to the first line of its own log) and the jobs that did the same work twice."""

from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def profile():
    spec = importlib.util.spec_from_file_location("profile_build", ROOT / "benchmarks/profile_build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _job(rule, jobid, out, log, bench, time):
    return (f"[Mon Nov 30 {time} 2026]\nlocalrule {rule}:\n    input: x.npz\n    output: {out}\n"
            f"    log: {log}\n    jobid: {jobid}\n    benchmark: {bench}\n    wildcards: exp=a, inst=1\n"
            f"    resources: tmpdir=/tmp\nShell command: None\nSelect jobs to execute...\n")


def _build(tmp_path, seconds: dict[str, float], outputs: dict[str, list[bytes]]):
    """A fake build: one job per name, its outputs, its own log and its benchmark file."""
    text = ["Building DAG of jobs...\n"]
    for k, (name, contents) in enumerate(outputs.items()):
        outs = [f"results/{name}/out{i}.{'json' if c.startswith(b'{') else 'csv'}" for i, c in enumerate(contents)]
        for o, c in zip(outs, contents):
            (tmp_path / o).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / o).write_bytes(c)
        log, bench = f"logs/r/{name}.log", f"results/benchmarks/r/{name}.tsv"
        (tmp_path / log).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / log).write_text(f"2026-11-30 12:00:0{k},{int(seconds[name] * 1000):03d} INFO x: started\n")
        (tmp_path / bench).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / bench).write_text(f"s\th:m:s\tcpu_time\n{seconds[name] + 10}\t0:00:10\t9\n")
        text.append(_job("r", k + 1, ", ".join(outs), log, bench, f"12:00:0{k}"))
    (tmp_path / ".snakemake/log").mkdir(parents=True)
    (tmp_path / ".snakemake/log/2026-11-30T120000.000000.snakemake.log").write_text("".join(text))


def test_startup_and_identical_jobs(tmp_path, profile):
    meta = {"stopped_epoch": 3, "wall_seconds": 1.5}
    outputs = {
        "a": [b"w,1\n", json.dumps(meta).encode()],
        "b": [b"w,1\n", json.dumps({**meta, "wall_seconds": 9.0}).encode()],  # a's work, other timing
        "c": [b"w,1\n", json.dumps({**meta, "stopped_epoch": 4}).encode()],   # not the same result
        "d": [b"w,2\n", json.dumps(meta).encode()],
    }
    _build(tmp_path, {"a": 0.25, "b": 0.5, "c": 0.75, "d": 0.125}, outputs)
    jobs = profile._snakemake_jobs(tmp_path)
    assert [j["rule"] for j in jobs] == ["r"] * 4 and len(jobs[0]["output"]) == 2
    starts = profile.startup_seconds(tmp_path, jobs)
    assert starts["r"] == pytest.approx([0.25, 0.5, 0.75, 0.125])
    same = profile.identical_jobs(tmp_path, jobs)
    # a and b only: one redundant job, and the group keeps the longer (b, 10.5 s): a's 10.25 s is saved
    assert same["r"] == (1, pytest.approx(10.25))


def test_no_log_means_no_job_table(tmp_path, profile):
    assert profile._snakemake_jobs(tmp_path) == []
