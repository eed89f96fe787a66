"""Where GOMEMLIMIT, GOGC, GOMAXPROCS and GODEBUG are set, and whether each reaches runtime."""

from __future__ import annotations

import pytest

from dfmemlint.dockerfile import model, reader
from dfmemlint.dockerfile.settings import (
    Setting,
    collect,
    effective_start,
    heredoc_runs_as_script,
    start_command,
)


def settings_of(data: bytes, **build: object) -> list[Setting]:
    return collect(model.build(reader.read(data), **build))  # type: ignore[arg-type]


def summary(data: bytes) -> list[tuple[str, str, str, str, bool, bytes]]:
    return [
        (s.name, s.value, s.kind, s.how, s.runtime, data[s.start : s.end])
        for s in settings_of(data)
    ]


def test_env_forms_and_runtime() -> None:
    data = (
        b'FROM alpine AS base\nENV GOGC=off GOMEMLIMIT="1GiB"\n'
        b"FROM base\nENV GOMAXPROCS 4\nENV GOMEMLIMIT='2GiB' OTHER=1\n"
    )
    assert summary(data) == [
        ("GOGC", "off", "env", "instruction", True, b"off"),
        ("GOMEMLIMIT", "1GiB", "env", "instruction", False, b"1GiB"),  # overridden below
        ("GOMAXPROCS", "4", "env", "instruction", True, b"4"),
        ("GOMEMLIMIT", "2GiB", "env", "instruction", True, b"2GiB"),
    ]


def test_env_in_a_stage_the_final_image_only_copies_from_is_not_runtime() -> None:
    data = (
        b"FROM golang AS build\nENV GOMEMLIMIT=1GiB\nRUN go build -o /app\n"
        b"FROM alpine\nCOPY --from=build /app /app\n"
    )
    ((name, value, kind, _, runtime, _),) = summary(data)
    assert (name, value, kind, runtime) == ("GOMEMLIMIT", "1GiB", "env", False)


def test_stages_that_are_not_built_are_not_read() -> None:
    data = b"FROM alpine AS unused\nENV GOMEMLIMIT=1MB\nFROM alpine\nENV GOGC=50\n"
    assert [s.name for s in settings_of(data)] == ["GOGC"]
    targeted = settings_of(data, target="unused")
    assert [(s.name, s.runtime) for s in targeted] == [("GOMEMLIMIT", True)]


def test_env_value_from_an_arg_default() -> None:
    data = b"FROM alpine\nARG LIMIT=512MB\nENV GOMEMLIMIT=${LIMIT}\n"
    (setting,) = settings_of(data)
    assert setting.value == "512MB"
    assert not setting.editable
    assert data[setting.start : setting.end] == b"${LIMIT}"
    assert setting.via_arg is not None
    assert setting.via_arg.name == "LIMIT"
    assert setting.via_arg.token is not None
    assert data[setting.via_arg.token.start : setting.via_arg.token.end] == b"512MB"


def test_build_arg_overrides_the_default() -> None:
    data = b"FROM alpine\nARG LIMIT=512MB\nENV GOMEMLIMIT=$LIMIT\n"
    (setting,) = settings_of(data, build_args={"LIMIT": "400MiB"})
    assert setting.value == "400MiB"


def test_arg_setting_is_build_time() -> None:
    data = b"FROM golang\nARG GOMEMLIMIT=2GiB\nARG GOGC\nRUN go build\n"
    assert summary(data) == [("GOMEMLIMIT", "2GiB", "arg", "instruction", False, b"2GiB")]


def test_run_assignments() -> None:
    data = (
        b"FROM golang\nRUN GOMEMLIMIT=1GiB go build && export GOGC=50 && "
        b"env GOMAXPROCS=2 go test ./...\n"
    )
    assert summary(data) == [
        ("GOMEMLIMIT", "1GiB", "run", "prefix", False, b"1GiB"),
        ("GOGC", "50", "run", "export", False, b"50"),
        ("GOMAXPROCS", "2", "run", "env", False, b"2"),
    ]


def test_run_continued_over_lines_with_crlf() -> None:
    data = b"FROM golang\r\nRUN apk add git && \\\r\n    GOMEMLIMIT=1GiB go build\r\n"
    (setting,) = settings_of(data)
    df = reader.read(data)
    assert df.line_col(setting.start) == (3, 16)
    assert data[setting.start : setting.end] == b"1GiB"


def test_run_exec_form_sh_c() -> None:
    data = b'FROM golang\nRUN ["sh", "-c", "GOMEMLIMIT=1GiB go build"]\n'
    (setting,) = settings_of(data)
    assert (setting.kind, setting.value, setting.editable) == ("run", "1GiB", True)
    assert data[setting.start : setting.end] == b"1GiB"


def test_json_escapes_report_the_whole_element_and_are_not_editable() -> None:
    data = b'FROM alpine\nENTRYPOINT ["sh", "-c", "GOMEMLIMIT=\\u0031GiB exec /app"]\n'
    (setting,) = settings_of(data)
    assert (setting.value, setting.editable, setting.runtime) == ("1GiB", False, True)
    assert data[setting.start : setting.end] == b'"GOMEMLIMIT=\\u0031GiB exec /app"'


