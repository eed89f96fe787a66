"""A run imports only what it uses: the structural guard of the start-up time.

Each case runs the command line in a fresh interpreter and lists the modules it imported
(``sys.modules`` at exit). No timing is asserted: what keeps a one-file lint close to the floor of
any click program (benchmarks/results.md) is that it never loads the YAML reader, the
Kubernetes and Compose models, the language server, the alert rules, the fixer or the output
formats it does not print, nor ``packaging``; ``--version`` loads no linter at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DOCKERFILE = b"""\
FROM golang:1.22-alpine AS build
RUN go build -o /out/api ./cmd/api
FROM alpine:3.20
COPY --from=build /out/api /usr/local/bin/api
ENV GOMEMLIMIT=512MB
CMD ["/usr/local/bin/api"]
"""
MANIFEST = b"""\
apiVersion: v1
kind: Pod
metadata: {name: api}
spec:
  containers:
    - name: api
      image: example/api
      env: [{name: GOMEMLIMIT, value: 512MB}]
"""
# Runs dfmemlint's entry point as the console script does, then writes the imported modules.
PROBE = (
    "import json, sys\n"
    "from dfmemlint.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "with open(sys.argv[1], 'w') as out: json.dump(sorted(sys.modules), out)\n"
    "sys.exit(code)\n"
)
# What no Dockerfile lint uses. The Compose *search* (compose.names: is there a Compose project
# above the Dockerfile, which may build it?) runs for every file on disk; the linking
# (compose.link), the Compose model and with it the YAML reader, only where one is found.
NOT_FOR_A_DOCKERFILE = (
    "dfmemlint.compose.link",
    "yaml",
    "_yaml",
    "pygls",
    "lsprotocol",
    "packaging",
    "difflib",
    "dfmemlint.yamlsource",
    "dfmemlint.kubernetes",
    "dfmemlint.compose.model",
    "dfmemlint.compose.merge",
    "dfmemlint.compose.project",
    "dfmemlint.compose.source",
    "dfmemlint.compose.interpolate",
    "dfmemlint.compose.dotenv",
    "dfmemlint.compose.scalars",
    "dfmemlint.alerts",
    "dfmemlint.server",
    "dfmemlint.fix.fixer",
    "dfmemlint.fix.guarantee",
    "dfmemlint.fix.write",
    "dfmemlint.commands.fixing",
    "dfmemlint.commands.inspect",
    "dfmemlint.commands.budget",
    "dfmemlint.commands.alerts",
    "dfmemlint.commands.server",
    "dfmemlint.commands.ruledoc",
)
REPORTERS = ("text", "json", "github", "sarif")
SHARED_REPORTERS = {"sarif": ("json",)}  # SARIF escapes text as the JSON reporter does


def _imported(tmp_path: Path, *args: str) -> set[str]:
    listing = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(listing), *args],
        capture_output=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    modules: list[str] = json.loads(listing.read_text(encoding="utf-8"))
    return set(modules)


def _under(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules that are one of ``names`` or inside one of them."""
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize("output_format", REPORTERS)
def test_a_dockerfile_lint_imports_only_its_own_pieces(
    tmp_path: Path, output_format: str
) -> None:
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE)
    modules = _imported(tmp_path, "--format", output_format, "Dockerfile")
    assert "dfmemlint.engine" in modules  # the probe saw a real lint
    assert _under(modules, NOT_FOR_A_DOCKERFILE) == []
    used = (output_format, *SHARED_REPORTERS.get(output_format, ()))
    others = tuple(f"dfmemlint.reporters.{name}" for name in REPORTERS if name not in used)
    assert _under(modules, others) == []
    assert f"dfmemlint.reporters.{output_format}" in modules


def test_a_directory_walk_reads_no_yaml_without_a_manifest(tmp_path: Path) -> None:
    """The walk sniffs a YAML file's first bytes; only a manifest or a Compose file is parsed."""
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE)
    (tmp_path / "values.yaml").write_bytes(b"replicaCount: 2\nimage: {tag: v1}\n")
    (tmp_path / "notes.txt").write_bytes(b"GOMEMLIMIT=512MB\n")
    modules = _imported(tmp_path, ".")
    assert "dfmemlint.engine" in modules
    assert _under(modules, NOT_FOR_A_DOCKERFILE) == []


def test_a_manifest_does_import_the_yaml_reader(tmp_path: Path) -> None:
    """The other side of the guard: the probe does see the modules a run uses."""
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE)
    (tmp_path / "pod.yaml").write_bytes(MANIFEST)
    modules = _imported(tmp_path, ".")
    assert {"yaml", "dfmemlint.kubernetes.lint", "dfmemlint.yamlsource.reader"} <= modules


