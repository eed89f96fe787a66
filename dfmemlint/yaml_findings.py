"""From problems to findings in YAML files: the part of the engine that Kubernetes manifests
(:mod:`dfmemlint.kubernetes.lint`) and Compose files (:mod:`dfmemlint.compose.lint`) share.

* **Selection**: a code is reported when ``--select``/configuration selects it, ``--ignore`` does
  not remove it and no ``# dfmemlint: global ignore=`` comment names it (:func:`is_wanted`).
* **Comments**: ``# dfmemlint: ignore=DFM007`` on the comment line(s) directly above a finding's
  line hides it; ``# dfmemlint: global ignore=…`` anywhere hides the code in the whole file
  (:func:`read_suppressions`), as in Dockerfiles. ``ALL`` names every code. A name that is no
  rule code, and a ``# dfmemlint:`` comment with any other setting, is a DFM017 problem at its
  text (as ``engine.read_pragmas`` reports them in Dockerfiles).
* **Stamping**: a rule's :class:`~dfmemlint.rules.values.ValueProblem` (a byte span) becomes a
  :class:`~dfmemlint.types.Finding` with code, name, configured severity, line and column
  (:func:`to_finding`).
* **Editable range**: every byte of a YAML file may be edited (:class:`WholeFile`): YAML has no
  parser directives and no stages that are not built.
"""

from __future__ import annotations

import re

from dfmemlint.containers import Place
from dfmemlint.dockerfile.text import decode, encode
from dfmemlint.engine import EditableRanges, LintOptions, keyed_setting, pragma_body
from dfmemlint.positions import Lines
from dfmemlint.records import Record
from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Finding, Severity

#: The rule a YAML file that cannot be read is reported under.
SYNTAX_CODE = "DFM015"
#: The rule a ``# dfmemlint:`` comment that does not work is reported under.
COMMENT_CODE = "DFM017"

# A full-line comment that names dfmemlint; engine.pragma_body decides whether it is meant for it.
_COMMENT = re.compile(rb"^[ \t]*#([^\n]*?dfmemlint[^\n]*?)\r?$", re.MULTILINE | re.IGNORECASE)
_COMMENT_LINE = re.compile(rb"[ \t]*#")


class WholeFile(EditableRanges):
    """The editable range of a YAML file: all of it."""

    def __init__(self, size: int) -> None:
        self.ranges = [(0, size)]
        self._starts = [0]


class Suppressions(Record):
    """The ``# dfmemlint:`` comments of one file."""

    everywhere: set[str]  # codes a ``global ignore=`` comment names
    by_line: dict[int, set[str]]  # 1-based line of an ``ignore=`` comment -> the codes it names
    #: What is wrong with the comments (DFM017), for the file's engine to stamp like any problem.
    problems: list[ValueProblem]
    #: 1-based line of an ``ignore=`` comment -> each name it lists (code, ``ALL`` or None for
    #: no rule code) with its byte span
    words: dict[int, list[tuple[str | None, int, int]]]
    #: (comment line, code) of each ``ignore=`` that hid a finding (filled in by :meth:`hides`)
    used: set[tuple[int, str]]

    def hides(self, finding: Finding, lines: Lines) -> bool:
        """Whether an ``ignore=`` comment on the comment lines directly above the finding's line
        names its code (``global ignore=`` is applied by :func:`is_wanted`); each one that does
        is recorded in ``used``."""
        line = finding.line - 1
        hidden = False
        while line >= 1 and _COMMENT_LINE.match(lines.line_text(line)):
            if finding.code in self.by_line.get(line, ()):
                self.used.add((line, finding.code))
                hidden = True
            line -= 1
        return hidden

    def stamp(
        self, path: str, lines: Lines, problem: ValueProblem, options: LintOptions
    ) -> Finding | None:
        """``problem`` as a finding of ``path``; None when the run does not want its code
        (:func:`is_wanted`, ``global ignore=`` included) or an ``ignore=`` comment above it
        hides it (:meth:`hides`)."""
        if not is_wanted(problem.code, options, self.everywhere):
            return None
        finding = to_finding(path, lines, problem, options)
        return None if self.hides(finding, lines) else finding

    def unused(
        self, path: str, data: bytes, lines: Lines, options: LintOptions
    ) -> list[Finding]:
        """DFM017 findings for the ``ignore=`` comments that hid nothing (once every other
        finding went through :meth:`hides`): :mod:`dfmemlint.ignore_comments`."""
        if not self.by_line or not is_wanted(COMMENT_CODE, options, self.everywhere):
            return []
        from dfmemlint.ignore_comments import yaml_problems

        def ran(code: str) -> bool:
            return is_wanted(code, options, self.everywhere)

        return [
            to_finding(path, lines, ValueProblem(
                COMMENT_CODE, Place(path, start, end, False), message, Severity.WARNING, fix
            ), options)
            for start, end, message, fix in yaml_problems(data, lines, self.words, self.used, ran)
        ]


