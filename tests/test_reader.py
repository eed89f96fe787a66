"""The reader, rule by rule ("Rules of the grammar" 1-16 in the shared PARSING.md).

Expected values are BuildKit's: what its parser reports for the same bytes.
"""

from __future__ import annotations

import json

import pytest

from dfmemlint.dockerfile import reader
from dfmemlint.dockerfile.reader import BOM, MAX_LINE_BYTES, Token

NO_INSTRUCTIONS = "file with no instructions"
NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"
TOO_LONG = "dockerfile line greater than max allowed size of 65535"


def read(data: bytes) -> reader.Dockerfile:
    df = reader.read(data)
    assert b"".join(data[start:end] for _, start, end in df.pieces()) == data
    return df


def outline(data: bytes) -> list[tuple[str, int, int, list[str]]]:
    """(keyword, start line, end line, values) of each instruction; the file must be valid."""
    df = read(data)
    assert df.error is None, df.error
    return [
        (i.keyword, i.start_line, i.end_line, [t.value for t in i.values]) for i in df.instructions
    ]


def only(data: bytes) -> reader.Instruction:
    """The last instruction of a valid file."""
    df = read(data)
    assert df.error is None, df.error
    return df.instructions[-1]


def raw(df: reader.Dockerfile, token: Token) -> bytes:
    return df.data[token.start : token.end]


def error(data: bytes) -> tuple[str, int] | None:
    df = read(data)
    return None if df.error is None else (df.error.message, df.error.line)


# --- 1. Lines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"FROM a\nRUN b\n", [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"])], id="lf"),
        pytest.param(
            b"FROM a\r\nRUN b\r\n", [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"])], id="crlf"
        ),
        pytest.param(
            b"FROM a\r\r\nRUN b", [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"])], id="cr-cr-lf"
        ),
        pytest.param(
            b"FROM a\nRUN b", [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"])], id="no-final-eol"
        ),
        # A lone CR is not a line break (it is a blank between words).
        pytest.param(b"FROM a\rRUN b\n", [("FROM", 1, 1, ["a", "RUN", "b"])], id="lone-cr"),
        pytest.param(b"RUN\recho hi\n", [("RUN", 1, 1, ["echo hi"])], id="cr-after-keyword"),
        pytest.param(
            b"FROM a\r\nRUN b\nRUN c\r\n",
            [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"]), ("RUN", 3, 3, ["c"])],
            id="mixed",
        ),
    ],
)
def test_lines(data: bytes, expected: list[tuple[str, int, int, list[str]]]) -> None:
    assert outline(data) == expected


def test_each_line_keeps_its_own_ending() -> None:
    data = b"FROM a\r\nRUN b\nRUN c"
    df = read(data)
    assert [df.line_text(n) for n in (1, 2, 3)] == [b"FROM a\r\n", b"RUN b\n", b"RUN c"]
    assert [data[i.start : i.end] for i in df.instructions] == [b"FROM a\r\n", b"RUN b\n", b"RUN c"]
    assert list(df.line_starts) == [0, 8, 14]
    assert list(read(b"FROM a\n").line_starts) == [0, 7]  # ends with a newline: an empty last line
    assert read(b"FROM a\r\nRUN b\r\n").newline == b"\r\n"
    assert read(b"FROM a\nRUN b\r\n").newline == b"\n"


# --- 2. BOM ---------------------------------------------------------------------------------------


def test_bom_is_not_part_of_the_keyword() -> None:
    data = BOM + b"FROM a\nRUN b\n"
    df = read(data)
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
    assert df.instructions[0].start == 3
    assert next(df.pieces()) == ("bom", 0, 3)
    assert df.line_col(3) == (1, 2)  # the BOM is a code point of line 1


def test_bom_then_directive() -> None:
    df = read(BOM + b"# escape=`\nFROM a\nRUN b `\n c\n")
    assert df.escape == "`"
    assert [(d.key, d.value, d.line) for d in df.directives] == [("escape", "`", 1)]
    assert df.directives[0].start == 3
    assert [(i.start_line, i.end_line) for i in df.instructions] == [(2, 2), (3, 4)]


def test_bom_only_on_line_one() -> None:
    df = read(b"FROM a\n" + BOM + b"RUN b\n")
    assert df.error is None
    assert df.instructions[1].keyword == "\ufeffRUN"  # an unknown instruction, as in BuildKit


def test_bom_alone_is_empty() -> None:
    assert error(BOM) == (NO_INSTRUCTIONS, 1)


# --- 3. Parser directives -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "escape", "directives"),
    [
        pytest.param(b"# escape=`\nFROM a\n", "`", [("escape", "`")], id="escape"),
        pytest.param(b"#escape=`\nFROM a\n", "`", [("escape", "`")], id="no-spaces"),
        pytest.param(b"   # escape=`\nFROM a\n", "`", [("escape", "`")], id="leading-spaces"),
        pytest.param(b"\t#  escape  =  `  \nFROM a\n", "`", [("escape", "`")], id="inner-blanks"),
        pytest.param(b"# ESCAPE=`\nFROM a\n", "`", [("escape", "`")], id="key-case"),
        pytest.param(b"# escape=\\\nFROM a\n", "\\", [("escape", "\\")], id="backslash"),
        pytest.param(
            b"# check=skip=all\n# escape=`\nFROM a\n",
            "`",
            [("check", "skip=all"), ("escape", "`")],
            id="after-check",
        ),
        pytest.param(
            b"# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n",
            "`",
            [("syntax", "docker/dockerfile:1"), ("escape", "`")],
            id="after-syntax",
        ),
        pytest.param(b"\n# escape=`\nFROM a\n", "\\", [], id="after-blank-line"),
        pytest.param(b"# hello\n# escape=`\nFROM a\n", "\\", [], id="after-comment"),
        pytest.param(b"# foo=bar\n# escape=`\nFROM a\n", "\\", [], id="after-unknown-key"),
        pytest.param(b"#\n# escape=`\nFROM a\n", "\\", [], id="after-empty-comment"),
        pytest.param(b"FROM a\n# escape=`\n", "\\", [], id="after-instruction"),
        pytest.param(
            b"# syntax=x\n\n# escape=`\nFROM a\n", "\\", [("syntax", "x")], id="blank-ends-block"
        ),
    ],
)
def test_directives(data: bytes, escape: str, directives: list[tuple[str, str]]) -> None:
    df = read(data)
    assert df.error is None
    assert df.escape == escape
    assert [(d.key, d.value) for d in df.directives] == directives


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"# escape=`\n# escape=`\nFROM a\n",
            ("only one escape parser directive can be used", 2),
            id="duplicate-escape",
        ),
        pytest.param(
            b"# syntax=a\n# SYNTAX=b\nFROM a\n",
            ("only one syntax parser directive can be used", 2),
            id="duplicate-syntax",
        ),
        pytest.param(
            b"# escape=x\nFROM a\n",
            ("invalid escape token 'x' does not match ` or \\", 1),
            id="bad-escape",
        ),
        pytest.param(
            b"# escape=``\nFROM a\n",
            ("invalid escape token '``' does not match ` or \\", 1),
            id="two-char-escape",
        ),
    ],
)
def test_directive_errors(data: bytes, expected: tuple[str, int]) -> None:
    assert error(data) == expected


