"""The lauditi2025 config section: cross-key rules its schema ``$defs`` cannot express. Each message names
the key and the fix; the workflow runs them before any job (``register_paper``)."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .theory import check_alignments, kernel_constants

__all__ = ["problems"]


def problems(section: Mapping[str, Any]) -> Iterator[str]:
    for name, exp in section.items():
        key = f"config key lauditi2025.{name}"
        if "target" in exp and "alpha_s" in exp["target"]:
            yield from _linear_problems(key, exp)
        if "classes" in exp:
            yield from _cifar_problems(key, exp)
        if "gamma2" in exp:
            yield from _rich_problems(key, exp)


def _linear_problems(key: str, exp: Mapping[str, Any]) -> Iterator[str]:
    tgt, src = exp["target"], exp["source"]
    for a_s in tgt["alpha_s"]:
        for a_g in tgt["alpha_g"]:
            try:
                check_alignments(a_s, a_g)
            except ValueError as err:
                yield f"{key}.target: alpha_s = {a_s} with alpha_g = {a_g}: {err}"
    for nu1 in src["nu1"]:
        for gamma1 in src["gamma1"]:
            try:
                kernel_constants(nu1, gamma1, exp["kernel_model"], exp["chi_reading"])
            except ValueError as err:
                yield (f"{key}.chi_reading = {exp['chi_reading']} with kernel_model = "
                       f"{exp['kernel_model']}: the theory's kernel is not defined at source.nu1 = {nu1}, "
                       f"source.gamma1 = {gamma1}: {err}")
    if src["eta"] > src["t1"]:
        yield f"{key}.source.eta = {src['eta']} exceeds source.t1 = {src['t1']}: not a single step of training"
    th = exp["theory"]
    if th["nu2_min"] >= th["nu2_max"]:
        yield f"{key}.theory.nu2_min must be smaller than theory.nu2_max"
    if exp["D"] < 10:
        yield f"{key}.D = {exp['D']} is too small for the D -> infinity theory to mean anything; use D >= 10"


def _cifar_problems(key: str, exp: Mapping[str, Any]) -> Iterator[str]:
    for side in ("source", "target"):
        pair = exp["classes"][side]
        if len(set(pair)) != 2:
            yield f"{key}.classes.{side} must name two different classes, got {pair}"
    if exp["claims"]["small_P2_max"] < min(exp["target"]["P2"]):
        yield (f"{key}.claims.small_P2_max = {exp['claims']['small_P2_max']} is below every target.P2 "
               f"({min(exp['target']['P2'])} is the smallest): no target size would count as small")
    if exp["source"]["eta"] > exp["source"]["t1"]:
        yield f"{key}.source.eta exceeds source.t1: not a single step of training"
    if exp["theory"]["width"] < max(exp["widths"]):
        yield (f"{key}.theory.width = {exp['theory']['width']} is below the largest simulated width "
               f"{max(exp['widths'])}: the theory's kernel should be at least as wide as the networks")


def _rich_problems(key: str, exp: Mapping[str, Any]) -> Iterator[str]:
    task = exp["task"]
    polynomial = task["kind"] in ("linear_quadratic", "hermite")
    need = ["D"] if polynomial else ["dataset", "classes", "preprocess", "test_from"]
    for k in need:
        if k not in task:
            yield f"{key}.task.{k} is missing: a {task['kind']} task needs {', '.join(need)}"
    if task["kind"] == "cifar" and "classes" in task:
        for side in ("source", "target"):
            if len(set(task["classes"][side])) != 2:
                yield f"{key}.task.classes.{side} must name two different classes, got {task['classes'][side]}"
    if "P2s" in exp and max(exp["P2s"]) != task["P2"]:
        yield (f"{key}.P2s: its largest size {max(exp['P2s'])} must equal task.P2 = {task['P2']} (the target "
               "points the task holds); set task.P2 to it")
    for k in ("t1", "t2"):
        if exp["dt"] > exp[k]:
            yield f"{key}.dt = {exp['dt']} exceeds {k} = {exp[k]}: not a single Euler step"
    if exp["dmft"]["samples"] < max(exp["widths"]):
        yield (f"{key}.dmft.samples = {exp['dmft']['samples']} is below the largest width {max(exp['widths'])}: "
               "the Monte Carlo DMFT must be at least as wide as the networks it is the limit of")
