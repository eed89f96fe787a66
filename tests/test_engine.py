"""The engine: ``# dfmemlint:`` comments (suppression, declared limit), options, stamping."""

from __future__ import annotations

import pytest

from dfmemlint.engine import LintOptions, LintResult, UnknownTarget, lint
from dfmemlint.types import Applicability, Severity

BUILD = b"FROM golang:1.22 AS build\nRUN GOMEMLIMIT=1GiB go build -o /app .\n\n"
FINAL = b'FROM alpine:3.20\nENV GOGC=off\nCOPY --from=build /app /app\nCMD ["/app"]\n'


def run(data: bytes, **options: object) -> LintResult:
    return lint("Dockerfile", data, LintOptions(**options))  # type: ignore[arg-type]


def codes(result: LintResult) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in result.findings]


def test_unsuppressed_baseline() -> None:
    result = run(BUILD + FINAL)
    assert codes(result) == [
        ("DFM001", 2),
        ("DFM003", 5),
        ("DFM008", 5),
        ("DFM006", 7),
    ]
    assert result.notes == []


def test_ignore_comment_directly_above_an_instruction() -> None:
    data = BUILD.replace(b"RUN", b"# dfmemlint: ignore=DFM001\nRUN") + FINAL
    assert [c for c, _ in codes(run(data))] == ["DFM003", "DFM008", "DFM006"]


def test_ignore_comment_lists_several_codes() -> None:
    data = BUILD + FINAL.replace(b"ENV GOGC", b"# dfmemlint: ignore=DFM001,DFM003\nENV GOGC")
    # Intended change: DFM003 is suppressed; DFM001, which this ENV does not have, is a DFM017
    # finding (an unused suppression) at the comment, no longer passed over.
    assert codes(run(data)) == [("DFM001", 2), ("DFM017", 5), ("DFM008", 6), ("DFM006", 8)]


def test_codes_may_be_separated_by_spaces_and_lower_case() -> None:
    data = BUILD + FINAL.replace(b"ENV GOGC", b"# dfmemlint: ignore=dfm003, DFM008\nENV GOGC")
    assert [c for c, _ in codes(run(data))] == ["DFM001", "DFM006"]


def test_several_comment_lines_above_an_instruction_all_count() -> None:
    data = BUILD + FINAL.replace(
        b"ENV GOGC",
        b"# dfmemlint: ignore=DFM003\n# GOGC is off on purpose: see the runbook\n"
        b"# dfmemlint: ignore=DFM008\nENV GOGC",
    )
    assert [c for c, _ in codes(run(data))] == ["DFM001", "DFM006"]


def test_ignore_covers_every_line_of_a_multi_line_instruction() -> None:
    data = (
        b"FROM golang:1.22 AS build\n# dfmemlint: ignore=DFM001\nRUN apk add git && \\\n"
        b"    CGO_ENABLED=0 \\\n    GOMEMLIMIT=1GiB go build -o /app .\n\n"
        b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
    )
    unsuppressed = run(data.replace(b"# dfmemlint: ignore=DFM001\n", b""))
    assert codes(unsuppressed) == [("DFM001", 4)]  # the value's own line
    assert codes(run(data)) == []


def test_ignore_does_not_reach_the_next_instruction() -> None:
    data = (
        b"FROM golang:1.22 AS build\n# dfmemlint: ignore=DFM001\nRUN true\n"
        b"RUN GOMEMLIMIT=1GiB go build -o /app .\n"
        b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
    )
    # The comment above `RUN true` suppresses nothing there: DFM017 (intended change).
    assert codes(run(data)) == [("DFM017", 2), ("DFM001", 4)]


