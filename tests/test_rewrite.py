"""The fixes, case by case.

``tests/fixtures/rewrite/<case>.Dockerfile`` fixed with ``--fix`` and the options in
``<case>.args`` (and a ``<case>.dfmemlint.toml`` beside it, when there is one) must give
``<case>.fixed.Dockerfile`` byte for byte (the input itself when that file is absent), and fixing
again must change nothing. ``DFMEMLINT_REGENERATE=1`` rewrites the expected files.

Below the fixture walk: the base-image table and the choices of the GOMEMLIMIT rewrite.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.dockerfile import images
from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix.rewrite import add_gomemlimit_fix, gomemlimit_value
from dfmemlint.types import Applicability, Fix

FIXTURES = Path(__file__).parent / "fixtures" / "rewrite"
SUFFIX = ".Dockerfile"
FIXED_SUFFIX = ".fixed.Dockerfile"
REGENERATE = os.environ.get("DFMEMLINT_REGENERATE") == "1"
CASES = sorted(
    path for path in FIXTURES.glob(f"*{SUFFIX}") if not path.name.endswith(FIXED_SUFFIX)
)
MiB = 1 << 20


def _case_name(path: Path) -> str:
    return path.name[: -len(SUFFIX)]


def _run_fix(directory: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    code = main(["--fix", "--no-color", *args, str(directory / "Dockerfile")])
    capsys.readouterr()
    return code


@pytest.mark.parametrize("case", CASES, ids=_case_name)
def test_fixture(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = _case_name(case)
    args_file = case.with_name(f"{name}.args")
    args = shlex.split(args_file.read_text()) if args_file.exists() else []
    config = case.with_name(f"{name}.dfmemlint.toml")
    if config.exists():
        (tmp_path / ".dfmemlint.toml").write_bytes(config.read_bytes())
    original = case.read_bytes()
    work = tmp_path / "Dockerfile"
    work.write_bytes(original)

    assert _run_fix(tmp_path, args, capsys) in (0, 1)
    fixed = work.read_bytes()
    expected_file = case.with_name(f"{name}{FIXED_SUFFIX}")
    if REGENERATE:
        if fixed != original:
            expected_file.write_bytes(fixed)
        elif expected_file.exists():
            expected_file.unlink()
    expected = expected_file.read_bytes() if expected_file.exists() else original
    assert fixed == expected

    mtime = work.stat().st_mtime_ns
    assert _run_fix(tmp_path, args, capsys) in (0, 1)
    assert work.read_bytes() == fixed, "a second --fix changed the file"
    assert work.stat().st_mtime_ns == mtime, "a file needing no change was rewritten"


def test_every_fixed_file_has_its_case() -> None:
    for path in FIXTURES.glob(f"*{FIXED_SUFFIX}"):
        assert path.with_name(path.name[: -len(FIXED_SUFFIX)] + SUFFIX).exists(), path.name
    for path in FIXTURES.glob("*.args"):
        assert path.with_suffix(SUFFIX).exists(), path.name


# --- the base-image table ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "shell", "env", "entrypoint"),
    [
        ("alpine:3.20", True, True, False),
        ("docker.io/library/alpine", True, True, False),
        ("mirror.gcr.io/library/debian:12-slim@sha256:" + "0" * 64, True, True, False),
        ("public.ecr.aws/docker/library/ubuntu:24.04", True, True, False),
        ("BusyBox:1.36", True, True, False),
        ("golang:1.22-bookworm", True, True, False),
        ("registry.access.redhat.com/ubi9/ubi-minimal:9.4", True, True, False),
        ("redhat/ubi8", True, True, False),
        ("cgr.dev/chainguard/wolfi-base", True, True, False),
        ("scratch", False, False, False),
        ("gcr.io/distroless/static-debian12:nonroot", False, False, False),
        ("gcr.io/distroless/base-debian12:debug-nonroot", True, True, True),
        ("cgr.dev/chainguard/static:latest", False, False, False),
        ("cgr.dev/chainguard/go:latest-dev", True, True, True),
        ("example.com/tools/busybox-static:1", False, False, False),
        ("golang:1.22-windowsservercore-ltsc2022", False, False, False),
        ("node:22", False, False, False),  # has an ENTRYPOINT: not in the table
        ("registry.example.com/base/runtime:1.4", False, False, False),
        ("$BASE_IMAGE", False, False, False),
        ("", False, False, False),
    ],
)
def test_image_tools(reference: str, shell: bool, env: bool, entrypoint: bool) -> None:
    tools = images.image_tools(reference)
    assert (tools.shell, tools.env, tools.entrypoint) == (shell, env, entrypoint)


def test_unknown_images_are_marked_unknown() -> None:
    assert not images.image_tools("example.com/x").known
    assert images.image_tools("scratch").known


# --- the rewrite ---------------------------------------------------------------------------------

GO_BUILD = b"FROM golang:1.22 AS build\nRUN go build -o /app .\n"


def _fix(data: bytes, **options: object) -> Fix | None:
    result = lint("Dockerfile", data, LintOptions(**options))  # type: ignore[arg-type]
    return add_gomemlimit_fix(result.context)


def test_no_fix_without_a_declared_limit() -> None:
    assert _fix(GO_BUILD + b"FROM alpine\nCMD [\"/app\"]\n") is None


@pytest.mark.parametrize(
    ("limit", "ratio", "expected"),
    [
        (512 * MiB, 0.8, "409MiB"),
        (1 << 30, 0.8, "819MiB"),
        (2 << 30, 0.95, "1945MiB"),
        (256 * MiB, 0.9, "230MiB"),
        (MiB, 0.5, None),  # under 1 MiB: no useful value
    ],
)
def test_value(limit: int, ratio: float, expected: str | None) -> None:
    result = lint("Dockerfile", GO_BUILD, LintOptions(memory_limit=limit, ratio=ratio))
    assert gomemlimit_value(result.context) == expected


def test_the_fix_is_safe_and_says_where_the_value_comes_from() -> None:
    fix = _fix(GO_BUILD + b'FROM alpine\nCMD ["/app"]\n', memory_limit=512 * MiB)
    assert fix is not None
    assert fix.applicability is Applicability.SAFE
    assert "GOMEMLIMIT=409MiB" in fix.title
    assert "0.8 of the 512MiB memory limit" in fix.title


def test_an_explicit_off_is_replaced_only_as_an_unsafe_fix() -> None:
    data = GO_BUILD + b"FROM alpine\nENV GOGC=off GOMEMLIMIT=off\nCMD [\"/app\"]\n"
    fix = _fix(data, memory_limit=512 * MiB)
    assert fix is not None
    assert fix.applicability is Applicability.UNSAFE
    (edit,) = fix.edits
    assert data[edit.start : edit.end] == b"off"
    assert edit.replacement == b"409MiB"


def test_a_start_command_that_cannot_take_the_value_gets_the_env_line() -> None:
    # `env` alone would print the environment: there is no command to put the value on.
    data = GO_BUILD + b'FROM alpine\nCMD ["env"]\n'
    fix = _fix(data, memory_limit=512 * MiB)
    assert fix is not None
    (edit,) = fix.edits
    assert edit.replacement == b"ENV GOMEMLIMIT=409MiB\n"


def test_env_options_come_before_the_new_assignment() -> None:
    data = GO_BUILD + b'FROM alpine\nCMD ["env", "-u", "DEBUG", "/app"]\n'
    fix = _fix(data, memory_limit=512 * MiB, fix_style="inline")
    assert fix is not None
    (edit,) = fix.edits
    assert data[: edit.start].endswith(b'"DEBUG", ')
    assert edit.replacement == b'"GOMEMLIMIT=409MiB", '
    # Only `env` is possible here, and it overrides the operator's value: the title says so.
    assert fix.title.endswith(
        "a GOMEMLIMIT set at run time (docker run -e, Compose environment:, Kubernetes env:) "
        "no longer applies (0.8 of the 512MiB memory limit)"
    )


def test_the_default_is_the_env_line_before_the_start_command() -> None:
    data = GO_BUILD + b'FROM alpine\nCOPY --from=build /app /app\nCMD ["env", "-u", "X", "/app"]\n'
    fix = _fix(data, memory_limit=512 * MiB)
    assert fix is not None
    (edit,) = fix.edits
    assert data[edit.start :].startswith(b"CMD")
    assert edit.replacement == b"ENV GOMEMLIMIT=409MiB\n"
    assert fix.title == "Add ENV GOMEMLIMIT=409MiB before the CMD (0.8 of the 512MiB memory limit)"


def test_a_fix_that_would_not_read_back_is_not_offered() -> None:
    # The file ends inside a continuation: a line appended after it would join the RUN.
    data = GO_BUILD + b"FROM scratch\nRUN true \\"
    assert _fix(data, memory_limit=512 * MiB) is None


def test_nothing_goes_above_the_parser_directives_or_outside_the_final_stage() -> None:
    data = (
        b"# syntax=docker/dockerfile:1\n# escape=`\n" + GO_BUILD + b"FROM scratch AS final\n"
        b"COPY --from=build /app /app\n"
    )
    result = lint("Dockerfile", data, LintOptions(memory_limit=512 * MiB))
    fix = add_gomemlimit_fix(result.context)
    assert fix is not None
    final = result.graph.stages[-1]
    for edit in fix.edits:
        assert edit.start >= result.dockerfile.directives_end
        assert edit.start >= final.from_instruction.end
