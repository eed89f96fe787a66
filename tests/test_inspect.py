"""``dfmemlint inspect``: the JSON shape, the text outline and the handling of inputs."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

DOCKERFILE = b"""\
# syntax=docker/dockerfile:1
ARG GO=1.22
FROM golang:${GO} AS build
ENV CGO_ENABLED=0
RUN --mount=type=cache,target=/root/.cache go build -o /app
ONBUILD RUN <<EOF
echo hi
EOF
FROM busybox AS unused
FROM gcr.io/distroless/static
ENV GOMEMLIMIT=512MiB \\
    GOGC=50
COPY --from=build /app /app
ENTRYPOINT ["/app"]
"""

TOP_KEYS = {
    "path",
    "escape",
    "directives",
    "error",
    "instructions",
    "stages",
    "final_stage",
    "built_stages",
    "runtime_env",
    "gomemlimit_at_startup",
}
INSTRUCTION_KEYS = {
    "keyword",
    "start_line",
    "end_line",
    "flags",
    "args",
    "values",
    "json",
    "heredocs",
    "sub",
}
STAGE_KEYS = {"index", "name", "base", "parent_stage", "copies_from", "start_line"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "inspect", *args)


def inspect_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, "--format", "json", *args)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert isinstance(result, list)
    return result


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_bytes(DOCKERFILE)
    return path


def test_json_shape(capsys: pytest.CaptureFixture[str], dockerfile: Path) -> None:
    (info,) = inspect_json(capsys, str(dockerfile))
    assert set(info) == TOP_KEYS
    assert info["path"] == str(dockerfile)
    assert (info["escape"], info["directives"], info["error"]) == (
        "\\",
        {"syntax": "docker/dockerfile:1"},
        None,
    )
    for ins in info["instructions"]:
        assert set(ins) == INSTRUCTION_KEYS
        for doc in ins["heredocs"]:
            assert set(doc) == {"name", "content"}
    for stage in info["stages"]:
        assert set(stage) == STAGE_KEYS
    onbuild = info["instructions"][4]
    assert onbuild == {
        "keyword": "ONBUILD",
        "start_line": 6,
        "end_line": 8,
        "flags": [],
        "args": "RUN <<EOF",
        "values": [],
        "json": False,
        "heredocs": [{"name": "EOF", "content": "echo hi\n"}],
        "sub": {
            "keyword": "RUN",
            "start_line": 6,
            "end_line": 8,
            "flags": [],
            "args": "<<EOF",
            "values": ["<<EOF"],
            "json": False,
            "heredocs": [{"name": "EOF", "content": "echo hi\n"}],
            "sub": None,
        },
    }
    assert info["instructions"][3]["flags"] == ["--mount=type=cache,target=/root/.cache"]
    assert info["instructions"][-1]["json"] is True
    assert info["stages"] == [
        {
            "index": 0,
            "name": "build",
            "base": "golang:1.22",
            "parent_stage": None,
            "copies_from": [],
            "start_line": 3,
        },
        {
            "index": 1,
            "name": "unused",
            "base": "busybox",
            "parent_stage": None,
            "copies_from": [],
            "start_line": 9,
        },
        {
            "index": 2,
            "name": None,
            "base": "gcr.io/distroless/static",
            "parent_stage": None,
            "copies_from": [{"stage": 0, "image": None, "line": 13, "via": "copy"}],
            "start_line": 10,
        },
    ]
    assert (info["final_stage"], info["built_stages"]) == (2, [0, 2])
    assert info["runtime_env"] == {
        "GOMEMLIMIT": {"value": "512MiB", "line": 11},
        "GOGC": {"value": "50", "line": 11},
    }


def test_build_arg_and_target(capsys: pytest.CaptureFixture[str], dockerfile: Path) -> None:
    (info,) = inspect_json(capsys, "--build-arg", "GO=1.23", "--target", "build", str(dockerfile))
    assert info["stages"][0]["base"] == "golang:1.23"
    assert (info["final_stage"], info["built_stages"]) == (0, [0])
    assert info["runtime_env"] == {"CGO_ENABLED": {"value": "0", "line": 4}}


def test_bad_build_arg(capsys: pytest.CaptureFixture[str], dockerfile: Path) -> None:
    code, out, err = run(capsys, "--build-arg", "GO", str(dockerfile))
    assert (code, out) == (2, "")
    assert err.endswith("\nError: Invalid value for '--build-arg': 'GO' is not NAME=VALUE\n")
    assert err.startswith("Usage: dfmemlint inspect [OPTIONS] PATH...\n")


def test_text_outline(capsys: pytest.CaptureFixture[str], dockerfile: Path) -> None:
    code, out, err = run(capsys, str(dockerfile))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{dockerfile}  (escape \\)"  # the character itself, not a literal
    assert "  directive syntax=docker/dockerfile:1" in lines
    # Each instruction as written (continuations joined), not as a list of its tokens.
    assert "          3  FROM golang:${GO} AS build" in lines
    assert "          5  RUN --mount=type=cache,target=/root/.cache go build -o /app" in lines
    assert "        6-8  ONBUILD RUN <<EOF" in lines
    assert "             heredoc EOF: 8 characters" in lines
    assert "             runs on build: RUN <<EOF" in lines
    assert "      11-12  ENV GOMEMLIMIT=512MiB     GOGC=50" in lines
    assert "         14  ENTRYPOINT [\"/app\"] (exec form)" in lines
    assert not [line for line in lines if "['" in line]
    assert "    #1 unused FROM busybox  [not built]" in lines
    assert "    #2 FROM gcr.io/distroless/static  [final]" in lines
    assert "       takes files from stage 0 (line 13, copy)" in lines
    assert lines[-2:] == ["    GOMEMLIMIT=512MiB  (line 11)", "    GOGC=50  (line 11)"]


def test_several_paths_in_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for name in ("b.Dockerfile", "a.Dockerfile"):
        (tmp_path / name).write_bytes(f"FROM {name}\n".encode())
    paths = [str(tmp_path / "b.Dockerfile"), str(tmp_path / "a.Dockerfile")]
    result = inspect_json(capsys, *paths)
    assert [info["path"] for info in result] == paths
    assert [info["stages"][0]["base"] for info in result] == ["b.Dockerfile", "a.Dockerfile"]
    code, out, _ = run(capsys, *paths)
    assert code == 0
    assert out.index("FROM b.Dockerfile") < out.index("FROM a.Dockerfile")


def test_directory_is_searched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_bytes(b"FROM a\n")
    (tmp_path / "Containerfile").write_bytes(b"FROM b\n")
    (tmp_path / "Dockerfile.md").write_bytes(b"# not one\n")
    result = inspect_json(capsys, str(tmp_path))
    assert [os.path.relpath(info["path"], tmp_path) for info in result] == [
        "Containerfile",
        os.path.join("svc", "Dockerfile"),
    ]


@pytest.mark.parametrize("stdin_filename", [None, "svc/Dockerfile"])
def test_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, stdin_filename: str | None
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"FROM a\nENV GOGC=50\n")))
    extra = [] if stdin_filename is None else ["--stdin-filename", stdin_filename]
    (info,) = inspect_json(capsys, *extra, "-")
    assert info["path"] == (stdin_filename or "-")
    assert info["runtime_env"] == {"GOGC": {"value": "50", "line": 2}}


def _broken_link(directory: Path) -> Path:
    link = directory / "Dockerfile"
    link.symlink_to(directory / "gone")
    return link


def _link_loop(directory: Path) -> Path:
    link = directory / "Dockerfile"
    link.symlink_to(link)
    return link


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda p: p / "missing", "no such file or directory", id="missing"),
        pytest.param(
            lambda p: p,
            "no Dockerfiles, Kubernetes manifests or Compose files found in this directory",
            id="empty-directory",
        ),
        pytest.param(
            _broken_link, "broken symbolic link (its target does not exist)", id="broken-link"
        ),
        pytest.param(_link_loop, "symbolic link loop", id="link-loop"),
    ],
)
def test_bad_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make: Any, message: str
) -> None:
    path = make(tmp_path)
    code, out, err = run(capsys, "--format", "text", str(path))
    assert (code, out) == (2, "")
    assert err == f"Error: {path}: {message}\n"
    # JSON is always a whole document: the path, with why it was not read.
    code, out, err = run(capsys, "--format", "json", str(path))
    assert code == 2
    assert json.loads(out) == [{"path": str(path), "format": None, "input_error": message}]
    assert err == f"Error: {path}: {message}\n"


def test_bad_path_among_good_ones(capsys: pytest.CaptureFixture[str], dockerfile: Path) -> None:
    """The path that cannot be read does not stop the others (as in a lint run): exit 2."""
    nope = str(dockerfile.parent / "nope")
    code, out, err = run(capsys, str(dockerfile), nope)
    assert code == 2
    assert out.startswith(f"{dockerfile}  (escape ")
    assert err == f"Error: {nope}: no such file or directory\n"
    code, out, _ = run(capsys, "--format", "json", nope, str(dockerfile))
    assert code == 2
    assert [entry["path"] for entry in json.loads(out)] == [nope, str(dockerfile)]


def test_file_buildkit_rejects(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\nENV GOGC=50\nENV GOMEMLIMIT\n")
    (info,) = inspect_json(capsys, str(path))
    assert info["error"] == {"message": "ENV must have two arguments", "line": 3}
    assert [ins["keyword"] for ins in info["instructions"]] == ["FROM", "ENV"]
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert "  error at line 3: ENV must have two arguments" in out.splitlines()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bytes(range(1, 256)) * 4, id="all-bytes-but-nul"),
        pytest.param(b"", id="empty"),
        pytest.param(
            b"FROM a\nCOPY --from=\xff\xfe x y\nENV \xff=\xfe\nLABEL \xc3=\xa9\n", id="bad-utf8"
        ),
        pytest.param(b'FROM a\nCMD ["\\ud800"]\n', id="lone-surrogate-escape"),
    ],
)
def test_junk_gives_no_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    (info,) = inspect_json(capsys, str(path))
    assert set(info) == TOP_KEYS
    code, out, err = run(capsys, str(path))
    assert (code, err) == (0, "")
    assert "\udc80" not in out


def test_binary_input_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Was read as a Dockerfile of junk; a NUL byte and bytes that are not UTF-8 mark a binary file.
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)))
    code, out, err = run(capsys, str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"Error: {path}: a binary file (a NUL byte at offset 7, bytes that are not UTF-8 at "
        "offset 136), not a Dockerfile\n"
    )


def test_control_characters_are_shown_not_obeyed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Clear screen, set the title, ring the bell: printed raw, they acted on the terminal.
    path = tmp_path / "Dockerfile"
    path.write_bytes(
        b"FROM alpine AS x\x1b[2J\nENV A=\x1b]0;owned\x07 B=\x9b31m\nCMD [\"/a\x1b[H\"]\n"
    )
    code, out, err = run(capsys, str(path))
    assert (code, err) == (0, "")
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\x9b" not in out
    assert "x\u241b[2j FROM alpine" in out  # ESC shown as its control picture
    assert "A=\u241b]0;owned\u2407" in out
    (info,) = inspect_json(capsys, str(path))  # JSON keeps the exact text, escaped by JSON
    assert info["runtime_env"]["A"]["value"] == "\x1b]0;owned\x07"


@pytest.mark.parametrize("target", ["nope", "0"])
def test_unknown_target_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, target: str
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM golang:1.22 AS build\nFROM alpine AS final\n")
    code, out, err = run(capsys, "--target", target, str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"Error: {path}: Invalid value for '--target': no stage named {target!r} "
        "(stage names: build, final)\n"
    )


def test_invalid_utf8_is_shown_as_replacement_characters(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(b'FROM a\nENV A=x\xe2\x82y\nCMD ["\xff", "\\udc80"]\n')
    (info,) = inspect_json(capsys, str(path))
    # One U+FFFD per byte that is not UTF-8, as Go's encoding/json writes it.
    assert info["instructions"][1]["values"] == ["A", "x\ufffd\ufffdy", "="]
    assert info["instructions"][2]["values"] == ["\ufffd", "\ufffd"]
    assert info["runtime_env"] == {"A": {"value": "x\ufffd\ufffdy", "line": 2}}


def test_env_as_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(
        b'FROM alpine\nENV GOGC=off GOMEMLIMIT="512MiB"\nENV GOGC off\n'
        b"ONBUILD COPY --chown=1 a b\n"
    )
    code, out, _ = run(capsys, str(path))
    assert code == 0
    lines = out.splitlines()
    assert '          2  ENV GOGC=off GOMEMLIMIT="512MiB"' in lines
    assert "          3  ENV GOGC off" in lines
    assert "             runs on build: COPY --chown=1 a b" in lines
    (info,) = inspect_json(capsys, str(path))
    assert info["instructions"][1]["args"] == 'GOGC=off GOMEMLIMIT="512MiB"'
    assert info["instructions"][1]["values"] == ["GOGC", "off", "=", "GOMEMLIMIT", '"512MiB"', "="]


COMPOSE_BASE = "services:\n  api:\n    image: x\n    mem_limit: 512m\n"
COMPOSE_OVERRIDE = "services:\n  api:\n    environment:\n      GOGC: '100'\n"


@pytest.mark.parametrize(
    "named",
    [[], ["compose.override.yaml", "compose.yaml"], ["compose.yaml", "compose.override.yaml"]],
    ids=["folder", "override-first", "base-first"],
)
def test_a_compose_project_is_shown_once(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    named: list[str],
) -> None:
    """A base file and its override are one project (read together): shown once, under the
    base file's name, in text and JSON."""
    (tmp_path / "compose.yaml").write_text(COMPOSE_BASE, encoding="utf-8")
    (tmp_path / "compose.override.yaml").write_text(COMPOSE_OVERRIDE, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text("FROM alpine\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    paths = named or ["."]
    code, out, err = run(capsys, *paths)
    assert (code, err) == (0, "")
    assert out.count("service api:") == 1
    headers = [line for line in out.splitlines() if "(Compose, read with" in line]
    assert headers == ["compose.yaml  (Compose, read with compose.yaml, compose.override.yaml)"]
    assert "    GOGC=100  (environment, compose.override.yaml:4)" in out.splitlines()
    infos = inspect_json(capsys, *paths)
    compose = [info for info in infos if info.get("format") == "compose"]
    assert [info["path"] for info in compose] == ["compose.yaml"]
    if not named:
        assert len(infos) == 2  # the Dockerfile too


def test_standard_input_is_its_own_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE_BASE, encoding="utf-8")
    (tmp_path / "compose.override.yaml").write_text(COMPOSE_OVERRIDE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(COMPOSE_BASE.encode())))
    infos = inspect_json(capsys, "--stdin-filename", "compose.yaml", "-", "compose.yaml")
    assert [info["path"] for info in infos] == ["compose.yaml", "compose.yaml"]