def test_ignore_comment_separated_by_a_blank_line_is_reported_and_ignored() -> None:
    data = BUILD.replace(b"RUN", b"# dfmemlint: ignore=DFM001\n\nRUN") + FINAL
    result = run(data)
    assert ("DFM001", 4) in codes(result)
    # Intended change: a DFM017 finding with a safe fix that deletes the line, not a note.
    assert result.notes == []
    [misplaced] = [f for f in result.findings if f.code == "DFM017"]
    assert (misplaced.line, misplaced.column, misplaced.severity) == (2, 21, Severity.WARNING)
    assert misplaced.message.startswith("This ignore comment is not directly above")
    assert misplaced.fix is not None
    assert misplaced.fix.applicability == Applicability.SAFE
    assert [data[e.start : e.end] for e in misplaced.fix.edits] == [
        b"# dfmemlint: ignore=DFM001\n"
    ]


def test_ignore_comment_inside_a_continuation_is_reported() -> None:
    data = (
        b"FROM golang:1.22 AS build\nRUN apk add git \\\n# dfmemlint: ignore=DFM001\n"
        b"    && GOMEMLIMIT=1GiB go build -o /app .\n"
    )
    result = run(data)
    assert codes(result) == [("DFM017", 3), ("DFM001", 4)]
    assert result.findings[0].message.startswith("This ignore comment is not directly above")
    assert result.notes == []


def test_ignore_comment_above_the_start_command_suppresses_dfm006() -> None:
    data = BUILD + FINAL.replace(b'CMD ["/app"]', b'# dfmemlint: ignore=DFM006\nCMD ["/app"]')
    assert "DFM006" not in [c for c, _ in codes(run(data))]


def test_global_ignore_anywhere_in_the_file() -> None:
    data = BUILD + FINAL + b"# dfmemlint: global ignore=DFM006,DFM008\n"
    assert [c for c, _ in codes(run(data))] == ["DFM001", "DFM003"]


def test_ignore_all() -> None:
    data = b"# dfmemlint: global ignore=all\n" + BUILD + FINAL
    assert codes(run(data)) == []


def comment_findings(result: LintResult) -> list[tuple[int, int, int, Severity]]:
    """(line, column, end column, severity) of each DFM017 finding."""
    return [(f.line, f.column, f.end_column, f.severity) for f in result.findings
            if f.code == "DFM017"]


# Intended change: an unknown rule code used to be a note on stderr; it is a DFM017 finding.
def test_unknown_code_is_a_finding_at_the_code_and_the_known_ones_still_apply() -> None:
    data = BUILD.replace(b"RUN", b"# dfmemlint: ignore=DFM001,DFM999\nRUN") + FINAL
    result = run(data)
    assert "DFM001" not in [c for c, _ in codes(result)]
    assert comment_findings(result) == [(2, 28, 34, Severity.WARNING)]
    assert "'DFM999' is not a dfmemlint rule code" in result.findings[0].message
    assert result.notes == []


def test_unknown_code_in_global_ignore_is_a_finding() -> None:
    result = run(b"# dfmemlint: global ignore=GOMEMLIMIT\n" + BUILD + FINAL)
    assert comment_findings(result) == [(1, 28, 38, Severity.WARNING)]
    assert result.notes == []


def test_a_comment_finding_is_suppressed_like_any_other() -> None:
    data = b"# dfmemlint: global ignore=DFM017,DFM999\n" + BUILD + FINAL
    assert comment_findings(run(data)) == []
    assert comment_findings(run(BUILD + b"# dfmemlint: ignore=DFM42\n" + FINAL,
                                ignore=frozenset({"DFM017"}))) == []


@pytest.mark.parametrize(
    "comment",
    [
        b"# dfmemlint: ignore=DFM001",
        b"# dfmemlint ignore=DFM001",  # hadolint's spelling, no colon
        b"# dfmemlint: ignore DFM001",
        b"# dfmemlint:ignore=DFM001",
        b"# dfmemlint ignore DFM001",
        b"# DFMEMLINT: Ignore: DFM001",
        b"#dfmemlint: ignore = DFM001",
    ],
)
def test_suppression_spellings(comment: bytes) -> None:
    result = run(BUILD.replace(b"RUN", comment + b"\nRUN") + FINAL)
    assert [c for c, _ in codes(result)] == ["DFM003", "DFM008", "DFM006"]
    assert result.notes == []


