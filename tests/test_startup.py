"""GOMEMLIMIT set at start-up (issue "findings and fixes you can trust", section 3): an
entrypoint script written in the Dockerfile or copied from the build context, or a Go program
that sets its own limit, is not "missing", and no fix writes a static value over it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.dockerfile import startup
from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix.fixer import fix_file

MiB = 1 << 20
ISSUE = b"""FROM golang:1.24 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/search ./cmd/search
FROM alpine:3.20
COPY --from=build /out/search /usr/local/bin/search
COPY --chmod=755 <<'EOT' /usr/local/bin/entrypoint.sh
#!/bin/sh
limit=$(cat /sys/fs/cgroup/memory.max)
[ "$limit" != "max" ] && export GOMEMLIMIT=$(( limit * 85 / 100 ))
exec "$@"
EOT
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["/usr/local/bin/search"]
"""
BUILD = b"""FROM golang:1.24 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app
FROM alpine:3.20
COPY --from=build /out/app /usr/local/bin/app
"""
LOCAL_ENTRY = b'ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]'
ROOT_ENTRY = b'ENTRYPOINT ["/entrypoint.sh"]'
SCRIPT_IN_ROOT = BUILD + b"COPY entrypoint.sh /\n" + ROOT_ENTRY + b'\nCMD ["/usr/local/bin/app"]\n'
AUTOMEMLIMIT = "github.com/KimMachineGun/automemlimit"
SCRIPT = b'#!/bin/sh\nGOMEMLIMIT="$(( $(cat /sys/fs/cgroup/memory.max) * 9 / 10 ))" exec "$@"\n'


def _options(context: Path | None = None, limit: int | None = 512 * MiB) -> LintOptions:
    return LintOptions(
        memory_limit=limit,
        memory_limit_from_cli=limit is not None,
        context_dir=None if context is None else str(context),
    )


def _codes(data: bytes, options: LintOptions) -> list[str]:
    return [f.code for f in lint("Dockerfile", data, options).findings]


@pytest.fixture(autouse=True)
def _fresh_scan_cache() -> None:
    startup._scanned.clear()


def test_issue_example_heredoc_entrypoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _codes(ISSUE, _options()) == []
    outcome = fix_file("Dockerfile", ISSUE, _options(), unsafe=True)
    assert outcome.data == ISSUE  # no static value over the computed one
    path = tmp_path / "Dockerfile"
    path.write_bytes(ISSUE)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        "GOMEMLIMIT set at start-up by the entrypoint script /usr/local/bin/entrypoint.sh "
        "(written on line 7)" in out
    )
    assert main(["inspect", "--format", "json", str(path)]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["gomemlimit_at_startup"] == {
        "by": "the entrypoint script /usr/local/bin/entrypoint.sh (written on line 7)",
        "line": 7,
    }


def test_heredoc_entrypoint_that_sets_nothing_is_still_missing() -> None:
    data = ISSUE.replace(b"export GOMEMLIMIT=", b"export LIMIT=")
    assert _codes(data, _options()) == ["DFM006"]


@pytest.mark.parametrize(
    ("copy", "start"),
    [
        (
            b"COPY docker/entrypoint.sh /usr/local/bin/\n",
            LOCAL_ENTRY,
        ),
        (
            b"COPY docker/entrypoint.sh /usr/local/bin\n",
            LOCAL_ENTRY,
        ),
        (
            b"COPY --chmod=755 docker/entrypoint.sh /entrypoint.sh\n",
            ROOT_ENTRY,
        ),
        (b"COPY docker/entrypoint.sh /\n", b'ENTRYPOINT ["/sbin/tini", "--", "/entrypoint.sh"]'),
        (b"ADD docker/entrypoint.sh /run.sh\n", b"ENTRYPOINT /run.sh app"),
    ],
)
def test_script_from_the_build_context(tmp_path: Path, copy: bytes, start: bytes) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "entrypoint.sh").write_bytes(SCRIPT)
    data = BUILD + copy + start + b'\nCMD ["/usr/local/bin/app"]\n'
    assert _codes(data, _options(tmp_path)) == []
    # Standard input, no context: the script cannot be read, so the image counts as missing it.
    assert _codes(data, _options(None)) == ["DFM006"]


def test_cli_reads_the_dockerfiles_folder_and_context_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "entrypoint.sh").write_bytes(SCRIPT)
    data = (
        BUILD + b'COPY entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["/usr/local/bin/app"]\n'
    )
    (tmp_path / "Dockerfile").write_bytes(data)
    assert main(["--no-color", str(tmp_path / "Dockerfile")]) == 0
    elsewhere = tmp_path / "build"
    elsewhere.mkdir()
    (elsewhere / "Dockerfile").write_bytes(data)
    assert main(["--no-color", str(elsewhere / "Dockerfile")]) == 1  # its folder has no script
    assert main(["--no-color", "--context", str(tmp_path), str(elsewhere / "Dockerfile")]) == 0
    capsys.readouterr()


def test_cli_stdin_has_no_context(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    (tmp_path / "entrypoint.sh").write_bytes(SCRIPT)
    data = (
        BUILD + b'COPY entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["/usr/local/bin/app"]\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["--no-color", "-"]) == 1
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["--no-color", "--context", str(tmp_path), "-"]) == 0
    capsys.readouterr()


def test_the_context_is_never_left(tmp_path: Path) -> None:
    outside = tmp_path / "outside.sh"
    outside.write_bytes(SCRIPT)
    context = tmp_path / "context"
    context.mkdir()
    (context / "link.sh").symlink_to(outside)
    for source in (b"../outside.sh", b"link.sh", b"/../outside.sh"):
        data = BUILD + b"COPY " + source + b' /e.sh\nENTRYPOINT ["/e.sh"]\nCMD ["app"]\n'
        assert _codes(data, _options(context)) == ["DFM006"], source


@pytest.mark.parametrize(
    ("files", "found"),
    [
        ({"go.mod": "module x\n\nrequire github.com/KimMachineGun/automemlimit v0.7.1\n"}, True),
        (
            {
                "go.mod": f"module x\n\nrequire (\n\t{AUTOMEMLIMIT} v0.6.1\n)\n"
            },
            True,
        ),
        (
            {
                "go.mod": f"module x\nrequire (\n\t{AUTOMEMLIMIT} v0.6.1 // indirect\n)\n"
            },
            False,
        ),
        (
            {"cmd/app/main.go": 'package main\nimport _ "github.com/KimMachineGun/automemlimit"\n'},
            True,
        ),
        ({"cmd/app/main.go": "package main\nfunc init() { debug.SetMemoryLimit(limit) }\n"}, True),
        ({"cmd/app/main_test.go": "func init() { debug.SetMemoryLimit(1) }\n"}, False),
        (
            {
                f"vendor/{AUTOMEMLIMIT}/memlimit/memlimit.go": "debug.SetMemoryLimit(capped)\n"
            },
            False,
        ),
        ({".hidden/x.go": "debug.SetMemoryLimit(1)\n"}, False),
        ({"cmd/app/main.go": "package main\n// see debug.SetMemoryLimit docs\n"}, False),
    ],
)
def test_go_program_that_sets_its_own_limit(
    tmp_path: Path, files: dict[str, str], found: bool
) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    data = BUILD + b'CMD ["/usr/local/bin/app"]\n'
    assert _codes(data, _options(tmp_path)) == ([] if found else ["DFM006"])
    outcome = fix_file("Dockerfile", data, _options(tmp_path), unsafe=False)
    assert (outcome.data == data) is found


def test_gogc_off_with_a_start_up_limit_is_bounded(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text(
        "module x\nrequire github.com/KimMachineGun/automemlimit v0.7.1\n", encoding="utf-8"
    )
    data = BUILD + b'ENV GOGC=off\nCMD ["/usr/local/bin/app"]\n'
    assert _codes(data, _options(tmp_path)) == []
    assert sorted(_codes(data, _options(None))) == ["DFM006", "DFM008"]


def test_reading_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "main.go").write_text("debug.SetMemoryLimit(1)\n", encoding="utf-8")
    data = BUILD + b'CMD ["/usr/local/bin/app"]\n'
    monkeypatch.setattr(startup, "MAX_FILE_BYTES", 8)
    assert _codes(data, _options(tmp_path)) == ["DFM006"]  # the file is too big to read
    startup._scanned.clear()
    monkeypatch.setattr(startup, "MAX_FILE_BYTES", 1 << 20)
    monkeypatch.setattr(startup, "MAX_ENTRIES", 1)
    assert _codes(data, _options(tmp_path)) == ["DFM006"]  # too many entries: the walk stops
    startup._scanned.clear()
    monkeypatch.setattr(startup, "MAX_ENTRIES", 100)
    monkeypatch.setattr(startup, "MAX_TOTAL_BYTES", 4)
    assert _codes(data, _options(tmp_path)) == ["DFM006"]  # over the total: reading stops
    startup._scanned.clear()
    monkeypatch.setattr(startup, "MAX_TOTAL_BYTES", 1 << 20)
    assert _codes(data, _options(tmp_path)) == []


def test_nothing_is_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = f'#!/bin/sh\ntouch {marker}\nexport GOMEMLIMIT=400MiB\nexec "$@"\n'
    (tmp_path / "e.sh").write_text(script, encoding="utf-8")
    os.chmod(tmp_path / "e.sh", 0o755)
    data = BUILD + b'COPY e.sh /e.sh\nENTRYPOINT ["/e.sh"]\nCMD ["app"]\n'
    assert _codes(data, _options(tmp_path)) == []
    assert not marker.exists()