def test_directive_block_end() -> None:
    data = b"# syntax=x\n# escape=`\n# a comment\nFROM a\n"
    df = read(data)
    assert df.directives_end == data.index(b"# a comment")
    assert [(line, text) for line, text in df.comments] == [
        (1, " syntax=x"),
        (2, " escape=`"),
        (3, " a comment"),
    ]
    assert read(b"FROM a\n").directives_end == 0


# --- 4. Continuation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"RUN a \\\n  b\n", [("RUN", 1, 2, ["a   b"])], id="basic"),
        pytest.param(b"RUN a \\  \t\nb\n", [("RUN", 1, 2, ["a b"])], id="blanks-after-backslash"),
        pytest.param(
            b"RUN echo a\\\\\nRUN b\n",
            [("RUN", 1, 1, ["echo a\\\\"]), ("RUN", 2, 2, ["b"])],
            id="double-backslash-ends",
        ),
        pytest.param(b"RUN a \\\n\\\nb\n", [("RUN", 1, 3, ["a b"])], id="lone-backslash-line"),
        pytest.param(b"\\\nFROM a\n", [("FROM", 1, 2, ["a"])], id="lone-backslash-first"),
        pytest.param(b"RUN a \\\n# c\nb\n", [("RUN", 1, 3, ["a b"])], id="comment-inside"),
        pytest.param(
            b"RUN a \\\n   # c \\\n b\n", [("RUN", 1, 3, ["a  b"])], id="indented-comment-inside"
        ),
        pytest.param(b"RUN a \\\n\nb\n", [("RUN", 1, 3, ["a b"])], id="blank-inside"),
        pytest.param(b"RUN a \\\n \t \nb\n", [("RUN", 1, 3, ["a b"])], id="whitespace-line-inside"),
        pytest.param(
            b"FROM a\nRUN b \\", [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"])], id="eof-inside"
        ),
        pytest.param(
            b"FROM a\nRUN b \\\n", [("FROM", 1, 1, ["a"]), ("RUN", 2, 2, ["b"])], id="eof-after-eol"
        ),
        pytest.param(
            b"FROM a\nRUN b \\\n# c\n\n",
            [("FROM", 1, 1, ["a"]), ("RUN", 2, 4, ["b"])],
            id="eof-trivia",
        ),
        pytest.param(b"RUN a\\\r\n b\r\n", [("RUN", 1, 2, ["a b"])], id="crlf"),
    ],
)
def test_continuation(data: bytes, expected: list[tuple[str, int, int, list[str]]]) -> None:
    assert outline(data) == expected


