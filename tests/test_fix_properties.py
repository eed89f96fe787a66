"""Property tests for the fixer on generated Dockerfiles full of GOMEMLIMIT mistakes.

Whatever the file: fixing never crashes and never has to revert; the result reads; it differs
from the input only inside the places the applied fixes report; it keeps the file's line endings;
the findings that were fixed are gone; and fixing the result again changes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, NamedTuple

from hypothesis import example, given
from hypothesis import strategies as st

from dfmemlint.dockerfile import reader
from dfmemlint.engine import LintOptions, LintResult, lint
from dfmemlint.fix.fixer import FixOutcome, fix_file
from dfmemlint.fix.rewrite import FIX_STYLES

MiB = 1 << 20

VALUES = (
    "512MB", "512M", "512Mi", "512mib", "1.5GiB", "+512MiB", "OFF", "off", "0", "409MiB",
    "2G", "1gib", "-0", "00512MiB", "600MiB", "100", '"512MB"', "'512Mi'", '""', "$LIMIT",
)
FINAL_IMAGES = (
    "alpine:3.20", "debian:12-slim", "scratch", "gcr.io/distroless/static-debian12",
    "gcr.io/distroless/base-debian12:debug", "registry.example.com/runtime:1", "build",
    "cgr.dev/chainguard/static",
)


class Options(NamedTuple):
    options: LintOptions
    unsafe: bool


@st.composite
def dockerfiles(draw: st.DrawFn) -> bytes:
    escape = draw(st.sampled_from(["\\", "`"]))
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    lower = draw(st.booleans())

    def kw(word: str) -> str:
        return word.lower() if lower else word

    def value() -> str:
        return draw(st.sampled_from(VALUES))

    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# syntax=docker/dockerfile:1")
    if escape == "`":
        lines.append("# escape=`")
    if draw(st.booleans()):
        limit = draw(st.sampled_from(["512MiB", "1Gi", "256m", "nonsense"]))
        lines.append(f"# dfmemlint: memory-limit={limit}")
    builder = [
        f"{kw('ENV')} GOMEMLIMIT={value()}",
        f"{kw('ARG')} GOMEMLIMIT={value()}",
        f"{kw('ARG')} LIMIT={value()}",
        f"{kw('RUN')} GOMEMLIMIT={value()} go build -o /app .",
        f"{kw('RUN')} export GOMEMLIMIT={value()} && go build -o /tool ./tool",
        f"{kw('COPY')} . .",
        f"{kw('WORKDIR')} /src",
        "# build it",
        f"{kw('RUN')} <<EOF\nexport GOMEMLIMIT={value()}\ngo build -o /app2 .\nEOF",
        f"{kw('RUN')} cat > /etc/app.env <<EOF\nGOMEMLIMIT={value()}\nEOF",
    ]
    lines.append(f"{kw('FROM')} golang:{draw(st.sampled_from(['1.22', '1.17', '1']))} AS build")
    chosen_builder = draw(st.lists(st.sampled_from(builder), max_size=4, unique=True))
    lines += [indent + line for line in chosen_builder]
    lines.append(f"{indent}{kw('RUN')} go build -o /app .")
    lines.append("")
    if draw(st.booleans()):  # a stage the final image does not build
        lines += [f"{kw('FROM')} alpine AS unused", f"{kw('ENV')} GOMEMLIMIT={value()}",
                  f"{kw('COPY')} --from=build /app /app", f'{kw("CMD")} ["/app"]', ""]
    lines.append(f"{kw('FROM')} {draw(st.sampled_from(FINAL_IMAGES))}")
    final = [
        f"{kw('COPY')} --from=build /app /app",
        f"{kw('ENV')} GOGC=off",
        f"{kw('ENV')} GOMEMLIMIT={value()}",
        f"{kw('ENV')} GOMEMLIMIT {value()}",
        f"{kw('ENV')} GOGC=100 {escape}\n    # the limit\n    GOMEMLIMIT={value()}",
        f"{kw('ENV')} GOMAXPROCS=2 GOGC=off",
        f"{kw('RUN')} apk add --no-cache ca-certificates",
        f"{kw('ARG')} LIMIT={value()}",
        f"{kw('ENV')} GOMEMLIMIT=$LIMIT",
        f"{kw('USER')} 65534",
        f"{kw('LABEL')} note=\"GOMEMLIMIT=512MB\"",
        "# runtime settings",
        "",
        f'{kw("SHELL")} ["/bin/bash", "-c"]',
        f"{kw('HEALTHCHECK')} CMD GOMEMLIMIT={value()} /app -health",
    ]
    chosen_final = draw(st.lists(st.sampled_from(final), max_size=5, unique=True))
    lines += [indent + line for line in chosen_final]
    lines.append(f"{indent}{kw('COPY')} --from=build /app /app")
    starts = [
        "",
        f'{kw("CMD")} ["/app"]',
        f'{kw("CMD")} ["/app","--serve"]',
        f"{kw('CMD')} /app --serve",
        f"{kw('CMD')} /app migrate && /app serve",
        f'{kw("ENTRYPOINT")} ["/app"]\n{kw("CMD")} ["--serve"]',
        f'{kw("CMD")} ["env", "GOGC=off", "/app"]',
        f'{kw("CMD")} ["env", "GOMEMLIMIT={value()}", "/app"]',
        f"{kw('CMD')} GOMEMLIMIT={value()} /app",
        f'{kw("ENTRYPOINT")} ["/app", {escape}\n      "--serve"]',
        f"{kw('ENTRYPOINT')} /app",
        f'{kw("CMD")} ["/app"]\n{kw("EXPOSE")} 8080',
    ]
    start = draw(st.sampled_from(starts))
    if start:
        lines += [indent + line for line in start.split("\n")]
    if draw(st.booleans()):
        lines.append("# end")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(lines)
    if draw(st.booleans()):
        text += newline
    data = text.encode()
    if draw(st.booleans()):
        data = reader.BOM + data
    return data


def _lint_options(**fields: Any) -> LintOptions:
    # LintOptions is a NamedTuple: given to st.builds directly, every one of its fields is drawn.
    return LintOptions(**fields)


options_strategy = st.builds(
    Options,
    st.builds(
        _lint_options,
        memory_limit=st.sampled_from([None, 512 * MiB, 1 << 30, 300 * MiB]),
        memory_limit_from_cli=st.booleans(),
        ratio=st.sampled_from([0.8, 0.9, 0.75]),
        fix_style=st.sampled_from(FIX_STYLES),
    ),
    st.booleans(),
)


def _unchanged_outside(original: bytes, fixed: bytes, spans: list[tuple[int, int]]) -> bool:
    """``fixed`` is ``original`` with only the ``spans`` replaced (by anything)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    pieces: list[bytes] = []
    pos = 0
    for start, end in merged:
        pieces.append(original[pos:start])
        pos = end
    pieces.append(original[pos:])
    if len(pieces) == 1:
        return fixed == original
    if not fixed.startswith(pieces[0]):
        return False
    at = len(pieces[0])
    for piece in pieces[1:-1]:
        found = fixed.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return fixed.endswith(pieces[-1]) and len(fixed) - len(pieces[-1]) >= at


