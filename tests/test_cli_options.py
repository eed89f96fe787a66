"""The lint command's conventions beside ruff's: -q, -o, --color, --diff with the output flags,
--memory-limit bounds, directory searches (excludes, --show-files, --verbose), control characters
in human-readable output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import run_cli as run

from dfmemlint import config
from dfmemlint.commands import options
from dfmemlint.files import DEFAULT_EXCLUDE, excluded_by, is_dockerfile_name
from dfmemlint.reporters import printable

GO = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n'
)  # DFM006 (warning) on line 6, no fix without a declared limit
MALFORMED = GO.replace(b'CMD ["/app"]', b'ENV GOMEMLIMIT=512MB\nCMD ["/app"]')  # DFM004, safe fix
CLEAN = GO.replace(b'CMD ["/app"]', b'ENV GOMEMLIMIT=400MiB\nCMD ["/app"]')


pytestmark = pytest.mark.usefixtures("isolated_cli")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- -q, -o ------------------------------------------------------------------------------------


def test_quiet_prints_only_the_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    _, loud, _ = run(capsys, "--no-color", str(path))
    code, out, err = run(capsys, "--no-color", "-q", str(path))
    assert code == 1
    assert "Found 1 finding" in loud
    assert "fixable with --fix" in loud
    assert out == loud.split("\n\nFound")[0] + "\n"
    assert err == ""
    clean = write(tmp_path / "clean" / "Dockerfile", CLEAN)
    assert run(capsys, "--quiet", str(clean)) == (0, "", "")
    # With --fix, the "Fixed ..." line goes too.
    code, out, err = run(capsys, "--quiet", "--fix", str(path))
    assert (code, out, err) == (0, "", "")


@pytest.mark.parametrize("flag", ["-o", "--output-file", "--output"])
def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    report = tmp_path / "report.json"
    code, out, _ = run(capsys, "--format", "json", flag, str(report), str(path))
    assert (code, out) == (1, "")
    assert [f["code"] for f in json.loads(report.read_text(encoding="utf-8"))] == ["DFM004"]


# --- --diff with the output flags ----------------------------------------------------------------


def test_diff_honours_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # --diff exited 1 whatever --exit-zero said.
    path = write(tmp_path / "Dockerfile", MALFORMED)
    code, out, _ = run(capsys, "--diff", "--exit-zero", str(path))
    assert code == 0
    assert "+ENV GOMEMLIMIT=512MiB\n" in out


def test_diff_to_an_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # --diff printed to stdout whatever --output said.
    path = write(tmp_path / "Dockerfile", MALFORMED)
    patch = tmp_path / "fix.patch"
    code, out, err = run(capsys, "--diff", "-o", str(patch), str(path))
    assert (code, out) == (1, "")
    assert "-ENV GOMEMLIMIT=512MB\n+ENV GOMEMLIMIT=512MiB\n" in patch.read_text(encoding="utf-8")
    assert err == "Would fix 1 finding.\n"
    assert path.read_bytes() == MALFORMED


@pytest.mark.parametrize(
    ("extra", "named"),
    [(["--format", "json"], "--format json"), (["--statistics"], "--statistics")],
)
def test_diff_refuses_what_it_cannot_print(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], named: str
) -> None:
    # --diff ignored --format json (the output was a diff, not JSON).
    path = write(tmp_path / "Dockerfile", MALFORMED)
    code, out, err = run(capsys, "--diff", *extra, str(path))
    assert (code, out) == (2, "")
    assert err.endswith(
        f"Error: --diff prints a unified diff, so it cannot be combined with {named}\n"
    )
    assert err.startswith("Usage: dfmemlint [OPTIONS] PATH...\n")


def test_diff_says_what_remains_when_nothing_is_fixable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Said only "Would fix 0 findings." and exited 0 as if the file were clean.
    path = write(tmp_path / "Dockerfile", GO)
    code, out, err = run(capsys, "--diff", str(path))
    assert (code, out) == (0, "")  # ruff's --diff: 1 only when there is a change to make
    assert err == "Would fix 0 findings; 1 would remain (run without --diff to list them).\n"
    clean = write(tmp_path / "clean" / "Dockerfile", CLEAN)
    assert run(capsys, "--diff", str(clean)) == (0, "", "Would fix 0 findings.\n")
    assert run(capsys, "--diff", "-q", str(path)) == (0, "", "")


def test_diff_is_coloured_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED.replace(b"AS build", b"AS build\x1b[2J"))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = run(capsys, "--diff", str(path))
    assert "\x1b[31m-ENV GOMEMLIMIT=512MB\x1b[0m\n" in out
    assert "\x1b[32m+ENV GOMEMLIMIT=512MiB\x1b[0m\n" in out
    assert "\x1b[2J" not in out  # the file's own escape sequence is shown, not obeyed
    # Not on a pipe: the exact bytes, for git apply.
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    _, out, _ = run(capsys, "--diff", str(path))
    assert "\x1b[31m" not in out


# --- colour ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "environment", "tty", "coloured"),
    [
        ([], {}, True, True),
        ([], {}, False, False),
        ([], {"FORCE_COLOR": "1"}, False, True),  # was stripped by click on a pipe
        ([], {"NO_COLOR": "1"}, True, False),
        ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ([], {"NO_COLOR": ""}, True, True),  # an empty NO_COLOR does not count
        (["--color", "always"], {}, False, True),
        (["--color", "always"], {"NO_COLOR": "1"}, False, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, True, False),
        (["--color", "auto"], {"FORCE_COLOR": "1"}, False, True),
        (["--no-color"], {}, True, False),
    ],
)
def test_colour(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    environment: dict[str, str],
    tty: bool,
    coloured: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    _, out, _ = run(capsys, *args, str(write(tmp_path / "Dockerfile", MALFORMED)))
    assert ("\x1b[" in out) is coloured


def test_force_color_reaches_a_real_pipe(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    done = subprocess.run(
        [sys.executable, "-m", "dfmemlint", str(path)],
        capture_output=True, text=True, check=False, env={**environment, "FORCE_COLOR": "1"},
    )
    assert done.returncode == 1
    assert "\x1b[31m" in done.stdout


# --- memory limits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("512", "memory limit '512' is 512 bytes, under 4 MiB: too small for a container that "
         "runs a Go program; did you mean 512MiB?"),
        ("3MiB", "memory limit '3MiB' is 3,145,728 bytes (3 MiB), under 4 MiB: too small for a "
         "container that runs a Go program"),
        ("2Pi", "memory limit '2Pi' is 2,251,799,813,685,248 bytes (2,048 TiB), over 16 TiB: not "
         "a container limit dfmemlint accepts (is the unit right?)"),
        ("1Ei", "memory limit '1Ei' is 1,152,921,504,606,846,976 bytes (1,048,576 TiB), over"),
    ],
)
def test_implausible_memory_limits_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    # 512 was taken as 512 bytes, and 2Pi or 1Ei as they are.
    path = write(tmp_path / "Dockerfile", GO)
    code, out, err = run(capsys, "--memory-limit", value, str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: Invalid value for '--memory-limit': {message}")
    assert err.count("\n") == 1


@pytest.mark.parametrize("value", ["4MiB", "16Ti", "4194304"])
def test_the_bounds_themselves_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    path = write(tmp_path / "Dockerfile", GO)
    code, _, err = run(capsys, "--memory-limit", value, "--format", "json", str(path))
    assert code == 1
    assert err == ""


def test_implausible_limits_in_configuration_and_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dfmemlint.toml").write_text("memory-limit = 512\n", encoding="utf-8")
    path = write(tmp_path / "Dockerfile", GO)
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert "Invalid value for 'memory-limit': memory limit '512' is 512 bytes, under 4 MiB" in err
    config.clear_cache()
    (tmp_path / ".dfmemlint.toml").unlink()
    write(path, b"# dfmemlint: memory-limit=64\n" + GO)
    code, out, err = run(capsys, "--format", "json", str(path))
    assert code == 1
    assert err == ""
    first = json.loads(out)[0]
    assert (first["code"], first["line"], first["column"]) == ("DFM017", 1, 27)
    assert "memory limit '64' is 64 bytes, under 4 MiB" in first["message"]


# --- directory searches --------------------------------------------------------------------------


def tree(root: Path) -> None:
    write(root / "Dockerfile", MALFORMED)
    write(root / "app" / "build.containerfile", MALFORMED)
    write(root / "app" / "main.go", b"package main\n")
    write(root / "app" / "README.md", b"# app\n")
    write(root / "node_modules" / "x" / "Dockerfile", MALFORMED)
    write(root / "tests" / "fixtures" / "Dockerfile", MALFORMED)
    write(root / "generated" / "a.dockerfile", MALFORMED)


def paths_of(out: str) -> list[str]:
    return [line for line in out.splitlines() if line]


def test_show_files_lists_what_would_be_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--show-files", ".")
    assert code == 0
    assert paths_of(out) == [
        "Dockerfile",
        os.path.join("app", "build.containerfile"),  # *.containerfile: was passed over
        os.path.join("generated", "a.dockerfile"),
        os.path.join("tests", "fixtures", "Dockerfile"),
    ]
    assert err == (
        "Skipped 2 files that are not Dockerfiles, Kubernetes manifests or Compose files and 1 "
        "excluded path (--verbose lists them).\n"
    )


def test_verbose_names_each_skipped_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A search of 534 files said "in 46 files" and nothing about the rest.
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--verbose", "--format", "json", ".")
    assert code == 1
    assert len(json.loads(out)) == 4
    neither = "not a Dockerfile, Kubernetes manifest or Compose file"
    assert err.splitlines() == [
        f"Skipped node_modules{os.sep}: excluded by 'node_modules'",
        f"Skipped {os.path.join('app', 'README.md')}: {neither}",
        f"Skipped {os.path.join('app', 'main.go')}: {neither}",
        "Skipped 2 files that are not Dockerfiles, Kubernetes manifests or Compose files and 1 "
        "excluded path.",
    ]


def test_exclude_options_and_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)

    def shown(*args: str) -> list[str]:
        config.clear_cache()
        code, out, _ = run(capsys, "--show-files", *args, ".")
        assert code == 0
        return paths_of(out)

    everything = shown()
    assert shown("--extend-exclude", "tests/fixtures") == [
        p for p in everything if not p.startswith("tests")
    ]
    assert shown("--extend-exclude", "*.dockerfile", "--extend-exclude", "app") == [
        "Dockerfile",
        os.path.join("tests", "fixtures", "Dockerfile"),
    ]
    # --exclude replaces the defaults: node_modules is searched again.
    assert os.path.join("node_modules", "x", "Dockerfile") in shown("--exclude", "generated")
    assert os.path.join("generated", "a.dockerfile") not in shown("--exclude", "generated")
    # Configuration: patterns with a / are relative to the configuration file's directory.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dfmemlint]\nextend-exclude = ["tests/fixtures"]\n', encoding="utf-8"
    )
    assert shown() == [p for p in everything if not p.startswith("tests")]
    assert shown("--isolated") == everything
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dfmemlint]\nexclude = ["app"]\n', encoding="utf-8"
    )
    found = shown()
    assert os.path.join("node_modules", "x", "Dockerfile") in found
    assert os.path.join("app", "build.containerfile") not in found


def test_a_file_named_on_the_command_line_is_linted_even_if_excluded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "vendor" / "Dockerfile", MALFORMED)
    code, out, _ = run(capsys, "--format", "json", "--exclude", "vendor", str(path))
    assert code == 1
    assert [f["code"] for f in json.loads(out)] == ["DFM004"]


@pytest.mark.parametrize(
    ("options", "config", "named"),
    [
        # A configured directory pattern, the file named under it (pre-commit's case).
        ((), 'extend-exclude = ["tests/fixtures"]', "tests/fixtures/x.containerfile"),
        # A name pattern, on the file itself.
        (("--extend-exclude", "*.containerfile"), "", "tests/fixtures/x.containerfile"),
        # A default exclude, on a directory in the path as written.
        ((), "", "vendor/lib/Dockerfile"),
    ],
)
def test_force_exclude_applies_the_excludes_to_named_files(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    options: tuple[str, ...],
    config: str,
    named: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / named, MALFORMED)
    write(tmp_path / "Dockerfile", MALFORMED)
    (tmp_path / ".dfmemlint.toml").write_text(config + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--format", "json", *options, named, "Dockerfile")
    assert code == 1
    assert {f["path"] for f in json.loads(out)} == {named, "Dockerfile"}  # named: linted
    code, out, _ = run(capsys, "--format", "json", "--force-exclude", *options, named, "Dockerfile")
    assert code == 1
    assert {f["path"] for f in json.loads(out)} == {"Dockerfile"}
    code, out, err = run(capsys, "--force-exclude", "--verbose", *options, named)
    assert code == 0
    assert f"Skipped {named}: excluded by " in err


def test_the_pre_commit_hooks_force_the_excludes() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    assert all("--force-exclude" in hook["entry"].split() for hook in hooks)


@pytest.mark.parametrize(
    ("path", "patterns", "base", "expected"),
    [
        ("a/node_modules", DEFAULT_EXCLUDE, "", "excluded by 'node_modules'"),
        ("a/b/Dockerfile", ("*.dockerfile",), "", None),
        ("a/b/x.dockerfile", ("*.dockerfile",), "", "excluded by '*.dockerfile'"),
        ("/r/deploy/x/Dockerfile", ("deploy/*/Dockerfile",), "/r",
         "excluded by 'deploy/*/Dockerfile'"),
        ("/r/deploy/x", ("./deploy/x/",), "/r", "excluded by './deploy/x/'"),
        ("/r/other/deploy/x", ("deploy/x",), "/r", None),
        ("/r/deploy/x", ("/r/deploy/*",), "/elsewhere", "excluded by '/r/deploy/*'"),
    ],
)
def test_excluded_by(path: str, patterns: tuple[str, ...], base: str, expected: str | None) -> None:
    assert excluded_by(path, patterns, base) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("build.containerfile", True), ("API.Containerfile", True), ("x.containerfile.md", False)],
)
def test_containerfile_suffix(name: str, expected: bool) -> None:
    assert is_dockerfile_name(name) is expected


# --- control characters ---------------------------------------------------------------------------


def test_control_characters_from_the_file_are_neutralised_in_text_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A DFM000 message quoting the file printed its escape sequences (clear screen, set title).
    data = b"FROM alpine\n\x1b[2J\x1b]0;pwned\x07 x\n"
    path = write(tmp_path / "Dockerfile", data)
    code, out, err = run(capsys, "--no-color", str(path))
    assert code == 1
    assert "DFM000" in out
    for raw in ("\x1b", "\x07"):
        assert raw not in out + err
    assert "\u241b[2J" in out
    # Machine formats keep the exact text (JSON escapes it).
    code, out, _ = run(capsys, "--format", "json", str(path))
    assert "\x1b[2J" in json.loads(out)[0]["message"]
    # GitHub's workflow commands escape only %, CR and LF, and a pipe (as in Actions) must not
    # lose the file's escape sequences: the annotation names the file and quotes it exactly.
    named = write(tmp_path / "a\x1b[31mb.Dockerfile", data)
    code, out, _ = run(capsys, "--format", "github", str(named))
    assert f"file={named}," in out
    assert "\x1b[2J" in out
    assert "\x1b]0;pwned\x07" in out


def test_control_characters_in_warnings_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", b"# dfmemlint: ignore=\x1b[2J\n\n" + GO)
    _, out, err = run(capsys, "--format", "json", str(path))
    messages = [finding["message"] for finding in json.loads(out)]
    assert any("is not directly above an instruction" in message for message in messages)
    assert "is not a dfmemlint rule code" in messages[0]
    _, out, err = run(capsys, "--no-color", str(path))
    assert "is not a dfmemlint rule code" in out
    assert "\x1b" not in out + err
    missing = tmp_path / "no\x1b[2Jfile"
    code, _, err = run(capsys, str(missing))
    assert code == 2
    assert "\x1b" not in err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text", "plain text"),
        ("tab\there", "tab\there"),
        ("\x1b[31mred\r\n", "\u241b[31mred\u240d\u240a"),
        ("del\x7f c1\x9b", "del\u2421 c1\ufffd"),
        ("\u00e9\u4e2d", "\u00e9\u4e2d"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_fix_styles_are_the_rewriters() -> None:
    # options keeps its own copy so that --help does not import the fixer.
    from dfmemlint import engine  # noqa: F401  (the rules first: rules and fix.rewrite import each other)
    from dfmemlint.fix import rewrite

    assert options.FIX_STYLES == rewrite.FIX_STYLES


def test_show_files_without_anything_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", GO)
    assert run(capsys, "--show-files", str(tmp_path)) == (0, f"{path}\n", "")
    write(tmp_path / "vendor" / "Dockerfile", GO)
    code, out, err = run(capsys, "--show-files", str(tmp_path))
    assert (code, out) == (0, f"{path}\n")
    assert err == "Skipped 1 excluded path (--verbose lists them).\n"


def test_a_command_without_a_help_option() -> None:
    import click

    command = options.Command("x", add_help_option=False)
    assert command.get_help_option(click.Context(command)) is None
    with_help = options.Command("y")
    ctx = click.Context(with_help, help_option_names=["-h", "--help"])
    first = with_help.get_help_option(ctx)
    assert first is not None
    assert first.opts == ["-h", "--help"]
    assert with_help.get_help_option(ctx) is first  # built once
