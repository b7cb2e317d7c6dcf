"""Provenance records: which commit, config, inputs, software, seeds and hardware produced an output.

One function, ``build_record``, is called by every figure rule; ``write_record`` stores it as JSON next
to the figure (``figures/<paper>/<fig>.prov.json``)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.metadata
import json
import os
import platform
import socket
import subprocess
from pathlib import Path
from typing import Any, Iterable, Mapping

PACKAGES = ("tlrepro", "numpy", "scipy", "scikit-learn", "pandas", "matplotlib", "torch",
            "snakemake", "papermill", "jsonschema", "pyyaml")


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def config_hash(config: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON form of a config (key order does not matter)."""
    blob = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def git_state(repo: str | os.PathLike = ".") -> dict[str, Any]:
    """Commit of ``repo`` and whether tracked files differ from it (``dirty``); None outside git."""
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        commit = run("rev-parse", "HEAD")
        dirty = bool(run("status", "--porcelain", "--untracked-files=no"))
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def package_versions(names: Iterable[str] = PACKAGES) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def hardware() -> dict[str, Any]:
    """The machine this record is written on (the figure rule); training devices come from inputs."""
    info: dict[str, Any] = {"hostname": socket.gethostname(), "machine": platform.machine(),
                            "platform": platform.platform(), "python": platform.python_version(),
                            "cpu_count": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def build_record(*, figure: str, outputs: Iterable[str], inputs: Iterable[str],
                 config: Mapping[str, Any], experiment_config: Mapping[str, Any] | None,
                 seeds: Mapping[str, Any], started: str, finished: str,
                 devices: Iterable[Mapping[str, Any]] = (), repo: str = ".",
                 config_files: Iterable[str] = (),
                 extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Assemble the provenance record of one figure (see module docstring).

    ``config_files``: the files the config was merged from, in merge order (the Snakefile's
    configfile, then each --configfile), relative to the working directory; ``tlrepro audit``
    re-merges them to check the recorded ``config_sha256``."""
    inputs = sorted(set(map(str, inputs)))
    config_files = [str(f) for f in config_files]
    record = {
        "schema_version": 2,
        "figure": figure,
        "git": git_state(repo),
        "scale": config.get("scale"),
        "config_sha256": config_hash(config),
        "config_files": config_files,
        "config_files_sha256": {f: sha256_file(f) for f in config_files if os.path.exists(f)},
        "config": dict(config),
        "experiment_config_sha256": config_hash(experiment_config) if experiment_config else None,
        "experiment_config": experiment_config,
        "inputs": {p: {"sha256": sha256_file(p), "bytes": os.path.getsize(p)} for p in inputs},
        "outputs": {p: {"sha256": sha256_file(p), "bytes": os.path.getsize(p)}
                    for p in sorted(set(map(str, outputs))) if os.path.exists(p)},
        "packages": package_versions(),
        "seeds": dict(seeds),
        "hardware": hardware(),
        "training_devices": list(devices),
        "started": started,
        "finished": finished,
    }
    if extra:
        record.update(extra)
    return record


def write_record(path: str | os.PathLike, record: Mapping[str, Any]) -> None:
    """Write ``record`` as indented JSON, atomically (a crash never leaves a partial record)."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    tmp.replace(path)
