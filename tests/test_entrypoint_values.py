"""A GOMEMLIMIT that the final image's entrypoint script assigns is judged (DFM004, DFM007), not
only counted as "set" (DFM006): in a heredoc script at the value in the Dockerfile, with a fix;
in a script copied from the build context in that file, at its line and column, without one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix.fixer import fix_file
from dfmemlint.types import Applicability

MiB = 1 << 20
BUILD = b"FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\n"
COPIED = (
    BUILD + b"COPY --from=build /app /app\nCOPY docker-entrypoint.sh /usr/local/bin/\n"
    b'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["/app"]\n'
)
SCRIPT = b'#!/bin/sh\nset -e\nexport GOMEMLIMIT=400MB\nexec "$@"\n'


def _options(context: Path | None, limit: int | None = None) -> LintOptions:
    return LintOptions(
        memory_limit=limit,
        memory_limit_from_cli=limit is not None,
        memory_limit_source="--memory-limit",
        context_dir=None if context is None else str(context),
    )


def _shown(path: Path) -> str:
    """A path as a finding names it: relative to the working directory below it, else whole."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith(os.pardir) else relative


def _context(tmp_path: Path, script: bytes = SCRIPT, dockerfile: bytes = COPIED) -> Path:
    (tmp_path / "docker-entrypoint.sh").write_bytes(script)
    (tmp_path / "Dockerfile").write_bytes(dockerfile)
    return tmp_path


@pytest.mark.parametrize(
    ("script", "code", "where"),
    [
        (SCRIPT, "DFM004", (3, 19, 3, 24)),
        (b'#!/bin/sh\nGOMEMLIMIT="512M" exec "$@"\n', "DFM004", (2, 13, 2, 17)),
        (b"#!/bin/sh\r\nexport GOMEMLIMIT=1Gi\r\nexec \"$@\"\r\n", "DFM004", (2, 19, 2, 22)),
        # bash reads time as a keyword: the assignment is the program's.
        (b'#!/usr/bin/env bash\ntime GOMEMLIMIT=0.5GB "$@"\n', "DFM004", (2, 17, 2, 22)),
        (
            b'#!/bin/sh\n# caf\xc3\xa9\nexport GOMEMLIMIT=1KiB\nexec "$@"\n',
            "DFM007", (3, 19, 3, 23),
        ),
    ],
)
def test_script_value_is_reported_in_the_script(
    tmp_path: Path, script: bytes, code: str, where: tuple[int, int, int, int]
) -> None:
    context = _context(tmp_path, script)
    findings = lint("Dockerfile", COPIED, _options(context)).findings
    (finding,) = findings
    assert finding.code == code
    assert finding.path == _shown(context / "docker-entrypoint.sh")
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == where
    assert finding.fix is None


def test_dash_reading_of_time_sets_nothing(tmp_path: Path) -> None:
    context = _context(tmp_path, b'#!/bin/sh\ntime GOMEMLIMIT=0.5GB "$@"\n')
    codes = [f.code for f in lint("Dockerfile", COPIED, _options(context)).findings]
    assert "DFM004" not in codes


def test_computed_and_valid_values_are_not_reported(tmp_path: Path) -> None:
    script = b'#!/bin/sh\nexport GOMEMLIMIT=$(( $(cat /sys/fs/cgroup/memory.max) * 9 / 10 ))\n'
    assert lint("Dockerfile", COPIED, _options(_context(tmp_path, script))).findings == []
    valid = b"#!/bin/sh\nexport GOMEMLIMIT=400MiB\nexec \"$@\"\n"
    assert lint("Dockerfile", COPIED, _options(_context(tmp_path, valid), 512 * MiB)).findings == []


def test_against_the_declared_limit(tmp_path: Path) -> None:
    script = b'#!/bin/sh\nexport GOMEMLIMIT=1GiB\nexec "$@"\n'
    context = _context(tmp_path, script)
    (finding,) = lint("Dockerfile", COPIED, _options(context, 512 * MiB)).findings
    assert (finding.code, finding.line, finding.column) == ("DFM007", 2, 19)
    assert "(in the entrypoint script docker-entrypoint.sh)" in finding.message
    assert finding.fix is None