def test_empty_continuation_line_warns() -> None:
    assert read(b"RUN a \\\n\nb\n").warnings == ("Empty continuation line found in: RUN a b",)
    assert read(b"RUN a \\\n# c\nb\n").warnings == ()


def test_comments_inside_continuation_belong_to_the_instruction() -> None:
    data = b"FROM a\nRUN a \\\n  # GOMEMLIMIT=1\n  b\nRUN c\n"
    df = read(data)
    assert (
        data[df.instructions[1].start : df.instructions[1].end]
        == b"RUN a \\\n  # GOMEMLIMIT=1\n  b\n"
    )
    assert (3, " GOMEMLIMIT=1") in df.comments


# --- 5. '#' in the middle of a line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "values"),
    [
        pytest.param(b"RUN echo hi # x\n", ["echo hi # x"], id="run"),
        pytest.param(b"FROM a # x\n", ["a", "#", "x"], id="from"),
        pytest.param(b"LABEL a=b#c\n", ["a", "b#c", "="], id="label"),
        pytest.param(b"ENV A hi # there\n", ["A", "hi # there", ""], id="env-legacy"),
    ],
)
def test_hash_mid_line_is_kept(data: bytes, values: list[str]) -> None:
    assert [t.value for t in only(data).values] == values


def test_hash_mid_line_in_env_is_an_argument() -> None:
    assert error(b"FROM a\nENV A=1 # x\n") == (
        'Syntax error - can\'t find = in "#". Must be of the form: name=value',
        2,
    )


# --- 6. Heredocs ----------------------------------------------------------------------------------


def heredocs(data: bytes) -> list[tuple[str, str, bool, bool, int]]:
    ins = only(data)
    return [(h.name, h.content, h.expand, h.chomp, h.fd) for h in ins.heredocs]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            b"RUN <<EOF\necho hi\nEOF\n", [("EOF", "echo hi\n", True, False, 0)], id="basic"
        ),
        pytest.param(
            b"RUN <<'EOF'\n$X\nEOF\n", [("EOF", "$X\n", False, False, 0)], id="single-quoted"
        ),
        pytest.param(
            b'RUN <<"EOF"\n$X\nEOF\n', [("EOF", "$X\n", False, False, 0)], id="double-quoted"
        ),
        pytest.param(
            b'RUN <<E"O"F\n$X\nEOF\n', [("EOF", "$X\n", False, False, 0)], id="partly-quoted"
        ),
        pytest.param(
            b"RUN <<EO\\'F\nx\nEO'F\n", [("EO'F", "x\n", True, False, 0)], id="escaped-quote"
        ),
        pytest.param(
            b"RUN <<-EOF\n\techo\n\t\tEOF\n", [("EOF", "\techo\n", True, True, 0)], id="chomp"
        ),
        pytest.param(
            b"RUN <<EOF\n\tEOF\nEOF\n", [("EOF", "\tEOF\n", True, False, 0)], id="tab-needs-dash"
        ),
        pytest.param(b"RUN 3<<EOF\nx\nEOF\n", [("EOF", "x\n", True, False, 3)], id="fd"),
        pytest.param(b"RUN << EOF\nx\nEOF\n", [("EOF", "x\n", True, False, 0)], id="space"),
        pytest.param(b"RUN <<\tEOF\nx\nEOF\n", [("EOF", "x\n", True, False, 0)], id="tab"),
        pytest.param(
            b"COPY <<X <<Y /dest\nY\nX\nX\nY\n",
            [("X", "Y\n", True, False, 0), ("Y", "X\n", True, False, 0)],
            id="several-in-order",
        ),
        pytest.param(
            b"RUN cat \\\n  <<EOF\nbody\nEOF\n", [("EOF", "body\n", True, False, 0)], id="continued"
        ),
        pytest.param(b"run <<EOF\nx\nEOF\n", [("EOF", "x\n", True, False, 0)], id="lower-case"),
        pytest.param(b"ADD <<EOF /x\nx\nEOF\n", [("EOF", "x\n", True, False, 0)], id="add"),
        pytest.param(b"RUN <<$EOF\nx\n$EOF\n", [("$EOF", "x\n", True, False, 0)], id="dollar-name"),
        pytest.param(b"RUN <<EOF\r\nx\r\nEOF\r\n", [("EOF", "x\r\n", True, False, 0)], id="crlf"),
        pytest.param(b"RUN <<EOF\nEOF\n", [("EOF", "", True, False, 0)], id="empty-body"),
        pytest.param(
            b"RUN <<EOF\nx\nEOF", [("EOF", "x\n", True, False, 0)], id="terminator-at-eof"
        ),
        pytest.param(b"RUN <<a b\nx\na\n", [("a", "x\n", True, False, 0)], id="name-then-word"),
    ],
)
def test_heredoc_variants(data: bytes, expected: list[tuple[str, str, bool, bool, int]]) -> None:
    assert heredocs(data) == expected
    ins = only(data)
    assert ins.end == len(data)  # the terminator is the instruction's last line
    assert ins.end_line == data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'RUN echo "<<EOF"\nRUN b\n', id="double-quoted"),
        pytest.param(b"RUN echo '<<EOF'\nRUN b\n", id="single-quoted"),
        pytest.param(b'RUN ["cat", "<<EOF"]\nRUN b\n', id="json-form"),
        pytest.param(b"ENV A=<<EOF\nRUN b\n", id="env"),
        pytest.param(b"CMD cat <<EOF\nRUN b\n", id="cmd"),
        pytest.param(b"RUN <<\nRUN b\n", id="no-name"),
        pytest.param(b'RUN <<""\nRUN b\n', id="empty-name"),
        pytest.param(b"RUN echo ${} <<EOF\nRUN b\n", id="bad-substitution"),
        pytest.param(b"RUN echo 'x <<EOF\nRUN b\n", id="unterminated-quote"),
    ],
)
def test_not_a_heredoc(data: bytes) -> None:
    df = read(data)
    assert df.error is None
    assert [(i.start_line, i.heredocs) for i in df.instructions] == [(1, ()), (2, ())]


