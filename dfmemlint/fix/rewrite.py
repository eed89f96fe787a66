"""Set GOMEMLIMIT where it works, computed from a declared container memory limit.

GOMEMLIMIT = floor(limit * ratio) in whole MiB goes on the command that starts the program:

* exec form, in an image that has ``env``: ``CMD ["env", "GOMEMLIMIT=409MiB", "/app"]`` (``env``
  replaces itself with the program, which stays PID 1 and gets the signals); a command that
  already runs ``env`` gets one more assignment;
* shell form, in an image that has ``/bin/sh``: ``CMD GOMEMLIMIT=409MiB app --flag``, when the
  command is one simple command (in ``a && b`` a prefix would reach ``a`` only);
* otherwise (scratch, distroless, unknown images, a start command inherited from another stage or
  image, a compound shell command): a new ``ENV GOMEMLIMIT=409MiB`` line, the last instruction
  before the final stage's ``CMD``/``ENTRYPOINT``, where it invalidates no build cache.

Only the final stage is edited. Every fix is checked here before it is offered: the edited file
must read, with exactly the instructions expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dfmemlint.dockerfile import images, reader, shell
from dfmemlint.dockerfile.model import Stage
from dfmemlint.dockerfile.reader import Instruction, encode
from dfmemlint.dockerfile.settings import effective_start
from dfmemlint.golang.units import (
    MIB,
    LimitError,
    MemLimitStatus,
    compute_gomemlimit,
    format_size,
    judge_gomemlimit,
)
from dfmemlint.rules.base import Context
from dfmemlint.types import Applicability, Edit, Fix

FIX_STYLES = ("auto", "inline", "env")

_BUSTING = frozenset({"RUN", "COPY", "ADD"})
# Words that start a compound command or change how the next word is read: a prefix
# assignment in front of them is a syntax error or means something else.
_SHELL_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
     "in", "select", "function", "time", "coproc", "{", "}", "!", "[["}
)
_LIST_SEPARATOR = re.compile(rb",[ \t]*\Z")
_ENV_OPTIONS_WITH_ARGUMENT = frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"})

# (cmd, values) of each instruction, to compare a file before and after an edit.
_Shape = tuple[str, tuple[str, ...]]


def gomemlimit_value(ctx: Context) -> str | None:
    """``<N>MiB`` for the declared limit and ratio, or ``None`` without a usable limit."""
    if ctx.memory_limit is None:
        return None
    try:
        amount = compute_gomemlimit(ctx.memory_limit, ctx.ratio)
    except LimitError:
        return None
    return f"{amount // MIB}MiB"


def add_gomemlimit_fix(ctx: Context) -> Fix | None:
    """The fix that gives the final image a GOMEMLIMIT from the declared limit, or ``None`` when
    no limit is declared or no checked edit can do it."""
    value = gomemlimit_value(ctx)
    final = ctx.graph.final_stage
    if value is None or final is None or ctx.memory_limit is None:
        return None
    if ctx.old_go_builders:
        return None  # that Go ignores GOMEMLIMIT: DFM005 says to upgrade first
    why = f"{ctx.ratio} of the {format_size(ctx.memory_limit)} memory limit"
    existing = ctx.runtime_settings.get("GOMEMLIMIT")
    if existing is not None:
        status = judge_gomemlimit(existing.value).status
        if not existing.editable or status not in (MemLimitStatus.OFF, MemLimitStatus.EMPTY):
            return None
        # An explicit "off" (or empty) value was written on purpose: replacing it is unsafe.
        return Fix(
            f"Set GOMEMLIMIT to {value} ({why})",
            (Edit(existing.start, existing.end, encode(value)),),
            Applicability.UNSAFE,
        )
    candidates: list[tuple[Edit, list[_Shape], str]] = []
    if ctx.fix_style != "env":
        inline = _inline(ctx, final, value)
        if inline is not None:
            candidates.append(inline)
    candidates.append(_env_line(ctx, final, value))
    data = ctx.dockerfile.data
    for edit, expected, title in candidates:
        if _reads_as(data[: edit.start] + edit.replacement + data[edit.end :], expected):
            return Fix(f"{title} ({why})", (edit,), Applicability.SAFE)
    return None


def _shapes(instructions: Sequence[Instruction]) -> list[_Shape]:
    return [(ins.cmd, tuple(token.value for token in ins.values)) for ins in instructions]


def _reads_as(data: bytes, expected: list[_Shape]) -> bool:
    df = reader.read(data)
    return df.error is None and _shapes(df.instructions) == expected


def _position(ctx: Context, ins: Instruction) -> int:
    return next(i for i, other in enumerate(ctx.dockerfile.instructions) if other is ins)


# --- inline on the start command ---------------------------------------------------------------


def _inline(ctx: Context, final: Stage, value: str) -> tuple[Edit, list[_Shape], str] | None:
    entry, cmd = effective_start(ctx.graph)
    start = entry if entry is not None else cmd
    if start is None or not any(ins is start for ins in final.instructions):
        return None  # inherited from another stage or the base image: ENV reaches it anyway
    root = ctx.graph.lineage(final.index)[-1]
    written = root.base_token.value if root.base_token is not None else root.base
    # FROM $BASE: the default is known here, but the image built may be another one.
    tools = images.UNKNOWN if "$" in written else images.image_tools(root.base)
    forced = ctx.fix_style == "inline"
    if entry is None and tools.entrypoint and not forced:
        return None  # the image's own ENTRYPOINT starts the program; CMD is only its arguments
    if start.json:
        return _inline_exec(ctx, start, value, tools.env or forced)
    if not (tools.shell or forced) or not _posix_shell(ctx, final):
        return None
    return _inline_shell(ctx, start, value)


def _inline_exec(
    ctx: Context, start: Instruction, value: str, has_env: bool
) -> tuple[Edit, list[_Shape], str] | None:
    elements = start.values
    if not elements:
        return None
    data = ctx.dockerfile.data
    separator = b", "
    if len(elements) > 1:
        between = data[elements[0].end : elements[1].start]
        if _LIST_SEPARATOR.match(between) or _continued_separator(between, ctx.dockerfile.escape):
            separator = between
    assignment = encode(f'"GOMEMLIMIT={value}"')
    words = [token.value for token in elements]
    if elements[0].value.rsplit("/", 1)[-1] == "env":
        at = _env_operand_index(words)
        if at is None:
            return None
        edit = Edit(elements[at].start, elements[at].start, assignment + separator)
        new_words = [*words[:at], f"GOMEMLIMIT={value}", *words[at:]]
        title = f"Add GOMEMLIMIT={value} to the env command of the {start.cmd}"
    elif has_env:
        inserted = b'"env"' + separator + assignment + separator
        edit = Edit(elements[0].start, elements[0].start, inserted)
        new_words = ["env", f"GOMEMLIMIT={value}", *words]
        title = f"Start the program through env with GOMEMLIMIT={value} in the {start.cmd}"
    else:
        return None
    expected = _shapes(ctx.dockerfile.instructions)
    expected[_position(ctx, start)] = (start.cmd, tuple(new_words))
    return edit, expected, title


def _continued_separator(between: bytes, escape: str) -> bool:
    """``, \\`` then a line break and indentation: a list written one element per line."""
    pattern = rb",[ \t]*" + re.escape(encode(escape)) + rb"[ \t]*\r?\n[ \t]*\Z"
    return re.match(pattern, between) is not None


def _env_operand_index(words: list[str]) -> int | None:
    """Where a new NAME=value goes in ``env [OPTION]... [NAME=VALUE]... COMMAND``: before the
    first assignment or, with no options, before the command."""
    i = 1
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        i += 2 if words[i] in _ENV_OPTIONS_WITH_ARGUMENT else 1
    if i >= len(words):
        return None  # `env` alone prints the environment: nothing to start
    return i


def _posix_shell(ctx: Context, final: Stage) -> bool:
    """No SHELL instruction in the final image's stages swaps /bin/sh for a non-POSIX shell."""
    for stage in ctx.graph.lineage(final.index):
        for ins in stage.instructions:
            if ins.cmd != "SHELL":
                continue
            if not ins.json or not ins.values:
                return False
            if ins.values[0].value.rsplit("/", 1)[-1] not in shell.SHELLS:
                return False
    return True


