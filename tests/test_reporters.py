from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dfmemlint import __version__
from dfmemlint.reporters import (
    FIX_NOT_WRITTEN,
    FIX_REVERTED,
    InputProblem,
    Report,
    github,
    sarif,
    text,
)
from dfmemlint.reporters import json as json_reporter
from dfmemlint.rules.catalog import BY_CODE, CATALOG
from dfmemlint.types import Applicability, Edit, Finding, Fix, Severity

SARIF_SCHEMA = Path(
    os.environ.get(
        "DFMEMLINT_SARIF_SCHEMA",
        Path(__file__).resolve().parents[2] / "shared/schemas/sarif-2.1.0-rtm.5.json",
    )
)


def finding(
    path: str = "Dockerfile",
    code: str = "DFM004",
    line: int = 1,
    column: int = 1,
    end_line: int | None = None,
    end_column: int | None = None,
    *,
    message: str = "message",
    severity: Severity | None = None,
    fix: Fix | None = None,
) -> Finding:
    rule = BY_CODE[code]
    return Finding(
        path,
        code,
        rule.name,
        rule.severity if severity is None else severity,
        message,
        line,
        column,
        line if end_line is None else end_line,
        column + 1 if end_column is None else end_column,
        fix,
    )


def span(source: bytes, needle: bytes, line: int) -> tuple[int, int]:
    """1-based (column, exclusive end column) of ``needle`` on ``line``, in code points."""
    text_line = source.split(b"\n")[line - 1].decode("utf-8", "surrogateescape")
    start = text_line.index(needle.decode())
    return start + 1, start + 1 + len(needle.decode())


def value_fix(source: bytes, old: bytes, new: bytes, safety: Applicability) -> Fix:
    start = source.index(old)
    return Fix(f"Replace with {new.decode()}", (Edit(start, start + len(old), new),), safety)


# --- github -------------------------------------------------------------------------------------


def test_github_single_line_annotation_has_inclusive_end_column() -> None:
    report = Report((finding(line=3, column=16, end_column=21, message="bad value"),), {}, 1)
    assert github.render(report) == (
        "::group::Dockerfile\n"
        "::error title=DFM004 gomemlimit-malformed,file=Dockerfile,line=3,endLine=3,"
        "col=16,endColumn=20::bad value\n"
        "::endgroup::\n"
    )


def test_github_multi_line_finding_omits_columns() -> None:
    report = Report((finding(code="DFM001", line=2, column=5, end_line=4, end_column=9),), {}, 1)
    line = github.render(report).splitlines()[1]
    assert (
        line
        == "::warning title=DFM001 gomemlimit-build-only,file=Dockerfile,line=2,endLine=4::message"
    )


def test_github_zero_width_finding_marks_one_column() -> None:
    report = Report((finding(line=1, column=7, end_column=7),), {}, 1)
    assert ",col=7,endColumn=7::" in github.render(report)


def test_github_info_is_notice() -> None:
    report = Report((finding(code="DFM001", severity=Severity.INFO),), {}, 1)
    assert github.render(report).splitlines()[1].startswith("::notice title=DFM001 ")


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("50%", "50%25", "50%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k:v,w", "k:v,w", "k%3Av%2Cw"),
        ("%3A", "%253A", "%253A"),
        ("Dockerfile.prød 日本", "Dockerfile.prød 日本", "Dockerfile.prød 日本"),
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_github_escapes_paths_and_messages() -> None:
    path = "svc/a,b:c 100%\nnew.Dockerfile"
    report = Report((finding(path, message="50% of a: b,\r\nc", column=2, end_column=4),), {}, 1)
    assert github.render(report).splitlines() == [
        "::group::svc/a,b:c 100%25%0Anew.Dockerfile",
        "::error title=DFM004 gomemlimit-malformed,"
        "file=svc/a%2Cb%3Ac 100%25%0Anew.Dockerfile,line=1,endLine=1,col=2,endColumn=3"
        "::50%25 of a: b,%0D%0Ac",
        "::endgroup::",
    ]


