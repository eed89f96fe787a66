"""DFM002 gomemlimit-wrong-stage: ENV GOMEMLIMIT in a stage the final image does not inherit.

A warning when nothing reads it; info, and no fix, when a later ``go build`` (or the project's
build script) in that stage or a stage built FROM it does: then it caps the build's memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.gobuild import compiles_go, run_commands, runs_build_script
from dfmemlint.dockerfile.settings import Setting
from dfmemlint.rules.base import Context, Problem
from dfmemlint.rules.gomemlimit_malformed import breaks_the_build
from dfmemlint.types import Applicability, Edit, Fix, Severity, shown

CODE = "DFM002"


def _read_by_a_build(ctx: Context, setting: Setting) -> bool:
    """A ``RUN`` after the ENV in its stage, or in a stage built FROM that stage, compiles Go:
    the ENV caps that build's memory."""
    stage = ctx.graph.stages[setting.stage]
    instructions = [ins for ins in stage.instructions if ins.start > setting.instruction.start]
    for child in ctx.graph.stages:
        if child.parent == stage.index:
            instructions.extend(child.instructions)
    return any(
        ins.cmd == "RUN"
        and any(compiles_go(c) or runs_build_script(c) for c in run_commands(ins))
        for ins in instructions
    )


def check(ctx: Context) -> Iterator[Problem]:
    final = ctx.graph.final_stage
    if final is None:
        return
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if setting.kind != "env" or setting.stage in ctx.final_lineage:
            continue
        stage = ctx.graph.stages[setting.stage]
        ins = setting.instruction
        if _read_by_a_build(ctx, setting):
            # Most real files do this on purpose (their comments say so): a cap on the build.
            # Whether the value itself is one Go accepts is DFM004's to say; this advice agrees.
            broken = breaks_the_build(setting.value)
            caps = "is meant to cap" if broken else "caps the memory of"
            advice = (
                f"As written, {broken}: once it is fixed, nothing else needs to change if the "
                "cap is intended." if broken else "Nothing to change if the cap is intended."
            )
            yield Problem(
                setting.start,
                setting.end,
                f"ENV GOMEMLIMIT={shown(setting.value)} in stage {stage.label} {caps} the Go "
                "build that stage runs; the running container gets nothing from it (DFM006 "
                f"speaks for the runtime). {advice}",
                None,
                Severity.INFO,
            )
            continue
        fix = None
        if len(ins.values) == 3:
            fix = Fix(
                f"Remove ENV GOMEMLIMIT from stage {stage.label}",
                (Edit(ins.start, ins.end, b""),),
                Applicability.UNSAFE,
            )
        yield Problem(
            setting.start,
            setting.end,
            f"ENV GOMEMLIMIT={shown(setting.value)} is set in stage {stage.label!s}, which the "
            f"final image (stage {final.label}) is not built FROM, and no build step of that stage "
            "reads it, so it does nothing: the running container never sees it (COPY --from "
            "copies files, not environment). Set it in the final stage.",
            fix,
        )
