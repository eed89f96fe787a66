"""Hostile input: every case ends with a message and an exit code, never with a traceback.

Each case runs ``dfmemlint.cli.main([...])`` in-process (a real process where standard input is
involved). Exit codes: 0 clean, 1 findings, 2 unreadable input. The cases whose cost grows with
the input also check that it grows linearly: the CPU time of the process at size N and 4N, the
ratio below 8 (no absolute timings; CPU time, so that other work on the machine does not count;
see ``assert_linear``).

Notes on what dfmemlint does, as these tests pin it:

* Bytes that are not text (random bytes, NUL, invalid UTF-8) are read the way BuildKit reads
  them: its parser accepts any bytes, so such a file is clean unless it breaks a parser rule
  (DFM000), and ``--fix`` keeps every byte it does not edit.
* ``--fix`` on a read-only file refuses to write (exit 2) even for root, who could replace the
  file anyway: dfmemlint checks the mode bits as well as ``os.access``.
* A symbolic link loop named on the command line is an input error (exit 2, one line). Inside a
  searched directory, linked directories are not followed (no endless walk); a loop whose name
  looks like a Dockerfile is reported as unreadable (exit 2, one line).
"""

from __future__ import annotations

import gc
import json
import os
import random
import stat
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

from dfmemlint.cli import main

KIB = 1024
MIB = 1024 * KIB

BUILD = b"FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n"
FINAL = b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
BAD = BUILD + b"\n" + FINAL  # DFM004 at 8:16
BAD_LINE = 8
FINAL_ENV = b'ENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'


# --------------------------------------------------------------------------- helpers


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args, "--no-color")


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, _ = run(capsys, "--format", "json", *args)
    loaded = json.loads(out)
    assert isinstance(loaded, list)
    return code, loaded


def summary(found: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    return [(f["code"], f["line"], f["column"]) for f in found]


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def cpu_seconds(action: Callable[[], object], at_least: float) -> float:
    """CPU seconds of one call, averaged over as many calls as ``at_least`` seconds take."""
    calls = 0
    start = time.process_time()
    while True:
        action()
        calls += 1
        spent = time.process_time() - start
        if spent >= at_least:
            return spent / calls


# What --fix computes, without writing (so every measured run fixes the same file).
FIX_ARGS = ("--diff", "--unsafe-fixes", "--memory-limit", "512MiB")


def assert_linear(
    make: Callable[[int], bytes],
    n: int,
    tmp_path: Path,
    *,
    rounds: int = 3,
    at_least: float = 0.0,
    fix: bool = False,
) -> None:
    """Linting ``make(4n)`` takes under 8 times the CPU time of linting ``make(n)``; with
    ``fix``, computing every fix does.

    Work that grows linearly takes 4 times as long at 4 times the size, quadratic work 16 times:
    8 lies halfway between them on a log scale, so noise would have to double one measurement
    against the other to fail a linear run, and a quadratic part is caught as soon as it is as
    large as the linear part at size ``2n`` (as "under 3 times at twice the size" caught it).
    The sizes are measured alternately in one run (small, large, small, …): each large
    measurement is compared with the mean of the small ones just before and after it, which
    ran under the same load, and the median of ``rounds`` (at least 3) such ratios is judged,
    so one measurement disturbed by other work on the machine decides nothing.
    """
    paths = [write(tmp_path / f"size{size}.Dockerfile", make(size)) for size in (n, 4 * n)]
    mode = FIX_ARGS if fix else ("--format", "json")

    def lint(path: str) -> Callable[[], object]:
        def action() -> None:
            code = main([*mode, "--output", os.devnull, "--exit-zero", path])
            assert code == 0

        return action

    small, large = (lint(path) for path in paths)
    ratios: list[float] = []
    smalls: list[float] = []
    # The objects earlier tests left in this process are set aside, so the garbage collector's
    # full passes (which scan every live object) time this run, not the size of the test session.
    gc.collect()
    gc.freeze()
    try:
        before = cpu_seconds(small, at_least)
        for _ in range(max(rounds, 3)):
            spent = cpu_seconds(large, at_least)
            after = cpu_seconds(small, at_least)
            ratios.append(spent / ((before + after) / 2))
            smalls.append(before)
            before = after
    finally:
        gc.unfreeze()
    ratio = statistics.median(ratios)
    assert ratio < 8, (
        f"size {4 * n} takes {ratio:.1f} times as long as size {n} (median of "
        f"{', '.join(f'{r:.2f}' for r in ratios)}; size {n}: {min(smalls):.3f}s)"
    )


@pytest.mark.parametrize("quadratic", [False, True], ids=["linear", "quadratic"])
def test_assert_linear_tells_quadratic_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quadratic: bool
) -> None:
    """assert_linear itself, on a stand-in for the linter whose work is known: one that also
    looks, for every line, at every line before it fails it; one that reads each line a fixed
    number of times passes."""

    def stand_in(args: list[str]) -> int:
        lines = Path(args[-1]).read_bytes().split(b"\n")
        for _ in range(20):
            b"".join(lines).count(b"\n")
        if quadratic:
            for i in range(len(lines)):
                lines[:i].count(b"")  # C speed: invisible to a count of Python operations
        return 0

    monkeypatch.setattr(sys.modules[__name__], "main", stand_in)

    def make(lines: int) -> bytes:
        return b"LABEL a=b\n" * lines

    if quadratic:
        with pytest.raises(AssertionError, match="times as long"):
            assert_linear(make, 2_000, tmp_path, at_least=0.05)
    else:
        assert_linear(make, 2_000, tmp_path, at_least=0.05)