def test_github_groups_per_file_in_first_seen_order() -> None:
    findings = (finding("b/Dockerfile"), finding("a/Dockerfile"), finding("b/Dockerfile", line=2))
    lines = github.render(Report(findings, {}, 2)).splitlines()
    assert [line.split(" ")[0] for line in lines] == [
        "::group::b/Dockerfile",
        "::error",
        "::error",
        "::endgroup::",
        "::group::a/Dockerfile",
        "::error",
        "::endgroup::",
    ]


def test_github_without_findings_prints_nothing() -> None:
    assert github.render(Report((), {"Dockerfile": b"FROM scratch\n"}, 1)) == ""


# --- sarif --------------------------------------------------------------------------------------


def sarif_log(report: Report) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(sarif.render(report))
    return log


def test_sarif_is_valid_against_the_schema() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA} (set DFMEMLINT_SARIF_SCHEMA)")
    import jsonschema

    source = b"FROM golang:1.22\r\nENV GOMEMLIMIT=512MB\r\n"
    fix = value_fix(source, b"MB", b"MiB", Applicability.SAFE)
    findings = (
        finding(line=2, column=16, end_column=21, fix=fix),
        finding(code="DFM006", line=1, column=1, end_line=2, end_column=5),
        finding("/elsewhere/Dockerfile", code="DFM001", severity=Severity.INFO),
    )
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    # Paths that could not be read: tool execution notifications of a failed invocation.
    unread = (
        InputProblem("gone/Dockerfile", "no such file or directory"),
        InputProblem("/elsewhere/a b%.dockerfile", "cannot read: Permission denied"),
        InputProblem("-", "standard input is closed"),
        # Fixes that were reverted or not written.
        InputProblem("Dockerfile", "fixes reverted: the fix for DFM004 did not remove its "
                     "finding; no change was made", FIX_REVERTED),
        InputProblem("Dockerfile", "cannot write the fixes for DFM004: the file is read-only",
                     FIX_NOT_WRITTEN),
    )
    reports = (
        Report(findings, {"Dockerfile": source}, 2),
        Report((), {}, 0),
        Report(findings, {"Dockerfile": source}, 2, unread),
        Report((), {}, 0, unread),
    )
    for report in reports:
        log = sarif_log(report)
        errors = [error.message for error in validator.iter_errors(log)]
        assert errors == []
        [invocation] = log["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is not report.errors
        notifications = invocation.get("toolExecutionNotifications", [])
        assert len(notifications) == len(report.errors)


def test_sarif_driver_describes_every_rule() -> None:
    run = sarif_log(Report((), {}, 1))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("dfmemlint", __version__)
    assert driver["informationUri"] == "https://github.com/dfmemlint/dfmemlint"
    assert run["columnKind"] == "unicodeCodePoints"
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in CATALOG]
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for descriptor, rule in zip(driver["rules"], CATALOG, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity]
        assert descriptor["helpUri"] == (
            f"https://github.com/dfmemlint/dfmemlint/blob/main/rules/{rule.code}.md"
        )
        assert descriptor["help"]["markdown"] == sarif.rule_page(rule.code)
        assert "```" not in descriptor["help"]["text"]
        assert descriptor["help"]["text"].startswith(f"{rule.code}: {rule.name}\n")
        # GitHub code scanning limits both descriptions to 1024 characters.
        assert 0 < len(descriptor["fullDescription"]["text"]) <= 1024
        assert len(rule.summary) <= 1024


def test_sarif_result_fields_code_scanning_requires() -> None:
    source = b"FROM golang:1.22\nENV GOGC=off\n"
    report = Report(
        (finding(code="DFM008", line=2, column=5, end_column=13),), {"Dockerfile": source}, 1
    )
    (result,) = sarif_log(report)["runs"][0]["results"]
    assert result["ruleId"] == "DFM008"
    assert CATALOG[result["ruleIndex"]].code == "DFM008"
    assert result["level"] == "error"
    assert result["message"] == {"text": "message"}
    (location,) = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 13},
    }
    assert list(result["partialFingerprints"]) == ["dfmemlint/v1"]
    assert "fixes" not in result


