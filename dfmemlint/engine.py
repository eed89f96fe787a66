"""The engine: runs the rules on one file, stamps code, name, severity and position on what they
find, and applies configuration and ``# dfmemlint:`` comments."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

from dfmemlint.config import invalid_value
from dfmemlint.dockerfile import model, reader
from dfmemlint.dockerfile.reader import Dockerfile
from dfmemlint.golang.container_limit import parse_container_limit
from dfmemlint.golang.units import LimitError, shorten
from dfmemlint.records import Record
from dfmemlint.rules import REGISTRY
from dfmemlint.rules.base import Context, DeploymentEnv, Problem
from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.types import Applicability, Edit, Finding, Fix, Severity

if TYPE_CHECKING:
    from dfmemlint.kubernetes.configmaps import ManifestIndex

# `# dfmemlint: ignore=X`, and the spellings people bring from other linters: no colon
# (hadolint's `# hadolint ignore=DL3006`), a space or colon instead of `=` (`ignore DFM006`).
# Patterns as text: `re` compiles (and caches) them on first use, so a file without a dfmemlint
# comment never pays for them.
_PRAGMA = r"(?i)^\s*dfmemlint(?P<sep>\s*:\s*|\s+)(?P<body>.*?)\s*$"
_KEYED = r"(?i)^(global\s+ignore|ignore|memory-limit)(?:\s*[=:]\s*|\s+)(\S.*)$"
# Without a colon, only text shaped like a setting is taken for one (not `# dfmemlint runs in CI`).
_SETTING_SHAPE = r"^[\w-]+(?:\s+[\w-]+)?\s*[=:]"
_DIRECTIVE_LIKE = r"(?i)^\s*#\s*(syntax|escape|check)\s*="


class EditableRanges:
    """The bytes a fix may change, below the parser directives: the stages BuildKit builds, and
    the ``ARG`` instructions before the first ``FROM`` (their defaults feed the stages that
    declare the ARG again). Sorted, disjoint byte ranges ``[start, end]`` (ends included, for
    insertions at a range's end); :meth:`allows` is a binary search, so checking every fix of
    a file with thousands of stages stays linear."""

    def __init__(self, df: Dockerfile, graph: model.StageGraph) -> None:
        floor = df.directives_end
        ranges: list[tuple[int, int]] = []
        first_from = graph.stages[0].from_instruction.start if graph.stages else len(df.data)
        for ins in df.instructions:
            if ins.start >= first_from:
                break
            if ins.cmd == "ARG" and ins.end > floor:
                ranges.append((max(ins.start, floor), ins.end))
        for stage in graph.stages:
            if stage.index not in graph.built:
                continue
            following = stage.index + 1
            end = len(df.data)
            if following < len(graph.stages):
                end = graph.stages[following].from_instruction.start
            ranges.append((max(stage.from_instruction.start, floor), end))
        self.ranges = ranges
        self._starts = [start for start, _ in ranges]

    def allows(self, edit: Edit) -> bool:
        at = bisect.bisect_right(self._starts, edit.start) - 1
        # An edit may end where the next range starts (ranges that touch): try both neighbours.
        return any(
            0 <= i < len(self.ranges)
            and self.ranges[i][0] <= edit.start
            and edit.end <= self.ranges[i][1]
            for i in (at, at - 1)
        )

    def allow_all(self, edits: Sequence[Edit]) -> bool:
        return all(self.allows(edit) for edit in edits)


def _offered(fix: Fix | None, editable: EditableRanges) -> Fix | None:
    """A fix that ``--fix`` would not apply (an edit outside the editable bytes) is shown for
    information only, never counted as fixable."""
    if fix is None or fix.applicability is Applicability.DISPLAY_ONLY:
        return fix
    if editable.allow_all(fix.edits):
        return fix
    return fix._replace(applicability=Applicability.DISPLAY_ONLY)


class UnknownTarget(Exception):
    """``--target`` names no stage of the file. BuildKit refuses such a build ("target stage %q
    could not be found": ``frontend/dockerfile/dockerfile2llb/convert.go``,
    ``dispatchContext.resolveTarget``; names compare lower-cased, ``findStateByName``)."""

    def __init__(self, path: str, target: str, stage_names: list[str]) -> None:
        named = ", ".join(stage_names) or "none: no stage has a name (FROM … AS NAME)"
        #: The message without the path: what an input error of that file says.
        self.reason = (
            f"{invalid_value('--target')}: no stage named {target!r} (stage names: {named})"
        )
        super().__init__(f"{path}: {self.reason}")


_NO_MAPPING: Mapping[str, Severity] = MappingProxyType({})
_NO_BUILD_ARGS: Mapping[str, str] = MappingProxyType({})


class LintOptions(Record):
    """What a lint is asked to do; ``options._replace(target=…)`` gives a changed copy."""

    select: frozenset[str] | None = None  # None: every rule
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = _NO_MAPPING
    memory_limit: int | None = None  # from the command line or config
    memory_limit_source: str = ""
    memory_limit_from_cli: bool = False
    ratio: float = 0.8
    fix_style: str = "env"  # how a fix adds GOMEMLIMIT: "env" or "inline" (dfmemlint.fix.rewrite)
    build_args: Mapping[str, str] = _NO_BUILD_ARGS
    target: str | None = None
    # The build context (dfmemlint.dockerfile.startup); None: only the Dockerfile is read.
    context_dir: str | None = None
    #: The runtime variables the deployments of this image set (Compose services building it).
    deployment_env: tuple[DeploymentEnv, ...] = ()
    #: The run's other manifest files, for ConfigMaps one file's containers read from another.
    manifests: ManifestIndex | None = None
    #: The run's Compose files, under any name, for an env file that one of them reads.
    compose_files: tuple[str, ...] = ()


# LintOptions is a NamedTuple, LintResult and Pragmas are plain classes: a dataclass is built at
# import time (its methods are generated and compiled), and every lint imports this module.
class LintResult:
    """The lint of one file: its reading, stage graph, findings and notes."""

    __slots__ = ("context", "dockerfile", "findings", "graph", "notes", "path")

    def __init__(
        self,
        path: str,
        dockerfile: Dockerfile,
        graph: model.StageGraph,
        findings: list[Finding],
        notes: list[str],  # warnings about the file or its dfmemlint comments (not findings)
        context: Context,
    ) -> None:
        self.path = path
        self.dockerfile = dockerfile
        self.graph = graph
        self.findings = findings
        self.notes = notes
        self.context = context

    # What the fixer and the other formats' results share (see dfmemlint.formats.Result).
    @property
    def source(self) -> Dockerfile:
        return self.dockerfile

    @property
    def syntax_error(self) -> str | None:
        """Why the file cannot be read, as the fixer reports it; None when it reads."""
        error = self.dockerfile.error
        if error is None:
            return None
        return f"a file BuildKit cannot read ({error.message}, line {error.line})"

    def editable_ranges(self) -> EditableRanges:
        """The bytes a fix may change (see :class:`EditableRanges`)."""
        return EditableRanges(self.dockerfile, self.graph)

    @property
    def template(self) -> bool:
        """A Dockerfile is never a Helm chart template."""
        return False

    @property
    def unread(self) -> bool:
        """A Dockerfile is always read."""
        return False


class Pragmas:
    """What the file's ``# dfmemlint:`` comments say, and what is wrong with them: ``problems``
    are reported as DFM017 (``rules.dfmemlint_comment``) at the offending text of the comment."""

    __slots__ = (
        "ignore_global", "ignore_lines", "ignore_words", "memory_limit", "memory_limit_line",
        "notes", "problems",
    )

    def __init__(self) -> None:
        self.ignore_global: set[str] = set()
        self.ignore_lines: dict[int, set[str]] = {}  # comment line -> codes
        #: comment line -> each name its ``ignore=`` lists: (the code, ``ALL``, or None for a
        #: name that is no rule code; its byte span)
        self.ignore_words: dict[int, list[tuple[str | None, int, int]]] = {}
        #: The limit a ``memory-limit=`` comment declares, in bytes; None when there is no such
        #: comment or its value is refused (then ``problems`` says why).
        self.memory_limit: int | None = None
        self.memory_limit_line = 0
        self.notes: list[str] = []
        self.problems: list[Problem] = []


def _comment_start(df: Dockerfile, line: int, text: str) -> int:
    """Byte offset of ``text`` (a comment's text after ``#``, which runs to the end of its line)."""
    raw = df.line_text(line).rstrip(b"\r\n")
    return df.line_starts[line - 1] + len(raw) - len(reader.encode(text))


def _offset(text: str, index: int) -> int:
    """Byte length of ``text[:index]``."""
    return len(reader.encode(text[:index]))


def _codes(
    text: str,
    start: int,
    problems: list[Problem],
    words: list[tuple[str | None, int, int]] | None = None,
) -> set[str]:
    """The rule codes named in ``text`` (found at byte offset ``start``); a name that is no rule
    code is a problem at that name. ``words`` gets each name with its byte span."""
    codes: set[str] = set()
    for word in re.finditer(r"[^,\s]+", text):
        code = word.group().upper()
        if words is not None:
            span = (start + _offset(text, word.start()), start + _offset(text, word.end()))
            words.append((code if code == "ALL" or code in BY_CODE else None, *span))
        if code == "ALL":
            codes.update(BY_CODE)
        elif code in BY_CODE:
            codes.add(code)
        else:
            problems.append(
                Problem(
                    start + _offset(text, word.start()),
                    start + _offset(text, word.end()),
                    f"{reader.displayable(word.group())!r} is not a dfmemlint rule code, so this "
                    f"comment suppresses nothing for it; `dfmemlint rules` lists the codes "
                    f"({min(BY_CODE)}-{max(BY_CODE)}) and 'all' names every rule.",
                    severity=Severity.WARNING,
                )
            )
    return codes


def keyed_setting(body: str) -> tuple[str, int] | None:
    """The setting a ``# dfmemlint:`` comment's body (:func:`pragma_body`) makes: its key
    (``ignore``, ``global ignore`` or ``memory-limit``, in lower case, one blank between words)
    and where its value starts in ``body``; ``None`` for a body that is no setting. The key and
    value are separated by ``=``, ``:`` or blanks, as in hadolint's and ruff's spellings."""
    keyed = re.match(_KEYED, body)
    if keyed is None:
        return None
    return " ".join(keyed.group(1).lower().split()), keyed.start(2)


def pragma_body(text: str) -> str | None:
    """The text after ``dfmemlint:`` in a comment meant for dfmemlint, else None."""
    if "dfmemlint" not in text.lower():
        return None
    match = re.match(_PRAGMA, text)
    if match is None:
        return None
    body = match.group("body")
    if ":" in match.group("sep") or re.match(_SETTING_SHAPE, body) or re.match(_KEYED, body):
        return body
    return None


def _memory_limit_problem(value: str, start: int, end: int, exc: LimitError) -> Problem:
    """A ``memory-limit=`` value refused exactly as ``--memory-limit`` and config refuse it."""
    return Problem(
        start,
        end,
        f"This memory-limit declares no limit: {reader.displayable(str(exc))} (the command "
        "line and the configuration refuse it too).",
    )


def read_pragmas(df: Dockerfile, path: str) -> Pragmas:
    """Read every ``# dfmemlint:`` comment of ``df``: suppressions, the declared memory limit
    (read by ``parse_container_limit``, as on the command line), and the problems with them, each
    at its exact byte span in the comment."""
    pragmas = Pragmas()
    for line, text in df.comments:
        body = pragma_body(text)
        if body is None:
            continue
        match = re.match(_PRAGMA, text)
        assert match is not None  # pragma_body matched it
        body_start = _comment_start(df, line, text) + _offset(text, match.start("body"))
        keyed = keyed_setting(body)
        if keyed is None:
            pragmas.problems.append(
                Problem(
                    body_start,
                    body_start + len(reader.encode(body)),
                    f"dfmemlint comment not understood: {shorten(reader.displayable(body))} does "
                    "nothing; write 'ignore=CODES' (on the line above an instruction), "
                    "'global ignore=CODES' or 'memory-limit=SIZE'.",
                    severity=Severity.WARNING,
                )
            )
            continue
        key, value_at = keyed
        value = body[value_at:]
        value_start = body_start + _offset(body, value_at)
        if key == "ignore":
            words = pragmas.ignore_words[line] = []
            pragmas.ignore_lines[line] = _codes(value, value_start, pragmas.problems, words)
        elif key == "global ignore":
            pragmas.ignore_global |= _codes(value, value_start, pragmas.problems)
        else:  # memory-limit
            pragmas.memory_limit = None
            pragmas.memory_limit_line = line
            try:
                pragmas.memory_limit = parse_container_limit(value)
            except LimitError as exc:
                end = value_start + len(reader.encode(value))
                pragmas.problems.append(_memory_limit_problem(value, value_start, end, exc))
    _check_directive_block(df, path, pragmas)
    return pragmas


def _check_directive_block(df: Dockerfile, path: str, pragmas: Pragmas) -> None:
    """A dfmemlint comment above a parser directive ends BuildKit's directive block."""
    first_instruction = df.instructions[0].start_line if df.instructions else 1 << 30
    directive_lines = {d.line for d in df.directives}
    seen_pragma = 0
    for line, text in df.comments:
        if line >= first_instruction:
            break
        if pragma_body(text) is not None:
            seen_pragma = seen_pragma or line
        elif seen_pragma and line not in directive_lines:
            directive = re.match(_DIRECTIVE_LIKE, "#" + text)
            if directive is None:
                continue
            pragmas.notes.append(
                f"{path}:{line}: the '{directive.group(1).lower()}' parser directive here is "
                f"ignored by BuildKit because the dfmemlint comment on line {seen_pragma} ends "
                "the directive block; move the dfmemlint comment below the directives"
            )


class Suppression(Record):
    """The ``ignore=`` comments directly above one instruction (comment lines only, no blank
    line between): the codes each comment line names, and the instruction's lines."""

    first: int
    last: int
    codes: set[str]
    by_line: dict[int, set[str]]


def _suppressed_codes(df: Dockerfile, pragmas: Pragmas) -> list[Suppression]:
    """The suppression of each instruction with ignore comments directly above it. An ignore
    comment anywhere else does nothing (``dfmemlint.ignore_comments`` reports it, DFM017)."""
    comment_lines = {line for line, _ in df.comments}
    spans: list[Suppression] = []
    for ins in df.instructions:
        by_line: dict[int, set[str]] = {}
        line = ins.start_line - 1
        while line in comment_lines:
            if line in pragmas.ignore_lines:
                by_line[line] = pragmas.ignore_lines[line]
            line -= 1
        if by_line:
            codes = set().union(*by_line.values())
            spans.append(Suppression(ins.start_line, ins.end_line, codes, by_line))
    return spans


def lint(path: str, data: bytes, options: LintOptions) -> LintResult:
    df = reader.read(data)
    graph = model.build(df, build_args=options.build_args, target=options.target)
    pragmas = read_pragmas(df, path)
    suppressions = _suppressed_codes(df, pragmas)
    notes = list(pragmas.notes)
    if graph.target_missing is not None and df.error is None:
        raise UnknownTarget(path, graph.target_missing, [s.name for s in graph.stages if s.name])
    memory_limit = options.memory_limit
    source = options.memory_limit_source
    if pragmas.memory_limit is not None and not options.memory_limit_from_cli:
        memory_limit = pragmas.memory_limit
        source = f"{path}:{pragmas.memory_limit_line}"
    ctx = Context(
        path=path,
        dockerfile=df,
        graph=graph,
        memory_limit=memory_limit,
        memory_limit_source=source,
        ratio=options.ratio,
        fix_style=options.fix_style,
        context_dir=options.context_dir,
        deployment_env=options.deployment_env,
        comment_problems=tuple(pragmas.problems),
    )
    findings: list[Finding] = []
    ran: set[str] = set()  # the rules that looked at the file
    used: set[tuple[int, str]] = set()  # (ignore comment line, code) that hid a finding
    for code, check in REGISTRY.items():
        if options.select is not None and code not in options.select:
            continue
        if code in options.ignore or code in pragmas.ignore_global:
            continue
        if code != "DFM000" and df.error is not None:
            continue
        ran.add(code)
        info = BY_CODE[code]
        for problem in check(ctx):
            finding = _finding(path, df, info.code, info.name, problem, options, info.severity)
            # A finding in another file is hidden by the comments above the instruction that
            # brings that file in.
            at = finding.line if problem.elsewhere is None else df.line_col(problem.start)[0]
            hidden = False
            for span in suppressions:
                if span.first <= at <= span.last and code in span.codes:
                    hidden = True
                    used.update((line, code) for line, c in span.by_line.items() if code in c)
            if not hidden:
                findings.append(finding)
    if pragmas.ignore_lines and "DFM017" in ran and df.error is None:
        from dfmemlint.ignore_comments import dockerfile_problems

        info = BY_CODE["DFM017"]
        every = len(ran) == len(REGISTRY)
        for problem in dockerfile_problems(
            df, pragmas.ignore_words, suppressions, used, ran, every
        ):
            findings.append(
                _finding(path, df, info.code, info.name, problem, options, info.severity)
            )
    findings.sort(key=lambda f: (f.path != path, f.path, f.line, f.column, f.code))
    if any(f.fix is not None for f in findings):
        editable = EditableRanges(df, graph)
        findings = [f._replace(fix=_offered(f.fix, editable)) for f in findings]
    return LintResult(path, df, graph, findings, notes + ctx.notes, ctx)


def _finding(
    path: str,
    df: Dockerfile,
    code: str,
    name: str,
    problem: Problem,
    options: LintOptions,
    default: Severity,
) -> Finding:
    severity = options.severity.get(code, problem.severity or default)
    elsewhere = problem.elsewhere
    if elsewhere is not None:
        path = elsewhere.path
        line, column = elsewhere.line, elsewhere.column
        end_line, end_column = elsewhere.end_line, elsewhere.end_column
    else:
        line, column = df.line_col(problem.start)
        end_line, end_column = df.line_col(problem.end)
    return Finding(
        path=path,
        code=code,
        name=name,
        severity=severity,
        # Bytes that are not UTF-8 (quoted from the file) are shown as U+FFFD, so every
        # reporter can write the message to any UTF-8 stream.
        message=reader.displayable(problem.message),
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        fix=problem.fix,
    )
