"""What lint calls a safe fix is what ``--fix`` applies.

For every file below, under several declared limits and both fix styles: every finding whose fix
lint offers as safe is gone after ``--fix`` (safe fixes only), the re-lint of the fixed text
gains no finding and makes none more severe, and fixing again changes nothing. Counted here
independently of the fixer's own check (``fix.guarantee``): per rule and severity, so a finding
that moved or whose value was respelled is the same one, and one more of a rule is new.

The files: generated cases of each kind that once broke the promise (a respelling that DFM007 or
DFM008 then flags; an ENV moved below a later ``ARG`` that its value reads), the repository's
fixtures, and ``../shared/corpus`` (real-world and edge-case Dockerfiles and manifests; skipped
when absent).
"""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import lint
from dfmemlint.golang.container_limit import parse_memory_limit
from dfmemlint.types import Applicability, Finding, Severity

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
_NOT_LINTED = (".expected", ".args", ".json", ".md", ".tsv", ".toml", ".env")


def _options(limit: str | None = None, style: str = "env", ratio: float = 0.8) -> LintOptions:
    return LintOptions(
        memory_limit=None if limit is None else parse_memory_limit(limit),
        memory_limit_source="--memory-limit",
        memory_limit_from_cli=limit is not None,
        fix_style=style,
        ratio=ratio,
    )


def _safe(findings: list[Finding]) -> list[Finding]:
    return [
        f for f in findings
        if f.fix is not None and f.fix.edits and f.fix.applicability is Applicability.SAFE
    ]


def broken_promises(path: str, data: bytes, options: LintOptions) -> list[str]:
    """How ``--fix`` on ``data`` breaks what its lint says of safe fixes (empty: it keeps it)."""
    before = lint(path, data, options)
    safe = _safe(before.findings)
    if not safe:
        return []
    outcome = fix_file(path, data, options, unsafe=False)
    if outcome.error is not None:
        return [f"--fix failed: {outcome.error}"]
    after = lint(path, outcome.data, options)
    broken = []
    for code in sorted({f.code for f in before.findings + after.findings}):
        for severity in Severity:
            def count(findings: list[Finding], code: str = code, at: Severity = severity) -> int:
                return sum(1 for f in findings if f.code == code and f.severity >= at)

            allowed = count(before.findings) - count(safe)
            if count(after.findings) > allowed:
                broken.append(
                    f"{code} at {severity.label} or above: {count(before.findings)} before, "
                    f"{count(safe)} safely fixable, {count(after.findings)} after --fix"
                )
    if fix_file(path, outcome.data, options, unsafe=False).data != outcome.data:
        broken.append("--fix twice differs from --fix once")
    return broken


# --- generated cases --------------------------------------------------------------------------