def test_heredoc_body_lines_are_not_instructions() -> None:
    data = b"FROM a\nRUN <<EOF\nFROM x\nENV GOGC=1\n# escape=`\n\\\n  \nEOF\nENV B=2\n"
    df = read(data)
    assert [(i.keyword, i.start_line, i.end_line) for i in df.instructions] == [
        ("FROM", 1, 1),
        ("RUN", 2, 8),
        ("ENV", 9, 9),
    ]
    (doc,) = df.instructions[1].heredocs
    assert doc.content == "FROM x\nENV GOGC=1\n# escape=`\n\\\n  \n"
    assert data[doc.body_start : doc.body_end] == doc.content.encode()
    assert df.escape == "\\"
    assert all(line != 5 for line, _ in df.comments)


def test_heredoc_under_onbuild() -> None:
    df = read(b"ONBUILD RUN <<EOF\nx\nEOF\nONBUILD COPY <<A /a\ny\nA\nRUN z\n")
    first, second, last = df.instructions
    assert [(h.name, h.content) for h in first.heredocs] == [("EOF", "x\n")]
    assert [(h.name, h.content) for h in second.heredocs] == [("A", "y\n")]
    assert first.sub is not None
    assert first.sub.keyword == "RUN"
    assert (last.start_line, last.values[0].value) == (7, "z")


def test_unterminated_heredoc_is_an_error_at_the_instruction() -> None:
    assert error(b"FROM a\nRUN <<EOF\nbody\n") == ("unterminated heredoc", 2)
    assert error(b"FROM a\nCOPY <<A <<B /x\nA\nb\n") == ("unterminated heredoc", 2)
    assert error(b"FROM a\nRUN <<EOF\n") == ("unterminated heredoc", 2)


# --- 7. Keywords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "keyword", "values"),
    [
        pytest.param(b"from a\n", "from", ["a"], id="lower"),
        pytest.param(b"FrOm a\n", "FrOm", ["a"], id="mixed"),
        pytest.param(b"   RUN a\n", "RUN", ["a"], id="indented"),
        pytest.param(b"\t RUN a\n", "RUN", ["a"], id="tab-indented"),
        pytest.param(b"RUN\techo\n", "RUN", ["echo"], id="tab"),
        pytest.param(b"RUN\x0becho\n", "RUN", ["echo"], id="vertical-tab"),
        pytest.param(b"RUN\x0cecho\n", "RUN", ["echo"], id="form-feed"),
        pytest.param("RUN\u00a0echo\n".encode(), "RUN\u00a0echo", [""], id="nbsp-does-not-split"),
        pytest.param(b"FOO bar baz\n", "FOO", [""], id="unknown"),
        pytest.param(b"RUN\n", "RUN", [], id="no-arguments"),
    ],
)
def test_keywords(data: bytes, keyword: str, values: list[str]) -> None:
    ins = only(data)
    assert ins.keyword == keyword
    assert ins.cmd == keyword.upper()
    assert [t.value for t in ins.values] == values
    assert ins.start == 0