def _check(data: bytes, chosen: Options) -> FixOutcome:
    options, unsafe = chosen
    before = lint("Dockerfile", data, options)
    outcome = fix_file("Dockerfile", data, options, unsafe=unsafe)
    assert outcome.error is None, outcome.error
    assert outcome.result is not None
    fixed = outcome.data
    if before.dockerfile.error is not None:
        assert fixed == data
        return outcome
    after = reader.read(fixed)
    assert after.error is None

    # Only the reported places changed.
    assert _unchanged_outside(data, fixed, [(a.start, a.end) for a in outcome.applied])
    assert len(outcome.applied) == len(outcome.fixed)
    # Line endings: nothing bare in a CRLF file, no CR added to an LF file.
    if b"\n" in data and not re.search(rb"(?<!\r)\n", data):
        assert not re.search(rb"(?<!\r)\n", fixed)
    if b"\r" not in data:
        assert b"\r" not in fixed
    assert fixed.startswith(reader.BOM) == data.startswith(reader.BOM)

    # What was fixed is gone.
    count_before = Counter((f.code, f.message) for f in before.findings)
    count_after = Counter((f.code, f.message) for f in outcome.result.findings)
    count_fixed = Counter((f.code, f.message) for f in outcome.fixed)
    for key, fixed_count in count_fixed.items():
        assert count_after[key] <= max(0, count_before[key] - fixed_count), key
    if options.memory_limit is not None and outcome.fixed:
        codes = {f.code for f in outcome.result.findings}
        fixed_codes = {f.code for f in outcome.fixed}
        assert not codes & fixed_codes & {"DFM006", "DFM008"}

    # Fixing again changes nothing.
    again = fix_file("Dockerfile", fixed, options, unsafe=unsafe)
    assert again.error is None
    assert again.data == fixed
    assert again.fixed == []
    return outcome


@given(dockerfiles(), options_strategy)
@example(
    b'FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM scratch\nENV GOGC=off\n'
    b'COPY --from=build /app /app\nCMD ["/app"]',
    Options(LintOptions(memory_limit=512 * MiB), False),
)
def test_fixing_generated_dockerfiles(data: bytes, chosen: Options) -> None:
    _check(data, chosen)


@given(dockerfiles())
def test_with_a_declared_limit_every_go_image_ends_up_with_a_gomemlimit(data: bytes) -> None:
    options = LintOptions(memory_limit=512 * MiB, memory_limit_from_cli=True)
    outcome = _check(data, Options(options, True))
    assert isinstance(outcome.result, LintResult)
    codes = {f.code for f in outcome.result.findings}
    context = outcome.result.context
    if context.old_go_builders:
        # That Go ignores GOMEMLIMIT: no fix adds one (it would make DFM005 an error); DFM005
        # says to upgrade wherever the image runs the program.
        assert "DFM005" in codes or not context.runs_go
        return
    assert "DFM006" not in codes
    existing = outcome.result.context.runtime_settings.get("GOMEMLIMIT")
    if existing is None or existing.editable:
        # Left alone: a value spelled with a variable (ENV GOMEMLIMIT=$LIMIT) that is empty.
        assert "DFM008" not in codes