def test_sarif_levels() -> None:
    findings = (
        finding(code="DFM004"),
        finding(code="DFM003"),
        finding(code="DFM001", severity=Severity.INFO),
    )
    results = sarif_log(Report(findings, {}, 1))["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]


def test_sarif_fix_regions_in_a_crlf_file_with_non_ascii_text() -> None:
    lines = ["FROM golang:1.22", "# café ✓", "ENV NOTE=日本 GOMEMLIMIT=512MB", 'CMD ["/app"]', ""]
    source = "\r\n".join(lines).encode()
    column, end = span(source, b"512MB", 3)
    mb = source.index(b"MB")
    line2 = source.index(b"# caf")
    line3 = source.index(b"ENV NOTE")
    fix = Fix(
        "Use 512MiB and drop the comment",
        (Edit(mb, mb + 2, b"MiB"), Edit(line2, line3, b"")),
        Applicability.UNSAFE,
    )
    report = Report(
        (finding(line=3, column=column, end_column=end, fix=fix),), {"Dockerfile": source}, 1
    )
    (result,) = sarif_log(report)["runs"][0]["results"]
    (change,) = result["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}
    suffix, comment = change["replacements"]
    # "ENV NOTE=日本 GOMEMLIMIT=512" is 26 code points (but 30 bytes): MB is at columns 27-28.
    assert suffix == {
        "deletedRegion": {
            "startLine": 3,
            "startColumn": 27,
            "endLine": 3,
            "endColumn": 29,
            "byteOffset": mb,
            "byteLength": 2,
        },
        "insertedContent": {"text": "MiB"},
    }
    # A whole line with its CRLF: from the start of line 2 to the start of line 3.
    assert comment == {
        "deletedRegion": {
            "startLine": 2,
            "startColumn": 1,
            "endLine": 3,
            "endColumn": 1,
            "byteOffset": line2,
            "byteLength": len("# café ✓\r\n".encode()),
        }
    }
    assert result["fixes"][0]["description"] == {"text": "Use 512MiB and drop the comment"}
    assert result["fixes"][0]["properties"] == {"applicability": "unsafe"}


def test_sarif_fix_inserting_bytes_that_are_not_utf8() -> None:
    source = b"FROM scratch\n"
    fix = Fix("odd", (Edit(13, 13, b"\xff\n"),), Applicability.DISPLAY_ONLY)
    report = Report((finding(fix=fix),), {"Dockerfile": source}, 1)
    (result,) = sarif_log(report)["runs"][0]["results"]
    (replacement,) = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"]["startLine"] == 2
    assert replacement["insertedContent"] == {"binary": "/wo="}


def fingerprints(report: Report) -> list[str]:
    return [
        r["partialFingerprints"]["dfmemlint/v1"] for r in sarif_log(report)["runs"][0]["results"]
    ]


def test_sarif_fingerprints_survive_lines_inserted_above() -> None:
    before = b"FROM alpine:3.20\nENV GOMEMLIMIT=512MB\nENV GOMEMLIMIT=512MB\n"
    after = b"# syntax=docker/dockerfile:1\n" + before.replace(b"\n", b"\n\n# tuned\n", 1)

    def report(source: bytes, first: int) -> Report:
        findings = (
            finding(line=first, column=16, end_column=21),
            finding(line=first + 1, column=16, end_column=21),
            finding(code="DFM003", line=first, column=1, end_column=4),
        )
        return Report(findings, {"Dockerfile": source}, 1)

    old, new = fingerprints(report(before, 2)), fingerprints(report(after, 5))
    assert old == new
    assert len(set(old)) == 3  # identical lines, told apart by their order; codes differ
    other = "other/Dockerfile"
    findings = tuple(f._replace(path=other) for f in report(before, 2).findings)
    assert set(fingerprints(Report(findings, {other: before}, 1))).isdisjoint(old)


def test_sarif_fingerprint_changes_when_the_offending_line_changes() -> None:
    one = Report((finding(line=1),), {"Dockerfile": b"ENV GOMEMLIMIT=512MB\n"}, 1)
    two = Report((finding(line=1),), {"Dockerfile": b"ENV GOMEMLIMIT=512M\n"}, 1)
    indented = Report((finding(line=1),), {"Dockerfile": b"  ENV GOMEMLIMIT=512MB \r\n"}, 1)
    assert fingerprints(one) != fingerprints(two)
    assert fingerprints(one) == fingerprints(indented)


def test_sarif_fingerprint_of_a_finding_past_the_last_line() -> None:
    source = b"FROM golang:1.22\n"
    report = Report((finding(line=9), finding(line=9)), {"Dockerfile": source}, 1)
    first, second = fingerprints(report)
    assert first != second


def test_sarif_artifact_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "proj"
    (project / "sub dir").mkdir(parents=True)
    monkeypatch.chdir(project)
    cases = {
        "Dockerfile": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
        "./sub dir/../sub dir/Dockerfile.prød": {
            "uri": "sub%20dir/Dockerfile.pr%C3%B8d",
            "uriBaseId": "%SRCROOT%",
        },
        str(project / "a:b#c.Dockerfile"): {
            "uri": "a%3Ab%23c.Dockerfile",
            "uriBaseId": "%SRCROOT%",
        },
        str(tmp_path / "outside" / "Dockerfile"): {
            "uri": (tmp_path / "outside" / "Dockerfile").as_uri()
        },
        "../proj/Dockerfile": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
    }
    for path, expected in cases.items():
        assert sarif.artifact_location(path) == expected
    run = sarif_log(Report((), {}, 0))["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": project.as_uri() + "/"}}


def test_sarif_message_with_undecodable_bytes_is_valid_unicode() -> None:
    report = Report((finding(message="value \udcff here"),), {}, 1)
    rendered = sarif.render(report)
    rendered.encode("utf-8")  # no lone surrogates left
    assert json.loads(rendered)["runs"][0]["results"][0]["message"]["text"] == "value \ufffd here"


# --- text ---------------------------------------------------------------------------------------


def caret_block(report: Report) -> tuple[str, str]:
    lines = text.render(report).splitlines()
    source_row, caret_row = lines[1], lines[2]
    return source_row.split("| ", 1)[1], caret_row.split("| ", 1)[1]


def test_text_layout() -> None:
    source = b"FROM golang:1.22\nENV GOMEMLIMIT=512MB\n"
    fix = value_fix(source, b"MB", b"MiB", Applicability.SAFE)
    report = Report(
        (finding(line=2, column=16, end_column=21, message="malformed", fix=fix),),
        {"Dockerfile": source},
        1,
    )
    assert text.render(report) == (
        "Dockerfile:2:16: DFM004 [error] malformed\n"
        " 2 | ENV GOMEMLIMIT=512MB\n"
        "   |                ^^^^^\n"
        "  fix: Replace with MiB (safe)\n"
        "\n"
        "Found 1 finding (1 error, 0 warnings, 0 info) in 1 file.\n"
        "1 fixable with --fix.\n"
    )


def test_text_caret_under_tabs() -> None:
    source = b"FROM alpine\n\tENV\tGOMEMLIMIT=512MB\n"
    column, end = span(source, b"512MB", 2)
    shown, carets = caret_block(
        Report((finding(line=2, column=column, end_column=end),), {"Dockerfile": source}, 1)
    )
    assert "\t" not in shown
    assert shown == "        ENV     GOMEMLIMIT=512MB"
    assert carets == " " * shown.index("512MB") + "^^^^^"


def test_text_caret_after_wide_and_combining_characters() -> None:
    source = "ENV NOTE=日本 ACCENT=e\u0301 GOMEMLIMIT=512MB\n".encode()
    column, end = span(source, b"512MB", 1)
    shown, carets = caret_block(
        Report((finding(column=column, end_column=end),), {"Dockerfile": source}, 1)
    )
    # 日 and 本 take two cells each, the combining accent none.
    cells = len("ENV NOTE=") + 4 + len(" ACCENT=e") + 0 + len(" GOMEMLIMIT=")
    assert carets == " " * cells + "^^^^^"
    assert shown.endswith("GOMEMLIMIT=512MB")


def test_text_caret_after_undecodable_bytes_and_controls() -> None:
    source = b"ENV A=\xff\x1b\x7f\xc2\x9b B=1 GOMEMLIMIT=0\n"
    line = source.decode("utf-8", "surrogateescape")
    column = line.index("0\n") + 1
    shown, carets = caret_block(
        Report((finding(column=column, end_column=column + 1),), {"Dockerfile": source}, 1)
    )
    assert shown == "ENV A=\ufffd\u241b\u2421\ufffd B=1 GOMEMLIMIT=0"
    assert carets == " " * (column - 1) + "^"


def test_text_multi_line_finding_underlines_the_first_line_only() -> None:
    source = b"RUN GOMEMLIMIT=1GiB \\\n    go build ./...\n"
    report = Report(
        (finding(code="DFM001", line=1, column=5, end_line=2, end_column=9),),
        {"Dockerfile": source},
        1,
    )
    shown, carets = caret_block(report)
    assert shown == "RUN GOMEMLIMIT=1GiB \\"
    assert carets == "    " + "^" * len("GOMEMLIMIT=1GiB \\")


def test_text_zero_width_and_bom() -> None:
    source = b"\xef\xbb\xbfFROM golang:1.18\n"
    # The reader counts the BOM as the first code point of line 1: "golang" starts at column 7.
    report = Report((finding(code="DFM005", column=7, end_column=7),), {"Dockerfile": source}, 1)
    shown, carets = caret_block(report)
    assert shown == "FROM golang:1.18"
    assert carets == "     ^"


def test_text_without_source_skips_the_snippet() -> None:
    report = Report((finding(line=9),), {}, 1)
    assert text.render(report).splitlines()[:2] == ["Dockerfile:9:1: DFM004 [error] message", ""]


def test_text_summary_counts_and_fix_hints() -> None:
    safe = Fix("a", (), Applicability.SAFE)
    unsafe = Fix("b", (), Applicability.UNSAFE)
    findings = (
        finding(fix=safe),
        finding(fix=safe),
        finding(code="DFM002", fix=unsafe),
        finding(code="DFM003"),
        finding(
            code="DFM001", severity=Severity.INFO, fix=Fix("c", (), Applicability.DISPLAY_ONLY)
        ),
    )
    # The files with findings, of the files linted (all five findings are in one file).
    lines = text.render(Report(findings, {}, 4)).splitlines()
    assert lines[-2:] == [
        "Found 5 findings (2 errors, 2 warnings, 1 info) in 1 of 4 files.",
        "2 fixable with --fix, 1 more with --unsafe-fixes.",
    ]
    spread = tuple(f._replace(path=f"{n % 2}/Dockerfile") for n, f in enumerate(findings))
    assert text.render(Report(spread, {}, 2)).splitlines()[-2] == (
        "Found 5 findings (2 errors, 2 warnings, 1 info) in 2 files."
    )
    only_unsafe = text.render(Report((finding(fix=unsafe),), {}, 1)).splitlines()
    assert only_unsafe[-1] == "1 fixable with --unsafe-fixes."
    assert text.render(Report((), {}, 3)) == "All checks passed (3 files).\n"
    assert text.render(Report((), {}, 1)) == "All checks passed (1 file).\n"


def test_text_colour_only_when_asked() -> None:
    source = b"ENV GOMEMLIMIT=512MB\n"
    fix = value_fix(source, b"MB", b"MiB", Applicability.SAFE)
    findings = (
        finding(column=16, end_column=21, fix=fix),
        finding(code="DFM003"),
        finding(code="DFM001", severity=Severity.INFO),
    )
    report = Report(findings, {"Dockerfile": source}, 1)
    assert "\x1b" not in text.render(report)
    assert "\x1b" not in text.render_statistics(report)
    coloured = text.render(report, color=True)
    assert "\x1b[1mDockerfile\x1b[0m" in coloured
    assert "\x1b[31m[error]" in coloured
    assert "\x1b[33m[warning]" in coloured
    assert "\x1b[34m[info]" in coloured
    assert "\x1b[32mAll checks passed" in text.render(Report((), {}, 1), color=True)


def test_text_statistics() -> None:
    safe = Fix("a", (), Applicability.SAFE)
    findings = (
        finding(code="DFM003"),
        finding(fix=safe),
        finding(),
        finding(code="DFM006"),
        finding(code="DFM003"),
        finding(code="DFM002", fix=Fix("b", (), Applicability.UNSAFE)),
        *(finding(code="DFM001") for _ in range(10)),
    )
    assert text.render_statistics(Report(findings, {}, 1)) == (
        "10  DFM001      gomemlimit-build-only\n"
        " 2  DFM003      env-cache-bust\n"
        " 2  DFM004  [*] gomemlimit-malformed\n"
        " 1  DFM002      gomemlimit-wrong-stage\n"
        " 1  DFM006      gomemlimit-missing\n"
        "Found 16 findings in 1 file.\n"
        "[*] 1 fixable with --fix.\n"
    )
    assert text.render_statistics(Report(findings[:1], {}, 2), quiet=True) == (
        "1  DFM003      env-cache-bust\n"
    )
    # A clean run says so (it printed nothing).
    assert text.render_statistics(Report((), {}, 1)) == "All checks passed (1 file).\n"
    assert text.render_statistics(Report((), {}, 1), quiet=True) == ""


# --- json ---------------------------------------------------------------------------------------


def test_json_shape() -> None:
    source = b"ENV GOMEMLIMIT=512MB\n"
    fix = Fix(
        "Replace",
        (Edit(18, 20, b"MiB"), Edit(0, 0, b"# \xff\n")),
        Applicability.SAFE,
    )
    findings = (
        finding(column=16, end_column=21, message="bad \udcff", fix=fix),
        finding("Dockerfile.ü", code="DFM006", severity=Severity.WARNING),
    )
    rendered = json_reporter.render(Report(findings, {"Dockerfile": source}, 2))
    assert rendered.endswith("}\n]\n")
    assert '\n  {\n    "path": "Dockerfile",' in rendered  # indent=2
    assert json.loads(rendered) == [
        {
            "path": "Dockerfile",
            "code": "DFM004",
            "name": "gomemlimit-malformed",
            "severity": "error",
            "message": "bad \ufffd",
            "line": 1,
            "column": 16,
            "end_line": 1,
            "end_column": 21,
            "fix": {
                "applicability": "safe",
                "message": "Replace",
                "edits": [
                    {"start": 18, "end": 20, "replacement": "MiB"},
                    {"start": 0, "end": 0, "replacement": "# \ufffd\n"},
                ],
            },
        },
        {
            "path": "Dockerfile.ü",
            "code": "DFM006",
            "name": "gomemlimit-missing",
            "severity": "warning",
            "message": "message",
            "line": 1,
            "column": 1,
            "end_line": 1,
            "end_column": 2,
            "fix": None,
        },
    ]
    assert list(json.loads(rendered)[0]) == [
        "path",
        "code",
        "name",
        "severity",
        "message",
        "line",
        "column",
        "end_line",
        "end_column",
        "fix",
    ]


def test_json_empty() -> None:
    assert json_reporter.render(Report((), {}, 1)) == "[]\n"


@pytest.mark.parametrize("text_in", ["plain", "日本", "\udc80x", "\ud800y"])
def test_json_valid_text(text_in: str) -> None:
    out = json_reporter.valid_text(text_in)
    out.encode("utf-8")
    assert out[-1] == text_in[-1]


def test_long_rule_descriptions_fit_code_scanning() -> None:
    short = "One paragraph."
    assert sarif._description(short) == short
    paragraphs = "\n\n".join(["x" * 600, "y" * 600])
    assert sarif._description(paragraphs) == "x" * 600
    long_words = " ".join(["word"] * 400)
    cut = sarif._description(long_words)
    assert len(cut) <= sarif.MAX_DESCRIPTION
    assert cut.endswith("word\u2026")