@pytest.mark.parametrize(
    "keyword", [b"USER", b"WORKDIR", b"MAINTAINER", b"STOPSIGNAL", b"EXPOSE", b"COPY"]
)
def test_keyword_without_arguments_has_no_values(keyword: bytes) -> None:
    assert only(b"FROM a\n" + keyword + b"\n").values == ()


# --- 8. Limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "eol", "fails"),
    [
        pytest.param(MAX_LINE_BYTES, b"\n", False, id="at-limit"),
        pytest.param(MAX_LINE_BYTES + 1, b"\n", True, id="over-limit"),
        pytest.param(MAX_LINE_BYTES - 1, b"\r\n", False, id="crlf-at-limit"),
        pytest.param(MAX_LINE_BYTES, b"\r\n", True, id="crlf-over-limit"),
        pytest.param(MAX_LINE_BYTES, b"", False, id="last-line-at-limit"),
        pytest.param(MAX_LINE_BYTES + 1, b"", True, id="last-line-over-limit"),
    ],
)
def test_line_limit(line: int, eol: bytes, fails: bool) -> None:
    long_line = b"RUN " + b"x" * (line - 4)
    assert len(long_line) == line
    df = read(b"FROM a\n" + long_line + eol)
    assert df.error == (reader.ParseError(TOO_LONG, 2) if fails else None)
    assert [i.keyword for i in df.instructions] == (["FROM"] if fails else ["FROM", "RUN"])


def test_line_limit_without_instructions_before() -> None:
    # BuildKit's scanner stops at the long line; it reports the lines read before it.
    assert error(b"# c\n" + b"x" * 70000 + b"\nFROM a\n") == (NO_INSTRUCTIONS, 1)


def test_line_limit_inside_heredoc() -> None:
    assert error(b"FROM a\nRUN <<EOF\n" + b"x" * 70000 + b"\nEOF\n") == ("unterminated heredoc", 2)


def test_long_logical_line() -> None:
    body = b"echo " + b"a \\\n" * 50000 + b"end\n"
    ins = only(b"FROM a\nRUN " + body)
    assert ins.end_line == 50002
    assert ins.values[0].value.endswith("a a end")


# --- 9. Bytes -------------------------------------------------------------------------------------


def test_nul_and_invalid_utf8_survive() -> None:
    data = b"FROM a\nRUN echo \x00 \xff\nENV A=\xc3\x28 B\xfe=1\n"
    df = read(data)
    run, env = df.instructions[1:]
    assert run.values[0].value == "echo \x00 \udcff"
    assert [t.value for t in env.values] == ["A", "\udcc3(", "=", "B\udcfe", "1", "="]
    assert [raw(df, t) for t in env.values] == [b"A", b"\xc3\x28", b"=", b"B\xfe", b"1", b"="]
    assert reader.encode(run.values[0].value) == b"echo \x00 \xff"


def test_line_col_counts_code_points() -> None:
    data = "FROM a\nRUN é \u20ac x\n".encode() + b"RUN \xff y\n"
    df = read(data)
    assert df.line_col(0) == (1, 1)
    assert df.line_col(data.index(b"x")) == (2, 9)
    assert df.line_col(data.index(b"y")) == (3, 7)
    assert df.line_col(len(data)) == (4, 1)


# --- 10. Empty files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(b"", 1, id="empty"),
        pytest.param(b"\n\n", 2, id="blank-lines"),
        pytest.param(b"  \n\t\r\n", 2, id="whitespace"),
        pytest.param(b"# a\n  # b\n", 2, id="comments"),
        pytest.param(b"# escape=`\n", 1, id="directive-only"),
        pytest.param(b"# syntax=x\n\n# c\n", 3, id="directive-blank-comment"),
    ],
)
def test_no_instructions(data: bytes, line: int) -> None:
    df = read(data)
    assert df.error == (NO_INSTRUCTIONS, line)
    assert df.instructions == ()


