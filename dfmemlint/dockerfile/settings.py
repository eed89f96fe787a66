"""Where Go's runtime variables are set in a Dockerfile, and whether each setting reaches the
running container.

One pass over the stages BuildKit builds: ``ENV`` and ``ARG`` pairs, assignments in ``RUN``
commands (shell form, ``sh -c`` in exec form, heredoc scripts), and assignments on the command
that starts the program (``CMD``/``ENTRYPOINT`` in shell form, or ``env NAME=… app`` in exec
form). Comments, ``LABEL`` values and heredocs that write files are never read as settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from dfmemlint.dockerfile import shell
from dfmemlint.dockerfile.model import ArgDecl, EnvSetting, Stage, StageGraph
from dfmemlint.dockerfile.reader import Instruction, decode, encode, go_trim_space
from dfmemlint.records import Record

TUNING_VARIABLES = ("GOMEMLIMIT", "GOGC", "GOMAXPROCS", "GODEBUG")


def referenced_name(raw: str) -> str | None:
    """The variable a value written as nothing but ``$NAME`` or ``${NAME}`` refers to, else
    ``None``: the pattern ``^\\$(?:\\{(NAME)\\}|(NAME))$`` read by hand (a final line feed
    allowed, as ``$`` allows it; tests/test_reader_by_hand.py holds the two equal)."""
    text = raw[:-1] if raw.endswith("\n") else raw
    if not text.startswith("$"):
        return None
    name = text[1:]
    if name.startswith("{") and name.endswith("}"):
        name = name[1:-1]
    return name if name and shell.is_name(name) else None


class Setting(Record):
    name: str
    value: str  # as the Go runtime sees it
    start: int  # byte span of the value as written (quotes excluded where possible)
    end: int
    editable: bool  # data[start:end] is exactly the value: an edit may replace it
    kind: str  # "env", "arg", "run", "heredoc", "cmd", "entrypoint"
    how: str  # for commands: "prefix", "export", "env"; "instruction" otherwise
    instruction: Instruction
    stage: int
    runtime: bool  # reaches the running container of the final image
    assign_start: int  # byte span of the whole NAME=value
    assign_end: int
    via_arg: ArgDecl | None  # the ARG whose default supplies the value (ENV NAME=$ARG)
    # A shell assignment is followed by the command it is set for (``NAME=v cmd``), not alone.
    command_follows: bool = False
    #: The ARG whose ``--build-arg`` value the value is (or reads): then the value is not in the
    #: file at all, and no edit of the file is an edit of it.
    build_arg: ArgDecl | None = None

    def value_place(self, data: bytes) -> tuple[int, int, bool, str]:
        """Where a finding about the value points, in ``data`` (the file's bytes): (start,
        end, whether an edit there rewrites the value, where the value came from, as words
        for a message after ``GOMEMLIMIT=VALUE``).

        * A value from ``--build-arg NAME=VALUE``: the name of the ARG it sets (the value is
          in no file); never editable; `` (from --build-arg NAME=VALUE, which sets this ARG)``.
        * A value from an ARG's default (``ENV GOMEMLIMIT=$LIMIT``): the default; editable when
          its bytes are the value; `` (from the default of ARG LIMIT)``.
        * Otherwise the value as written."""
        arg = self.build_arg
        if arg is not None and arg.name_token is not None:
            return (
                arg.name_token.start, arg.name_token.end, False,
                f" (from --build-arg {arg.name}={arg.default}, which sets this ARG)",
            )
        via = self.via_arg
        if via is not None and via.token is not None:
            start, end = via.token.start, via.token.end
            return start, end, data[start:end] == encode(self.value), (
                f" (from the default of ARG {via.name})"
            )
        return self.start, self.end, self.editable, ""

    @property
    def resolved(self) -> bool:
        """``value`` is what the program gets. BuildKit expands ``ENV`` values and ``ARG``
        defaults when it builds (``frontend/dockerfile/instructions/commands.go``
        ``EnvCommand.Expand``, with ``shell.Lex``), so a ``$`` left in them was escaped
        (``\\$``) and is literal; a ``$`` in a shell command is expanded by that shell when it
        runs, which is not known here."""
        return self.kind in ("env", "arg") or "$" not in self.value


def start_command(graph: StageGraph) -> Instruction | None:
    """The instruction that starts the program: the effective ENTRYPOINT, else CMD."""
    entry, cmd = effective_start(graph)
    return entry if entry is not None else cmd


def effective_start(graph: StageGraph) -> tuple[Instruction | None, Instruction | None]:
    """The (ENTRYPOINT, CMD) in force in the final stage, looking through FROM <stage>.

    As BuildKit dispatches them: the last of each wins, and an ENTRYPOINT clears the CMD that
    came from the parent image, but not a CMD set earlier in its own stage.
    """
    if graph.final is None:
        return None, None
    entry: Instruction | None = None
    cmd: Instruction | None = None
    for stage in reversed(graph.lineage(graph.final)):
        cmd_set_here = False
        for ins in stage.instructions:
            if ins.cmd == "CMD":
                cmd = ins
                cmd_set_here = True
            elif ins.cmd == "ENTRYPOINT":
                entry = ins
                if not cmd_set_here:
                    cmd = None
    return entry, cmd


def declared_before(stage: Stage, name: str, ins: Instruction) -> ArgDecl | None:
    """The declaration of ARG ``name`` in force at ``ins`` (a stage may declare it again later)."""
    found = None
    for decl in stage.arg_history:
        if decl.name == name and decl.instruction.start < ins.start:
            found = decl
    return found


def _raw(data: bytes, start: int, end: int) -> str:
    return decode(data[start:end])


def args_index(ins: Instruction) -> int:
    """Logical index of the instruction's argument text (BuildKit's ``rest``)."""
    trimmed, cut = go_trim_space(ins.original)
    return cut + len(trimmed) - len(ins.args.value)


class _Collector:
    def __init__(self, graph: StageGraph) -> None:
        self.graph = graph
        self.data = graph.dockerfile.data
        self._grouped: dict[int, tuple[dict[int, list[EnvSetting]], dict[int, list[ArgDecl]]]] = {}
        final_env = graph.runtime_env()
        self.runtime_env_ids = {
            (e.instruction.start, e.key.start) for e in final_env.values()
        }
        entry, cmd = effective_start(graph)
        self.start_instructions = {id(i) for i in (entry, cmd) if i is not None}

    def collect(self) -> list[Setting]:
        out: list[Setting] = []
        for stage in self.graph.stages:
            if stage.index not in self.graph.built:
                continue
            for ins in stage.instructions:
                out.extend(self._from_instruction(stage, ins))
        out.sort(key=lambda s: (s.start, s.end))
        return out

    def _from_instruction(self, stage: Stage, ins: Instruction) -> Iterator[Setting]:
        cmd = ins.cmd
        if cmd == "ENV":
            yield from self._env(stage, ins)
        elif cmd == "ARG":
            yield from self._arg(stage, ins)
        elif cmd == "RUN":
            yield from self._command(stage, ins, "run", runtime=False)
        elif cmd in ("CMD", "ENTRYPOINT"):
            runtime = id(ins) in self.start_instructions
            yield from self._command(stage, ins, cmd.lower(), runtime=runtime)

    def _by_instruction(
        self, stage: Stage
    ) -> tuple[dict[int, list[EnvSetting]], dict[int, list[ArgDecl]]]:
        """The stage's ENV assignments and ARG declarations grouped by instruction (built once
        per stage, so a stage with thousands of them is read in linear time)."""
        cached = self._grouped.get(stage.index)
        if cached is None:
            envs: dict[int, list[EnvSetting]] = {}
            for env in stage.own_env:
                envs.setdefault(id(env.instruction), []).append(env)
            args: dict[int, list[ArgDecl]] = {}
            for decl in stage.arg_history:
                args.setdefault(id(decl.instruction), []).append(decl)
            cached = self._grouped[stage.index] = (envs, args)
        return cached

    def _env(self, stage: Stage, ins: Instruction) -> Iterator[Setting]:
        for setting in self._by_instruction(stage)[0].get(id(ins), ()):
            if setting.name not in TUNING_VARIABLES:
                continue
            token = setting.token
            raw = _raw(self.data, token.start, token.end)
            start, end = token.start, token.end
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
                inner = raw[1:-1]
                if "\\" not in inner and "$" not in inner and raw[0] not in inner:
                    start, end, raw = start + 1, end - 1, inner
            via_arg = None
            referenced = referenced_name(raw)
            if referenced is not None:
                arg = declared_before(stage, referenced, ins)
                if arg is not None and arg.token is not None:
                    via_arg = arg
            runtime = (ins.start, setting.key.start) in self.runtime_env_ids
            build_arg = None
            for name in setting.args_used:
                decl = declared_before(stage, name, ins)
                if decl is not None and decl.from_build_arg:
                    build_arg = decl
                    break
            yield Setting(
                setting.name,
                setting.value,
                start,
                end,
                raw == setting.value,
                "env",
                "instruction",
                ins,
                stage.index,
                runtime,
                setting.key.start,
                token.end,
                via_arg,
                build_arg=build_arg,
            )

    def _arg(self, stage: Stage, ins: Instruction) -> Iterator[Setting]:
        for decl in self._by_instruction(stage)[1].get(id(ins), ()):
            if decl.name not in TUNING_VARIABLES:
                continue
            if decl.default is None:
                continue
            token = decl.token
            if token is None:  # ``ARG GOMEMLIMIT`` given a value by --build-arg
                if not decl.from_build_arg or decl.name_token is None:
                    continue
                token = decl.name_token
                key_start = token.start
                editable = False
            else:
                key_start = token.start - len(encode(decl.name)) - 1
                editable = not decl.from_build_arg and (
                    _raw(self.data, token.start, token.end) == decl.default
                )
            yield Setting(
                decl.name,
                decl.default,
                token.start,
                token.end,
                editable,
                "arg",
                "instruction",
                ins,
                stage.index,
                False,
                key_start,
                token.end,
                None,
                build_arg=decl if decl.from_build_arg else None,
            )

    def _command(
        self, stage: Stage, ins: Instruction, kind: str, runtime: bool
    ) -> Iterator[Setting]:
        if ins.json:
            yield from self._exec_form(stage, ins, kind, runtime)
            return
        base = args_index(ins)
        script = ins.args.value
        time = self._time_reading(stage, ins, script)
        yield from self._script(
            stage, ins, kind, runtime, script, lambda i: ins.offset_of(base + i), time
        )
        if kind == "run" and ins.heredocs:
            for doc, program in zip(ins.heredocs, heredoc_programs(script), strict=False):
                if program is not None and program not in shell.SHELLS:
                    continue
                # ``RUN <<EOF`` runs the body with the stage's shell, ``RUN bash <<EOF`` with
                # the one it names.
                doc_time = (
                    self._time_reading(stage, ins, doc.content) if program is None
                    else shell.time_reading([program])
                )
                content = doc.content

                def body_offset(
                    i: int, content: str = content, origin: int = doc.body_start
                ) -> int:
                    prefix = content[:i]
                    return origin + (len(prefix) if prefix.isascii() else len(encode(prefix)))

                yield from self._script(
                    stage, ins, "heredoc", False, content, body_offset, doc_time
                )

    def _time_reading(self, stage: Stage, ins: Instruction, script: str) -> str:
        """How the shell that runs ``ins``'s shell form reads ``time``: by the ``SHELL`` in
        force there (its stage's, else the stage it is built FROM; BuildKit's ``dispatchShell``
        sets the image's shell, and ``RUN``/``CMD``/``ENTRYPOINT`` in shell form run with it,
        ``withShell`` in ``frontend/dockerfile/dockerfile2llb/convert.go``). Only a script that
        says ``time`` needs it."""
        if "time" not in script:
            return shell.POSIX_TIME
        argv = shell_in_force(self.graph, stage, ins)
        return shell.POSIX_TIME if argv is None else shell.time_reading(argv)

    def _script(
        self,
        stage: Stage,
        ins: Instruction,
        kind: str,
        runtime: bool,
        script: str,
        to_offset: Callable[[int], int],
        time: str = shell.POSIX_TIME,
    ) -> Iterator[Setting]:
        # An assignment's name is written plainly in the script (shell._split_assignment): a
        # script that does not contain one of the names assigns none of them, and is not read
        # (most RUN commands; the editor lints on every keystroke).
        if not any(name in script for name in TUNING_VARIABLES):
            return
        for found in shell.assignments(script, time=time):
            if found.name not in TUNING_VARIABLES:
                continue
            start = to_offset(found.value_start)
            end = to_offset(found.value_end)
            assign_start = to_offset(found.word.start)
            assign_end = to_offset(found.word.end)
            raw = _raw(self.data, start, end)
            yield Setting(
                found.name,
                found.value,
                start,
                end,
                raw == found.value,
                kind,
                found.how,
                ins,
                stage.index,
                runtime,
                assign_start,
                assign_end,
                None,
                bool(found.command),
            )

    def _exec_form(
        self, stage: Stage, ins: Instruction, kind: str, runtime: bool
    ) -> Iterator[Setting]:
        """``env NAME=value program`` and ``sh -c 'script'`` in JSON form
        (:func:`shell.argv_assignments`), placed in the JSON strings: a value inside a string
        written without JSON escapes is placed exactly and may be edited, otherwise the whole
        string is the place."""
        elements = ins.values
        argv = [token.value for token in elements]
        if not any(name in value for value in argv for name in TUNING_VARIABLES):
            return  # as for scripts (_script): an assigned name is written plainly
        for found in shell.argv_assignments(argv):
            if found.name not in TUNING_VARIABLES:
                continue
            token = elements[found.element]
            exact = _raw(self.data, token.start, token.end) == f'"{token.value}"'
            if not exact:
                yield Setting(
                    found.name, found.value, token.start, token.end, False, kind, found.how,
                    ins, stage.index, runtime, token.start, token.end, None,
                )
                continue

            def offset(i: int, value: str = token.value, origin: int = token.start + 1) -> int:
                prefix = value[:i]
                return origin + (len(prefix) if prefix.isascii() else len(encode(prefix)))

            start, end = offset(found.value_start), offset(found.value_end)
            if found.nested:
                yield Setting(
                    found.name, found.value, start, end, True, kind, found.how, ins,
                    stage.index, runtime, offset(found.word_start), offset(found.word_end),
                    None, found.command_follows,
                )
            else:  # the element is the assignment: its span includes the quotes
                yield Setting(
                    found.name, found.value, start, end, True, kind, found.how, ins,
                    stage.index, runtime, token.start, token.end, None,
                )


_HEREDOC_WORD = r"[0-9]*<<"
_REDIRECTION = r"[0-9]*(?:>>?|<|>&|<&|&>)"


def shell_in_force(graph: StageGraph, stage: Stage, ins: Instruction) -> list[str] | None:
    """The ``SHELL`` (its JSON array) in force at ``ins`` of ``stage``: the last one before it in
    the stage, else in the stage it is built FROM (and so on); None for the default
    ``["/bin/sh", "-c"]`` (or an image's own, which is not known)."""
    current: Stage | None = stage
    before = ins.start
    while current is not None:
        found = None
        for other in current.instructions:
            if other.start >= before:
                break
            if other.cmd == "SHELL" and other.json and other.values:
                found = [token.value for token in other.values]
        if found is not None:
            return found
        current = None if current.parent is None else graph.stages[current.parent]
        before = 1 << 62
    return None


def heredoc_runs_as_script(script: str) -> list[bool]:
    """For each heredoc of a ``RUN`` command, in order: whether its body runs as a shell script.

    ``RUN <<EOF`` and ``RUN bash <<EOF`` run it; ``RUN cat > /etc/app.env <<EOF`` (a file) and
    ``RUN python3 <<EOF`` (another language) do not, wherever the command sits in the line.
    """
    return [program is None or program in shell.SHELLS for program in heredoc_programs(script)]


def heredoc_programs(script: str) -> list[str | None]:
    """For each heredoc of a ``RUN`` command, in order: the program its body is fed to
    (``bash``, ``cat``, ``python3``), or None when the body is the command itself
    (``RUN <<EOF``: run with the stage's shell)."""
    found: list[str | None] = []
    for words in shell.simple_commands(script):
        markers = sum(1 for w in words if re.match(_HEREDOC_WORD, w.text))
        if not markers:
            continue
        program: str | None = None
        skip_next = False
        for word in words:
            if skip_next:
                skip_next = False
                continue
            if re.match(_HEREDOC_WORD, word.text):
                continue
            if re.fullmatch(_REDIRECTION, word.text):
                skip_next = True  # the redirection's target follows
                continue
            if re.match(_REDIRECTION, word.text) or shell.is_assignment(word.text):
                continue
            if word.text in shell.RESERVED_PREFIXES:
                continue
            program = shell.program_name(word.text)
            break
        found.extend([program] * markers)
    return found


def collect(graph: StageGraph) -> list[Setting]:
    return _Collector(graph).collect()