def test_heredoc_script_is_read_and_file_heredocs_are_not() -> None:
    data = (
        b"# syntax=docker/dockerfile:1\nFROM golang\nRUN <<EOF\nexport GOMEMLIMIT=1GiB\nEOF\n"
        b"RUN cat > /etc/app.env <<EOF\nGOMEMLIMIT=2GiB\nEOF\n"
        b"RUN python3 <<EOF\nGOGC='off'\nEOF\n"
        b"RUN bash <<EOF\nGOGC=off go build\nEOF\n"
        b"COPY <<EOF /etc/profile.d/go.sh\nexport GOMAXPROCS=2\nEOF\n"
    )
    assert summary(data) == [
        ("GOMEMLIMIT", "1GiB", "heredoc", "export", False, b"1GiB"),
        ("GOGC", "off", "heredoc", "prefix", False, b"off"),
    ]


def test_heredoc_body_positions_are_exact() -> None:
    data = b"FROM golang\nRUN <<EOF\n  set -e\n  GOMEMLIMIT=1GiB go build\nEOF\n"
    (setting,) = settings_of(data)
    assert reader.read(data).line_col(setting.start) == (4, 14)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("<<EOF", [True]),
        ("bash -e <<EOF", [True]),
        ("set -e && sh <<EOF", [True]),
        ("cat > /etc/f <<EOF", [False]),
        ("cat <<EOF > /etc/f", [False]),
        ("tee /f <<'EOF'", [False]),
        ("python3 <<EOF", [False]),
        ("cat > /f <<A && bash <<B", [False, True]),
        ("3<<EOF sh", [True]),
        ("go build", []),
    ],
)
def test_heredoc_runs_as_script(script: str, expected: list[bool]) -> None:
    assert heredoc_runs_as_script(script) == expected


def test_comments_and_labels_are_never_settings() -> None:
    data = (
        b"FROM alpine\n# ENV GOMEMLIMIT=1GiB\nLABEL GOMEMLIMIT=1GiB note=\"GOGC=off\"\n"
        b"RUN echo ok # GOMEMLIMIT=1GiB\n"
    )
    assert settings_of(data) == []


def test_start_command_settings() -> None:
    data = (
        b"FROM alpine\nCMD GOGC=off /old\n"
        b'ENTRYPOINT ["env", "-i", "GOMEMLIMIT=1GiB", "/app"]\n'
        b"CMD [\"--serve\"]\n"
    )
    assert summary(data) == [
        ("GOGC", "off", "cmd", "prefix", False, b"off"),  # replaced by the later CMD
        ("GOMEMLIMIT", "1GiB", "entrypoint", "env", True, b"1GiB"),
    ]


def test_shell_form_cmd_reaches_runtime() -> None:
    data = b"FROM alpine\nCMD GOMEMLIMIT=400MiB exec /app\n"
    assert summary(data) == [("GOMEMLIMIT", "400MiB", "cmd", "prefix", True, b"400MiB")]


def test_exec_form_env_stops_at_the_program() -> None:
    data = b'FROM alpine\nCMD ["env", "GOGC=50", "/app", "GOMEMLIMIT=1GiB"]\n'
    assert [(s.name, s.value) for s in settings_of(data)] == [("GOGC", "50")]


def test_effective_start_looks_through_from_stage() -> None:
    data = (
        b'FROM alpine AS base\nENTRYPOINT ["/init"]\nCMD ["/app"]\n'
        b'FROM base AS child\nCMD ["/other"]\nFROM child\nRUN true\n'
    )
    graph = model.build(reader.read(data))
    entry, cmd = effective_start(graph)
    assert entry is not None
    assert entry.original == 'ENTRYPOINT ["/init"]'
    assert cmd is not None
    assert cmd.original == 'CMD ["/other"]'
    assert start_command(graph) is entry


def test_no_start_command() -> None:
    graph = model.build(reader.read(b"FROM alpine\nRUN true\n"))
    assert effective_start(graph) == (None, None)
    assert start_command(graph) is None


def test_cmd_before_entrypoint_in_the_same_stage_is_kept() -> None:
    graph = model.build(reader.read(b'FROM alpine\nCMD ["--serve"]\nENTRYPOINT ["/app"]\n'))
    entry, cmd = effective_start(graph)
    assert entry is not None
    assert cmd is not None
    assert cmd.original == 'CMD ["--serve"]'


def test_entrypoint_in_a_child_stage_clears_the_parent_cmd() -> None:
    data = b'FROM alpine AS base\nCMD ["/bin/sh"]\nFROM base\nENTRYPOINT ["/app"]\n'
    entry, cmd = effective_start(model.build(reader.read(data)))
    assert entry is not None
    assert entry.original == 'ENTRYPOINT ["/app"]'
    assert cmd is None


def test_a_shell_form_cmd_in_the_parent_is_not_a_start_setting_once_cleared() -> None:
    data = b'FROM alpine AS base\nCMD GOGC=off /old\nFROM base\nENTRYPOINT ["/app"]\n'
    (setting,) = settings_of(data)
    assert (setting.name, setting.runtime) == ("GOGC", False)