_BUILD = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
_SHAPES = {
    "env": (
        _BUILD + "FROM {base}\nCOPY --from=build /app /app\nENV GOMEMLIMIT={v}\n"
        "CMD [\"/app\"]\n"
    ),
    "env-gogc-off": (
        _BUILD + "FROM {base}\nCOPY --from=build /app /app\nENV GOGC=off GOMEMLIMIT={v}\n"
        "CMD [\"/app\"]\n"
    ),
    "env-early": _BUILD + "FROM {base}\nENV GOMEMLIMIT={v}\nCOPY --from=build /app /app\n"
    "CMD [\"/app\"]\n",
    "arg-default": (
        _BUILD + "FROM {base}\nARG LIMIT={v}\nCOPY --from=build /app /app\n"
        "ENV GOMEMLIMIT=$LIMIT\nCMD [\"/app\"]\n"
    ),
    "cmd-inline": _BUILD + "FROM alpine:3.20\nCOPY --from=build /app /app\n"
    "CMD GOMEMLIMIT={v} exec /app\n",
    "cmd-env": _BUILD + "FROM {base}\nCOPY --from=build /app /app\n"
    "CMD [\"env\", \"GOMEMLIMIT={v}\", \"/app\"]\n",
    "builder-env": (
        "FROM golang:1.22 AS build\nENV GOMEMLIMIT={v}\nRUN go build -o /app .\nFROM {base}\n"
        "COPY --from=build /app /app\nCMD [\"/app\"]\n"
    ),
    "run-inline": (
        "FROM golang:1.22 AS build\nRUN GOMEMLIMIT={v} go build -o /app .\nFROM {base}\n"
        "COPY --from=build /app /app\nCMD [\"/app\"]\n"
    ),
    "both-stages": (
        "FROM golang:1.22 AS build\nENV GOMEMLIMIT={v}\nRUN go build -o /app .\nFROM {base}\n"
        "COPY --from=build /app /app\nENV GOMEMLIMIT={v}\nCMD [\"/app\"]\n"
    ),
    "old-go": (
        "FROM golang:1.17 AS build\nRUN go build -o /app .\nFROM {base}\n"
        "COPY --from=build /app /app\nENV GOMEMLIMIT={v}\nCMD [\"/app\"]\n"
    ),
}
# Malformed values whose respelling is under 1 MiB, 0, "off", or plain; version-dependent ones.
_VALUES = (
    "512KB", "0MB", "0.5MB", "100b", "+0", "+0MiB", "+512KiB", "OFF", "512MB", "1GB", "512M",
    "0Mi", "1KB", '"512KB"', "1.5MB", "1024KB",
)
_MANIFEST = """\
apiVersion: v1
kind: Pod
metadata: {{name: api}}
spec:
  containers:
    - name: api
      image: example/api
      env: [{{name: GOMEMLIMIT, value: "{v}"}}, {{name: GOGC, value: "{gogc}"}}]
      resources: {{limits: {{memory: {limit}}}}}
"""
_COMPOSE = """\
services:
  api:
    image: example/api
    mem_limit: {limit}
    environment:
      GOMEMLIMIT: "{v}"
      GOGC: "{gogc}"
"""
_OTHER_CASES = {
    # An ENV moved below a later ARG that its value reads would take the ARG's new value.
    "env-reads-later-arg.Dockerfile": (
        _BUILD + "FROM alpine:3.20\nARG LIMIT=400MiB\nENV GOMEMLIMIT=$LIMIT\nARG LIMIT=512MB\n"
        "COPY --from=build /app /app\nCMD [\"/app\"]\n"
    ),
    "env-reads-later-env.Dockerfile": (
        _BUILD + "FROM alpine:3.20\nARG LIMIT=400\nENV GOGC=$LIMIT\nENV LIMIT=off\n"
        "COPY --from=build /app /app\nCMD [\"/app\"]\n"
    ),
    "cmd-then-copy.Dockerfile": (
        _BUILD + "FROM alpine:3.20\nCOPY --from=build /app /app\nCMD [\"/app\"]\nCOPY x /y\n"
    ),
    "gogc-early.Dockerfile": (
        _BUILD + "FROM alpine:3.20\nENV GOGC=off\nCOPY --from=build /app /app\nCMD [\"/app\"]\n"
    ),
}


def generated() -> Iterator[tuple[str, bytes]]:
    for (shape, text), value, base in itertools.product(
        _SHAPES.items(), _VALUES, ("scratch", "alpine:3.20")
    ):
        yield f"{shape}-{value}-{base}.Dockerfile", text.format(v=value, base=base).encode()
    for value, gogc, limit in itertools.product(_VALUES, ("off", "100"), ("512Mi", "1Mi")):
        bare = value.strip('"')
        yield (
            f"pod-{value}-{gogc}-{limit}.yaml",
            _MANIFEST.format(v=bare, gogc=gogc, limit=limit).encode(),
        )
        yield (
            f"compose-{value}-{gogc}-{limit}.compose.yaml",
            _COMPOSE.format(v=bare, gogc=gogc, limit=limit.removesuffix("i")).encode(),
        )
    for name, text in _OTHER_CASES.items():
        yield name, text.encode()
    for value in _VALUES:  # an entrypoint script named on the command line
        script = f'#!/bin/sh\nexport GOMEMLIMIT={value}\nexec "$@"\n'
        yield f"entrypoint-{value}.sh", script.encode()


_RUNS = [(None, "env"), ("64MiB", "env"), ("512MiB", "inline"), ("1MiB", "env")]


@pytest.mark.parametrize(("limit", "style"), _RUNS)
def test_generated_cases_keep_the_promise(limit: str | None, style: str) -> None:
    options = _options(limit, style)
    report = {
        name: broken for name, data in generated()
        if (broken := broken_promises(name, data, options))
    }
    assert report == {}