# --------------------------------------------------------------------------- paths


def test_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "Dockerfile"
    code, out, err = run(capsys, str(missing))
    assert code == 2
    assert out == "Nothing was linted: 1 path could not be read.\n"
    assert err == f"Error: {missing}: no such file or directory\n"


def test_directory_without_dockerfiles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "README.md").write_text("# Dockerfile\n", encoding="utf-8")
    (tmp_path / "Dockerfile.md").write_bytes(BAD)
    (tmp_path / ".dockerignore").write_text("*\n", encoding="utf-8")
    for skipped in (".git", "node_modules"):
        (tmp_path / skipped).mkdir()
        (tmp_path / skipped / "Dockerfile").write_bytes(BAD)
    code, out, err = run(capsys, str(tmp_path))
    assert code == 2
    # Reported in every format (tests/test_input_errors.py), and never as "All checks passed".
    assert out == "Nothing was linted: 1 path could not be read.\n"
    assert err == (
        f"Error: {tmp_path}: no Dockerfiles, Kubernetes manifests or Compose files found in this "
        "directory\n"
    )


# --------------------------------------------------------------------------- bytes


def test_binary_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Was linted as a Dockerfile (DFM000 with a page of junk); a binary file is an input error.
    data = random.Random(20240601).randbytes(256 * KIB)
    nul = data.index(b"\0")
    with pytest.raises(UnicodeDecodeError) as not_utf8:
        data.decode("utf-8")
    bad = not_utf8.value.start
    path = write(tmp_path / "blob.Dockerfile", data)
    for extra in ([], ["--fix"]):
        code, out, err = run(capsys, *extra, path)
        assert code == 2
        assert out == "Nothing was linted: 1 path could not be read.\n"
        assert err.splitlines()[0] == (
            f"Error: {path}: a binary file (a NUL byte at offset {nul}, bytes that are not UTF-8 "
            f"at offset {bad}), not a Dockerfile"
        )
        assert err.splitlines()[1:] == (
            ["Fixed 0 findings (0 remaining); 1 path could not be read."] if extra else []
        )
        assert Path(path).read_bytes() == data


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_binary_file_text_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, output_format: str
) -> None:
    path = write(tmp_path / "blob.Dockerfile", b"FROM alpine\n\xff\xfe x\n")
    code, _, _ = run(capsys, "--format", output_format, path)
    assert code == 1
    code, _, _ = run(capsys, "--format", output_format, "--output", str(tmp_path / "out"), path)
    assert code == 1


