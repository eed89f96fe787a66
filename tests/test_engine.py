"""The engine: ``# dfmemlint:`` comments (suppression, declared limit), options, stamping."""

from __future__ import annotations

import pytest

from dfmemlint.engine import LintOptions, LintResult, UnknownTarget, lint
from dfmemlint.types import Severity

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
    assert [c for c, _ in codes(run(data))] == ["DFM001", "DFM008", "DFM006"]


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
    assert codes(run(data)) == [("DFM001", 4)]


def test_ignore_comment_separated_by_a_blank_line_is_reported_and_ignored() -> None:
    data = BUILD.replace(b"RUN", b"# dfmemlint: ignore=DFM001\n\nRUN") + FINAL
    result = run(data)
    assert ("DFM001", 4) in codes(result)
    assert len(result.notes) == 1
    assert result.notes[0].startswith("Dockerfile:2: this ignore comment is not directly above")


def test_ignore_comment_inside_a_continuation_is_reported() -> None:
    data = (
        b"FROM golang:1.22 AS build\nRUN apk add git \\\n# dfmemlint: ignore=DFM001\n"
        b"    && GOMEMLIMIT=1GiB go build -o /app .\n"
    )
    result = run(data)
    assert [c for c, _ in codes(result)] == ["DFM001"]
    assert result.notes[0].startswith("Dockerfile:3: this ignore comment is not directly above")


def test_ignore_comment_above_the_start_command_suppresses_dfm006() -> None:
    data = BUILD + FINAL.replace(b'CMD ["/app"]', b'# dfmemlint: ignore=DFM006\nCMD ["/app"]')
    assert "DFM006" not in [c for c, _ in codes(run(data))]


def test_global_ignore_anywhere_in_the_file() -> None:
    data = BUILD + FINAL + b"# dfmemlint: global ignore=DFM006,DFM008\n"
    assert [c for c, _ in codes(run(data))] == ["DFM001", "DFM003"]


def test_ignore_all() -> None:
    data = b"# dfmemlint: global ignore=all\n" + BUILD + FINAL
    assert codes(run(data)) == []


def test_unknown_code_is_a_note_and_the_known_ones_still_apply() -> None:
    data = BUILD.replace(b"RUN", b"# dfmemlint: ignore=DFM001,DFM999\nRUN") + FINAL
    result = run(data)
    assert "DFM001" not in [c for c, _ in codes(result)]
    assert result.notes == ["Dockerfile:2: unknown rule code 'DFM999' in a dfmemlint comment"]


def test_unknown_code_in_global_ignore_is_a_note() -> None:
    result = run(b"# dfmemlint: global ignore=GOMEMLIMIT\n" + BUILD + FINAL)
    assert result.notes == ["Dockerfile:1: unknown rule code 'GOMEMLIMIT' in a dfmemlint comment"]


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
    assert len(result.notes) == 1
    assert "dfmemlint comment not understood" in result.notes[0]
    assert "DFM001" in [c for c, _ in codes(result)]


def test_prose_that_mentions_dfmemlint_is_not_a_setting() -> None:
    result = run(b"# dfmemlint runs in CI on this file\n" + BUILD + FINAL)
    assert result.notes == []


def test_a_comment_that_is_not_understood_is_a_note() -> None:
    result = run(BUILD + FINAL + b"# dfmemlint: disable=DFM001\n")
    assert len(result.notes) == 1
    assert "dfmemlint comment not understood: 'disable=DFM001'" in result.notes[0]
    assert len(result.findings) == 4


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


def test_ambiguous_memory_limit_comment_is_a_note() -> None:
    result = run(b"# dfmemlint: memory-limit=512M\n" + BUILD + FINAL)
    assert result.context.memory_limit is None
    assert len(result.notes) == 1
    assert result.notes[0].startswith("Dockerfile:1: memory-limit ignored: 512M is ambiguous")


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
        "Dockerfile: --target nope: no stage of that name (stage names: build, release)"
    )
    assert run(BUILD + FINAL + b"FROM alpine AS Release\n", target="RELEASE").graph.final == 2


def test_unknown_target_without_named_stages() -> None:
    with pytest.raises(UnknownTarget, match=r"stage names: none"):
        run(FINAL, target="build")