def test_a_compose_project_above_a_dockerfile_loads_the_linking(tmp_path: Path) -> None:
    """The other side of the Compose search: a project two directories up is found, read and
    linked (the Dockerfile takes the service's limit: GOMEMLIMIT=512MB is respelled for it)."""
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build: app/api\n    mem_limit: 1g\n", encoding="utf-8"
    )
    (tmp_path / "app" / "api").mkdir(parents=True)
    (tmp_path / "app" / "api" / "Dockerfile").write_bytes(DOCKERFILE)
    modules = _imported(tmp_path, "app/api/Dockerfile")
    assert {"dfmemlint.compose.link", "dfmemlint.compose.model"} <= modules


def test_a_fix_imports_the_fixer_and_no_yaml(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE)
    modules = _imported(tmp_path, "--diff", "Dockerfile")
    assert {"dfmemlint.commands.fixing", "dfmemlint.fix.fixer", "difflib"} <= modules
    assert _under(modules, ("yaml", "dfmemlint.kubernetes", "dfmemlint.compose.project")) == []


LINTER = (
    "dfmemlint.engine",
    "dfmemlint.dockerfile",
    "dfmemlint.rules",
    "dfmemlint.fix",
    "dfmemlint.reporters.text",
    "dfmemlint.formats",
    "dfmemlint.commands.check",
)


def test_version_imports_no_linter(tmp_path: Path) -> None:
    modules = _imported(tmp_path, "--version")
    assert "dfmemlint.cli" in modules
    assert _under(modules, LINTER + NOT_FOR_A_DOCKERFILE + ("dfmemlint.config",)) == []


def test_budget_imports_no_linter(tmp_path: Path) -> None:
    modules = _imported(tmp_path, "budget", "512MiB")
    assert "dfmemlint.golang.budget" in modules
    assert _under(modules, (*LINTER, "yaml", "dfmemlint.kubernetes", "dfmemlint.compose")) == []


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_budget_imports_no_alert_code(tmp_path: Path, output_format: str) -> None:
    """The alert options' defaults live outside dfmemlint.alerts: a budget that writes no rule
    loads none of it (nor the alerts command)."""
    modules = _imported(tmp_path, "budget", "512MiB", "--format", output_format)
    assert "dfmemlint.commands.budget" in modules
    assert _under(modules, ("dfmemlint.alerts", "dfmemlint.commands.alerts")) == []


def test_budget_writing_a_rule_imports_the_alert_code(tmp_path: Path) -> None:
    """The other side: the probe sees the alert modules when a rule is written, and a --for
    given on the command line is checked (loading the duration parser)."""
    modules = _imported(tmp_path, "budget", "512MiB", "--format", "prometheus")
    assert {"dfmemlint.alerts.rules", "dfmemlint.alerts.promql"} <= modules
    modules = _imported(tmp_path, "budget", "512MiB", "--for", "10m")
    assert "dfmemlint.alerts.promql" in modules
    assert "dfmemlint.alerts.rules" not in modules


# The console script's own command line, then how many objects the collector no longer walks.
FREEZE_PROBE = (
    "import gc, sys\n"
    "from dfmemlint.console import main as own\n"
    "from dfmemlint.cli import main\n"
    "main = own if sys.argv[1] == 'own' else main\n"
    "sys.argv = ['dfmemlint', *sys.argv[2:]] if sys.argv[1] == 'own' else sys.argv\n"
    "code = main() if sys.argv[1] != 'given' else main(sys.argv[2:])\n"
    "print(gc.get_freeze_count())\n"
)


@pytest.mark.parametrize(("how", "frozen"), [("own", True), ("given", False)])
def test_the_console_script_freezes_its_imports(tmp_path: Path, how: str, frozen: bool) -> None:
    """The process's own run moves what it imported out of the collector's sight; a command
    run in-process with arguments given (tests, click's runner) keeps its garbage collectable."""
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE)
    run = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE, how, "--exit-zero", "Dockerfile"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    count = int(run.stdout.splitlines()[-1])
    assert (count > 10_000) is frozen
    assert (count == 0) is not frozen


