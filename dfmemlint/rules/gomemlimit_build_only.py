"""DFM001 gomemlimit-build-only: GOMEMLIMIT set only for build time (RUN or ARG).

Not reported: an empty value (it sets no limit), a ``RUN`` assignment that only passes the
variable on (``GOMEMLIMIT=$GOMEMLIMIT``), and an ``ARG`` whose value an ``ENV`` of its stage
reads (the ``ENV`` is what sets it, and the other rules judge it there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfmemlint.dockerfile.settings import Setting
from dfmemlint.rules.base import Context, Problem
from dfmemlint.rules.gomemlimit_malformed import breaks_the_build
from dfmemlint.types import Applicability, Edit, Fix, Severity, shown

CODE = "DFM001"
_SELF_REFERENCE = r"\$(?:GOMEMLIMIT|\{GOMEMLIMIT\})"
_WHERE = {"arg": "an ARG", "run": "a RUN command", "heredoc": "a RUN heredoc script"}


def _removal(ctx: Context, setting: Setting) -> Fix | None:
    data = ctx.dockerfile.data
    ins = setting.instruction
    if setting.kind == "arg":
        if len(ins.values) != 1 or ins.end_line != ins.start_line:
            return None
        return Fix(
            "Remove this ARG (it never reaches the running container)",
            (Edit(ins.start, ins.end, b""),),
            Applicability.UNSAFE,
        )
    if setting.how != "prefix" or setting.kind not in ("run", "heredoc"):
        return None
    # Only an assignment written plainly in front of the command it is for: removing it must
    # leave that command (``RUN GOMEMLIMIT=1GiB`` alone, or one inside an escaped JSON string,
    # has no safe edit).
    if not setting.command_follows:
        return None
    if not data[setting.assign_start : setting.assign_end].startswith(
        setting.name.encode() + b"="
    ):
        return None
    end = setting.assign_end
    while data[end : end + 1] in (b" ", b"\t"):
        end += 1
    return Fix(
        "Remove the build-time GOMEMLIMIT assignment",
        (Edit(setting.assign_start, end, b""),),
        Applicability.UNSAFE,
    )


def _feeds_env(ctx: Context, setting: Setting) -> bool:
    """An ENV later in the ARG's stage reads it (``ENV GOMEMLIMIT=$GOMEMLIMIT``)."""
    stage = ctx.graph.stages[setting.stage]
    return any(
        setting.name in env.args_used and env.instruction.start > setting.instruction.start
        for env in stage.own_env
    )


def check(ctx: Context) -> Iterator[Problem]:
    runtime_limit = "GOMEMLIMIT" in ctx.runtime_settings
    found: dict[int, list[Setting]] = {}  # one finding per instruction
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if setting.kind not in _WHERE or setting.value == "":
            continue
        if re.fullmatch(_SELF_REFERENCE, setting.value):
            continue
        if setting.kind == "arg" and _feeds_env(ctx, setting):
            continue
        found.setdefault(setting.instruction.start, []).append(setting)
    for settings in found.values():
        setting = settings[0]
        where = _WHERE[setting.kind]
        more = f" (and {len(settings) - 1} more time{'s' if len(settings) > 2 else ''} in it)"
        source = setting.value_place(ctx.dockerfile.data)[3] if setting.build_arg else ""
        values = f"GOMEMLIMIT={shown(setting.value)}{source}" + (
            more if len(settings) > 1 else ""
        )
        # Whether the value itself is one Go accepts is DFM004's to say; this advice agrees.
        broken = next(filter(None, (breaks_the_build(s.value) for s in settings)), "")
        if runtime_limit:
            advice = (
                f"As written, {broken}: once it is fixed, nothing else needs to change if the "
                "cap is intended." if broken else "Nothing to change if the cap is intended."
            )
            message = (
                f"{values} in {where} applies only while the image is built, "
                "most likely as a deliberate cap on the Go toolchain; the running container gets "
                f"the GOMEMLIMIT set for runtime. {advice}"
            )
            severity = Severity.INFO
        else:
            message = (
                f"{values} in {where} applies only while the image is built and "
                "never reaches the running container. To limit the program, set it with ENV in "
                "the final stage or inline on its start command; if it is meant to cap the build, "
                "add '# dfmemlint: ignore=DFM001' above this instruction"
                + (f" and fix the value: as written, {broken}." if broken else ".")
            )
            severity = Severity.WARNING
        # Removing one assignment of several would leave the finding: no fix then.
        fix = _removal(ctx, setting) if len(settings) == 1 else None
        yield Problem(setting.start, setting.end, message, fix, severity)
