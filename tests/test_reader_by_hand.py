"""Patterns the Dockerfile reader reads by hand, held to the patterns themselves.

A lint of a typical Dockerfile used to compile these regular expressions at start-up, each
costing about as much as importing a module. They are now read with string methods; each test
here keeps the BuildKit (or POSIX) pattern as the specification and checks the hand-written
reading gives the same answer for generated text rich in the characters that matter, and for
the edge cases listed.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dfmemlint.dockerfile.line_parsers import blank_runs, first_blank_run
from dfmemlint.dockerfile.reader import _Reader, directive_of
from dfmemlint.dockerfile.settings import referenced_name
from dfmemlint.dockerfile.shell import PLAIN_STOPS, assignment_name, is_assignment, plain_end
from dfmemlint.dockerfile.toolchains import version_of


def _text(alphabet: str, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text mostly of ``alphabet``, sometimes any character (so non-ASCII look-alikes such as
    Unicode digits and blanks come up)."""
    return st.text(
        st.one_of(st.sampled_from(alphabet), st.characters()), max_size=max_size
    ) | st.text(st.sampled_from(alphabet), max_size=max_size)


# BuildKit frontend/dockerfile/parser/directives.go, reDirective (RE2's \s is [\t\n\f\r ]).
DIRECTIVE = re.compile(
    r"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z", re.DOTALL
)


@given(_text("# \t\n\f\r\vescapesyntaxcheck=`\\Ab9_-"))
@example("# escape=  ")
@example("#=x")
@example("# 9a=x")
@example("# a b=x")
@example("#\tsyntax = docker/dockerfile:1 \t")
@example("# key=\n")
@example("# key=")
@example("# kéy=x")
def test_directive_of_reads_what_the_directive_pattern_matches(text: str) -> None:
    match = DIRECTIVE.match(text)
    expected = None if match is None else (match.group(1), match.group(2))
    assert directive_of(text) == expected


# BuildKit parser.go, setEscapeToken: ([^\e])\e[ \t]*$|^\e[ \t]*$ (Go's $ is the end of text).
def _continuation(escape: str) -> re.Pattern[str]:
    e = re.escape(escape)
    return re.compile(rf"([^{e}]){e}[ \t]*\Z|^{e}[ \t]*\Z", re.DOTALL)


@pytest.mark.parametrize("escape", ["\\", "`"])
@given(text=_text("\\` \t\na"))
@example(text="\\")
@example(text="\\\\")
@example(text="a\\ \t")
@example(text="a\\\\ ")
@example(text="`` ")
@example(text=" \\")
def test_trim_continuation_is_the_continuation_pattern(escape: str, text: str) -> None:
    match = _continuation(escape).search(text)
    expected = (text, True) if match is None else (
        text[: match.start()] + (match.group(1) or ""), False
    )
    reader = _Reader(b"")
    reader.escape = escape
    assert reader.trim_continuation(text) == expected


# BuildKit parser.go, reWhitespace.
WHITESPACE = re.compile(r"[\t\v\f\r ]+")


@given(_text(" \t\v\f\r\nab\x85\xa0", max_size=300))
@example(" " * 200 + "a" + "\t" * 65 + "b" + " " * 64)
@example("")
def test_blank_runs_are_the_whitespace_pattern_runs(text: str) -> None:
    expected = [(m.start(), m.end()) for m in WHITESPACE.finditer(text)]
    assert list(blank_runs(text)) == expected
    assert first_blank_run(text) == (expected[0] if expected else None)


ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


@given(_text("aZ_09=$-\u00e9\u0663"))
@example("=x")
@example("9a=x")
@example("_=x")
@example("A\u0663=x")
@example("a-b=x")
@example("a")
def test_assignment_name_is_the_assignment_pattern(text: str) -> None:
    match = ASSIGNMENT.match(text)
    expected = None if match is None else match.group(0)[:-1]
    assert assignment_name(text) == expected
    assert is_assignment(text) is (expected is not None)


REFERENCE = re.compile(r"^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$")


@given(_text("${}aZ_9\n-"))
@example("$A\n")
@example("$A\n\n")
@example("${A}\n")
@example("${}")
@example("$")
@example("${A")
@example("$A}")
@example("${A}B}")
@example("$9")
def test_referenced_name_is_the_reference_pattern(text: str) -> None:
    match = REFERENCE.match(text)
    expected = None if match is None else (match.group(1) or match.group(2))
    assert referenced_name(text) == expected


# The Go version a golang image tag or tarball version starts with.
TAG_VERSION = re.compile(r"^(?P<release>\d+\.\d+(?:\.\d+)?)(?:(?:rc|beta)\d+)?")


@given(_text("0123456789.rcbeta-alpine\u0663"))
@example("1.22")
@example("1.22.0rc1")
@example("1.22rc")
@example("1.22.rc1")
@example("1.22beta1-alpine")
@example("1.")
@example("1")
@example("\u0661.\u0662")  # Arabic-Indic digits: \\d takes them
def test_version_of_is_the_tag_version_pattern(text: str) -> None:
    match = TAG_VERSION.match(text)
    found = version_of(text)
    if match is None:
        assert found is None
    else:
        assert found is not None
        assert found.text == match.group(0)
        assert found.release == tuple(int(part) for part in match["release"].split("."))


# A run of characters a shell word needs no attention for (dfmemlint's own reading of RUN).
PLAIN_RUN = re.compile(r"[^ \t\r&|;()\n\\'\"]*")


@given(_text(" \t\r&|;()\n\\'\"ab$", max_size=60), st.integers(min_value=0, max_value=70))
def test_plain_end_is_the_plain_run_pattern(script: str, pos: int) -> None:
    pos = min(pos, len(script))
    stops = "".join(" " if ch in PLAIN_STOPS else ch for ch in script)
    match = PLAIN_RUN.match(script, pos)
    assert match is not None
    assert plain_end(stops, pos) == match.end()
