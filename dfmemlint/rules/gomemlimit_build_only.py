"""DFM001 gomemlimit-build-only: GOMEMLIMIT set only for build time (RUN or ARG)."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rules.base import Context, Problem
from dfmemlint.settings import Setting
from dfmemlint.types import Applicability, Edit, Fix, Severity

CODE = "DFM001"


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
    end = setting.assign_end
    while data[end : end + 1] in (b" ", b"\t"):
        end += 1
    return Fix(
        "Remove the build-time GOMEMLIMIT assignment",
        (Edit(setting.assign_start, end, b""),),
        Applicability.UNSAFE,
    )


def check(ctx: Context) -> Iterator[Problem]:
    runtime_limit = "GOMEMLIMIT" in ctx.runtime_settings
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if setting.kind not in ("run", "heredoc", "arg"):
            continue
        where = "an ARG" if setting.kind == "arg" else "a RUN command"
        if runtime_limit:
            message = (
                f"GOMEMLIMIT={setting.value} in {where} applies only while the image is built "
                "(here likely a deliberate cap on the Go toolchain); the running container uses "
                "the GOMEMLIMIT set for runtime."
            )
            severity = Severity.INFO
        else:
            message = (
                f"GOMEMLIMIT={setting.value} in {where} applies only while the image is built and "
                "never reaches the running container. Set it with ENV in the final stage, or inline "
                "on the command that starts the program."
            )
            severity = Severity.WARNING
        yield Problem(setting.start, setting.end, message, _removal(ctx, setting), severity)