def test_the_issue_example_is_not_offered_as_safe() -> None:
    """``ENV GOMEMLIMIT=512KB`` in a scratch image: 512KiB is under 1 MiB (DFM007), so the
    respelling is offered as unsafe, saying why, and ``--fix`` leaves the file alone."""
    data = (
        _BUILD + "FROM scratch\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512KB\n"
        "CMD [\"/app\"]\n"
    ).encode()
    (finding,) = lint("Dockerfile", data, _options()).findings
    assert finding.code == "DFM004"
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "not safe here: 512KiB would be under 1 MiB, which DFM007 flags" in finding.fix.title
    assert "Use 512KiB only if that is meant" in finding.message
    assert fix_file("Dockerfile", data, _options(), unsafe=False).data == data
    # With a declared limit, the value to write is the recommended one (still unsafe).
    (limited,) = lint("Dockerfile", data, _options("512MiB")).findings
    assert limited.fix is not None
    assert limited.fix.applicability is Applicability.UNSAFE
    assert limited.fix.edits[0].replacement == b"409MiB"


def test_off_beside_gogc_off_is_not_offered_as_safe() -> None:
    data = (
        _BUILD + "FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOGC=off GOMEMLIMIT=OFF\n"
        "CMD [\"/app\"]\n"
    ).encode()
    (finding,) = lint("Dockerfile", data, _options()).findings
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "GOMEMLIMIT=off beside GOGC=off would bound nothing" in finding.fix.title


def test_a_respelling_that_is_fine_stays_safe() -> None:
    """Only a risky respelling is demoted: 512MB in the final stage, and 512KB where no range
    rule judges it (the build stage's toolchain cap), are still safe fixes."""
    final = lint(
        "Dockerfile", _SHAPES["env"].format(v="512MB", base="scratch").encode(), _options()
    )
    builder = lint(
        "Dockerfile", _SHAPES["builder-env"].format(v="512KB", base="scratch").encode(), _options()
    )
    for result in (final, builder):
        (fixed,) = [f for f in result.findings if f.code == "DFM004"]
        assert fixed.fix is not None
        assert fixed.fix.applicability is Applicability.SAFE


def test_the_check_is_able_to_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the respelling's risk ignored (as before), the issue's example breaks the promise."""
    from dfmemlint.rules import gomemlimit_malformed

    monkeypatch.setattr(gomemlimit_malformed, "respelling_risk", lambda *args: None)
    data = _SHAPES["env"].format(v="512KB", base="scratch").encode()
    assert broken_promises("Dockerfile", data, _options()) == [
        "DFM004 at info or above: 1 before, 1 safely fixable, 1 after --fix",
        "DFM004 at warning or above: 1 before, 1 safely fixable, 1 after --fix",
        "DFM004 at error or above: 1 before, 1 safely fixable, 1 after --fix",
    ]


# --- the repository's fixtures and the shared corpus -------------------------------------------


def _lintable(root: Path) -> list[Path]:
    return sorted(
        path for path in root.rglob("*")
        if path.is_file() and not path.name.endswith(_NOT_LINTED) and ".fixed" not in path.name
        and "fixed" not in path.parts
    )


def _fixture_options(case: Path) -> list[LintOptions]:
    """The fixture's own options (``<case>.args``: limit, fix style, ratio), and no limit."""
    args = case.with_name(case.name.split(".")[0] + ".args")
    runs = [_options()]
    if args.is_file():
        words = shlex.split(args.read_text(encoding="utf-8"))
        given = dict(zip(words, [*words[1:], ""], strict=True))
        runs.append(
            _options(
                given.get("--memory-limit"),
                given.get("--fix-style", "env"),
                float(given.get("--ratio", "0.8")),
            )
        )
    else:
        runs.append(_options("512MiB", "inline"))
    return runs


def test_fixtures_keep_the_promise() -> None:
    report: dict[str, list[str]] = {}
    for case in _lintable(FIXTURES):
        for options in _fixture_options(case):
            broken = broken_promises(str(case.relative_to(FIXTURES)), case.read_bytes(), options)
            if broken:
                report[case.name] = broken
    assert report == {}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus at ../shared/corpus")
@pytest.mark.parametrize(("limit", "style"), [(None, "env"), ("512MiB", "inline")])
def test_corpus_keeps_the_promise(limit: str | None, style: str) -> None:
    options = _options(limit, style)
    report: dict[str, list[str]] = {}
    for path in _lintable(CORPUS):
        broken = broken_promises(path.name, path.read_bytes(), options)
        if broken:
            report[str(path.relative_to(CORPUS))] = broken
    assert report == {}
