"""``# dfmemlint: ignore=`` comments that suppress nothing (DFM017, dfmemlint.ignore_comments):
misplaced ones with a safe fix that deletes the line, unused ones with an unsafe fix that
removes the unused codes; only codes whose rules looked at the file are judged. The fixtures in
tests/fixtures/dfmemlint-comment/{misplaced,unused}-*.Dockerfile and *.yaml hold positions and
fixed files; these tests cover what fixtures cannot (options, formats, the editor)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli

from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import lint as lint_any
from dfmemlint.types import Applicability, Finding

GO = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
    b"FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\n"
)
# An ignore comment directly above CMD, which gets no finding of any rule.
ABOVE_CMD = GO + b'# dfmemlint: ignore=%s\nCMD ["/app"]\n'
# An ignore comment that is directly above nothing (a blank line follows).
MISPLACED = GO + b'# dfmemlint: ignore=DFM006\n\nCMD ["/app"]\n'


def comment_findings(data: bytes, **options: object) -> list[Finding]:
    result = lint("Dockerfile", data, LintOptions(**options))  # type: ignore[arg-type]
    return [f for f in result.findings if f.code == "DFM017"]


def test_unused_codes_are_judged_only_for_rules_that_ran() -> None:
    data = ABOVE_CMD % b"DFM004,DFM001"
    [finding] = comment_findings(data)
    assert finding.message.startswith("ignore=DFM004, DFM001 suppresses nothing")
    # DFM001 not run: only DFM004 is judged (ruff's RUF100 reports it as "non-enabled" and
    # removes it; here a run with fewer rules must not strip what a full run needs).
    [finding] = comment_findings(data, select=frozenset({"DFM004", "DFM017"}))
    assert finding.message.startswith("ignore=DFM004 suppresses nothing")
    assert comment_findings(data, ignore=frozenset({"DFM004", "DFM001"})) == []
    assert comment_findings(b"# dfmemlint: global ignore=DFM001,DFM004\n" + data) == []


@pytest.mark.parametrize(
    "switch_off",
    [
        {"ignore": frozenset({"DFM017"})},
        {"select": frozenset({"DFM001", "DFM004"})},
    ],
)
def test_no_comment_finding_when_dfm017_does_not_run(switch_off: dict[str, object]) -> None:
    assert comment_findings(ABOVE_CMD % b"DFM004", **switch_off) == []
    assert comment_findings(MISPLACED, **switch_off) == []
    assert comment_findings(b"# dfmemlint: global ignore=DFM017\n" + MISPLACED) == []


def test_all_is_judged_only_when_every_rule_ran() -> None:
    [finding] = comment_findings(ABOVE_CMD % b"all")
    assert finding.message.startswith("ignore=ALL suppresses nothing")
    assert comment_findings(ABOVE_CMD % b"all", ignore=frozenset({"DFM003"})) == []
    # ALL that hides something is used.
    hidden = GO.replace(b"ENV GOMEMLIMIT=400MiB", b"# dfmemlint: ignore=all\nENV GOGC=off")
    assert comment_findings(hidden + b'CMD ["/app"]\n') == []


def test_a_file_buildkit_cannot_read_is_not_judged() -> None:
    broken = ABOVE_CMD % b"DFM004" + b"RUN <<EOF\nnever ends\n"
    assert comment_findings(broken) == []


def test_partly_unused_keeps_the_codes_that_hide_something() -> None:
    data = GO.replace(
        b"COPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\n",
        b"# dfmemlint: ignore=dfm001, DFM003 ,DFM008\nENV GOGC=off\nCOPY --from=build /app /app\n",
    ) + b'CMD ["/app"]\n'
    [finding] = comment_findings(data)
    assert finding.message.startswith("ignore=DFM001 suppresses nothing")
    assert finding.fix is not None
    assert finding.fix.applicability == Applicability.UNSAFE
    assert fix_file("Dockerfile", data, LintOptions(), unsafe=False).data == data
    fixed = fix_file("Dockerfile", data, LintOptions(), unsafe=True)
    assert fixed.error is None
    assert fixed.data == data.replace(b"dfm001, DFM003 ,DFM008", b"DFM003,DFM008")
    assert comment_findings(fixed.data) == []


def test_misplaced_above_a_parser_directive_has_no_fix() -> None:
    """Deleting it would turn the directive below it back on: not for a fix to decide."""
    data = b"# dfmemlint: ignore=DFM006\n# syntax=docker/dockerfile:1\n" + GO
    result = lint("Dockerfile", data + b'CMD ["/app"]\n', LintOptions())
    [finding] = [f for f in result.findings if f.code == "DFM017"]
    assert (finding.line, finding.fix) == (1, None)
    assert "parser directive" in result.notes[0]
    # Below the directives it is shown; --fix edits nothing before the first FROM
    # (engine.EditableRanges), so it stays for information only.
    below = b"# syntax=docker/dockerfile:1\n# dfmemlint: ignore=DFM006\n\n" + GO
    [finding] = comment_findings(below + b'CMD ["/app"]\n')
    assert finding.fix is not None
    assert finding.fix.applicability == Applicability.DISPLAY_ONLY


def test_yaml_comment_above_content_that_hides_nothing_is_unused() -> None:
    manifest = (
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuning\ndata:\n"
        b"  # dfmemlint: ignore=DFM004\n  GOGC: \"50\"\n  # dfmemlint: ignore=DFM004\n"
    )
    result = lint_any("cm.yaml", manifest, LintOptions())
    unused, misplaced = result.findings
    assert (unused.line, unused.fix and unused.fix.applicability) == (6, Applicability.UNSAFE)
    assert (misplaced.line, misplaced.fix and misplaced.fix.applicability) == (
        8, Applicability.SAFE
    )
    fixed = fix_file("cm.yaml", manifest, LintOptions(), unsafe=True)
    assert fixed.data == manifest.replace(b"  # dfmemlint: ignore=DFM004\n", b"")
    selected = LintOptions(select=frozenset({"DFM007", "DFM017"}))
    [misplaced] = lint_any("cm.yaml", manifest, selected).findings  # DFM004 did not run
    assert misplaced.line == 8


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_every_output_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(MISPLACED)
    code, out, _ = run_cli(capsys, "--no-color", "--format", fmt, str(path))
    assert code == 1
    if fmt == "json":
        [finding] = json.loads(out)
        assert (finding["code"], finding["line"], finding["column"]) == ("DFM017", 7, 21)
        assert finding["fix"]["applicability"] == "safe"
    elif fmt == "sarif":
        [result] = json.loads(out)["runs"][0]["results"]
        assert result["ruleId"] == "DFM017"
        [fix] = result["fixes"]
        [change] = fix["artifactChanges"]
        [replacement] = change["replacements"]
        assert replacement["deletedRegion"]["startLine"] == 7
    elif fmt == "github":
        [line] = [line for line in out.splitlines() if line.startswith("::warning ")]
        assert "title=DFM017 dfmemlint-comment" in line
        assert ",line=7," in line
    else:
        assert "Dockerfile:7:21: DFM017 [warning] This ignore comment is not directly above" in out
        assert "fix: Remove the ignore comment (it suppresses nothing) (safe)" in out


def test_the_editor_offers_the_fix(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    from dfmemlint.server import actions
    from dfmemlint.server.diagnostics import LineIndex
    from dfmemlint.server.linting import fix_all, lint_document
    from dfmemlint.server.settings import ClientSettings

    document = lint_document(str(tmp_path / "Dockerfile"), MISPLACED.decode(), ClientSettings())
    [located] = [f for f in document.findings if f.finding.code == "DFM017"]
    index = LineIndex(document.data)
    found = actions.code_actions(document, index, "u", 1, index.range(located.start, located.end))
    titles = [a.title for a in found]
    assert "DFM017: Remove the ignore comment (it suppresses nothing)" in titles
    assert fix_all(document) == MISPLACED.replace(b"# dfmemlint: ignore=DFM006\n", b"")
