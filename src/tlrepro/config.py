"""Configuration checks: JSON-schema validation with messages that name the offending key, plus each
paper's cross-key rules that a schema cannot express (a ``Check`` of the paper's package, e.g.
``tlrepro.gerace2022.config.problems``). Runs before any job (from the Snakefile) and in tests."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key and says how to fix it."""


def _key_path(path: Any) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "<top level>"


def _describe(error: jsonschema.ValidationError) -> str:
    where = _key_path(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        key = f"{where}." if where != "<top level>" else ""
        return (f"unknown config key {', '.join(key + e for e in extra)}; "
                f"allowed keys here: {', '.join(allowed)}")
    if error.validator == "required":
        return f"config key {where}: {error.message}; add it (see config.yaml for an example)"
    return f"config key {where}: {error.message}"


def load_schema(path: Path | str = SCHEMA_PATH) -> dict:
    with open(path) as fh:
        return yaml.safe_load(fh)


def schema_validator(schema_path: Path | str = SCHEMA_PATH) -> jsonschema.Draft202012Validator:
    """A validator of the schema at ``schema_path`` that resolves its ``$ref``s to the other
    ``*.schema.yaml`` files of its folder (each paper's section has its own file). Built once per
    folder state (the files' modification times)."""
    path = Path(schema_path).resolve()
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in sorted(path.parent.glob("*.schema.yaml")))
    return _validator(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _validator(path: str, stamp: tuple) -> jsonschema.Draft202012Validator:
    from referencing import Registry, Resource

    path = Path(path)
    registry = Registry().with_resources(
        (f.as_uri(), Resource.from_contents(load_schema(f)))
        for f in sorted(path.parent.glob("*.schema.yaml")))
    return jsonschema.Draft202012Validator({**load_schema(path), "$id": path.as_uri()},
                                           registry=registry)


#: A paper's cross-key checks: its config section in, one message per problem out (each naming the key).
Check = Callable[[Mapping[str, Any]], Iterable[str]]


def validate_config(config: Mapping[str, Any], schema_path: Path | str = SCHEMA_PATH,
                    checks: Mapping[str, Check] | None = None) -> None:
    """Raise ConfigError listing every schema violation of ``config`` and, when the schema is met, every
    problem the papers' ``checks`` ({paper: check of config[paper]}) find across keys."""
    errors = sorted(schema_validator(schema_path).iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    problems = [_describe(e) for e in errors]
    if not problems:
        problems = [p for paper, check in (checks or {}).items() if paper in config
                    for p in check(config[paper])]
    raise_problems(problems)


def raise_problems(problems: Iterable[str]) -> None:
    """Raise one ConfigError listing ``problems``, if there are any."""
    problems = list(problems)
    if problems:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(problems))


def load_config(path: Path | str) -> dict:
    """A config file as the workflow sees it: YAML anchors and merge keys resolved, and every mapping a
    fresh object (an aliased block is copied, so that editing one section never edits another)."""
    with open(path) as fh:
        return json.loads(json.dumps(yaml.load(fh, Loader=yaml.FullLoader)))