def _single_simple_command(script: str) -> bool:
    commands = list(shell.simple_commands(script))
    if len(commands) != 1 or commands[0][0].text in _SHELL_KEYWORDS:
        return False
    covered = [False] * len(script)
    for word in commands[0]:
        for k in range(word.start, word.end):
            covered[k] = True
    return all(done or ch in " \t" for done, ch in zip(covered, script, strict=True))


def _inline_shell(
    ctx: Context, start: Instruction, value: str
) -> tuple[Edit, list[_Shape], str] | None:
    script = start.args.value
    if not script or not _single_simple_command(script):
        return None
    edit = Edit(start.args.start, start.args.start, encode(f"GOMEMLIMIT={value} "))
    expected = _shapes(ctx.dockerfile.instructions)
    expected[_position(ctx, start)] = (start.cmd, (f"GOMEMLIMIT={value} {script}",))
    return edit, expected, f"Set GOMEMLIMIT={value} on the {start.cmd}"


# --- ENV line in the final stage ----------------------------------------------------------------


def _env_line(ctx: Context, final: Stage, value: str) -> tuple[Edit, list[_Shape], str]:
    df = ctx.dockerfile
    data = df.data
    instructions = final.instructions
    last_busting = max(
        (i for i, ins in enumerate(instructions) if ins.cmd in _BUSTING), default=-1
    )
    target = next(
        (ins for ins in instructions[last_busting + 1 :] if ins.cmd in ("CMD", "ENTRYPOINT")),
        None,
    )
    neighbour = target or (instructions[-1] if instructions else final.from_instruction)
    indent = _indentation(data, df.line_starts[neighbour.start_line - 1])
    keyword = "env" if neighbour.keyword.islower() else "ENV"
    line = indent + encode(f"{keyword} GOMEMLIMIT={value}")
    expected = _shapes(df.instructions)
    if target is not None:
        at = df.line_starts[comment_block_line(df, target) - 1]
        edit = Edit(at, at, line + df.newline)
        expected.insert(_position(ctx, target), ("ENV", ("GOMEMLIMIT", value, "=")))
        title = f"Add ENV GOMEMLIMIT={value} before the {target.cmd}"
    else:
        at = neighbour.end
        ended = data[at - 1 : at] == b"\n"
        edit = Edit(at, at, line + df.newline if ended else df.newline + line)
        expected.insert(_position(ctx, neighbour) + 1, ("ENV", ("GOMEMLIMIT", value, "=")))
        title = f"Add ENV GOMEMLIMIT={value} at the end of the final stage"
    return edit, expected, title


def _indentation(data: bytes, line_start: int) -> bytes:
    end = line_start
    while data[end : end + 1] in (b" ", b"\t"):
        end += 1
    return data[line_start:end]


def comment_block_line(df: reader.Dockerfile, target: Instruction) -> int:
    """The first line of the comments directly above ``target`` (its own line when none): what
    belongs to the instruction, ``# dfmemlint: ignore=`` included. A new line goes above them;
    a moved instruction takes them along."""
    previous_end = max(
        (ins.end_line for ins in df.instructions if ins.end_line < target.start_line), default=0
    )
    comment_lines = {line for line, _ in df.comments}
    line = target.start_line
    while line - 1 > previous_end and line - 1 in comment_lines:
        line -= 1
    return line