def test_binary_on_standard_input(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(64 * KIB)
    result = subprocess.run(
        [sys.executable, "-m", "dfmemlint", "--format", "json", "-"],
        input=data, capture_output=True, timeout=120, check=False,
    )
    assert b"Traceback" not in result.stderr
    assert result.returncode == 2
    [entry] = json.loads(result.stdout)
    assert (entry["path"], entry["name"]) == ("-", "input-error")
    assert entry["message"].startswith("a binary file")
    assert result.stderr.startswith(b"Error: standard input: a binary file")


@pytest.mark.parametrize(
    "data",
    [b"", b"\n\n\n", b"   \t\n  \n", b"\xef\xbb\xbf"],
    ids=["empty", "blank-lines", "whitespace", "bom-only"],
)
def test_empty_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes) -> None:
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    [finding] = found
    assert finding["code"] == "DFM000"
    assert "file with no instructions" in finding["message"]


def test_only_comments(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = b"# syntax=docker/dockerfile:1\n# FROM golang:1.22\n\n# ENV GOMEMLIMIT=512MB\n"
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    [finding] = found
    assert finding["code"] == "DFM000"
    assert "file with no instructions" in finding["message"]


@pytest.mark.parametrize(
    "junk",
    [b"\xff\xfe\xc3\x28\xed\xa0\x80", b"a\0b\0\0c", b"a\x01b\x7f\x1b[2Jc"],
    ids=["invalid-utf8", "nul-bytes", "control-characters"],
)
def test_junk_bytes_are_kept_by_the_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, junk: bytes
) -> None:
    data = BUILD.replace(b"WORKDIR /src", b"LABEL note=" + junk).replace(
        b"go build", b"echo " + junk + b" && go build"
    ) + b"\n" + FINAL
    path = write(tmp_path / "Dockerfile", data)
    code, found = findings(capsys, path)
    assert code == 1
    assert summary(found) == [("DFM004", BAD_LINE, 16)]
    code, _, _ = run(capsys, "--fix", path)
    assert code == 0
    assert Path(path).read_bytes() == data.replace(b"=512MB", b"=512MiB")


# --------------------------------------------------------------------------- size


def test_line_longer_than_buildkit_reads(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def make(size: int) -> bytes:
        return b"FROM alpine\nRUN echo " + b"a" * size + b"\n"

    code, found = findings(capsys, write(tmp_path / "Dockerfile", make(70 * KIB)))
    assert code == 1
    [finding] = found
    assert (finding["code"], finding["line"]) == ("DFM000", 2)
    assert "dockerfile line greater than max allowed size of 65535" in finding["message"]
    assert_linear(make, 70 * KIB, tmp_path, at_least=0.1)


@pytest.mark.parametrize(("length", "rejected"), [(65535, False), (65536, True)])
def test_line_length_limit_is_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, length: int, rejected: bool
) -> None:
    line = b"LABEL x=" + b"a" * (length - len(b"LABEL x="))
    assert len(line) == length
    code, found = findings(capsys, write(tmp_path / "Dockerfile", b"FROM alpine\n" + line + b"\n"))
    assert [f["code"] for f in found] == (["DFM000"] if rejected else [])
    assert code == int(rejected)


def test_long_first_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = b"RUN echo " + b"a" * (70 * KIB) + b"\nFROM alpine\n"
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    [finding] = found
    assert (finding["code"], finding["line"]) == ("DFM000", 1)
    # BuildKit stops at such a line; with nothing read before it, its own error is "file with
    # no instructions". The message keeps BuildKit's words and names the real cause.
    assert "file with no instructions" in finding["message"]
    assert "Line 1 is longer than the 65,535 bytes" in finding["message"]


