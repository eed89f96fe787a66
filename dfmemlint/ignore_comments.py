"""``# dfmemlint: ignore=`` comments that suppress nothing, reported as DFM017 with a fix that
removes what does nothing, on the model of ruff's RUF100 ``unused-noqa``
(astral-sh/ruff ``crates/ruff_linter/src/checkers/noqa.rs`` ``check_noqa``: a directive none of
whose codes matched a diagnostic is deleted, ``delete_comment``; one with some codes that
matched keeps only those).

Two cases, told apart because one depends on the run and the other does not:

* **Misplaced**: a comment that cannot suppress anything where it is (in a Dockerfile not on the
  comment lines directly above an instruction; in YAML not on the comment lines directly above a
  line of content). Removing it changes nothing in any run: the fix is safe.
* **Unused**: a comment in place whose codes hid no finding in this run, though their rules
  looked at the file (a code whose rule was not run, by ``--select``, ``--ignore``,
  configuration or a ``global ignore=``, is not judged). Whether a rule reports something can
  depend on the run: a declared memory limit (DFM007), ``--target`` and ``--build-arg``, the
  Compose service that builds the image, the other manifests given (a ConfigMap's reader). A
  suppression this run does not use may be what another run needs, so the fix is unsafe (ruff
  makes its fix safe: a Python file's diagnostics do not depend on the command line).

``ALL`` is judged only when every rule looked at the file.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.types import Applicability, Edit, Fix, Severity

if TYPE_CHECKING:
    from dfmemlint.dockerfile.reader import Dockerfile
    from dfmemlint.engine import Suppression
    from dfmemlint.positions import Lines
    from dfmemlint.rules.base import Problem

#: Each name an ``ignore=`` comment lists: the code (``ALL``; None for no rule code) and its span.
Words = Sequence[tuple[str | None, int, int]]

MISPLACED_DOCKERFILE = (
    "This ignore comment is not directly above an instruction, so it suppresses nothing; put it "
    "on the line(s) just above the instruction, or use 'global ignore=' for the whole file."
)
MISPLACED_YAML = (
    "This ignore comment is not directly above a line of content (a blank line or the end of "
    "the file follows it), so it suppresses nothing; put it on the line(s) just above the line "
    "to ignore, or use 'global ignore=' for the whole file."
)


def _unused_message(codes: list[str], where: str) -> str:
    named = ", ".join(codes)
    verb = "reports" if len(codes) == 1 else "report"
    return (
        f"ignore={named} suppresses nothing: {named} {verb} nothing on {where} in this run. "
        "Remove it, unless another run (with a declared memory limit, another --target, "
        "Compose service or set of manifests) reports what it suppresses."
    )


def _line_span(line_starts: Sequence[int], size: int, line: int) -> tuple[int, int]:
    """The bytes of 1-based ``line`` with its line break."""
    start = line_starts[line - 1]
    return start, line_starts[line] if line < len(line_starts) else size


def _unused_codes(
    line: int,
    words: Words,
    used: Collection[tuple[int, str]],
    ran: Callable[[str], bool],
    all_ran: bool,
) -> tuple[list[str], bool]:
    """(the codes of the comment on ``line`` that hid nothing though their rules ran, whether
    any of its codes hid something). ``all_ran``: every rule of the file's format ran."""
    unused: list[str] = []
    any_used = False
    for code, _, _ in words:
        if code is None:
            continue
        if code == "ALL":
            hid = any(at == line for at, _ in used)
            judged = all_ran
        else:
            hid = (line, code) in used
            judged = ran(code)
        if hid:
            any_used = True
        elif judged and code not in unused:
            unused.append(code)
    return unused, any_used


def _removal(
    words: Words, unused: list[str], line_span: tuple[int, int], any_used: bool
) -> Edit:
    """Delete the comment line, or, when some of its codes hid something, the other names."""
    if not any_used:
        return Edit(line_span[0], line_span[1], b"")
    kept = [w for w in words if w[0] is not None and w[0] not in unused]
    start, end = words[0][1], words[-1][2]
    return Edit(start, end, ",".join(code for code, _, _ in kept if code is not None).encode())