@pytest.mark.parametrize(
    ("comment", "global_"),
    [(b"# dfmemlint global ignore=DFM006", True), (b"# dfmemlint: global ignore DFM006", True)],
)
def test_global_suppression_spellings(comment: bytes, global_: bool) -> None:
    result = run(comment + b"\n" + BUILD + FINAL)
    assert "DFM006" not in [c for c, _ in codes(result)]
    assert result.notes == []


@pytest.mark.parametrize(
    "comment",
    [b"# dfmemlint ignroe=DFM001", b"# dfmemlint: ignroe DFM001", b"# dfmemlint ignore="],
)
def test_a_misspelt_setting_warns_with_or_without_colon(comment: bytes) -> None:
    result = run(BUILD.replace(b"RUN", comment + b"\nRUN") + FINAL)
    assert result.notes == []
    ((line, column, end, severity),) = comment_findings(result)
    assert (line, severity) == (2, Severity.WARNING)
    body = comment.split(b"dfmemlint", 1)[1].lstrip(b": ")
    assert (column, end) == (len(comment) - len(body) + 1, len(comment) + 1)
    assert "dfmemlint comment not understood" in result.findings[0].message
    assert "DFM001" in [c for c, _ in codes(result)]


def test_prose_that_mentions_dfmemlint_is_not_a_setting() -> None:
    result = run(b"# dfmemlint runs in CI on this file\n" + BUILD + FINAL)
    assert result.notes == []


def test_a_comment_that_is_not_understood_is_a_finding() -> None:
    result = run(BUILD + FINAL + b"# dfmemlint: disable=DFM001\n")
    assert result.notes == []
    assert comment_findings(result) == [(8, 14, 28, Severity.WARNING)]
    assert "dfmemlint comment not understood: 'disable=DFM001'" in result.findings[-1].message
    assert len(result.findings) == 5


@pytest.mark.parametrize(
    ("directive", "key"), [(b"# syntax=docker/dockerfile:1", "syntax"), (b"#escape=`", "escape")]
)
def test_dfmemlint_comment_above_a_parser_directive_is_reported(directive: bytes, key: str) -> None:
    data = b"# dfmemlint: memory-limit=512MiB\n" + directive + b"\n" + BUILD + FINAL
    result = run(data)
    assert result.notes == [
        f"Dockerfile:2: the '{key}' parser directive here is ignored by BuildKit because the "
        "dfmemlint comment on line 1 ends the directive block; move the dfmemlint comment below "
        "the directives"
    ]


def test_dfmemlint_comment_below_the_directives_is_fine() -> None:
    data = b"# syntax=docker/dockerfile:1\n# escape=\\\n# dfmemlint: memory-limit=512MiB\n"
    result = run(data + BUILD + FINAL)
    assert result.notes == []
    assert result.dockerfile.directives[0].key == "syntax"


def test_ignored_escape_directive_changes_how_the_file_reads() -> None:
    """BuildKit reads the backtick lines as two instructions once the directive is ignored."""
    data = (
        b"# dfmemlint: global ignore=DFM006\n# escape=`\nFROM golang:1.22\n"
        b"RUN go build `\n    -o /app .\n"
    )
    result = run(data)
    assert result.dockerfile.escape == "\\"
    assert [f.code for f in result.findings] == ["DFM000"]  # "-o" is not an instruction
    assert "'escape' parser directive" in result.notes[0]


def test_memory_limit_comment_is_used() -> None:
    data = b"# dfmemlint: memory-limit=512MiB\n" + BUILD + FINAL.replace(
        b"ENV GOGC=off", b"ENV GOMEMLIMIT=500MiB"
    )
    result = run(data)
    assert result.context.memory_limit == 512 << 20
    assert result.context.memory_limit_source == "Dockerfile:1"
    (finding,) = [f for f in result.findings if f.code == "DFM007"]
    assert finding.severity is Severity.WARNING


