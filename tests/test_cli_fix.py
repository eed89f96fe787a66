"""``--fix``, ``--diff``, ``--unsafe-fixes``, ``--show-fixes``, ``--exit-non-zero-on-fix`` and
``--fix-style`` on the command line, and how fixed files are written."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import run_cli

from dfmemlint.cli import main
from dfmemlint.rules import REGISTRY
from dfmemlint.rules.base import Context, Problem

BROKEN = b"""FROM golang:1.22 AS build
WORKDIR /src
RUN GOMEMLIMIT=2G go build -o /app .

FROM alpine:3.20
COPY --from=build /app /app
CMD ["/app"]
"""
FIXED_SAFE = BROKEN.replace(b"=2G ", b"=2GiB ")
FIXED_WITH_LIMIT = FIXED_SAFE.replace(b'CMD ["/app"]', b'ENV GOMEMLIMIT=409MiB\nCMD ["/app"]')
CLEAN = FIXED_WITH_LIMIT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--no-color", *args)


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_bytes(BROKEN)
    return path


def test_fix_writes_the_file_and_reports_what_remains(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--fix", str(dockerfile))
    assert dockerfile.read_bytes() == FIXED_SAFE
    assert code == 1  # DFM006 remains: no limit declared
    assert "DFM006" in out
    assert "DFM004" not in out
    assert "Fixed 1 finding (2 remaining)." in err  # DFM001's fix is unsafe


def test_fix_with_a_declared_limit_leaves_nothing(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--fix", "--memory-limit", "512MiB", str(dockerfile))
    assert dockerfile.read_bytes() == FIXED_WITH_LIMIT
    assert code == 0  # DFM001 remains, as info: the runtime now has its own GOMEMLIMIT
    assert "Fixed 2 findings (1 remaining)." in err


def test_exit_non_zero_on_fix(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(
        capsys, "--fix", "--exit-non-zero-on-fix", "--memory-limit", "512MiB", str(dockerfile)
    )
    assert code == 1
    assert dockerfile.read_bytes() == FIXED_WITH_LIMIT
    code, _, _ = run(
        capsys, "--fix", "--exit-non-zero-on-fix", "--memory-limit", "512MiB", str(dockerfile)
    )
    assert code == 0  # nothing left to fix, nothing found


def test_fix_twice_is_fix_once(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "--fix", "--unsafe-fixes", "--memory-limit", "1GiB", str(dockerfile))
    once = dockerfile.read_bytes()
    mtime = dockerfile.stat().st_mtime_ns
    code, _, err = run(capsys, "--fix", "--unsafe-fixes", "--memory-limit", "1GiB", str(dockerfile))
    assert dockerfile.read_bytes() == once
    assert dockerfile.stat().st_mtime_ns == mtime
    assert "Fixed 0 findings" in err
    assert code == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mtime = dockerfile.stat().st_mtime_ns
    code, out, err = run(capsys, "--diff", "--memory-limit", "512MiB", str(dockerfile))
    assert code == 1
    assert dockerfile.read_bytes() == BROKEN
    assert dockerfile.stat().st_mtime_ns == mtime
    assert out == (
        f"--- {dockerfile}\n+++ {dockerfile}\n"
        "@@ -1,7 +1,8 @@\n"
        " FROM golang:1.22 AS build\n"
        " WORKDIR /src\n"
        "-RUN GOMEMLIMIT=2G go build -o /app .\n"
        "+RUN GOMEMLIMIT=2GiB go build -o /app .\n"
        " \n"
        " FROM alpine:3.20\n"
        " COPY --from=build /app /app\n"
        "+ENV GOMEMLIMIT=409MiB\n"
        ' CMD ["/app"]\n'
    )
    # What remains is said too (it was only "Would fix 2 findings.").
    assert err == (
        "Would fix 2 findings; 1 would remain "
        "(run without --diff to list them; 1 fixable with --unsafe-fixes).\n"
    )


def test_diff_of_a_relative_path_has_git_prefixes(
    dockerfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dockerfile.parent)
    _, out, _ = run(capsys, "--diff", "Dockerfile")
    assert out.startswith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ ")


def test_diff_keeps_crlf_and_undecodable_bytes(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    path = tmp_path / "Dockerfile"
    data = BROKEN.replace(b"WORKDIR /src", b"LABEL x=\xff\x0c").replace(b"\n", b"\r\n")
    path.write_bytes(data)
    assert main(["--diff", str(path)]) == 1
    out = capsysbinary.readouterr().out
    assert b" LABEL x=\xff\x0c\r\n" in out
    assert b"+RUN GOMEMLIMIT=2GiB go build -o /app .\r\n" in out


def test_diff_exits_0_when_nothing_would_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(CLEAN)
    code, out, err = run(capsys, "--diff", str(path))
    assert (code, out) == (0, "")
    assert err.startswith("Would fix 0 findings; 1 would remain (run without --diff")


def test_diff_marks_a_missing_final_newline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(BROKEN.rstrip(b"\n"))
    _, out, _ = run(capsys, "--diff", "--memory-limit", "512MiB", str(path))
    assert out.endswith(
        '+ENV GOMEMLIMIT=409MiB\n CMD ["/app"]\n\\ No newline at end of file\n'
    )


def test_show_fixes_lists_each_fix_at_its_original_place(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = run(capsys, "--fix", "--show-fixes", "--memory-limit", "512MiB", str(dockerfile))
    assert f"Fixed 2 findings in {dockerfile}:" in err
    assert f"{dockerfile}:3:16: DFM004 Replace 2G with 2GiB (safe)" in err
    assert f"{dockerfile}:7:1: DFM006 Add ENV GOMEMLIMIT=409MiB before the CMD" in err


def test_unsafe_fixes_need_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(FIXED_WITH_LIMIT)
    run(capsys, "--fix", "--memory-limit", "512MiB", str(path))
    assert path.read_bytes() == FIXED_WITH_LIMIT
    code, _, err = run(capsys, "--unsafe-fixes", "--memory-limit", "512MiB", str(path))
    assert path.read_bytes() == FIXED_WITH_LIMIT.replace(b"GOMEMLIMIT=2GiB go", b"go")
    assert "Fixed 1 finding (0 remaining)" in err
    assert code == 0


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("env", b'ENV GOMEMLIMIT=409MiB\nCMD ["/app"]\n'),
        (
            "inline",
            b'CMD ["sh", "-c", "GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec \\"$@\\"", "sh", "/app"]\n',
        ),
    ],
)
def test_fix_style(
    style: str, expected: bytes, dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "--fix", "--fix-style", style, "--memory-limit", "512MiB", str(dockerfile))
    assert dockerfile.read_bytes().endswith(b"COPY --from=build /app /app\n" + expected)


def test_fix_style_inline_on_an_image_without_env(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(FIXED_SAFE.replace(b"alpine:3.20", b"scratch"))
    run(capsys, "--fix", "--memory-limit", "512MiB", str(path))
    assert path.read_bytes().endswith(b'ENV GOMEMLIMIT=409MiB\nCMD ["/app"]\n')
    path.write_bytes(FIXED_SAFE.replace(b"alpine:3.20", b"scratch"))
    run(capsys, "--fix", "--fix-style", "inline", "--memory-limit", "512MiB", str(path))
    # Neither a shell nor env there: inline cannot work, the ENV line is the fix.
    assert path.read_bytes().endswith(b'ENV GOMEMLIMIT=409MiB\nCMD ["/app"]\n')
    unknown = FIXED_SAFE.replace(b"alpine:3.20", b"example.com/runtime:1")
    path.write_bytes(unknown)
    run(capsys, "--fix", "--fix-style", "inline", "--memory-limit", "512MiB", str(path))
    # An image dfmemlint does not know: only env, which overrides a runtime value and may not
    # be in the image, so the fix is unsafe: --fix leaves the file, --unsafe-fixes writes it.
    assert path.read_bytes() == unknown
    _, out, _ = run(
        capsys, "--format", "json", "--fix-style", "inline", "--memory-limit", "512MiB", str(path)
    )
    adding = [f["fix"] for f in json.loads(out) if f["fix"] and "env" in f["fix"]["message"]]
    assert [fix["applicability"] for fix in adding] == ["unsafe"]
    run(capsys, "--unsafe-fixes", "--fix-style", "inline", "--memory-limit", "512MiB", str(path))
    assert path.read_bytes().endswith(b'CMD ["env", "GOMEMLIMIT=409MiB", "/app"]\n')


def test_the_help_explains_the_risk_of_inline(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    assert "fails to start" in " ".join(out.split())


# --- writing files -------------------------------------------------------------------------------


def test_the_mode_is_kept(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile.chmod(0o640)
    run(capsys, "--fix", str(dockerfile))
    assert dockerfile.read_bytes() == FIXED_SAFE
    assert stat.S_IMODE(dockerfile.stat().st_mode) == 0o640
    assert [p.name for p in dockerfile.parent.iterdir()] == ["Dockerfile"]


def test_a_symbolic_link_stays_and_its_target_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target_dir = tmp_path / "real"
    target_dir.mkdir()
    target = target_dir / "Dockerfile.prod"
    target.write_bytes(BROKEN)
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    run(capsys, "--fix", str(link))
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert target.read_bytes() == FIXED_SAFE
    assert sorted(p.name for p in target_dir.iterdir()) == ["Dockerfile.prod"]


def test_a_read_only_file_is_an_error_and_stays_intact(
    dockerfile: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile.chmod(0o444)
    code, out, err = run(capsys, "--fix", str(dockerfile))
    assert code == 2
    assert "read-only" in err
    assert str(dockerfile) in err
    assert dockerfile.read_bytes() == BROKEN
    assert "DFM004" in out  # reported as still there
    assert "Fixed 0 findings" in err
    assert [p.name for p in dockerfile.parent.iterdir()] == ["Dockerfile"]


def test_a_failed_rename_leaves_no_temporary_file(
    dockerfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, _, err = run(capsys, "--fix", str(dockerfile))
    assert code == 2
    assert "cannot write" in err
    assert dockerfile.read_bytes() == BROKEN
    assert [p.name for p in dockerfile.parent.iterdir()] == ["Dockerfile"]


def test_one_file_failing_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "a.Dockerfile"
    other = tmp_path / "b.Dockerfile"
    locked.write_bytes(BROKEN)
    other.write_bytes(BROKEN)
    locked.chmod(0o444)
    code, _, err = run(capsys, "--fix", str(tmp_path))
    assert code == 2
    assert locked.read_bytes() == BROKEN
    assert other.read_bytes() == FIXED_SAFE
    assert "Fixed 1 finding" in err


# --- a fix that goes wrong -----------------------------------------------------------------------


def _broken_dfm004(monkeypatch: pytest.MonkeyPatch) -> None:
    original = REGISTRY["DFM004"]

    def check(ctx: Context) -> Iterator[Problem]:
        for problem in original(ctx):
            assert problem.fix is not None
            edit = problem.fix.edits[0]._replace(replacement=b"2G")  # the value it had
            yield problem._replace(fix=problem.fix._replace(edits=(edit,)))

    monkeypatch.setitem(REGISTRY, "DFM004", check)


def test_a_fix_that_does_not_remove_its_finding_is_reverted_with_exit_2(
    dockerfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_dfm004(monkeypatch)
    mtime = dockerfile.stat().st_mtime_ns
    code, out, err = run(capsys, "--fix", "--memory-limit", "512MiB", str(dockerfile))
    assert code == 2
    assert dockerfile.read_bytes() == BROKEN
    assert dockerfile.stat().st_mtime_ns == mtime
    assert f"Error: {dockerfile}: " in err
    assert "no change was made" in err
    assert "DFM004" in out


def test_diff_of_a_reverted_fix_prints_nothing_and_exits_2(
    dockerfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _broken_dfm004(monkeypatch)
    code, out, err = run(capsys, "--diff", "--memory-limit", "512MiB", str(dockerfile))
    assert (code, out) == (2, "")
    assert "no change was made" in err


# --- standard input ------------------------------------------------------------------------------


def _dfmemlint(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "dfmemlint", "--no-color", *args],
        input=stdin,
        capture_output=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_stdin_fix_writes_the_fixed_file_to_stdout_and_the_report_to_stderr() -> None:
    done = _dfmemlint(BROKEN, "--fix", "--memory-limit", "512MiB", "-")
    assert done.stdout == FIXED_WITH_LIMIT
    assert b"Fixed 2 findings (1 remaining)." in done.stderr
    assert done.returncode == 0


def test_stdin_fix_with_nothing_to_fix_echoes_the_input() -> None:
    done = _dfmemlint(BROKEN, "--fix", "--select", "DFM002", "-")
    assert done.stdout == BROKEN
    assert done.returncode == 0


def test_stdin_fix_keeps_the_report_off_stdout() -> None:
    done = _dfmemlint(BROKEN, "--fix", "--format", "json", "-")
    assert done.stdout == FIXED_SAFE
    assert b'"DFM006"' in done.stderr
    assert done.returncode == 1


def test_stdin_diff() -> None:
    done = _dfmemlint(BROKEN, "--diff", "--stdin-filename", "svc/Dockerfile", "-")
    assert done.stdout.startswith(b"--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n")
    assert done.returncode == 1


def test_diff_says_when_a_fix_overrides_the_runtime_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(FIXED_SAFE.replace(b'CMD ["/app"]', b'CMD ["env", "TZ=UTC", "/app"]'))
    # Unsafe (a runtime value no longer applies): shown only with --unsafe-fixes.
    code, out, err = run(
        capsys, "--diff", "--fix-style", "inline", "--memory-limit", "512MiB", str(path)
    )
    assert "GOMEMLIMIT=409MiB" not in out
    code, out, err = run(
        capsys, "--diff", "--unsafe-fixes", "--fix-style", "inline", "--memory-limit", "512MiB",
        str(path),
    )
    assert code == 1
    assert '+CMD ["env", "GOMEMLIMIT=409MiB", "TZ=UTC", "/app"]' in out
    assert (
        f"Warning: {path}:7: with this fix, a GOMEMLIMIT set at run time (docker run -e, "
        "Compose environment:, Kubernetes env:) no longer applies" in err
    )
    # The default ENV line leaves the runtime value in charge: nothing to say.
    _, _, err = run(capsys, "--diff", "--memory-limit", "512MiB", str(path))
    assert "no longer applies" not in err
