"""The workflow survives faults and bad input: a SIGKILL mid-run, a changed seed, a solver that does
not converge and a request too large for the machine's memory."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from conftest import fresh_checkout
from tlrepro.config import load_config

EXP = "results/gerace2022/fig2b"
# the CHMM figure only: its tables are what the interrupted run is compared on
FIG2B_CMD = [sys.executable, "-m", "snakemake", "figures/gerace2022/fig2b.pdf", "--cores", "2",
             "--configfile", "configs/smoke.yaml"]


def _tables(work: Path) -> dict[str, bytes]:
    """Every result table and array of the CHMM pipeline, and the claims verdicts, by path."""
    files = sorted((work / EXP).glob("*.csv")) + sorted((work / EXP).glob("*.npz"))
    files += [work / "figures/gerace2022/fig2b.claims.json"]
    return {str(p.relative_to(work)): p.read_bytes() for p in files}


def _assert_complete(path: Path) -> None:
    """A file the workflow wrote is readable as a whole (no truncated table or archive)."""
    if path.suffix == ".csv":
        assert len(pd.read_csv(path)) > 0, path
    elif path.suffix == ".npz":
        with np.load(path) as z:
            for k in z.files:
                z[k]
    elif path.suffix == ".json":
        json.loads(path.read_text())


def _run(work: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args], cwd=work,
                          capture_output=True, text=True, timeout=timeout)


def test_sigkill_mid_job_then_rerun_equals_uninterrupted_run(smoke_run, tmp_path):
    work_ref, _ = smoke_run
    work = fresh_checkout(tmp_path / "wf")
    proc = subprocess.Popen(FIG2B_CMD, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    marker = work / "logs/g22_train_source/fig2b-s1.log"
    deadline = time.time() + 300
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # inside the training job (about 5-10 s at this scale)
    assert proc.poll() is None, "the workflow finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert not (work / "figures/gerace2022/fig2b.pdf").exists()
    for p in (work / "results").rglob("*"):
        if p.is_file() and ".tmp" not in p.name:
            _assert_complete(p)
    # README, "After a crash": a killed Snakemake leaves its directory lock (it cannot tell a dead
    # owner from a live one), so recovery is --unlock, then the same command; the default profile's
    # rerun-incomplete deletes and reruns the killed job.
    assert subprocess.run(FIG2B_CMD + ["--unlock"], cwd=work, capture_output=True).returncode == 0
    res = subprocess.run(FIG2B_CMD, cwd=work, capture_output=True, text=True, timeout=1500)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    leftovers = [p for d in ("results", "figures") for p in (work / d).rglob("*.tmp*")]
    assert not leftovers, leftovers
    ours, ref = _tables(work), _tables(work_ref)
    # instance, featuremap-{tf,rf}, pop-{tf,rf}, readouts-{tf,rf}; sim-{tf,rf,2l,fttf}, theory-, geq-,
    # readout-{tf,rf}; claims
    assert ours.keys() == ref.keys() and len(ours) == 18
    differ = [k for k in ours if ours[k] != ref[k]]
    assert not differ, f"interrupted-and-resumed run differs from the uninterrupted one: {differ}"


def test_a_changed_seed_changes_the_results(smoke_run):
    """Instance 2 (another CHMM seed) through the RF chain: every table differs from instance 1."""
    work, _ = smoke_run
    targets = [f"{EXP}/sim-rf-s2.csv", f"{EXP}/theory-rf-s2.csv"]
    res = _run(work, *targets, "--configfile", "configs/smoke.yaml")
    assert res.returncode == 0, (res.stdout + res.stderr)[-3000:]
    for t in targets:
        a, b = pd.read_csv(work / t), pd.read_csv(work / t.replace("-s2", "-s1"))
        assert len(a) == len(b)
        assert not np.allclose(a["test_error"], b["test_error"]), t


def _digest(work: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((work / EXP).glob("*-s1.*"))}


def _bad_config(work: Path, name: str, edit) -> str:
    cfg = load_config(work / "configs/smoke.yaml")
    edit(cfg["gerace2022"]["fig2b"])
    cfg["scale"] = "custom"
    (work / f"configs/{name}.yaml").write_text(yaml.safe_dump(cfg))
    return f"configs/{name}.yaml"


def test_non_converging_solver_stops_with_a_clear_message(smoke_run):
    work, _ = smoke_run
    before = _digest(work)
    cfg = _bad_config(work, "bad-solver", lambda e: e["theory"].update(max_iter=1))
    res = _run(work, f"{EXP}/theory-rf-s3.csv", "--configfile", cfg)
    assert res.returncode != 0
    log = (work / "logs/g22_theory/fig2b-rf-s3.log").read_text()
    for text in (log, res.stdout + res.stderr):
        assert "did not converge" in text and "gerace2022.fig2b.theory.max_iter" in text
    assert not (work / f"{EXP}/theory-rf-s3.csv").exists()
    _assert_complete(work / f"{EXP}/pop-rf-s3.npz")  # computed upstream, kept
    assert _digest(work) == before


def test_too_large_request_fails_before_allocating(smoke_run):
    work, _ = smoke_run
    before = _digest(work)
    cfg = _bad_config(work, "too-large", lambda e: e.update(H=100000))
    t0 = time.time()
    res = _run(work, f"{EXP}/pop-rf-s4.npz", "--configfile", cfg)
    assert res.returncode != 0
    text = res.stdout + res.stderr
    assert "rule g22_population would need about" in text and "gerace2022.fig2b.H" in text, text[-3000:]
    assert time.time() - t0 < 120
    assert not (work / f"{EXP}/pop-rf-s4.npz").exists()
    _assert_complete(work / f"{EXP}/featuremap-rf-s4.npz")
    assert _digest(work) == before