def test_memory_limit_from_the_command_line_wins_over_the_comment() -> None:
    data = b"# dfmemlint: memory-limit=512MiB\n" + BUILD + FINAL
    result = run(data, memory_limit=1 << 30, memory_limit_from_cli=True, memory_limit_source="cli")
    assert result.context.memory_limit == 1 << 30
    assert result.context.memory_limit_source == "cli"


def test_memory_limit_comment_wins_over_config() -> None:
    data = b"# dfmemlint: memory-limit=512MiB\n" + BUILD + FINAL
    result = run(data, memory_limit=1 << 30, memory_limit_source="pyproject.toml")
    assert result.context.memory_limit == 512 << 20


# Intended change: a refused memory-limit comment used to be a note on stderr; it is a DFM017
# error at the value, and the limit it names is not used.
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("512M", "512M is ambiguous: Kubernetes reads it as 512,000,000 bytes (488.3 MiB), Docker "
                 "as 536,870,912 bytes (512 MiB); write 512Mi/512MiB or 512m (Docker) or 512e6"),
        ("1G", "write 1Gi/1GiB or 1g (Docker) or 1e9 instead"),
        ("500k", "Kubernetes reads it as 500,000 bytes"),
        ("512", "is 512 bytes, under 4 MiB: too small for a container that runs a Go program; did "
                "you mean 512MiB?"),
        ("2Pi", "over 16 TiB"),
        ("abc", "cannot read 'abc' as a memory limit"),
        ("0", "must be more than 0 bytes"),
        ("512 MiB trailing", "cannot read"),
    ],
)
def test_refused_memory_limit_comment_is_an_error_at_the_value(value: str, reason: str) -> None:
    comment = b"# dfmemlint: memory-limit=" + value.encode()
    result = run(comment + b"\n" + BUILD + FINAL)
    assert result.context.memory_limit is None
    assert result.notes == []
    assert comment_findings(result) == [(1, 27, 27 + len(value), Severity.ERROR)]
    (finding,) = [f for f in result.findings if f.code == "DFM017"]
    assert finding.name == "dfmemlint-comment"
    assert finding.message.startswith("This memory-limit declares no limit: ")
    assert reason in finding.message


def test_refused_memory_limit_comment_falls_back_to_the_configured_limit() -> None:
    data = b"# dfmemlint: memory-limit=512M\n" + BUILD + FINAL
    result = run(data, memory_limit=1 << 30, memory_limit_source="pyproject.toml")
    assert result.context.memory_limit == 1 << 30
    assert result.context.memory_limit_source == "pyproject.toml"
    assert codes(result)[0] == ("DFM017", 1)


def test_refused_memory_limit_comment_is_reported_when_the_command_line_wins() -> None:
    data = b"# dfmemlint: memory-limit=512M\n" + BUILD + FINAL
    result = run(data, memory_limit=1 << 30, memory_limit_from_cli=True, memory_limit_source="cli")
    assert result.context.memory_limit == 1 << 30
    assert comment_findings(result) == [(1, 27, 31, Severity.ERROR)]


def test_the_last_memory_limit_comment_counts() -> None:
    valid_then_refused = b"# dfmemlint: memory-limit=1GiB\n# dfmemlint: memory-limit=1G\n"
    result = run(valid_then_refused + BUILD + FINAL)
    assert result.context.memory_limit is None
    assert comment_findings(result) == [(2, 27, 29, Severity.ERROR)]
    refused_then_valid = b"# dfmemlint: memory-limit=1G\n# dfmemlint: memory-limit=1GiB\n"
    result = run(refused_then_valid + BUILD + FINAL)
    assert result.context.memory_limit == 1 << 30
    assert comment_findings(result) == [(1, 27, 29, Severity.ERROR)]