# Counts the collections that run before the command is loaded (nothing frozen yet), then runs
# the console script as installed: `import dfmemlint.console; main()`.
COLLECTIONS_PROBE = (
    "import gc, sys\n"
    "early, running = [], []\n"
    "gc.callbacks.append(lambda phase, info: running and phase == 'start'"
    " and not gc.get_freeze_count() and early.append(info['generation']))\n"
    "from dfmemlint.console import main\n"
    "assert 'click' not in sys.modules, 'the console script imports click before gc.disable'\n"
    "sys.argv = ['dfmemlint', *sys.argv[1:]]\n"
    "running.append(True)\n"
    "code = main()\n"
    "print(len(early), gc.isenabled(), gc.get_freeze_count() > 0)\n"
)


@pytest.mark.parametrize(
    ("args", "enabled_after"),
    [(["--exit-zero", "Dockerfile"], True), (["--version"], False)],
)
def test_the_console_script_imports_with_the_collector_off(
    tmp_path: Path, args: list[str], enabled_after: bool
) -> None:
    """Nothing is collected while click and the command load (dfmemlint.console): the collector
    is off until the command is loaded and frozen, then on for the run; a run that loads no
    command (--version) leaves it off until exit."""
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE)
    run = subprocess.run(
        [sys.executable, "-c", COLLECTIONS_PROBE, *args],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    early, enabled, frozen = run.stdout.splitlines()[-1].split()
    assert early == "0"
    assert enabled == str(enabled_after)
    assert frozen == str(enabled_after)


def test_the_console_script_is_what_the_package_installs() -> None:
    """The installed `dfmemlint` command and `python -m dfmemlint` both start dfmemlint.console."""
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="dfmemlint")
    assert script.value == "dfmemlint.console:main"
    run = subprocess.run(
        [sys.executable, "-c", "import runpy, sys; sys.argv = ['dfmemlint', '--version'];"
         " runpy.run_module('dfmemlint', run_name='__main__')"],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0
    assert run.stdout.startswith("dfmemlint, version ")
    main_py = Path(__file__).resolve().parents[1] / "dfmemlint" / "__main__.py"
    assert "from dfmemlint.console import main" in main_py.read_text(encoding="utf-8")


# Runs the console script with re's compiler watched, then writes the patterns dfmemlint's own
# code compiled (the caller's file is under the package).
COMPILES_PROBE = (
    "import json, os, re, re._compiler as compiler, sys\n"
    "package = os.path.dirname(__import__('dfmemlint').__file__)\n"
    "original, seen = compiler.compile, []\n"
    "def watched(pattern, flags=0):\n"
    "    frame = sys._getframe(1)\n"
    "    while frame and frame.f_code.co_filename.startswith(os.path.dirname(re.__file__)):\n"
    "        frame = frame.f_back\n"
    "    if frame and frame.f_code.co_filename.startswith(package):\n"
    "        seen.append(str(pattern))\n"
    "    return original(pattern, flags)\n"
    "compiler.compile = watched\n"
    "from dfmemlint.console import main\n"
    "listing, sys.argv = sys.argv[1], ['dfmemlint', *sys.argv[2:]]\n"
    "code = main()\n"
    "with open(listing, 'w') as out: json.dump(seen, out)\n"
)
PLAIN_GO_IMAGE = b"""\
# syntax=docker/dockerfile:1
FROM golang:1.22-alpine AS build
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api && echo built
FROM alpine:3.20
COPY --from=build /out/api /usr/local/bin/api
ENV GOGC=150 GOMEMLIMIT=400MiB
CMD ["/usr/local/bin/api"]
"""


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [
        # A Go toolchain image: its row's pattern, and nothing else.
        (PLAIN_GO_IMAGE, 1),
        # A malformed GOMEMLIMIT: the pattern that reads the intended size, for the fix.
        (PLAIN_GO_IMAGE.replace(b"400MiB", b"400MB"), 2),
        # No Go toolchain image and a well-formed value: none at all.
        (PLAIN_GO_IMAGE.replace(b"golang:1.22-alpine", b"alpine:3.20"), 0),
    ],
)
def test_a_typical_lint_compiles_almost_no_pattern(
    tmp_path: Path, dockerfile: bytes, expected: int
) -> None:
    """Compiling one regular expression costs about as much as importing a module, so the
    reader, shell and settings read their common patterns by hand (tests/test_reader_by_hand.py)
    and rare patterns compile on first use."""
    (tmp_path / "Dockerfile").write_bytes(dockerfile)
    listing = tmp_path / "compiled.json"
    run = subprocess.run(
        [sys.executable, "-c", COMPILES_PROBE, str(listing), "--exit-zero", "Dockerfile"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    compiled = json.loads(listing.read_text(encoding="utf-8"))
    assert len(compiled) == expected, compiled
