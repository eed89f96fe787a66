"""A shell script named on the command line (``docker-entrypoint.sh``): the GOMEMLIMIT values it
assigns, judged as a Dockerfile's are (DFM004 malformed, DFM007 out of range), at the value in
the script, with the same fixes (the bytes are this file's, so ``--fix`` edits them).

A Dockerfile whose final image runs such a script reports the same values in the script's file
without a fix (:func:`dfmemlint.dockerfile.startup.script_settings`): ``--fix`` edits only the
files it lints, so naming the script is how its value gets fixed.

Which files are scripts (:func:`is_shell_script`): a name ending in ``.sh`` or ``.bash``, or a
first line ``#!`` that names a shell (``#!/bin/sh``, ``#!/usr/bin/env bash``). The directory
walk never picks one. Only literal values are judged (``export GOMEMLIMIT=400MB``,
``GOMEMLIMIT=1GiB exec "$@"``): a value with ``$`` is computed when the script runs. ``time`` is
read as the shell the first line names reads it (:func:`dfmemlint.dockerfile.shell.time_reading`).
``# dfmemlint: ignore=`` comments work as in YAML files (:mod:`dfmemlint.yaml_findings`).
"""

from __future__ import annotations

from dfmemlint.containers import Place
from dfmemlint.dockerfile import shell
from dfmemlint.engine import EditableRanges, LintOptions
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.units import format_percent, format_size
from dfmemlint.positions import Lines
from dfmemlint.rules import gomemlimit_malformed, gomemlimit_out_of_range
from dfmemlint.rules.values import ValueProblem, recommended
from dfmemlint.types import Applicability, Edit, Finding, Fix
from dfmemlint.yaml_findings import WholeFile, read_suppressions

_SUFFIXES = (".sh", ".bash")


class ScriptResult:
    """The lint of one shell script (a :class:`dfmemlint.formats.Result`)."""

    template = False  # never a Helm chart template
    unread = False  # always read
    syntax_error: str | None = None  # judged line by line: never unreadable

    def __init__(self, path: str, data: bytes, findings: list[Finding], lines: Lines) -> None:
        self.path = path
        self.data = data
        self.findings = findings
        self.notes: list[str] = []
        self.lines = lines

    @property
    def source(self) -> Lines:
        return self.lines

    def editable_ranges(self) -> EditableRanges:
        return WholeFile(len(self.data))


def is_shell_script(name: str, data: bytes) -> bool:
    """A file named ``*.sh``/``*.bash``, or whose first line ``#!`` names a shell."""
    if name.endswith(_SUFFIXES):
        return True
    words = shell.interpreter(data[:512].decode("utf-8", "surrogateescape"))
    return bool(words) and shell.program_name(words[0]) in shell.SHELLS


def lint_script(path: str, data: bytes, options: LintOptions) -> ScriptResult:
    """Lint ``data`` as the shell script ``path`` (see the module docstring)."""
    lines = Lines(data)
    text = data.decode("utf-8", "surrogateescape")
    suppressions = read_suppressions(data, lines, path)
    problems = list(suppressions.problems)
    if "GOMEMLIMIT" in text:
        time = shell.time_reading(shell.interpreter(text))
        for found in shell.assignments(text, time=time):
            if found.name != "GOMEMLIMIT" or "$" in found.value:
                continue
            start = len(text[: found.value_start].encode("utf-8", "surrogateescape"))
            end = max(start, len(text[: found.value_end].encode("utf-8", "surrogateescape")))
            place = Place(path, start, end, data[start:end] == found.value.encode(
                "utf-8", "surrogateescape"
            ))
            problem = _judge(found.value, place, options)
            if problem is not None:
                problems.append(problem)
    findings = [
        finding for problem in problems
        if (finding := suppressions.stamp(path, lines, problem, options)) is not None
    ]
    findings.extend(suppressions.unused(path, data, lines, options))
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return ScriptResult(path, data, findings, lines)


def _judge(value: str, place: Place, options: LintOptions) -> ValueProblem | None:
    """DFM004 or DFM007 for one value, as the Dockerfile rules judge a runtime value."""
    limit = options.memory_limit
    target = recommended(limit, options.ratio)
    of_limit = "" if limit is None else (
        f"{options.ratio:g} of the declared {format_size(limit)} memory limit"
    )
    verdict = judge_gomemlimit(value)
    if gomemlimit_malformed.is_bad(verdict):
        suggestion, why, fix = verdict.suggestion, "", None
        if suggestion is not None:
            safe = verdict.suggestion_safe
            suggestion, why = gomemlimit_malformed.cap(suggestion, limit, target, of_limit)
            risk = None if why else gomemlimit_malformed.respelling_risk(suggestion, limit, None)
            if risk is not None:
                suggestion, why = gomemlimit_malformed.risky_suggestion(
                    suggestion, risk, target, of_limit
                )
                safe = False
            if place.editable:
                fix = Fix(
                    gomemlimit_malformed.fix_title(value, suggestion, why),
                    (Edit(place.start, place.end, suggestion.encode()),),
                    Applicability.SAFE if safe else Applicability.UNSAFE,
                )
        message = gomemlimit_malformed.describe(
            value, verdict, "the program this script starts exits at start-up", "",
            suggestion, why,
        )
        return ValueProblem("DFM004", place, message, None, fix)
    if verdict.status is not MemLimitStatus.VALID or verdict.bytes is None:
        return None
    advice = (
        f"GOMEMLIMIT={format_size(target)} ({of_limit})" if target is not None
        else f"GOMEMLIMIT to about {format_percent(options.ratio)}% of the container's memory limit"
    )
    judged = gomemlimit_out_of_range.judge(value, verdict.bytes, limit, advice)
    if judged is None:
        return None
    message, severity = judged
    fix = None
    if target is not None and place.editable:
        fix = Fix(
            f"Set GOMEMLIMIT to {format_size(target)} ({options.ratio:g} of the declared limit)",
            (Edit(place.start, place.end, format_size(target).encode()),),
            Applicability.UNSAFE,
        )
    return ValueProblem("DFM007", place, message, severity, fix)
