"""Failing I/O and unlucky file systems: one line on stderr, exit 2, nothing half-written.

Standard streams that are closed or full, a report that cannot be written, FIFOs, files reached
twice, files that cannot be read or vanish, edits made while ``--fix`` runs, hard links, names
with control characters. A real process is used wherever a closed descriptor, a FIFO or
``/dev/full`` is what the case is about.
"""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

from dfmemlint import files as files_module
from dfmemlint.cli import main
from dfmemlint.files import expand_paths
from dfmemlint.fix.fixer import fix_file

CHECK = "dfmemlint.commands.check"

BAD = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
)
FIXED = BAD.replace(b"=512MB", b"=512MiB")
DEV_FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not DEV_FULL.exists(), reason="no /dev/full here")


def dfmemlint(
    *args: str | Path, capture_output: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:
    """A real process (its own standard streams), never waiting more than a minute."""
    result: subprocess.CompletedProcess[bytes] = subprocess.run(
        [sys.executable, "-m", "dfmemlint", "--no-color", *map(str, args)],
        capture_output=capture_output,
        timeout=60,
        check=False,
        **kwargs,
    )
    if result.stderr is not None:
        assert b"Traceback" not in result.stderr
        assert b"Exception ignored" not in result.stderr
    return result


def one_error_line(stderr: bytes) -> str:
    lines = stderr.decode().splitlines()
    errors = [line for line in lines if line.startswith("Error:")]
    assert len(errors) == 1, lines
    return errors[0]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args, "--no-color")


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_bytes(BAD)
    return path


# --------------------------------------------------------------------------- standard streams


def test_standard_input_closed(tmp_path: Path) -> None:
    result = dfmemlint("-", stdin=subprocess.DEVNULL, preexec_fn=lambda: os.close(0))
    assert result.returncode == 2
    assert one_error_line(result.stderr) == "Error: standard input is closed; nothing to read for -"
    assert result.stdout == b"Nothing was linted: 1 path could not be read.\n"


