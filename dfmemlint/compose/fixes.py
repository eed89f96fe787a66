"""Fixes that add to a Compose file: GOMEMLIMIT beside a ``GOGC=off`` (DFM008), computed from the
service's memory limit.

A service that sets ``GOGC=off`` and no GOMEMLIMIT but declares a memory limit (``mem_limit`` or
``deploy.resources.limits.memory``) gets ``GOMEMLIMIT = floor(limit * ratio)`` in whole MiB
(:func:`dfmemlint.rules.values.recommended`, the arithmetic of ``golang.units``), written as a new
entry of the same ``environment`` right after the GOGC entry, in its form: ``GOMEMLIMIT: 409MiB``
in a map, ``- GOMEMLIMIT=409MiB`` in a list (compose-go ``types/mapping.go``
``MappingWithEquals.DecodeMapstructure`` reads both). It is safe, as adding GOMEMLIMIT from a
declared limit is to a Dockerfile: the limit is the service's own.

No fix is offered when the entry is not on a line of its own in a block ``environment`` (a flow
``{GOGC: off}`` or ``[GOGC=off]``, a value over several lines), when GOGC comes from ``.env`` or
an ``env_file``, when the service's environment names GOMEMLIMIT at all (a second key would be
a duplicate), or when the GOGC entry is shared with another service through a YAML anchor (the
new entry would reach that service too, whatever its limit).
"""

from __future__ import annotations

import re

from dfmemlint.compose.model import Project, Service
from dfmemlint.containers import ContainerSettings
from dfmemlint.golang.units import format_size
from dfmemlint.rules.values import limit_words, recommended
from dfmemlint.types import Applicability, Edit, Fix

# The line of a block environment entry: ``  - GOGC=off`` (list) or ``  GOGC: "off"`` (map).
# Before the value's span: an opening quote, or ``${NAME:-`` when the value is its default.
_OPENING = rb"[\"']?(?:\$\{[A-Za-z_][A-Za-z0-9_]*:?-)?"
_LIST_ENTRY = re.compile(rb"(?P<indent>[ ]*)-[ ]+(?P<q>[\"']?)GOGC=" + _OPENING)
_MAP_ENTRY = re.compile(rb"(?P<indent>[ ]*)(?P<q>[\"']?)GOGC(?P=q)[ ]*:[ ]+" + _OPENING)
# What may follow the value on its line: a closing quote, blanks, a comment.
_LINE_END = re.compile(rb"[\"']?[ \t]*(?:#[^\n]*)?\r?\n?")


def add_gomemlimit(
    settings: ContainerSettings,
    service: Service,
    project: Project,
    path: str,
    data: bytes,
    ratio: float,
) -> Fix | None:
    """The fix for DFM008 on ``service`` (whose record the value rules judged as ``settings``)
    in the Compose file ``path`` (bytes ``data``), or None when none is offered (see the module
    docstring)."""
    gogc = service.environment.get("GOGC")
    limit = settings.limit
    if gogc is None or limit is None or "GOMEMLIMIT" in service.environment:
        return None
    target = recommended(limit.bytes, ratio)
    origin = gogc.origin
    # The problem is placed in ``path`` (lint_compose), so an ``environment`` value is there.
    if target is None or gogc.via != "environment" or not gogc.in_block:
        return None
    if _shared(service, project):
        return None
    if b"\n" in data[origin.start : origin.end]:
        return None  # a block scalar, or a quoted value folded over lines
    line_start = data.rfind(b"\n", 0, origin.start) + 1
    head = data[line_start : origin.start]
    listed = _LIST_ENTRY.fullmatch(head)
    mapped = None if listed is not None else _MAP_ENTRY.fullmatch(head)
    if listed is None and mapped is None:
        return None
    tail = _LINE_END.match(data, _value_end(data, origin.end))
    assert tail is not None  # every part of it may be empty
    if tail.end() != _line_end(data, origin.end):  # pragma: no cover - YAML allows no more
        return None  # after a one-line entry of a block collection than a comment
    value = format_size(target)
    match = listed or mapped
    assert match is not None
    indent = match["indent"].decode()
    entry = f"{indent}- GOMEMLIMIT={value}" if listed else f"{indent}GOMEMLIMIT: {value}"
    at = tail.end()
    line_break = data[tail.start() : at]
    if line_break.endswith(b"\n"):
        newline = b"\r\n" if line_break.endswith(b"\r\n") else b"\n"
        insert = entry.encode() + newline
    else:  # the last line has no line break: give it the file's
        insert = (b"\r\n" if b"\r\n" in data else b"\n") + entry.encode()
    return Fix(
        f"Add GOMEMLIMIT={value} ({ratio:g} of {limit_words(settings)}) after GOGC",
        (Edit(at, at, insert),),
        Applicability.SAFE,
    )


def _value_end(data: bytes, end: int) -> int:
    """Past the rest of a ``${GOGC:-off}`` whose default is the value's span (``}`` and what
    else closes it on the line), so that only a comment may follow."""
    close = data.find(b"}", end, _line_end(data, end))
    text = data[end:close]
    if close >= 0 and b"#" not in text and b"\"" not in text and b"'" not in text:
        return close + 1
    return end


def _line_end(data: bytes, offset: int) -> int:
    """The offset just past the line break of the line holding ``offset`` (or the end)."""
    at = data.find(b"\n", offset)
    return len(data) if at < 0 else at + 1


def _shared(service: Service, project: Project) -> bool:
    """Whether another service's GOGC is the same written entry (a YAML anchor or merge key)."""
    mine = service.environment["GOGC"].origin
    for other in project.services.values():
        if other is service:
            continue
        theirs = other.environment.get("GOGC")
        if theirs is not None and theirs.origin[:3] == mine[:3]:
            return True
    return False
