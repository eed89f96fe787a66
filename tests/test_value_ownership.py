"""DFM004 owns whether a GOMEMLIMIT value is one Go accepts; the placement rules (DFM001 build
only, DFM002 wrong stage) say where it is set and agree with DFM004 on the value: never "nothing
to change" beside a malformed value, for every malformed shape and every place a build-time
value is written."""

from __future__ import annotations

import itertools

import pytest

from dfmemlint.engine import LintOptions, lint
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit

_FINAL = 'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
_PLACES = {
    # DFM002 info: a builder ENV that the stage's go build reads.
    "builder-env": "FROM golang:1.22 AS build\nENV GOMEMLIMIT={v}\nRUN go build -o /app .\n"
    + _FINAL,
    # DFM001 info: a RUN cap beside a runtime GOMEMLIMIT.
    "run-cap": "FROM golang:1.22 AS build\nRUN GOMEMLIMIT={v} go build -o /app .\n" + _FINAL,
    # DFM001 warning: a RUN value and none at runtime.
    "run-only": "FROM golang:1.22 AS build\nRUN GOMEMLIMIT={v} go build -o /app .\n"
    'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n',
    # DFM001: an ARG default that later RUN steps inherit.
    "arg": "FROM golang:1.22 AS build\nARG GOMEMLIMIT={v}\nRUN go build -o /app .\n" + _FINAL,
    "export": "FROM golang:1.22 AS build\nRUN export GOMEMLIMIT={v} && go build -o /app .\n"
    + _FINAL,
}
_MALFORMED = (
    "512MB", "512M", "512Mi", "512mib", "1.5GiB", "OFF", "512KB", "0MB", "1e9", "0x200",
    "-5MiB", "1.3GiB", "+512MiB", "-MiB", "+0",
)


@pytest.mark.parametrize(
    ("place", "value"), list(itertools.product(_PLACES, _MALFORMED)), ids="-".join
)
def test_placement_advice_agrees_with_dfm004(place: str, value: str) -> None:
    assert judge_gomemlimit(value).status in (
        MemLimitStatus.MALFORMED, MemLimitStatus.VERSION_DEPENDENT
    )
    findings = lint("Dockerfile", _PLACES[place].format(v=value).encode(), LintOptions()).findings
    malformed = {(f.line, f.column) for f in findings if f.code == "DFM004"}
    placement = [f for f in findings if f.code in ("DFM001", "DFM002")]
    assert malformed
    assert placement
    for finding in placement:
        assert (finding.line, finding.column) in malformed
        assert "othing to change" not in finding.message, finding.message
        assert "makes the build exit" in finding.message
        assert "(DFM004)" in finding.message
        if judge_gomemlimit(value).status is MemLimitStatus.VERSION_DEPENDENT:
            assert "under some Go releases" in finding.message


@pytest.mark.parametrize("place", ["builder-env", "run-cap"])
def test_a_valid_cap_needs_nothing(place: str) -> None:
    data = _PLACES[place].format(v="512MiB").encode()
    findings = lint("Dockerfile", data, LintOptions()).findings
    (finding,) = [f for f in findings if f.code in ("DFM001", "DFM002")]
    assert finding.message.endswith("Nothing to change if the cap is intended.")
    assert "DFM004" not in finding.message
    assert not any(f.code == "DFM004" for f in findings)


@pytest.mark.parametrize(("builders", "agrees"), [(("1.17",), True), (("1.17", "1.22"), False)])
def test_dfm004_agrees_with_dfm005_on_an_old_go(builders: tuple[str, ...], agrees: bool) -> None:
    """A Go older than 1.19 ignores GOMEMLIMIT (DFM005: the limit does nothing), so DFM004 does
    not say that this image's program exits at start-up while only old toolchains build it."""
    stages = "".join(
        f"FROM golang:{version} AS b{i}\nRUN go build -o /app{i} .\n"
        for i, version in enumerate(builders)
    )
    copies = "".join(f"COPY --from=b{i} /app{i} /app{i}\n" for i in range(len(builders)))
    data = (stages + "FROM alpine:3.20\n" + copies + 'ENV GOMEMLIMIT=512MB\nCMD ["/app0"]\n')
    findings = lint("Dockerfile", data.encode(), LintOptions()).findings
    (malformed,) = [f for f in findings if f.code == "DFM004"]
    assert any(f.code == "DFM005" for f in findings)
    assert ("ignores GOMEMLIMIT (DFM005)" in malformed.message) is agrees
    assert ("every Go process in this image exits" in malformed.message) is not agrees
