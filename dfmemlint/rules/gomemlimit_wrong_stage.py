"""DFM002 gomemlimit-wrong-stage: ENV GOMEMLIMIT in a stage the final image does not inherit."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix

CODE = "DFM002"


def check(ctx: Context) -> Iterator[Problem]:
    final = ctx.graph.final_stage
    if final is None:
        return
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if setting.kind != "env" or setting.stage in ctx.final_lineage:
            continue
        stage = ctx.graph.stages[setting.stage]
        ins = setting.instruction
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
            f"ENV GOMEMLIMIT={setting.value} is set in stage {stage.label!s}, which the final "
            f"image (stage {final.label}) is not built FROM, so the running container never sees "
            "it (COPY --from copies files, not environment). Set it in the final stage.",
            fix,
        )
