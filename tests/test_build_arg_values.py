"""A value that came from ``--build-arg NAME=VALUE`` is in no file: its finding points at the
name of the ARG it sets, says where the value came from, and has no fix (an edit of the ARG's
default would not change the value the build gets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix.fixer import fix_file
from dfmemlint.golang.container_limit import parse_memory_limit

_BUILD = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
_TAIL = 'COPY --from=build /app /app\nENV GOMEMLIMIT=$LIMIT\nCMD ["/app"]\n'

# (name, Dockerfile, build args, code, (line, column) of the finding, words of the message)
CASES = [
    (
        "env-reads-arg-default",
        _BUILD + "FROM alpine:3.20\nARG LIMIT=400MiB\n" + _TAIL,
        {"LIMIT": "512MB"},
        "DFM004", (4, 5), "GOMEMLIMIT=512MB (from --build-arg LIMIT=512MB, which sets this ARG)",
    ),
    (
        "env-reads-arg-without-default",
        _BUILD + "FROM alpine:3.20\nARG LIMIT\n" + _TAIL.replace("$LIMIT", "${LIMIT}"),
        {"LIMIT": "1GB"},
        "DFM004", (4, 5), "GOMEMLIMIT=1GB (from --build-arg LIMIT=1GB, which sets this ARG)",
    ),
    (
        "global-arg-declared-again",
        "ARG LIMIT=400MiB\n" + _BUILD + "FROM alpine:3.20\nARG LIMIT\n" + _TAIL,
        {"LIMIT": "512M"},
        "DFM004", (5, 5), "(from --build-arg LIMIT=512M, which sets this ARG)",
    ),
    (
        "value-built-from-the-argument",
        _BUILD + "FROM alpine:3.20\nARG SIZE=400\n"
        + _TAIL.replace("$LIMIT", "${SIZE}MB"),
        {"SIZE": "512"},
        "DFM004", (4, 5), "GOMEMLIMIT=512MB (from --build-arg SIZE=512, which sets this ARG)",
    ),
    (
        "arg-of-the-build",
        "FROM golang:1.22 AS build\nARG GOMEMLIMIT=400MiB\nRUN go build -o /app .\n"
        'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n',
        {"GOMEMLIMIT": "512MB"},
        "DFM004", (2, 5), "GOMEMLIMIT=512MB (from --build-arg GOMEMLIMIT=512MB, which sets this",
    ),
    (
        "out-of-range",
        _BUILD + "FROM alpine:3.20\nARG LIMIT=400MiB\n" + _TAIL,
        {"LIMIT": "512KiB"},
        "DFM007", (4, 5), "GOMEMLIMIT=512KiB (from --build-arg LIMIT=512KiB, which sets this ARG)",
    ),
    (
        "gogc-off",
        _BUILD + "FROM alpine:3.20\nARG GOGC_VALUE=100\nCOPY --from=build /app /app\n"
        'ENV GOGC=$GOGC_VALUE\nCMD ["/app"]\n',
        {"GOGC_VALUE": "off"},
        "DFM008", (4, 5), "GOGC=off (from --build-arg GOGC_VALUE=off, which sets this ARG)",
    ),
    (
        "arg-without-default-given-one",
        "FROM golang:1.22 AS build\nARG GOMEMLIMIT\nRUN go build -o /app .\n"
        'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n',
        {"GOMEMLIMIT": "1GiB"},
        "DFM001", (2, 5), "GOMEMLIMIT=1GiB (from --build-arg GOMEMLIMIT=1GiB, which sets this ARG)",
    ),
]


def _options(build_args: dict[str, str], limit: str | None = None) -> LintOptions:
    return LintOptions(
        build_args=build_args,
        memory_limit=None if limit is None else parse_memory_limit(limit),
        memory_limit_from_cli=limit is not None,
        memory_limit_source="--memory-limit",
    )


@pytest.mark.parametrize(
    ("text", "build_args", "code", "where", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
@pytest.mark.parametrize("limit", [None, "1GiB"])
def test_value_from_a_build_arg(
    text: str,
    build_args: dict[str, str],
    code: str,
    where: tuple[int, int],
    words: str,
    limit: str | None,
) -> None:
    data = text.encode()
    options = _options(build_args, limit)
    found = [f for f in lint("Dockerfile", data, options).findings if f.code == code]
    assert len(found) == 1, found
    (finding,) = found
    assert (finding.line, finding.column) == where
    assert words in finding.message
    if code not in ("DFM001", "DFM008"):  # their fixes remove the ARG or add GOMEMLIMIT
        assert finding.fix is None
    outcome = fix_file("Dockerfile", data, options, unsafe=True)
    assert outcome.error is None
    assert (b"512MiB" in outcome.data) is (b"512MiB" in data)  # no default rewritten as the value


def test_without_the_build_arg_the_default_is_the_value() -> None:
    """The same file without --build-arg: the finding is at the ARG's default, which a fix
    rewrites (the default is the value then)."""
    data = (_BUILD + "FROM alpine:3.20\nARG LIMIT=512MB\n" + _TAIL).encode()
    (finding,) = lint("Dockerfile", data, _options({})).findings
    assert (finding.code, finding.line, finding.column) == ("DFM004", 4, 11)
    assert "(from the default of ARG LIMIT)" in finding.message
    assert "--build-arg" not in finding.message
    assert finding.fix is not None
    assert fix_file("Dockerfile", data, _options({}), unsafe=False).data == data.replace(
        b"512MB", b"512MiB"
    )


def test_the_command_line_reports_no_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Dockerfile"
    data = (_BUILD + "FROM alpine:3.20\nARG LIMIT=400MiB\n" + _TAIL).encode()
    path.write_bytes(data)
    code = main(["--format", "json", "--build-arg", "LIMIT=512MB", str(path)])
    assert code == 1
    (entry,) = json.loads(capsys.readouterr().out)
    assert (entry["code"], entry["line"], entry["column"], entry["end_column"]) == (
        "DFM004", 4, 5, 10
    )
    assert entry["fix"] is None
    assert main(["--fix", "--build-arg", "LIMIT=512MB", str(path)]) == 1
    assert path.read_bytes() == data


def test_a_go_version_from_a_build_arg_is_named() -> None:
    data = (
        b"ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION} AS build\nRUN go build -o /app .\n"
        b'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n'
    )
    given = lint("Dockerfile", data, _options({"GO_VERSION": "1.17"})).findings
    (old,) = [f for f in given if f.code == "DFM005"]
    assert (old.line, old.column) == (2, 6)
    assert old.message.startswith("golang:1.17 (GO_VERSION=1.17 from --build-arg) builds ")
    assert not any(f.code == "DFM005" for f in lint("Dockerfile", data, _options({})).findings)
    written = data.replace(b"GO_VERSION=1.22", b"GO_VERSION=1.17")
    (old,) = [f for f in lint("Dockerfile", written, _options({})).findings if f.code == "DFM005"]
    assert "--build-arg" not in old.message