def dockerfile_problems(
    df: Dockerfile,
    words_by_line: Mapping[int, Words],
    suppressions: Sequence[Suppression],
    used: Collection[tuple[int, str]],
    ran: Collection[str],
    all_ran: bool,
) -> list[Problem]:
    """DFM017 problems for the ``ignore=`` comments of ``df`` (their names in
    ``words_by_line``) that suppress nothing: misplaced ones, and those in place whose codes hid
    no finding (``used``: the (comment line, code) pairs that did) of a rule in ``ran``
    (``all_ran``: every Dockerfile rule ran)."""
    import re

    from dfmemlint.engine import _DIRECTIVE_LIKE
    from dfmemlint.rules.base import Problem

    placed = {line for span in suppressions for line in span.by_line}
    first_instruction = df.instructions[0].start_line if df.instructions else 1 << 30
    directive_lines = [
        line for line, text in df.comments
        if line < first_instruction and re.match(_DIRECTIVE_LIKE, "#" + text)
    ]
    problems: list[Problem] = []
    size = len(df.data)
    for line, words in words_by_line.items():
        if not words:
            continue
        span = (words[0][1], words[-1][2])
        line_span = _line_span(df.line_starts, size, line)
        # Above a parser directive, the comment ends BuildKit's directive block: removing it
        # would bring the directive back, which is not for a fix to decide.
        guarded = any(d > line for d in directive_lines)
        if line not in placed:
            fix = None if guarded else Fix(
                "Remove the ignore comment (it suppresses nothing)",
                (Edit(*line_span, b""),),
                Applicability.SAFE,
            )
            problems.append(
                Problem(*span, MISPLACED_DOCKERFILE, fix=fix, severity=Severity.WARNING)
            )
            continue
        unused, any_used = _unused_codes(line, words, used, ran.__contains__, all_ran)
        if not unused:
            continue
        edit = _removal(words, unused, line_span, any_used)
        title = "Remove the unused codes" if any_used else "Remove the unused ignore comment"
        problems.append(
            Problem(
                *span,
                _unused_message(unused, "this instruction"),
                fix=None if guarded and not any_used else Fix(
                    title, (edit,), Applicability.UNSAFE
                ),
                severity=Severity.WARNING,
            )
        )
    return problems


def yaml_problems(
    data: bytes,
    lines: Lines,
    words_by_line: Mapping[int, Words],
    used: Collection[tuple[int, str]],
    ran: Callable[[str], bool],
) -> list[tuple[int, int, str, Fix | None]]:
    """(start, end, message, fix) of each ``ignore=`` comment of a YAML file that suppresses
    nothing: one with no line of content directly below its comment lines (misplaced, a safe
    removal), or one whose codes hid no finding of a rule that ran (unused, unsafe)."""
    found: list[tuple[int, int, str, Fix | None]] = []
    count = len(lines.line_starts)
    for line, words in words_by_line.items():
        if not words:
            continue
        span = (words[0][1], words[-1][2])
        line_span = _line_span(lines.line_starts, len(data), line)
        below = line + 1
        while below <= count and lines.line_text(below).lstrip(b" \t").startswith(b"#"):
            below += 1
        content = below <= count and lines.line_text(below).strip() != b""
        if not content:
            removal = Fix(
                "Remove the ignore comment (it suppresses nothing)",
                (Edit(*line_span, b""),),
                Applicability.SAFE,
            )
            found.append((*span, MISPLACED_YAML, removal))
            continue
        unused, any_used = _unused_codes(
            line, words, used, ran, all(ran(code) for code in BY_CODE)
        )
        if not unused:
            continue
        edit = _removal(words, unused, line_span, any_used)
        title = "Remove the unused codes" if any_used else "Remove the unused ignore comment"
        found.append(
            (*span, _unused_message(unused, "the line below it"),
             Fix(title, (edit,), Applicability.UNSAFE))
        )
    return found
