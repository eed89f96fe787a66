"""DFM003 env-cache-bust: an ENV of a runtime tuning variable placed before RUN/COPY/ADD.

Only in images that start something (a CMD/ENTRYPOINT, or a Go program they ship): in a
toolchain or CI image with neither, such an ENV tunes the build's own ``RUN`` steps.

Linear in the instructions of the final image's lineage: what comes after each instruction
(how many RUN/COPY/ADD, of which kinds, which tuning variables are read or set later) is counted
once from the end of each stage and of the lineage, not again for every ENV.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from dfmemlint.dockerfile.model import Stage
from dfmemlint.dockerfile.reader import Instruction
from dfmemlint.dockerfile.settings import TUNING_VARIABLES
from dfmemlint.fix.rewrite import comment_block_line
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix

CODE = "DFM003"
_BUSTING = ("ADD", "COPY", "RUN")
_REFERENCE = {name: rf"\${{?{name}\b" for name in TUNING_VARIABLES}


def _touched(ins: Instruction) -> frozenset[str]:
    """The tuning variables ``ins`` reads (``$NAME``, ``${NAME}``) or sets (ENV, ARG)."""
    text = ins.original + "".join(doc.content for doc in ins.heredocs)
    names = {
        name for name, pattern in _REFERENCE.items() if "$" in text and re.search(pattern, text)
    }
    if ins.cmd == "ENV":
        names.update(ins.values[k].value for k in range(0, len(ins.values) - 2, 3))
    elif ins.cmd == "ARG":
        names.update(token.value.partition("=")[0] for token in ins.values)
    return frozenset(names & set(TUNING_VARIABLES))


_READ = r"\$\{?([A-Za-z_][A-Za-z0-9_]*)"


def _sets(ins: Instruction) -> list[str]:
    """The variables an ENV or ARG instruction sets."""
    if ins.cmd == "ENV":
        return [ins.values[k].value for k in range(0, len(ins.values) - 2, 3)]
    if ins.cmd == "ARG":
        return [token.value.partition("=")[0] for token in ins.values]
    return []


def _reads(ins: Instruction) -> set[str]:
    """The variables an instruction's text refers to (``$NAME``, ``${NAME}``, ``${NAME:-x}``)."""
    return set(re.findall(_READ, ins.original)) if "$" in ins.original else set()


class _After:
    """For each instruction of a stage, what follows it in the stage: the number of busting
    instructions per kind, whether a RUN does, and the last index touching each tuning variable."""

    def __init__(self, stage: Stage) -> None:
        instructions = stage.instructions
        self.instructions = instructions
        size = len(instructions)
        # counts[i][kind]: busting instructions of that kind at index > i.
        self.counts: list[dict[str, int]] = [{} for _ in range(size)]
        running: dict[str, int] = {}
        for i in range(size - 1, -1, -1):
            self.counts[i] = dict(running)
            cmd = instructions[i].cmd
            if cmd in _BUSTING:
                running[cmd] = running.get(cmd, 0) + 1
        self.total = running
        self.last_busting = max(
            (i for i, ins in enumerate(instructions) if ins.cmd in _BUSTING), default=-1
        )
        self.last_touch: dict[str, int] = {}
        for i, ins in enumerate(instructions):
            for name in _touched(ins):
                self.last_touch[name] = i
        # The last index that sets each variable (ENV, ARG): an ENV that reads one of them
        # (``ENV GOMEMLIMIT=$LIMIT``) takes another value when moved below a later ``ARG LIMIT=``.
        self.last_set: dict[str, int] = {}
        for i, ins in enumerate(instructions):
            for name in _sets(ins):
                self.last_set[name] = i


def _move(ctx: Context, ins: Instruction, target: Instruction, past_run: bool) -> Fix | None:
    """Move the ENV below ``target``, the last RUN/COPY/ADD of its stage."""
    data = ctx.dockerfile.data
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
    return Fix(
        f"Move this ENV below the last {target.cmd} of the stage",
        (Edit(start, ins.end, b""), Edit(target.end, target.end, insert)),
        Applicability.UNSAFE if past_run else Applicability.SAFE,
    )


def _in_children(lineage: Sequence[Stage]) -> list[dict[str, int]]:
    """For each position of the lineage (root first), the busting instructions of the stages
    after it, per kind."""
    result: list[dict[str, int]] = [{} for _ in lineage]
    running: dict[str, int] = {}
    for position in range(len(lineage) - 1, -1, -1):
        result[position] = dict(running)
        for ins in lineage[position].instructions:
            if ins.cmd in _BUSTING:
                running[ins.cmd] = running.get(ins.cmd, 0) + 1
    return result


def check(ctx: Context) -> Iterator[Problem]:
    graph = ctx.graph
    if graph.final is None or not ctx.starts_program:
        return
    lineage = list(reversed(graph.lineage(graph.final)))  # root first
    children = _in_children(lineage)
    for position, stage in enumerate(lineage):
        after: _After | None = None
        for i, ins in enumerate(stage.instructions):
            if ins.cmd != "ENV":
                continue
            values = ins.values
            names = [values[k].value for k in range(0, len(values) - 2, 3)]
            tuning = [n for n in names if n in TUNING_VARIABLES]
            if not tuning:
                continue
            if after is None:
                after = _After(stage)
            here, below = after.counts[i], children[position]
            if not here and not below:
                continue
            first = values[names.index(tuning[0]) * 3]
            last_value = values[names.index(tuning[-1]) * 3 + 1]
            count = sum(here.values()) + sum(below.values())
            kinds = sorted(set(here) | set(below))
            fix = None
            # Not when an instruction after it reads or sets one of its variables, or sets one
            # that it reads: the move would change what that one sees, which value wins, or
            # the value it sets.
            if (
                here
                and not below
                and len(tuning) == len(names)
                and all(after.last_touch.get(name, -1) <= i for name in tuning)
                and all(after.last_set.get(name, -1) <= i for name in _reads(ins))
            ):
                target = stage.instructions[after.last_busting]
                fix = _move(ctx, ins, target, past_run="RUN" in here)
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