# --- 11. JSON form --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "is_json", "values"),
    [
        pytest.param(b'CMD ["a", "b"]', True, ["a", "b"], id="exec"),
        pytest.param(b"CMD []", True, [], id="empty-array"),
        pytest.param(b"CMD [ ]", True, [], id="empty-array-blank"),
        pytest.param(b"CMD ['a']", False, ["['a']"], id="single-quotes"),
        pytest.param(b'CMD ["a",]', False, ['["a",]'], id="trailing-comma"),
        pytest.param(b'CMD ["a"', False, ['["a"'], id="unterminated"),
        pytest.param(b'CMD ["a]', False, ['["a]'], id="unterminated-string"),
        pytest.param(b'CMD ["\\x"]', False, ['["\\x"]'], id="bad-escape"),
        pytest.param(b'CMD ["a\tb"]', False, ['["a\tb"]'], id="control-character"),
        pytest.param(b"CMD [NaN]", False, ["[NaN]"], id="nan"),
        pytest.param(b'CMD ["a", 1e999]', False, ['["a", 1e999]'], id="number-out-of-range"),
        pytest.param(b'CMD "[\\"a\\"]"', False, ['"[\\"a\\"]"'], id="quoted-json"),
        # Go's json.Decoder reads one value and ignores what follows.
        pytest.param(b'CMD ["a"] b', True, ["a"], id="trailing-text"),
        pytest.param(b'CMD ["a"]]', True, ["a"], id="trailing-bracket"),
        pytest.param(
            b'CMD ["a\\"b", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\/"]',
            True,
            ['a"b', "é", "\U0001f600", "\ufffd", "/"],
            id="escapes",
        ),
        pytest.param(
            b'ENTRYPOINT ["env", "GOMEMLIMIT=1GiB", "/app"]',
            True,
            ["env", "GOMEMLIMIT=1GiB", "/app"],
            id="setting-in-element",
        ),
        pytest.param(b'COPY ["a b", "/c"]', True, ["a b", "/c"], id="copy"),
        pytest.param(b"COPY [a] /c", False, ["[a]", "/c"], id="copy-fallback"),
        pytest.param(b'VOLUME ["/a"]', True, ["/a"], id="volume"),
        pytest.param(b'SHELL ["sh", "-c"]', True, ["sh", "-c"], id="shell"),
        pytest.param(b'HEALTHCHECK CMD ["a"]', True, ["CMD", "a"], id="healthcheck"),
        pytest.param(b"HEALTHCHECK NONE", False, ["NONE"], id="healthcheck-none"),
        pytest.param(b'FROM ["a"]', False, ['["a"]'], id="from-is-never-json"),
    ],
)
def test_json_form(data: bytes, is_json: bool, values: list[str]) -> None:
    ins = only(b"FROM x\n" + data + b"\n")
    assert ins.json is is_json
    assert [t.value for t in ins.values] == values


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b'CMD ["a", 1]', id="number"),
        pytest.param(b'CMD [["a"]]', id="nested"),
        pytest.param(b'RUN ["a", null]', id="null"),
        pytest.param(b'ENTRYPOINT ["a", true]', id="bool"),
        pytest.param(b"COPY [{}]", id="object"),
        pytest.param(b'HEALTHCHECK CMD ["a", 1]', id="healthcheck"),
        pytest.param(b'ONBUILD RUN ["a", 1]', id="onbuild"),
    ],
)
def test_json_array_of_non_strings_is_an_error(data: bytes) -> None:
    assert error(b"FROM x\n" + data + b"\n") == (NOT_STRINGS, 2)


def test_json_nesting_limit() -> None:
    depth = 10000  # Go's limit: deeper is a syntax error, hence shell form
    assert error(b"CMD " + b"[" * depth + b"]" * depth) == (NOT_STRINGS, 1)
    assert only(b"CMD " + b"[" * (depth + 1) + b"]" * (depth + 1)).json is False


def test_json_element_spans() -> None:
    data = b'FROM x\nCMD  [ "a" , "GOMEMLIMIT=\\u0031GiB" ]  \n'
    df = read(data)
    ins = df.instructions[1]
    assert [raw(df, t) for t in ins.values] == [b'"a"', b'"GOMEMLIMIT=\\u0031GiB"']
    assert [json.loads(raw(df, t)) for t in ins.values] == [t.value for t in ins.values]


