"""DFM003 env-cache-bust: an ENV of a runtime tuning variable placed before RUN/COPY/ADD.

Only in images that start something (a CMD/ENTRYPOINT, or a Go program they ship): in a
toolchain or CI image with neither, such an ENV tunes the build's own ``RUN`` steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfmemlint.dockerfile.reader import Instruction
from dfmemlint.dockerfile.settings import TUNING_VARIABLES
from dfmemlint.fix.rewrite import comment_block_line
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix

CODE = "DFM003"
_BUSTING = frozenset({"RUN", "COPY", "ADD"})


def _references(ins: Instruction, names: list[str]) -> bool:
    text = ins.original + "".join(doc.content for doc in ins.heredocs)
    return any(re.search(rf"\${{?{name}\b", text) for name in names)


def _sets(ins: Instruction, names: list[str]) -> bool:
    if ins.cmd == "ENV":
        keys = [ins.values[k].value for k in range(0, len(ins.values) - 2, 3)]
    elif ins.cmd == "ARG":
        keys = [token.value.partition("=")[0] for token in ins.values]
    else:
        return False
    return any(key in names for key in keys)


def _move(
    ctx: Context,
    ins: Instruction,
    later: list[Instruction],
    names: list[str],
    rest: list[Instruction],
) -> Fix | None:
    """Move the ENV below the last of ``later``; not when an instruction after it (``rest``)
    reads or sets one of its variables, since the move would change what that one sees or which
    value wins."""
    data = ctx.dockerfile.data
    if any(_references(other, names) or _sets(other, names) for other in rest):
        return None
    target = later[-1]
    # The comment lines directly above the ENV go with it: a ``# dfmemlint: ignore=`` left behind
    # would suppress nothing, or something else.
    start = ctx.dockerfile.line_starts[comment_block_line(ctx.dockerfile, ins) - 1]
    moved = data[start : ins.end]
    if not moved.endswith(b"\n"):  # pragma: no cover - an ENV followed by RUN ends a line
        return None
    if data[target.end - 1 : target.end] == b"\n":
        insert = moved
    else:
        insert = ctx.dockerfile.newline + moved.rstrip(b"\r\n")
    past_run = any(other.cmd == "RUN" for other in later)
    return Fix(
        f"Move this ENV below the last {target.cmd} of the stage",
        (Edit(start, ins.end, b""), Edit(target.end, target.end, insert)),
        Applicability.UNSAFE if past_run else Applicability.SAFE,
    )


def check(ctx: Context) -> Iterator[Problem]:
    graph = ctx.graph
    if graph.final is None or not ctx.starts_program:
        return
    lineage = list(reversed(graph.lineage(graph.final)))  # root first
    for position, stage in enumerate(lineage):
        for i, ins in enumerate(stage.instructions):
            if ins.cmd != "ENV":
                continue
            values = ins.values
            names = [values[k].value for k in range(0, len(values) - 2, 3)]
            tuning = [n for n in names if n in TUNING_VARIABLES]
            if not tuning:
                continue
            later_here = [o for o in stage.instructions[i + 1 :] if o.cmd in _BUSTING]
            later_children = [
                o
                for child in lineage[position + 1 :]
                for o in child.instructions
                if o.cmd in _BUSTING
            ]
            if not later_here and not later_children:
                continue
            first = values[names.index(tuning[0]) * 3]
            last_value = values[names.index(tuning[-1]) * 3 + 1]
            count = len(later_here) + len(later_children)
            kinds = sorted({o.cmd for o in later_here + later_children})
            fix = None
            if later_here and not later_children and len(tuning) == len(names):
                fix = _move(ctx, ins, later_here, tuning, list(stage.instructions[i + 1 :]))
            variables = ", ".join(tuning)
            if count == 1:
                later = f"the {kinds[0]} instruction after it, so changing the value rebuilds that"
                later += " layer"
            else:
                later = (
                    f"the {count} {'/'.join(kinds)} instructions after it, so changing the value "
                    "rebuilds every one of those layers"
                )
            yield Problem(
                first.start,
                last_value.end,
                f"ENV {variables} {'is' if len(tuning) == 1 else 'are'} part of the build cache "
                f"key of {later}. Set {'it' if len(tuning) == 1 else 'them'} last in the final "
                "stage, just before CMD/ENTRYPOINT, where no later layer depends on "
                f"{'it' if len(tuning) == 1 else 'them'}.",
                fix,
            )
