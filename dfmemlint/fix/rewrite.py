"""Set GOMEMLIMIT where it works, computed from a declared container memory limit, where the
operator can still override it.

GOMEMLIMIT = floor(limit * ratio) in whole MiB goes, by default (``--fix-style env``), on a new
``ENV GOMEMLIMIT=409MiB`` line, the last instruction before the final stage's ``CMD``/
``ENTRYPOINT`` (after its last ``RUN``/``COPY``/``ADD``): no cached layer depends on it, it works
in scratch and distroless images, and a value set when the container starts (``docker run -e``,
Compose ``environment:``, Kubernetes ``env:``) still wins over it, as runtime environment wins
over an image's ``ENV``.

``--fix-style inline`` puts it on the command that starts the program instead (the ENTRYPOINT
when there is one), written so that a runtime value still wins where a shell runs the command:

* shell form, one simple command: ``CMD GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec app --flag``
  (BuildKit does not expand variables in CMD/ENTRYPOINT; the shell does when the container
  starts, and ``exec`` keeps the program as PID 1);
* exec form, in an image known to have a shell:
  ``CMD ["sh", "-c", "GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec \"$@\"", "sh", "/app"]``;
* exec form otherwise, only where ``env`` is the one way (a command that already runs ``env``, or
  an image dfmemlint does not know): ``CMD ["env", "GOMEMLIMIT=409MiB", "/app"]``, an unsafe
  fix that says a runtime GOMEMLIMIT then no longer applies (``env`` sets it over whatever the
  container was started with, and an unknown image may have no ``env``).

Where inline cannot work (scratch, distroless, an image whose own ENTRYPOINT takes the CMD as
arguments, a start command inherited from another stage or image, a compound shell command) the
ENV line is used. Only the final stage is edited. Every fix is checked here before it is offered:
the edited file must read, with exactly the instructions expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from dfmemlint.dockerfile import images, reader, shell
from dfmemlint.dockerfile.model import Stage
from dfmemlint.dockerfile.reader import Instruction, encode
from dfmemlint.dockerfile.settings import args_index, effective_start
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.units import MIB, LimitError, compute_gomemlimit, format_size
from dfmemlint.rules.base import Context
from dfmemlint.types import Applicability, Edit, Fix

FIX_STYLES = ("env", "inline")
DEFAULT_FIX_STYLE = "env"
#: Said by a fix whose edit overrides the operator's runtime setting.
RUNTIME_VALUE_IGNORED = (
    "a GOMEMLIMIT set at run time (docker run -e, Compose environment:, Kubernetes env:) no "
    "longer applies"
)

_BUSTING = frozenset({"RUN", "COPY", "ADD"})
# Words that start a compound command or change how the next word is read: a prefix
# assignment in front of them is a syntax error or means something else.
_SHELL_KEYWORDS = frozenset(
    {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
     "in", "select", "function", "time", "coproc", "{", "}", "!", "[["}
)
_LIST_SEPARATOR = rb",[ \t]*\Z"
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
    if ctx.startup_limit is not None:
        return None  # set at start-up: a static value would override it (or switch it off)
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
    candidates: list[_Candidate] = []
    if ctx.fix_style == "inline":
        inline = _inline(ctx, final, value)
        if inline is not None:
            candidates.append(inline)
    candidates.append(_env_line(ctx, final, value))
    data = ctx.dockerfile.data
    for edit, expected, title, applicability in candidates:
        if _reads_as(data[: edit.start] + edit.replacement + data[edit.end :], expected):
            return Fix(f"{title} ({why})", (edit,), applicability)
    return None


class _Expected:
    """How the edited file must read: the instructions of the original, with ``shape`` put at
    ``position`` (in place of the instruction there when ``replace``, else before it)."""

    __slots__ = ("instructions", "position", "replace", "shape")

    def __init__(
        self, instructions: Sequence[Instruction], position: int, shape: _Shape, replace: bool
    ) -> None:
        self.instructions = instructions
        self.position = position
        self.shape = shape
        self.replace = replace

    def __iter__(self) -> Iterator[_Shape]:
        for i, ins in enumerate(self.instructions):
            if i == self.position:
                yield self.shape
                if self.replace:
                    continue
            yield _shape(ins)
        if self.position == len(self.instructions) and not self.replace:
            yield self.shape


def _shape(ins: Instruction) -> _Shape:
    # Looked at once per instruction: the tokens of the ones nothing else asked for are not kept.
    return ins.cmd, tuple(token.value for token in ins.peek_values())


def _reads_as(data: bytes, expected: _Expected) -> bool:
    """``data`` reads without error as the ``expected`` instructions (read and compared one by
    one, so that a large file is not held three times over)."""
    shapes = iter(expected)
    for item in reader.each_instruction(data):
        if isinstance(item, reader.ParseError) or _shape(item) != next(shapes, None):
            return False
    return next(shapes, None) is None


def _position(ctx: Context, ins: Instruction) -> int:
    return next(i for i, other in enumerate(ctx.dockerfile.instructions) if other is ins)


# An edit, how the edited file must read, the fix's title, and how safe it is.
_Candidate = tuple[Edit, "_Expected", str, Applicability]


# --- inline on the start command ---------------------------------------------------------------


def _inline(ctx: Context, final: Stage, value: str) -> _Candidate | None:
    entry, cmd = effective_start(ctx.graph)
    start = entry if entry is not None else cmd
    if start is None or not any(ins is start for ins in final.instructions):
        return None  # inherited from another stage or the base image: ENV reaches it anyway
    root = ctx.graph.lineage(final.index)[-1]
    written = root.base_token.value if root.base_token is not None else root.base
    # FROM $BASE: the default is known here, but the image built may be another one.
    tools = images.UNKNOWN if "$" in written else images.image_tools(root.base)
    if entry is None and tools.entrypoint:
        return None  # the image's own ENTRYPOINT starts the program; CMD is only its arguments
    if start.json:
        return _inline_exec(ctx, start, value, tools)
    if not _posix_shell(ctx, final):
        return None
    return _inline_shell(ctx, start, value)


def _inline_exec(
    ctx: Context, start: Instruction, value: str, tools: images.ImageTools
) -> _Candidate | None:
    elements = start.values
    if not elements:
        return None
    data = ctx.dockerfile.data
    separator = b", "
    if len(elements) > 1:
        between = data[elements[0].end : elements[1].start]
        escape = ctx.dockerfile.escape
        if re.match(_LIST_SEPARATOR, between) or _continued_separator(between, escape):
            separator = between
    words = [token.value for token in elements]
    if elements[0].value.rsplit("/", 1)[-1] == "env":
        at = _env_operand_index(words)
        if at is None:
            return None
        assignment = encode(f'"GOMEMLIMIT={value}"')
        edit = Edit(elements[at].start, elements[at].start, assignment + separator)
        new_words = [*words[:at], f"GOMEMLIMIT={value}", *words[at:]]
        title = (
            f"Add GOMEMLIMIT={value} to the env command of the {start.cmd}; "
            f"{RUNTIME_VALUE_IGNORED}"
        )
    elif tools.shell:
        import json  # only the inline fix of an exec-form command writes JSON strings

        script = f'GOMEMLIMIT=${{GOMEMLIMIT:-{value}}} exec "$@"'
        inserted = separator.join(encode(json.dumps(w)) for w in ("sh", "-c", script, "sh"))
        edit = Edit(elements[0].start, elements[0].start, inserted + separator)
        new_words = ["sh", "-c", script, "sh", *words]
        title = (
            f"Start the program through sh with GOMEMLIMIT=${{GOMEMLIMIT:-{value}}} in the "
            f"{start.cmd} (a GOMEMLIMIT set at run time still wins)"
        )
    elif not tools.known:
        # An image dfmemlint does not know: `env` is the likelier tool, and the user asked.
        inserted = b'"env"' + separator + encode(f'"GOMEMLIMIT={value}"') + separator
        edit = Edit(elements[0].start, elements[0].start, inserted)
        new_words = ["env", f"GOMEMLIMIT={value}", *words]
        title = (
            f"Start the program through env with GOMEMLIMIT={value} in the {start.cmd}; "
            f"{RUNTIME_VALUE_IGNORED}"
        )
    else:
        return None  # known to have neither (scratch, distroless): the ENV line
    expected = _Expected(
        ctx.dockerfile.instructions, _position(ctx, start), (start.cmd, tuple(new_words)), True
    )
    # Through `env`, GOMEMLIMIT is set over the one the container is started with (and an image
    # dfmemlint does not know may have no `env`): a change of behaviour, so the fix is unsafe.
    through_env = new_words[0].rsplit("/", 1)[-1] == "env"
    return edit, expected, title, Applicability.UNSAFE if through_env else Applicability.SAFE


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
) -> _Candidate | None:
    script = start.args.value
    if not script or not _single_simple_command(script):
        return None
    words = next(shell.simple_commands(script))
    # After the command's own assignments (``FOO=1 app``), before the program (or its ``exec``).
    program = next((w for w in words if not shell.is_assignment(w.text)), None)
    if program is None:
        return None  # only assignments: nothing is started
    prefix = f"GOMEMLIMIT=${{GOMEMLIMIT:-{value}}} "
    if program.text != "exec":
        prefix += "exec "
    at = start.offset_of(args_index(start) + program.start)
    edit = Edit(at, at, encode(prefix))
    new_script = script[: program.start] + prefix + script[program.start :]
    expected = _Expected(
        ctx.dockerfile.instructions, _position(ctx, start), (start.cmd, (new_script,)), True
    )
    title = (
        f"Set GOMEMLIMIT=${{GOMEMLIMIT:-{value}}} on the {start.cmd} and exec the program (a "
        "GOMEMLIMIT set at run time still wins)"
    )
    return edit, expected, title, Applicability.SAFE


# --- ENV line in the final stage ----------------------------------------------------------------


def _env_line(ctx: Context, final: Stage, value: str) -> _Candidate:
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
    if target is not None:
        at = df.line_starts[comment_block_line(df, target) - 1]
        edit = Edit(at, at, line + df.newline)
        expected = _Expected(
            df.instructions, _position(ctx, target), ("ENV", ("GOMEMLIMIT", value, "=")), False
        )
        title = f"Add ENV GOMEMLIMIT={value} before the {target.cmd}"
    else:
        at = neighbour.end
        ended = data[at - 1 : at] == b"\n"
        edit = Edit(at, at, line + df.newline if ended else df.newline + line)
        expected = _Expected(
            df.instructions,
            _position(ctx, neighbour) + 1,
            ("ENV", ("GOMEMLIMIT", value, "=")),
            False,
        )
        title = f"Add ENV GOMEMLIMIT={value} at the end of the final stage"
    return edit, expected, title, Applicability.SAFE


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