def test_ten_megabyte_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """10 MiB in about 33,000 instructions (LABEL of 900 bytes, COPY, RUN); the finding last."""
    chunk = b'LABEL description="' + b"v" * 900 + b'"\nCOPY src/ /dst/\nRUN echo step\n'

    def make(size: int) -> bytes:
        return BUILD + chunk * (size // len(chunk)) + b"\n" + FINAL

    data = make(10 * MIB)
    assert len(data) >= 10 * MIB - KIB
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert summary(found) == [("DFM004", data.count(b"\n") - 1, 16)]
    assert_linear(make, 5 * MIB // 2, tmp_path)


@pytest.mark.parametrize(("keyword", "count"), [(b"ENV", 5_000), (b"ARG", 3_000)])
def test_many_env_and_arg_instructions(tmp_path: Path, keyword: bytes, count: int) -> None:
    def make(count: int) -> bytes:
        body = b"".join(b"%s V%d=%d\n" % (keyword, i, i) for i in range(count))
        return BUILD + b"\n" + FINAL.replace(b"ENV GOMEMLIMIT", body + b"ENV GOMEMLIMIT")

    assert_linear(make, count // 2, tmp_path)


def test_many_small_instructions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """About 40,000 short RUN, COPY and LABEL instructions per MiB."""
    chunk = b'RUN echo "step" && ls -la /tmp\nCOPY x /y\nLABEL a=b\n'

    def make(size: int) -> bytes:
        return BUILD + chunk * (size // len(chunk)) + b"\n" + FINAL

    data = make(MIB // 2)
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert summary(found) == [("DFM004", data.count(b"\n") - 1, 16)]
    assert_linear(make, MIB // 4, tmp_path)


def test_hundred_thousand_continuation_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def make(lines: int) -> bytes:
        # Comment and blank lines inside a continuation are skipped, as BuildKit does.
        body = b"".join(
            b"    # step %d\n" % i if i % 10 == 5 else b"\n" if i % 10 == 7 else b"    -x \\\n"
            for i in range(lines)
        )
        return BUILD.replace(b"RUN go build", b"RUN go build \\\n" + body + b"    ") + b"\n" + FINAL

    data = make(100_000)
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert summary(found) == [("DFM004", data.count(b"\n") - 1, 16)]
    assert_linear(make, 25_000, tmp_path)


def test_deeply_nested_substitution_in_from(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def make(levels: int) -> bytes:
        # ${A:-${A:-...golang:1.22...}}: 10,000 levels stay under BuildKit's 64 KiB line.
        image = b"${A:-" * levels + b"golang:1.22" + b"}" * levels
        return BAD.replace(b"FROM golang:1.22", b"FROM " + image, 1)

    data = make(10_000)
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert summary(found) == [("DFM004", BAD_LINE, 16)]
    # Unclosed: no traceback either.
    unclosed = b"FROM " + b"${A:-" * 10_000 + b"golang:1.22 AS build\n" + FINAL
    code, found = findings(capsys, write(tmp_path / "unclosed.Dockerfile", unclosed))
    assert code in (0, 1)
    assert {f["code"] for f in found} <= {"DFM000", "DFM004"}
    assert_linear(make, 2_500, tmp_path, at_least=0.1)


def test_ten_thousand_stages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    def make(stages: int) -> bytes:
        return b"".join(
            b"FROM golang:1.22 AS s%d\nCOPY --from=s%d /src /src\nRUN go build -o /app .\n"
            % (i, max(i - 1, 0)) for i in range(stages)
        ) + FINAL.replace(b"--from=build", b"--from=s%d" % (stages - 1))

    data = make(10_000)
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert summary(found) == [("DFM004", 30_003, 16)]
    assert_linear(make, 2_500, tmp_path)


def test_long_chain_of_stages_built_on_each_other(tmp_path: Path) -> None:
    def make(stages: int) -> bytes:
        chain = b"".join(b"FROM s%d AS s%d\nRUN true\n" % (i - 1, i) for i in range(1, stages))
        return b"FROM golang:1.22 AS s0\nRUN go build -o /app .\n" + chain + FINAL_ENV

    assert_linear(make, 100, tmp_path)


# --------------------------------------------------------------------------- links and modes


def test_symlink_loop_as_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first, second = tmp_path / "Dockerfile", tmp_path / "Dockerfile.other"
    first.symlink_to(second.name)
    second.symlink_to(first.name)
    code, out, err = run(capsys, str(first))
    assert code == 2
    assert out == "Nothing was linted: 1 path could not be read.\n"
    assert err.count("\n") == 1
    assert err.startswith(f"Error: {first}: ")
    assert "symbolic link" in err


def test_symlink_loops_in_a_searched_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_bytes(BAD)
    (tmp_path / "svc" / "parent").symlink_to("..", target_is_directory=True)
    (tmp_path / "here").symlink_to(".", target_is_directory=True)
    (tmp_path / "self").symlink_to("self")
    code, found = findings(capsys, str(tmp_path))
    assert code == 1
    assert [(Path(f["path"]).relative_to(tmp_path).as_posix(), f["code"]) for f in found] == [
        ("svc/Dockerfile", "DFM004")
    ]
    # A loop named like a Dockerfile is skipped with a one-line warning; the rest is linted.
    (tmp_path / "Dockerfile.loop").symlink_to("Dockerfile.loop")
    code, out, err = run(capsys, str(tmp_path))
    assert code == 1
    assert err.count("\n") == 1
    assert "Dockerfile.loop: skipped: symbolic link loop" in err
    assert "svc/Dockerfile" in out


def test_fix_on_a_read_only_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(BAD)
    path.chmod(0o444)
    try:
        code, _, err = run(capsys, "--fix", str(path))
        assert code == 2
        assert f"{path}: the file is read-only; nothing was changed" in err
        assert path.read_bytes() == BAD
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
        assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]  # no temporary file left
    finally:
        path.chmod(0o644)


# --------------------------------------------------------------------------- huge numbers

DIGITS = "1" * 5_000  # Python refuses to convert more than 4,300 digits to int


@pytest.mark.parametrize(
    "value",
    [f"{DIGITS}M", f"{DIGITS}MiB", DIGITS, f"{DIGITS}.5GiB", f"1.{DIGITS}GiB", f"+{DIGITS}MiB"],
    ids=["M", "MiB", "bytes", "decimal", "long-fraction", "plus"],
)
def test_huge_gomemlimit_is_malformed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    path = write(tmp_path / "Dockerfile", FINAL.replace(b"512MB", value.encode()))
    code, found = findings(capsys, path)
    assert code == 1
    assert summary(found) == [("DFM004", 3, 16)]
    assert found[0]["fix"] is None  # nothing Go can read is near it


def test_huge_gomemlimit_from_a_build_arg(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = FINAL.replace(b"ENV GOMEMLIMIT=512MB", b"ARG L=1MiB\nENV GOMEMLIMIT=$L")
    path = write(tmp_path / "Dockerfile", data)
    code, found = findings(capsys, "--build-arg", f"L={DIGITS}MB", path)
    assert code == 1
    assert [f["code"] for f in found] == ["DFM004"]


@pytest.mark.parametrize(
    "size",
    [DIGITS, f"{DIGITS}Mi", f"{DIGITS}M", f"1.{DIGITS}Gi", f"1e{DIGITS}", "0" * 5_000 + "1Gi"],
    ids=["bytes", "Mi", "ambiguous-M", "fraction", "exponent", "leading-zeros"],
)
def test_huge_memory_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path, size: str) -> None:
    path = write(tmp_path / "Dockerfile", BAD)
    for args in (["--memory-limit", size, path], ["budget", size]):
        code = main(args)
        out, err = capsys.readouterr()
        if size.startswith("0"):  # 1 GiB written with 5,000 leading zeros is still 1 GiB
            assert code == (1 if args[0] == "--memory-limit" else 0)
            continue
        assert code == 2
        assert out == ""
        assert err.count("\n") == 1
        given = "--memory-limit" if args[0] == "--memory-limit" else "SIZE"
        assert err.startswith(f"Error: Invalid value for '{given}': memory limit '")
        assert len(err) < 400  # the value is shortened, not printed 5,000 digits long


def test_huge_memory_limit_comment(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = b"# dfmemlint: memory-limit=" + DIGITS.encode() + b"Mi\n" + BAD
    code, out, _ = run(capsys, "--format", "json", write(tmp_path / "Dockerfile", data))
    assert code == 1
    (comment,) = [f for f in json.loads(out) if f["code"] == "DFM017"]
    assert "memory limit '111" in comment["message"]
    assert "is out of range" in comment["message"]
    assert len(comment["message"]) < 400  # the value is shortened


def test_huge_memory_limit_in_configuration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "Dockerfile", BAD)
    for value in (DIGITS, f'"{DIGITS}MiB"'):
        (tmp_path / ".dfmemlint.toml").write_text(f"memory-limit = {value}\n", encoding="utf-8")
        code, out, err = run(capsys, path)
        assert code == 2
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith(f"Error: {tmp_path / '.dfmemlint.toml'}: ")


def test_huge_stage_index_and_heredoc_descriptor(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = (
        f"FROM {DIGITS}\nRUN {DIGITS}<<EOF\nGOMEMLIMIT=1 true\nEOF\n".encode()
        + BAD
    )
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert [f["code"] for f in found] == ["DFM004"]


def test_budget_of_a_negative_size(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["budget", "-1"], ["budget", "-1", "--format", "json"], ["budget", "-0.5Gi"]):
        code = main(args)
        out, err = capsys.readouterr()
        assert code == 2
        assert out == ""
        assert err == (
            f"Error: Invalid value for 'SIZE': memory limit {args[1]!r} must be more than 0 bytes\n"
        )
    code = main(["budget", "512MiB", "--ratio", "-0.5"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("Error: ")
    assert err.count("\n") == 1


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"ratio = 0.5\n# caf\xe9\n", "not UTF-8 text (byte 18 of the file)"),
        ("ratio = 0.5\n".encode("utf-16"), "not UTF-8 text (byte 1 of the file)"),
        (b"x = " + b"[" * 5_000 + b"]" * 5_000 + b"\n", "nested too deeply"),
        (b"ratio = " + DIGITS.encode() + b"\n", "a number too long to read"),
    ],
    ids=["latin-1", "utf-16", "nested", "long-number"],
)
def test_configuration_that_cannot_be_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, problem: str
) -> None:
    config = tmp_path / ".dfmemlint.toml"
    config.write_bytes(content)
    code, out, err = run(capsys, write(tmp_path / "Dockerfile", BAD))
    assert code == 2
    assert out == ""
    assert err == f"Error: {config}: not valid TOML: {problem}\n"


# --------------------------------------------------------------------------- wrong answers

GO_BUILD = b"FROM golang:1.22 AS build\nRUN go build -o /app .\n"


def test_a_fix_to_a_global_arg_is_applied(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The value comes from the default of an ARG before the first FROM: the fix advertised on
    it is the fix --fix applies."""
    data = (
        b"ARG L=512MB\n" + GO_BUILD
        + b'FROM alpine\nARG L\nCOPY --from=build /app /app\nENV GOMEMLIMIT=$L\nCMD ["/app"]\n'
    )
    path = write(tmp_path / "Dockerfile", data)
    code, found = findings(capsys, path)
    assert code == 1
    assert summary(found) == [("DFM004", 1, 7)]
    assert found[0]["fix"]["applicability"] == "safe"
    code, _, err = run(capsys, "--fix", path)
    assert code == 0
    assert "Fixed 1 finding (0 remaining)." in err
    assert Path(path).read_bytes() == data.replace(b"L=512MB", b"L=512MiB")


def test_a_fix_that_would_not_be_applied_is_not_advertised() -> None:
    """Every fix is checked against the bytes --fix may change; one outside them is shown for
    information (display-only), not counted as fixable."""
    from dfmemlint.dockerfile import model, reader
    from dfmemlint.engine import EditableRanges, _offered
    from dfmemlint.types import Applicability, Edit, Fix

    data = (
        b"# syntax=docker/dockerfile:1\nARG V=1\n"
        b"FROM alpine AS unused\nRUN true\n"
        b"FROM alpine\nCMD [\"/app\"]\n"
    )
    df = reader.read(data)
    editable = EditableRanges(df, model.build(df))
    arg = data.index(b"ARG V")
    unused = data.index(b"RUN true")
    final = data.index(b"FROM alpine\nCMD")
    assert editable.allows(Edit(arg + 6, arg + 7, b"2"))  # the global ARG's default
    assert not editable.allows(Edit(0, 1, b"#"))  # the parser directives
    assert not editable.allows(Edit(unused, unused + 3, b"RUN"))  # a stage BuildKit skips
    assert editable.allows(Edit(final, final, b"ENV A=1\n"))
    assert editable.allows(Edit(len(data), len(data), b"ENV A=1\n"))  # the end of the file
    inside = Fix("t", (Edit(final, final + 4, b"FROM"),), Applicability.SAFE)
    outside = Fix("t", (Edit(unused, unused + 3, b"RUN"),), Applicability.SAFE)
    assert _offered(inside, editable) == inside
    assert _offered(outside, editable) == outside._replace(
        applicability=Applicability.DISPLAY_ONLY
    )
    assert _offered(None, editable) is None


@pytest.mark.parametrize(
    "value",
    [b"\\$512MB", b'"\\$512MiB"', b"\\${X}"],
    ids=["escaped", "escaped-quoted", "escaped-braces"],
)
def test_an_escaped_dollar_is_judged_literally(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: bytes
) -> None:
    """BuildKit leaves ``$512MB`` for ``\\$512MB``: Go rejects it."""
    path = write(tmp_path / "Dockerfile", BAD.replace(b"512MB", value))
    code, found = findings(capsys, path)
    assert code == 1
    assert summary(found) == [("DFM004", BAD_LINE, 16)]
    assert found[0]["fix"] is None


def test_a_variable_left_for_the_shell_is_not_judged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = BAD.replace(b'ENV GOMEMLIMIT=512MB\nCMD ["/app"]', b"CMD GOMEMLIMIT=$LIMIT exec /app")
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 0
    assert found == []


@pytest.mark.parametrize("value", [b"", b'""', b"''"], ids=["bare", "double", "single"])
def test_an_empty_gomemlimit_in_the_final_stage_is_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: bytes
) -> None:
    path = write(tmp_path / "Dockerfile", BAD.replace(b"512MB", value))
    code, found = findings(capsys, path)
    assert code == 1
    assert summary(found) == [("DFM006", BAD_LINE, 5)]
    assert "empty string" in found[0]["message"]
    assert found[0]["fix"] is None  # no limit declared: nothing to compute a value from
    code, found = findings(capsys, "--memory-limit", "512MiB", path)
    assert found[0]["fix"]["applicability"] == "unsafe"
    code, _, _ = run(capsys, "--unsafe-fixes", "--memory-limit", "512MiB", path)
    assert code == 0
    fixed = b'"409MiB"' if value == b'""' else b"'409MiB'" if value == b"''" else b"409MiB"
    assert Path(path).read_bytes() == BAD.replace(b"512MB", fixed)


def test_an_empty_gomemlimit_from_an_unset_build_arg_is_not_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = BAD.replace(b"ENV GOMEMLIMIT=512MB", b"ARG LIMIT\nENV GOMEMLIMIT=$LIMIT")
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 0
    assert found == []


# --------------------------------------------------------------------------- linear time


def _continued(keyword: str, item: Callable[[int], str], last: str) -> Callable[[int], bytes]:
    """An instruction of the final stage continued over ``lines`` lines."""

    def make(lines: int) -> bytes:
        body = "".join(f"{item(i)} \\\n    " for i in range(lines))
        instruction = f"{keyword} {body}{last}\n".encode()
        return BAD.replace(b"ENV GOMEMLIMIT", instruction + b"ENV GOMEMLIMIT")

    return make


CONTINUED = {
    "ENV": _continued("ENV", lambda i: f"K{i}=x", "Z=1"),
    "LABEL": _continued("LABEL", lambda i: f"k{i}=x", "z=1"),
    "COPY": _continued("COPY", lambda i: f"f{i}", "/dst/"),
    "ARG": _continued("ARG", lambda i: f"A{i}=x", "Z=1"),
    "EXPOSE": _continued("EXPOSE", lambda i: str(1000 + i), "80"),
    "RUN-exec": _continued("RUN", lambda i: f'["sh", "a{i}",' if i == 0 else f'"a{i}",', '"z"]'),
}


@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
@pytest.mark.parametrize("shape", sorted(CONTINUED))
def test_instruction_continued_over_many_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str, fix: bool
) -> None:
    """Each token of a continued instruction is placed in its line by a binary search."""
    make = CONTINUED[shape]
    data = make(1_000)
    code, found = findings(capsys, write(tmp_path / "Dockerfile", data))
    assert code == 1
    assert ("DFM004", data.count(b"\n") - 1, 16) in summary(found)
    assert_linear(make, 2_000, tmp_path, at_least=0.1, fix=fix)


@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
def test_chain_of_stages_each_with_env_and_run(tmp_path: Path, fix: bool) -> None:
    """N stages each FROM the previous with an ENV GOGC and a RUN: each ENV busts the cache of
    every later stage (DFM003), counted from the end once, not again for every ENV."""

    def make(stages: int) -> bytes:
        chain = b"".join(
            b"FROM s%d AS s%d\nENV GOGC=%d\nRUN true\n" % (i - 1, i, i) for i in range(1, stages)
        )
        return b"FROM golang:1.22 AS s0\nRUN go build -o /app .\n" + chain + FINAL_ENV

    assert_linear(make, 500, tmp_path, fix=fix)


def test_huge_numbers_in_a_compose_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """mem_limit and environment values of 5,000 digits (decimal, hexadecimal, octal)."""
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n  app:\n    image: golang:1.22\n"
        f"    mem_limit: {DIGITS}\n    environment:\n"
        f"      GOMEMLIMIT: {DIGITS}\n      GOGC: 0x{DIGITS}\n      OTHER: 0{DIGITS}\n",
        encoding="utf-8",
    )
    for args in ([str(compose)], ["alerts", str(tmp_path)]):
        code = main(args)
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert code in (0, 1, 2)


def test_huge_alert_duration(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["budget", "512MiB", "--format", "prometheus", "--for", f"{DIGITS}m"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "longer than Prometheus can represent" in err


def test_huge_container_limit_with_leading_zeros(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["budget", "0" * 5_000 + "8"])
    out, err = capsys.readouterr()
    assert out == ""
    assert code == 2
    assert err.count("\n") == 1
    assert "under 4 MiB" in err
    assert "did you mean 8MiB?" in err


# --------------------------------------------------------------------------- memory


# Runs argv[1:] and prints its exit status and maximum resident set (KiB; bytes on macOS).
_MEASURE_PEAK = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _long_instructions() -> bytes:
    """900-byte LABELs between COPY and RUN steps, in one final stage."""
    chunk = b'LABEL description="' + b"v" * 900 + b'"\nCOPY src/ /dst/\nRUN echo step\n'
    return BUILD + chunk * (10 * MIB // len(chunk)) + b"\n" + FINAL


# A typical two-stage Go image (comments, a continued RUN, exec-form CMD), its stages renamed in
# each copy: some 330,000 short instructions in 44,000 stages.
_STAGES = (
    b"# Build the API server.\nFROM golang:1.22-alpine AS build_%d\nENV GOMEMLIMIT=512MB\n"
    b"WORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
    b'RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/api ./cmd/api\n\n'
    b"# Run it on Alpine.\nFROM alpine:3.20\nRUN apk add --no-cache ca-certificates tzdata \\\n"
    b" && adduser -D -H -u 10001 app\nENV GOGC=150\n"
    b"COPY --from=build_%d /out/api /usr/local/bin/api\nUSER app\nEXPOSE 8080\n"
    b'CMD ["/usr/local/bin/api", "--listen=:8080"]\n\n'
)


def _short_instructions() -> bytes:
    copies = 10 * MIB // len(_STAGES % (0, 0))
    return b"".join(_STAGES % (i, i) for i in range(copies))


@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
@pytest.mark.parametrize(
    "make", [_long_instructions, _short_instructions], ids=["long", "short"]
)
def test_peak_memory_of_a_ten_megabyte_file(
    tmp_path: Path, make: Callable[[], bytes], fix: bool
) -> None:
    """A 10 MiB file takes at most 20 times its size at the peak, linted or fixed (maximum
    resident set size of the process, from wait4): a file of long instructions, and one of
    many short instructions in many stages."""
    data = make()
    assert len(data) >= 10 * MIB - len(_STAGES)
    path = write(tmp_path / "Dockerfile", data)
    mode = list(FIX_ARGS) if fix else ["--format", "json"]
    # The process is measured on its own: coverage's subprocess measurement (on when the suite
    # runs with coverage) would add its tracer's memory to the peak. And it is started by a small
    # go-between: on Linux a child's maximum resident set (wait4's ru_maxrss) starts from the
    # resident set of the process it was forked from, which for pytest is large by now.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS_")}
    command = [sys.executable, "-m", "dfmemlint", *mode, "--exit-zero", path]
    measured = subprocess.run(
        [sys.executable, "-c", _MEASURE_PEAK, *command],
        env=env, capture_output=True, text=True, check=True,
    )
    status, peak_kib = (int(word) for word in measured.stdout.split())
    assert status == 0
    peak = peak_kib * (1 if sys.platform == "darwin" else 1024)  # bytes on macOS
    assert peak <= 20 * len(data), f"peak {peak / MIB:.0f} MiB for {len(data) / MIB:.0f} MiB"