# --- 12. Flags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "flags", "values"),
    [
        pytest.param(
            b"COPY --from=b --chown=1:1 a c", ["--from=b", "--chown=1:1"], ["a", "c"], id="two"
        ),
        pytest.param(b"COPY --link a c", ["--link"], ["a", "c"], id="bool"),
        pytest.param(b"COPY --from=a -- --b c", ["--from=a"], ["--b", "c"], id="double-dash"),
        pytest.param(b"RUN --network=none --", ["--network=none"], [], id="double-dash-at-end"),
        pytest.param(b"RUN -- --x", [], ["--x"], id="double-dash-first"),
        pytest.param(
            b'RUN --mount="type=cache,target=/x" a',
            ["--mount=type=cache,target=/x"],
            ["a"],
            id="quoted",
        ),
        pytest.param(b"RUN --a='b c' d", ["--a=b c"], ["d"], id="single-quoted"),
        pytest.param(b"RUN --a=b\\ c d", ["--a=b c"], ["d"], id="escaped-blank"),
        pytest.param(b'RUN --x="" a', ["--x="], ["a"], id="empty-quoted"),
        pytest.param(b"RUN -x a", [], ["-x a"], id="single-dash"),
        pytest.param(b"RUN echo --x", [], ["echo --x"], id="not-leading"),
        pytest.param(b"RUN --x", ["--x"], [], id="flag-only"),
        # BuildKit reads flags byte by byte: each byte of a non-ASCII character becomes a rune.
        pytest.param("COPY --chown=é a c".encode(), ["--chown=Ã©"], ["a", "c"], id="latin-1"),
    ],
)
def test_flags(data: bytes, flags: list[str], values: list[str]) -> None:
    ins = only(b"FROM x\n" + data + b"\n")
    assert [t.value for t in ins.flags] == flags
    assert [t.value for t in ins.values] == values


def test_flag_lookup() -> None:
    data = b"FROM x\nCOPY --from=a --link --from=b x y\n"
    df = read(data)
    ins = df.instructions[1]
    from_flag = ins.flag("from")
    assert from_flag is not None
    assert from_flag.value == "b"
    assert raw(df, from_flag) == b"--from=b"
    link = ins.flag("link")
    assert link is not None
    assert (link.value, link.start, link.end) == ("", ins.flags[1].end, ins.flags[1].end)
    assert ins.flag("chown") is None
    assert ins.flag("fro") is None


def test_flags_with_backtick_escape_still_use_backslash() -> None:
    ins = only(b"# escape=`\nFROM x\nRUN --a=b\\ c d\n")
    assert [t.value for t in ins.flags] == ["--a=b c"]


def test_onbuild_carries_the_inner_flags() -> None:
    ins = only(b"FROM x\nONBUILD COPY --from=b a c\n")
    assert ins.flags == ()
    assert ins.values == ()
    assert ins.sub is not None
    assert (ins.sub.keyword, [t.value for t in ins.sub.flags]) == ("COPY", ["--from=b"])
    assert [t.value for t in ins.sub.values] == ["a", "c"]


# --- 13. ENV and LABEL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "values"),
    [
        pytest.param(b'ENV A hello "w" x', ["A", 'hello "w" x', ""], id="legacy"),
        pytest.param(b"ENV A\tx  y", ["A", "x  y", ""], id="legacy-tab"),
        pytest.param(b"ENV A=1", ["A", "1", "="], id="one"),
        pytest.param(
            b"ENV A=1 B=\"x y\" C= D='q'",
            ["A", "1", "=", "B", '"x y"', "=", "C", "", "=", "D", "'q'", "="],
            id="several",
        ),
        pytest.param(b"ENV A=a\\ b", ["A", "a\\ b", "="], id="escaped-blank"),
        pytest.param(b"ENV A=x=y", ["A", "x=y", "="], id="second-equals"),
        pytest.param(b'ENV "A"=1', ['"A"', "1", "="], id="quoted-key"),
        pytest.param(b'LABEL a=b c="d e"', ["a", "b", "=", "c", '"d e"', "="], id="label"),
        pytest.param(b"LABEL a b c", ["a", "b c", ""], id="label-legacy"),
        pytest.param(b"ENV", [], id="empty"),
    ],
)
def test_env_and_label(data: bytes, values: list[str]) -> None:
    df = read(b"FROM x\n" + data + b"\n")
    assert df.error is None
    ins = df.instructions[-1]
    assert [t.value for t in ins.values] == values
    # Keys, values and legacy values are the file's own bytes (the separator "" is empty).
    assert [raw(df, t) for t in ins.values] == [reader.encode(t.value) for t in ins.values]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"ENV A", "ENV must have two arguments", id="env-one-word"),
        pytest.param(b"LABEL A", "LABEL must have two arguments", id="label-one-word"),
        pytest.param(
            b"ENV A=1 B",
            'Syntax error - can\'t find = in "B". Must be of the form: name=value',
            id="mixed",
        ),
    ],
)
def test_env_errors(data: bytes, message: str) -> None:
    assert error(b"FROM x\n" + data + b"\n") == (message, 2)


def test_env_tokens_over_lines() -> None:
    data = b"FROM x\nENV A=1 \\\n    GOMEMLIMIT=512MiB \\\n    C=3\n"
    df = read(data)
    ins = df.instructions[1]
    assert [raw(df, t) for t in ins.values] == [
        b"A",
        b"1",
        b"=",
        b"GOMEMLIMIT",
        b"512MiB",
        b"=",
        b"C",
        b"3",
        b"=",
    ]
    value = ins.values[4]
    assert df.line_col(value.start) == (3, 16)
    assert (ins.start_line, ins.end_line) == (2, 4)