def _comment_problem(path: str, start: int, end: int, message: str) -> ValueProblem:
    return ValueProblem(COMMENT_CODE, Place(path, start, end, False), message, Severity.WARNING)


def _codes(
    path: str,
    data: bytes,
    start: int,
    end: int,
    problems: list[ValueProblem],
    words: list[tuple[str | None, int, int]],
) -> set[str]:
    """The rule codes named in ``data[start:end]``; a name that is no rule code is a DFM017
    problem at that name. ``words`` gets each name with its byte span."""
    codes: set[str] = set()
    for word in re.finditer(rb"[^,\s]+", data[start:end]):
        text = word.group().decode("utf-8", "replace")
        code = text.upper()
        known = code == "ALL" or code in BY_CODE
        words.append((code if known else None, start + word.start(), start + word.end()))
        if code == "ALL":
            codes.update(BY_CODE)
        elif code in BY_CODE:
            codes.add(code)
        else:
            problems.append(_comment_problem(
                path, start + word.start(), start + word.end(),
                f"{text!r} is not a dfmemlint rule code, so this comment suppresses nothing for "
                f"it; `dfmemlint rules` lists the codes ({min(BY_CODE)}-{max(BY_CODE)}) and 'all' "
                "names every rule.",
            ))
    return codes


def read_suppressions(data: bytes, lines: Lines, path: str) -> Suppressions:
    """The ``# dfmemlint: ignore=`` and ``global ignore=`` comments of the YAML file ``path``,
    and the DFM017 problems of its ``# dfmemlint:`` comments."""
    found = Suppressions(set(), {}, [], {}, set())
    if b"dfmemlint" not in data.lower():
        return found
    for match in _COMMENT.finditer(data):
        text = decode(match.group(1))
        body = pragma_body(text)
        if body is None:
            continue  # prose that mentions dfmemlint
        body_at = len(text.rstrip()) - len(body)  # the body ends where the trailing blanks start
        body_start = match.start(1) + len(encode(text[:body_at]))
        body_end = body_start + len(encode(body))
        keyed = keyed_setting(body)
        if keyed is None or keyed[0] == "memory-limit":
            found.problems.append(_comment_problem(
                path, body_start, body_end,
                f"dfmemlint comment not understood: {body!r} does nothing; a YAML file takes "
                "'ignore=CODES' (on the line above the value) or 'global ignore=CODES' (the "
                "memory limit is the container's resources.limits.memory or the service's "
                "mem_limit).",
            ))
            continue
        key, value_at = keyed
        words: list[tuple[str | None, int, int]] = []
        value_start = body_start + len(encode(body[:value_at]))
        codes = _codes(path, data, value_start, body_end, found.problems, words)
        if key == "global ignore":
            found.everywhere.update(codes)
        else:
            line = lines.line_col(match.start())[0]
            found.by_line[line] = codes
            found.words[line] = words
    return found


def is_wanted(code: str, options: LintOptions, ignored: set[str]) -> bool:
    """Whether ``code`` is selected and neither ``--ignore``d nor in ``ignored`` (the codes of
    the file's ``global ignore=`` comments)."""
    if options.select is not None and code not in options.select:
        return False
    return code not in options.ignore and code not in ignored


def to_finding(path: str, lines: Lines, problem: ValueProblem, options: LintOptions) -> Finding:
    """The finding for ``problem`` in the file ``path`` (whose text ``lines`` holds): its code's
    name, the configured severity (else the problem's own, else the catalog's), and the line and
    column (1-based, columns in characters) of its byte span."""
    info = BY_CODE[problem.code]
    line, column = lines.line_col(problem.place.start)
    end_line, end_column = lines.line_col(max(problem.place.end, problem.place.start))
    severity = options.severity.get(info.code, problem.severity or info.severity)
    return Finding(path, info.code, info.name, severity, problem.message, line, column,
                   end_line, end_column, problem.fix)


def syntax_finding(
    path: str, lines: Lines, offset: int, message: str, options: LintOptions
) -> Finding:
    """The DFM015 finding for a YAML file that cannot be read, at byte ``offset``."""
    info = BY_CODE[SYNTAX_CODE]
    at = lines.line_col(offset)
    severity = options.severity.get(SYNTAX_CODE, info.severity)
    return Finding(path, SYNTAX_CODE, info.name, severity, message, *at, *at)