def test_standard_output_closed_changes_nothing(bad: Path) -> None:
    result = dfmemlint("--fix", bad, stdout=subprocess.DEVNULL, capture_output=False,
                       stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    assert result.returncode == 2
    assert "standard output is closed; nothing was changed" in one_error_line(result.stderr)
    assert bad.read_bytes() == BAD


def test_standard_output_closed_with_output_file(bad: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = dfmemlint("--format", "json", "--output", report, bad, stdout=subprocess.DEVNULL,
                       capture_output=False, stderr=subprocess.PIPE,
                       preexec_fn=lambda: os.close(1))
    assert result.returncode == 1
    assert [f["code"] for f in json.loads(report.read_bytes())] == ["DFM004"]


@needs_dev_full
def test_standard_output_full_when_linting(bad: Path) -> None:
    with DEV_FULL.open("wb") as full:
        result = dfmemlint(bad, stdout=full, capture_output=False, stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert one_error_line(result.stderr) == (
        "Error: cannot write standard output (No space left on device); no file was changed"
    )


@needs_dev_full
def test_standard_output_full_when_fixing_names_the_changed_files(bad: Path) -> None:
    with DEV_FULL.open("wb") as full:
        result = dfmemlint("--fix", bad, stdout=full, capture_output=False,
                           stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert one_error_line(result.stderr) == (
        f"Error: cannot write standard output (No space left on device); the fixes were "
        f"written to {bad}"
    )
    assert bad.read_bytes() == FIXED


@needs_dev_full
def test_fixed_standard_input_to_a_full_output() -> None:
    with DEV_FULL.open("wb") as full:
        result = dfmemlint("--fix", "-", input=BAD, stdout=full, capture_output=False,
                           stderr=subprocess.PIPE)
    assert result.returncode == 2
    assert "cannot write standard output" in one_error_line(result.stderr)


# --------------------------------------------------------------------------- --output


def test_output_to_a_missing_directory_changes_nothing(
    capsys: pytest.CaptureFixture[str], bad: Path, tmp_path: Path
) -> None:
    target = tmp_path / "nowhere" / "r.txt"
    code, out, err = run(capsys, "--fix", "--output", str(target), str(bad))
    assert code == 2
    assert out == ""
    assert err == (
        f"Error: cannot write the report to {target} (No such file or directory); "
        "nothing was changed\n"
    )
    assert bad.read_bytes() == BAD


@needs_dev_full
def test_output_to_a_full_device_names_the_changed_files(bad: Path) -> None:
    result = dfmemlint("--fix", "--output", DEV_FULL, bad)
    assert result.returncode == 2
    assert one_error_line(result.stderr) == (
        f"Error: cannot write the report to {DEV_FULL} (No space left on device); the fixes "
        f"were written to {bad}"
    )
    assert bad.read_bytes() == FIXED


@pytest.mark.parametrize("through_link", [False, True], ids=["same-name", "symlink"])
def test_output_naming_a_linted_file_is_refused(
    capsys: pytest.CaptureFixture[str], bad: Path, tmp_path: Path, through_link: bool
) -> None:
    output = bad
    if through_link:
        output = tmp_path / "report.txt"
        output.symlink_to(bad.name)
    code, out, err = run(capsys, "--fix", "--output", str(output), str(bad))
    assert code == 2
    assert out == ""
    assert err == (
        f"Error: Invalid value for '--output-file': {str(output)!r} is one of the files being "
        "linted; nothing was changed\n"
    )
    assert bad.read_bytes() == BAD


# --------------------------------------------------------------------------- regular files only


def test_fifo_in_a_searched_directory_is_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "Dockerfile")
    (tmp_path / "app.dockerfile").write_bytes(BAD)
    result = dfmemlint("--format", "json", tmp_path)
    assert result.returncode == 1
    assert [Path(f["path"]).name for f in json.loads(result.stdout)] == ["app.dockerfile"]
    assert result.stderr.decode() == (
        f"Warning: {tmp_path / 'Dockerfile'}: skipped: a named pipe (FIFO), not a regular file\n"
    )


@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
def test_fifo_named_on_the_command_line(tmp_path: Path, fix: bool) -> None:
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    other = tmp_path / "other.dockerfile"
    other.write_bytes(BAD)
    result = dfmemlint(*(["--fix"] if fix else []), fifo, other)
    assert result.returncode == 2  # the FIFO is an input error; the other file is still done
    assert one_error_line(result.stderr) == (
        f"Error: {fifo}: a named pipe (FIFO), not a regular file; nothing read"
    )
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO, not replaced by a file
    assert other.read_bytes() == (FIXED if fix else BAD)


def test_a_file_replaced_by_a_fifo_after_it_was_found(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Opened without waiting for a writer, then checked: no hang."""
    path = tmp_path / "Dockerfile"
    os.mkfifo(path)
    monkeypatch.setattr(f"{CHECK}.expand_paths", lambda paths, **_: list(paths))
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert err == f"Error: {path}: a named pipe (FIFO), not a regular file; nothing read\n"


# --------------------------------------------------------------------------- reached twice


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "dot-slash", "directory"])
def test_a_file_reached_twice_is_linted_and_fixed_once(
    capsys: pytest.CaptureFixture[str], bad: Path, tmp_path: Path, kind: str
) -> None:
    other = tmp_path / "link.dockerfile"
    if kind == "symlink":
        other.symlink_to(bad.name)
        second = str(other)
    elif kind == "hardlink":
        os.link(bad, other)
        second = str(other)
    elif kind == "dot-slash":
        second = str(tmp_path / "." / "Dockerfile")
    else:
        second = str(tmp_path)
    code, out, err = run(capsys, "--format", "json", str(bad), second)
    assert code == 1
    assert [f["path"] for f in json.loads(out)] == [str(bad)]
    code, _, err = run(capsys, "--fix", "--statistics", str(bad), second)
    assert code == 0
    assert "Fixed 1 finding (0 remaining)." in err
    assert bad.read_bytes() == FIXED


# --------------------------------------------------------------------------- unreadable files


def test_missing_path_next_to_a_good_one(
    capsys: pytest.CaptureFixture[str], bad: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "gone" / "Dockerfile"
    code, out, err = run(capsys, "--format", "json", str(missing), str(bad))
    assert code == 2
    # The missing path is in the report too, as an input error (tests/test_input_errors.py).
    assert [(f["code"], f["name"]) for f in json.loads(out)] == [
        (None, "input-error"), ("DFM004", "gomemlimit-malformed")
    ]
    assert err == f"Error: {missing}: no such file or directory\n"


def test_unreadable_file_next_to_a_good_one(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bad: Path,
    tmp_path: Path,
) -> None:
    """Permission bits do not stop root, so the refusal comes from ``open`` itself."""
    locked = tmp_path / "locked.dockerfile"
    locked.write_bytes(BAD)
    real_open = os.open

    def deny(path: str, flags: int, *args: int) -> int:
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    code, _, err = run(capsys, "--fix", str(locked), str(bad))
    assert code == 2
    assert err.splitlines()[0] == f"Error: {locked}: cannot read: Permission denied"
    assert "Fixed 1 finding (0 remaining); 1 path could not be read." in err
    assert bad.read_bytes() == FIXED
    assert locked.read_bytes() == BAD


def test_file_that_vanishes_after_it_was_found(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    bad: Path,
    tmp_path: Path,
) -> None:
    doomed = tmp_path / "doomed.dockerfile"
    doomed.write_bytes(BAD)
    def expand_then_delete(paths: object, **kwargs: object) -> list[str]:
        found = expand_paths(paths, **kwargs)  # type: ignore[arg-type]
        doomed.unlink()
        return found

    monkeypatch.setattr(f"{CHECK}.expand_paths", expand_then_delete)
    code, out, err = run(capsys, "--format", "json", str(tmp_path))
    assert code == 2
    assert [Path(f["path"]).name for f in json.loads(out)] == ["doomed.dockerfile", "Dockerfile"]
    assert err == f"Error: {doomed}: cannot read: No such file or directory\n"


# --------------------------------------------------------------------------- writing fixes


def test_an_edit_made_while_fixing_is_not_overwritten(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: Path
) -> None:
    edited = BAD + b"# the user's edit\n"

    def fix_while_user_edits(*args: object, **kwargs: object) -> object:
        outcome = fix_file(*args, **kwargs)  # type: ignore[arg-type]
        bad.write_bytes(edited)
        return outcome

    monkeypatch.setattr("dfmemlint.fix.fixer.fix_file", fix_while_user_edits)
    code, _, err = run(capsys, "--fix", str(bad))
    assert code == 2
    assert (
        f"Error: cannot write {bad}: changed on disk while dfmemlint was fixing it; the fix was "
        "not written (run again)"
    ) in err
    assert "Fixed 0 findings (1 remaining); the fixes to 1 file were not written." in err
    assert bad.read_bytes() == edited


def test_a_same_size_edit_within_one_time_stamp_is_seen(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: Path
) -> None:
    edited = BAD.replace(b"alpine:3.20", b"alpine:3.21")
    before = bad.stat()

    def fix_while_user_edits(*args: object, **kwargs: object) -> object:
        outcome = fix_file(*args, **kwargs)  # type: ignore[arg-type]
        bad.write_bytes(edited)
        os.utime(bad, ns=(before.st_atime_ns, before.st_mtime_ns))
        return outcome

    monkeypatch.setattr("dfmemlint.fix.fixer.fix_file", fix_while_user_edits)
    code, _, err = run(capsys, "--fix", str(bad))
    assert code == 2
    assert "changed on disk while dfmemlint was fixing it" in err
    assert bad.read_bytes() == edited


def test_hard_link_is_replaced_by_a_new_file(
    capsys: pytest.CaptureFixture[str], bad: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    os.link(bad, other)
    code, _, err = run(capsys, "--fix", str(bad))
    assert code == 0
    assert (
        f"Warning: {bad}: fixed as a new file; the old content stays under its 1 other hard link\n"
    ) in err
    assert bad.read_bytes() == FIXED
    assert other.read_bytes() == BAD
    assert bad.stat().st_ino != other.stat().st_ino


# --------------------------------------------------------------------------- names


NASTY = "x\n::error title=injected::Dockerfile"


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_a_name_with_a_newline_stays_on_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, output_format: str
) -> None:
    (tmp_path / NASTY).write_bytes(BAD)
    code, out, err = run(capsys, "--format", output_format, str(tmp_path / NASTY))
    assert code == 1
    assert not [line for line in (out + err).splitlines() if line.startswith("::error title=inj")]
    if output_format == "text":  # a control picture stands for the newline
        assert out.startswith(f"{tmp_path}/x\u240a::error title=injected::Dockerfile:6:16: DFM004")


def test_a_name_with_a_newline_in_diff_headers_and_messages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # A dfmemlint comment above a parser directive ends the directive block: a note names the
    # file.
    directive = b"# syntax=docker/dockerfile:1\n"
    Path(NASTY).write_bytes(b"# dfmemlint: global ignore=DFM001\n" + directive + BAD)
    code, out, err = run(capsys, "--diff", NASTY)
    assert code == 1
    assert out.splitlines()[:2] == [
        '--- "a/x\\n::error title=injected::Dockerfile"',
        '+++ "b/x\\n::error title=injected::Dockerfile"',
    ]
    assert not [line for line in err.splitlines() if line.startswith("::")]
    assert "x\u240a::error title=injected::Dockerfile:2: the 'syntax' parser directive" in err
    # git reads the quoted names back.
    patch = subprocess.run(["git", "apply", "--stat", "-"], input=out.encode(),
                           capture_output=True, check=False)
    if patch.returncode != 127:
        assert patch.returncode == 0, patch.stderr


def test_quote_path() -> None:
    quote = files_module.quote_path
    assert quote("svc/Dockerfile") == "svc/Dockerfile"
    assert quote("a\tb\\c\"d") == '"a\\tb\\\\c\\"d"'
    assert quote("esc\x1b[31m") == '"esc\\033[31m"'
    assert quote("caf\udcc3") == '"caf\\303"'  # an undecodable byte of the name
    assert quote("line\u2028sep") == '"line\\342\\200\\250sep"'


# --------------------------------------------------------------------------- more kinds


def test_a_device_named_on_the_command_line(
    capsys: pytest.CaptureFixture[str], bad: Path
) -> None:
    code, out, err = run(capsys, "--format", "json", os.devnull, str(bad))
    assert code == 2
    assert [(f["path"], f["code"]) for f in json.loads(out)] == [
        (os.devnull, None), (str(bad), "DFM004")
    ]
    assert err == f"Error: {os.devnull}: a device, not a regular file; nothing read\n"


def test_a_socket_in_a_searched_directory_is_skipped(
    capsys: pytest.CaptureFixture[str], bad: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a socket's path must be short
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("app.dockerfile")
        code, out, err = run(capsys, "--format", "json", ".")
    assert code == 1
    assert [f["path"] for f in json.loads(out)] == ["Dockerfile"]
    assert err == "Warning: app.dockerfile: skipped: a socket, not a regular file\n"


def test_a_path_through_a_file(capsys: pytest.CaptureFixture[str], bad: Path) -> None:
    code, _, err = run(capsys, str(bad / "Dockerfile"))
    assert code == 2
    assert err == f"Error: {bad / 'Dockerfile'}: cannot read: Not a directory\n"


def test_standard_input_that_cannot_be_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Failing(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise OSError(5, "Input/output error")

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(Failing()))
    code, out, err = run(capsys, "-")
    assert code == 2
    assert out == "Nothing was linted: 1 path could not be read.\n"
    assert err == "Error: standard input: cannot read: Input/output error\n"


def test_no_temporary_file_can_be_made(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: Path
) -> None:
    import tempfile

    def refuse(**_: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, _, err = run(capsys, "--fix", str(bad))
    assert code == 2
    assert (
        f"Error: cannot write {bad}: cannot create a file in {bad.parent} (Permission denied); "
        "nothing was changed"
    ) in err
    assert bad.read_bytes() == BAD


def test_an_edit_made_while_the_fixed_file_is_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: Path
) -> None:
    """The file is checked again just before the rename; the temporary file is removed."""
    real_fsync = os.fsync
    edited = BAD + b"# late edit\n"

    def fsync_while_user_edits(fd: int) -> None:
        real_fsync(fd)
        bad.write_bytes(edited)

    monkeypatch.setattr(os, "fsync", fsync_while_user_edits)
    code, _, err = run(capsys, "--fix", str(bad))
    assert code == 2
    assert "changed on disk while dfmemlint was fixing it" in err
    assert bad.read_bytes() == edited
    assert sorted(p.name for p in bad.parent.iterdir()) == ["Dockerfile"]


def test_standard_output_failing_in_process(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, bad: Path
) -> None:
    """A stream without a file descriptor (as under a test runner) is left alone."""

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    code = main(["--no-color", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "Error: cannot write standard output (No space left on device); no file was changed\n"
    )


@needs_dev_full
@pytest.mark.parametrize(
    "args",
    [["budget", "512MiB"], ["rules"], ["rule", "DFM004"], ["--version"]],
    ids=["budget", "rules", "rule", "version"],
)
def test_every_command_to_a_full_output(args: list[str]) -> None:
    with DEV_FULL.open("wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "dfmemlint", *args], stdout=full, stderr=subprocess.PIPE,
            timeout=60, check=False,
        )
    assert result.returncode == 2
    assert result.stderr.decode() == "Error: cannot write the output (No space left on device)\n"


def test_a_file_error_no_command_reported(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise FileNotFoundError(2, "No such file or directory", "/gone/budget.md")

    monkeypatch.setattr("dfmemlint.commands.budget.budget_text", fail)
    code = main(["budget", "512MiB"])
    assert code == 2
    assert capsys.readouterr().err == "Error: /gone/budget.md: No such file or directory\n"