def test_comment_positions_after_a_bom_non_ascii_text_and_crlf() -> None:
    data = ("\ufeff# dfmemlint: global ignore=DFM003,X1\r\n" + BUILD.decode()
            + "# größe \u2192 dfmemlint: x\r\n\t#  dfmemlint:  memory-limit = 5ö12M \r\n"
            + FINAL.decode()).encode()
    result = run(data)
    # The reader counts the BOM as the first code point of line 1 (as for every rule).
    assert comment_findings(result) == [(1, 36, 38, Severity.WARNING),
                                        (6, 32, 37, Severity.ERROR)]
    assert result.context.memory_limit is None


def test_severity_of_comment_findings_can_be_configured() -> None:
    data = b"# dfmemlint: memory-limit=512M\n# dfmemlint: ignore=DFM42\n" + BUILD + FINAL
    result = run(data, severity={"DFM017": Severity.INFO})
    assert [s for *_, s in comment_findings(result)] == [Severity.INFO, Severity.INFO]


def test_select_and_ignore_options() -> None:
    assert [c for c, _ in codes(run(BUILD + FINAL, select=frozenset({"DFM008"})))] == ["DFM008"]
    ignored = run(BUILD + FINAL, ignore=frozenset({"DFM003", "DFM006"}))
    assert [c for c, _ in codes(ignored)] == ["DFM001", "DFM008"]


def test_severity_option_overrides_the_rule() -> None:
    result = run(BUILD + FINAL, severity={"DFM001": Severity.ERROR, "DFM008": Severity.INFO})
    by_code = {f.code: f.severity for f in result.findings}
    assert by_code["DFM001"] is Severity.ERROR
    assert by_code["DFM008"] is Severity.INFO
    assert by_code["DFM006"] is Severity.WARNING


def test_a_file_buildkit_rejects_gets_only_dfm000() -> None:
    result = run(BUILD + FINAL + b"RUN <<EOF\necho\n")
    assert [f.code for f in result.findings] == ["DFM000"]
    assert result.findings[0].line == 8


def test_findings_are_stamped_with_name_and_path_and_sorted() -> None:
    result = lint("some/Dockerfile.prod", BUILD + FINAL, LintOptions())
    assert all(f.path == "some/Dockerfile.prod" for f in result.findings)
    assert result.findings[0].name == "gomemlimit-build-only"
    positions = [(f.line, f.column) for f in result.findings]
    assert positions == sorted(positions)


def test_build_args_override_arg_defaults() -> None:
    data = (
        b"ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\n"
        b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
    )
    assert codes(run(data)) == []
    assert codes(run(data, build_args={"GO_VERSION": "1.18"})) == [("DFM005", 2)]


def test_target_lints_the_chosen_stage() -> None:
    data = (
        b"FROM golang:1.17 AS old\nRUN go build -o /app .\nCMD [\"/app\"]\n\n"
        b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
        b'FROM alpine:3.20 AS release\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\n'
        b'CMD ["/app"]\n'
    )
    assert codes(run(data)) == []  # stage "old" is not built for the last stage
    assert codes(run(data, target="old")) == [("DFM005", 1), ("DFM006", 3)]


def test_unknown_target_is_an_error_naming_the_stages() -> None:
    # Was a note ("linting the last stage"); docker build refuses such a target, so dfmemlint does.
    with pytest.raises(UnknownTarget) as caught:
        run(BUILD + FINAL + b"FROM alpine AS Release\n", target="nope")
    assert str(caught.value) == (
        "Dockerfile: Invalid value for '--target': no stage named 'nope' "
        "(stage names: build, release)"
    )
    assert run(BUILD + FINAL + b"FROM alpine AS Release\n", target="RELEASE").graph.final == 2


def test_unknown_target_without_named_stages() -> None:
    with pytest.raises(UnknownTarget, match=r"stage names: none"):
        run(FINAL, target="build")