def test_command_line_reports_it_at_the_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _context(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["Dockerfile"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("docker-entrypoint.sh:3:19: DFM004 [error] GOMEMLIMIT=400MB ")
    assert main(["--format", "json", "Dockerfile"]) == 1
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["path"], entry["line"], entry["column"], entry["fix"]) == (
        "docker-entrypoint.sh", 3, 19, None
    )
    # --fix edits only the file it lints: the script and the Dockerfile stay as they are.
    assert main(["--fix", "Dockerfile"]) == 1
    assert (tmp_path / "docker-entrypoint.sh").read_bytes() == SCRIPT
    assert (tmp_path / "Dockerfile").read_bytes() == COPIED


def test_a_context_outside_the_working_directory_is_named_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ctx").mkdir()
    context = _context(tmp_path / "ctx")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    (finding,) = lint("Dockerfile", COPIED, _options(context)).findings
    assert finding.path == str(context / "docker-entrypoint.sh")
    monkeypatch.chdir(tmp_path)
    (finding,) = lint("Dockerfile", COPIED, _options(context)).findings
    assert finding.path == "ctx/docker-entrypoint.sh"


def test_ignore_comment_above_the_copy_hides_it(tmp_path: Path) -> None:
    dockerfile = COPIED.replace(
        b"COPY docker-entrypoint.sh", b"# dfmemlint: ignore=DFM004\nCOPY docker-entrypoint.sh"
    )
    context = _context(tmp_path, dockerfile=dockerfile)
    assert lint("Dockerfile", dockerfile, _options(context)).findings == []


def test_a_fix_in_the_dockerfile_is_not_taken_for_the_script_finding(tmp_path: Path) -> None:
    """The script's finding is at line 3, column 19 of the script; a DFM004 fixed at the same
    line and column of the Dockerfile is still fixed (findings are matched within their file)."""
    dockerfile = (
        b"FROM golang:1.22 AS build\nRUN go build -o /app .\nENV GOMEMLIMIT_X=1 GOMEMLIMIT=512MB\n"
        b"FROM alpine:3.20\nCOPY --from=build /app /app\n"
        b"COPY docker-entrypoint.sh /usr/local/bin/\n"
        b'ENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["/app"]\n'
    )
    context = _context(tmp_path, dockerfile=dockerfile)
    options = _options(context)
    before = lint("Dockerfile", dockerfile, options).findings
    assert {(f.path.rsplit("/", 1)[-1], f.code, f.line, f.column) for f in before} >= {
        ("Dockerfile", "DFM004", 3, 31), ("docker-entrypoint.sh", "DFM004", 3, 19),
    }
    outcome = fix_file("Dockerfile", dockerfile, options, unsafe=False)
    assert outcome.error is None
    assert outcome.data == dockerfile.replace(b"=512MB", b"=512MiB")
    assert outcome.result is not None
    assert [f.path for f in outcome.result.findings if f.code == "DFM004"] == [
        _shown(context / "docker-entrypoint.sh")
    ]


HEREDOC = (
    BUILD + b"COPY --from=build /app /app\nCOPY --chmod=755 <<'EOT' /entrypoint.sh\n#!/bin/sh\n"
    b'export GOMEMLIMIT=400MB\nexec "$@"\nEOT\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["/app"]\n'
)


def test_heredoc_script_is_fixed_in_the_dockerfile() -> None:
    options = _options(None)
    (finding,) = lint("Dockerfile", HEREDOC, options).findings
    assert (finding.path, finding.code, finding.line, finding.column) == (
        "Dockerfile", "DFM004", 7, 19
    )
    assert "(in the entrypoint script /entrypoint.sh)" in finding.message
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.SAFE
    outcome = fix_file("Dockerfile", HEREDOC, options, unsafe=False)
    assert outcome.data == HEREDOC.replace(b"=400MB", b"=400MiB")
    assert outcome.result is not None
    assert outcome.result.findings == []


def test_heredoc_script_respelling_under_1_mib_is_not_safe() -> None:
    data = HEREDOC.replace(b"=400MB", b"=512KB")
    (finding,) = lint("Dockerfile", data, _options(None)).findings
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    assert fix_file("Dockerfile", data, _options(None), unsafe=False).data == data


def test_a_script_that_sets_no_gomemlimit_is_not_judged(tmp_path: Path) -> None:
    context = _context(tmp_path, b'#!/bin/sh\nexec "$@"\n')
    codes = [f.code for f in lint("Dockerfile", COPIED, _options(context)).findings]
    assert codes == ["DFM006"]


def test_a_value_without_a_respelling_has_no_fix(tmp_path: Path) -> None:
    context = _context(tmp_path, b'#!/bin/sh\nexport GOMEMLIMIT=1e9\nexec "$@"\n')
    (finding,) = lint("Dockerfile", COPIED, _options(context)).findings
    assert (finding.code, finding.line, finding.column, finding.fix) == ("DFM004", 2, 19, None)
    heredoc = HEREDOC.replace(b"=400MB", b"=1e9")
    (finding,) = lint("Dockerfile", heredoc, _options(None)).findings
    assert (finding.code, finding.line, finding.fix) == ("DFM004", 7, None)


def test_heredoc_script_out_of_range_gets_the_unsafe_fix() -> None:
    data = HEREDOC.replace(b"=400MB", b"=1GiB")
    (finding,) = lint("Dockerfile", data, _options(None, 512 * MiB)).findings
    assert (finding.code, finding.line, finding.column) == ("DFM007", 7, 19)
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    outcome = fix_file("Dockerfile", data, _options(None, 512 * MiB), unsafe=True)
    assert outcome.data == data.replace(b"=1GiB", b"=409MiB")


def test_the_guarantee_matches_a_finding_in_another_file_by_its_place() -> None:
    """A finding of the script that appears, or gets worse, after a fix of the Dockerfile
    breaks the promise like any other; one at the same place does not."""
    from dfmemlint.fix import guarantee
    from dfmemlint.positions import Lines
    from dfmemlint.types import Finding, Severity

    def finding(path: str, severity: Severity, line: int = 3) -> Finding:
        return Finding(path, "DFM004", "gomemlimit-malformed", severity, "m", line, 1, line, 2,
                       None)

    text = Lines(b"FROM scratch\n")
    same = [finding("e.sh", Severity.ERROR)]
    assert guarantee.regressions(text, same, text, same, [], "Dockerfile") == []
    worse = [finding("e.sh", Severity.WARNING)]
    assert guarantee.regressions(text, worse, text, same, [], "Dockerfile") == [
        (same[0], worse[0])
    ]
    moved = [finding("e.sh", Severity.ERROR, line=4)]
    assert guarantee.regressions(text, same, text, moved, [], "Dockerfile") == [(moved[0], None)]


def test_a_script_named_with_its_dockerfile_is_reported_once_with_its_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _context(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["--format", "json", "Dockerfile", "./docker-entrypoint.sh"]) == 1
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["path"], entry["line"], entry["column"]) == ("docker-entrypoint.sh", 3, 19)
    assert entry["fix"]["applicability"] == "safe"
    assert main(["--fix", "Dockerfile", "docker-entrypoint.sh"]) == 0
    assert (tmp_path / "docker-entrypoint.sh").read_bytes() == SCRIPT.replace(b"400MB", b"400MiB")