def test_token_ending_at_a_line_join_stays_on_its_line() -> None:
    data = b"FROM x\\\n AS y\nENV A=1\\\nB=2\n"
    df = read(data)
    assert [raw(df, t) for t in df.instructions[0].values] == [b"x", b"AS", b"y"]
    # A word continued over the join includes it.
    assert [raw(df, t) for t in df.instructions[1].values] == [b"A", b"1\\\nB=2", b"="]
    assert df.instructions[1].values[1].value == "1B=2"


def test_offset_of() -> None:
    data = b"FROM x\nRUN a \\\n  # c\n  b\n"
    ins = read(data).instructions[1]
    assert ins.original == "RUN a   b"
    assert ins.offset_of(0) == data.index(b"RUN")
    assert ins.offset_of(4) == data.index(b"a ")
    assert ins.offset_of(6) == data.index(b"  b")
    assert ins.offset_of(len(ins.original)) == data.index(b"b\n") + 1
    assert ins.args == Token("a   b", data.index(b"a "), data.index(b"b\n") + 1)


# --- 14. ARG --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "values"),
    [
        pytest.param(b"ARG foo bar=baz", ["foo", "bar=baz"], id="two"),
        pytest.param(b"ARG A", ["A"], id="no-value"),
        pytest.param(b"ARG A=", ["A="], id="empty-value"),
        pytest.param(b'ARG A="x y" B', ['A="x y"', "B"], id="quoted"),
        pytest.param(b"ARG", [], id="empty"),
    ],
)
def test_arg(data: bytes, values: list[str]) -> None:
    df = read(data + b"\nFROM x\n")
    ins = df.instructions[0]
    assert [t.value for t in ins.values] == values
    assert [raw(df, t) for t in ins.values] == [t.value.encode() for t in ins.values]


# --- 15. FROM -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "flags", "values"),
    [
        pytest.param(b"FROM golang:1.22", [], ["golang:1.22"], id="image"),
        pytest.param(b"FROM golang AS build", [], ["golang", "AS", "build"], id="named"),
        pytest.param(b"from golang as build", [], ["golang", "as", "build"], id="lower-case"),
        pytest.param(
            b"FROM --platform=$BUILDPLATFORM golang:${GO} AS b",
            ["--platform=$BUILDPLATFORM"],
            ["golang:${GO}", "AS", "b"],
            id="platform",
        ),
    ],
)
def test_from(data: bytes, flags: list[str], values: list[str]) -> None:
    ins = only(data + b"\n")
    assert [t.value for t in ins.flags] == flags
    assert [t.value for t in ins.values] == values


# --- 16. Windows files ----------------------------------------------------------------------------


def test_backtick_escape_with_crlf() -> None:
    data = (
        b"# escape=`\r\nFROM mcr.microsoft.com/windows\r\n"
        b"RUN dir c:\\ `\r\n  && echo `\r\n\r\n  done\r\nRUN x\\\r\nRUN y\r\n"
    )
    df = read(data)
    assert df.error is None
    assert df.escape == "`"
    assert [
        (i.keyword, i.start_line, i.end_line, [t.value for t in i.values]) for i in df.instructions
    ] == [
        ("FROM", 2, 2, ["mcr.microsoft.com/windows"]),
        ("RUN", 3, 6, ["dir c:\\   && echo   done"]),
        ("RUN", 7, 7, ["x\\"]),
        ("RUN", 8, 8, ["y"]),
    ]
    assert df.warnings == ("Empty continuation line found in: RUN dir c:\\   && echo   done",)


def test_backtick_escape_in_words() -> None:
    ins = only(b"# escape=`\nFROM x\nENV A=c:\\dir B=a` b\n")
    assert [t.value for t in ins.values] == ["A", "c:\\dir", "=", "B", "a` b", "="]


# --- The whole file -------------------------------------------------------------------------------


def test_pieces_cover_everything() -> None:
    data = BOM + b"# syntax=x\n\nFROM a\n# c\n\nRUN b \\\n c\n\n"
    df = read(data)
    assert list(df.pieces()) == [
        ("bom", 0, 3),
        ("trivia", 3, 15),
        ("instruction", 15, 22),
        ("trivia", 22, 27),
        ("instruction", 27, 38),
        ("trivia", 38, 39),
    ]


def test_error_keeps_what_was_read_before() -> None:
    df = read(b"FROM a\nRUN b\nENV C\nRUN d\n")
    assert df.error == ("ENV must have two arguments", 3)
    assert not df.ok
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN"]
