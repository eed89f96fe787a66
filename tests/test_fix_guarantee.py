"""A safe fix never makes the file worse: the examples of section 1 of the "findings and fixes
you can trust" issue, and further cases of each kind.

* With a declared limit, DFM004's respelling is capped at the recommended value (and says so).
* No GOMEMLIMIT is added for a program that a Go older than 1.19 builds (DFM005 would escalate).
* One acceptable range of ratios: ``--ratio``, config ``ratio`` and ``budget`` refuse the rest.
* A moved ENV takes its comment block (suppressions included) with it.
* The fixer holds back a safe fix that would add or escalate a finding (``fix.guarantee``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix import guarantee
from dfmemlint.fix.fixer import fix_file
from dfmemlint.golang.container_limit import parse_memory_limit
from dfmemlint.rules import REGISTRY
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix, Severity

MiB = 1 << 20
FINAL = b"FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine:3.20\n"


def _options(limit: str | None = None, ratio: float = 0.8) -> LintOptions:
    return LintOptions(
        memory_limit=None if limit is None else parse_memory_limit(limit),
        memory_limit_source="--memory-limit",
        memory_limit_from_cli=limit is not None,
        ratio=ratio,
    )


def _codes(data: bytes, options: LintOptions) -> list[tuple[str, str]]:
    return [(f.code, f.severity.label) for f in lint("Dockerfile", data, options).findings]


# --- DFM004's respelling, capped with a declared limit ------------------------------------------


@pytest.mark.parametrize(
    ("value", "limit", "written"),
    [
        (b"512MB", "512m", b"409MiB"),  # the issue's example: 512MiB is the limit itself
        (b"512M", "512MiB", b"409MiB"),
        (b"1G", "1Gi", b"819MiB"),
        (b"500mb", "512MiB", b"409MiB"),  # 500MiB is 97.6 % of the limit
        (b"486MB", "512MiB", b"486MiB"),  # 94.9 %: the respelling stands
        (b"400Mi", "512MiB", b"400MiB"),
        (b"512MB", "1GiB", b"512MiB"),
    ],
)
def test_dfm004_respelling_is_capped_at_the_recommended_value(
    value: bytes, limit: str, written: bytes
) -> None:
    data = FINAL + b"COPY --from=build /out/app /app\nENV GOMEMLIMIT=" + value + b'\nCMD ["/app"]\n'
    options = _options(limit)
    before = lint("Dockerfile", data, options)
    (finding,) = before.findings
    assert finding.code == "DFM004"
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.SAFE
    outcome = fix_file("Dockerfile", data, options, unsafe=False)
    assert outcome.error is None
    assert outcome.data == data.replace(b"GOMEMLIMIT=" + value, b"GOMEMLIMIT=" + written)
    assert outcome.result is not None
    assert outcome.result.findings == []
    capped = written != value.replace(b"MB", b"MiB").replace(b"mb", b"MiB")
    capped = capped and not written.startswith(value.rstrip(b"MGBmbi"))
    assert ("of the declared" in finding.fix.title) is capped
    assert ("of the declared" in finding.message) is capped


def test_dfm004_cap_names_the_limit_and_why() -> None:
    data = FINAL + b'COPY --from=build /out/app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
    (finding,) = lint("Dockerfile", data, _options("512m")).findings
    assert finding.fix is not None
    assert finding.fix.title == (
        "Replace 512MB with 409MiB (0.8 of the declared 512MiB memory limit; 512MiB would equal "
        "the declared 512MiB memory limit, leaving nothing for memory GOMEMLIMIT does not count)"
    )


def test_dfm004_cap_reaches_the_arg_default_that_feeds_the_runtime_env() -> None:
    data = (
        FINAL + b"ARG LIMIT=512MB\nCOPY --from=build /out/app /app\nENV GOMEMLIMIT=$LIMIT\n"
        b'CMD ["/app"]\n'
    )
    outcome = fix_file("Dockerfile", data, _options("512MiB"), unsafe=False)
    assert outcome.data == data.replace(b"LIMIT=512MB", b"LIMIT=409MiB")


def test_dfm004_build_time_value_is_only_respelled() -> None:
    # A builder's GOMEMLIMIT caps `go build`, not the container: the container's limit does not
    # bound it, and DFM007 does not judge it.
    data = (
        b"FROM golang:1.22 AS build\nENV GOMEMLIMIT=2GB\nRUN go build -o /out/app .\n"
        b'FROM alpine:3.20\nCOPY --from=build /out/app /app\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
    )
    outcome = fix_file("Dockerfile", data, _options("512MiB"), unsafe=False)
    assert outcome.data == data.replace(b"=2GB", b"=2GiB")


def test_dfm004_no_declared_limit_no_cap() -> None:
    data = FINAL + b'COPY --from=build /out/app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
    outcome = fix_file("Dockerfile", data, _options(), unsafe=False)
    assert outcome.data == data.replace(b"512MB", b"512MiB")


# --- No GOMEMLIMIT for a Go that ignores it ------------------------------------------------------


@pytest.mark.parametrize("image", [b"golang:1.18", b"golang:1.16-alpine", b"golang:1.11.0"])
def test_no_gomemlimit_added_for_go_older_than_1_19(image: bytes) -> None:
    data = FINAL.replace(b"golang:1.22", image) + b'COPY --from=build /out/app /app\nCMD ["/app"]\n'
    options = _options("512MiB")
    assert _codes(data, options) == [("DFM005", "warning"), ("DFM006", "warning")]
    outcome = fix_file("Dockerfile", data, options, unsafe=False)
    assert outcome.data == data
    assert outcome.result is not None
    missing = next(f for f in outcome.result.findings if f.code == "DFM006")
    assert missing.fix is None
    assert "First build with Go 1.19 or newer (DFM005)" in missing.message
    # Unsafe fixes do not add it either: it would do nothing.
    assert fix_file("Dockerfile", data, options, unsafe=True).data == data


def test_gogc_off_with_old_go_gets_no_gomemlimit_either() -> None:
    data = (
        FINAL.replace(b"golang:1.22", b"golang:1.18")
        + b'COPY --from=build /out/app /app\nENV GOGC=off\nCMD ["/app"]\n'
    )
    (gogc,) = [f for f in lint("Dockerfile", data, _options("1GiB")).findings if f.code == "DFM008"]
    assert gogc.fix is None


# --- One acceptable range of ratios -------------------------------------------------------------


def test_fix_refuses_a_ratio_outside_the_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = tmp_path / "Dockerfile"
    data = FINAL + b'COPY --from=build /out/app /app\nCMD ["/app"]\n'
    dockerfile.write_bytes(data)
    for args in (["--fix"], ["--unsafe-fixes"]):
        code = main([*args, "--ratio", "0.99", "--memory-limit", "1Gi", str(dockerfile)])
        err = capsys.readouterr().err
        assert code == 2
        assert "the ratio must be above 0 and at most 0.95, not 0.99" in err
        assert dockerfile.read_bytes() == data
    assert main(["--fix", "--ratio", "0.95", "--memory-limit", "1Gi", str(dockerfile)]) == 0
    assert b"GOMEMLIMIT=972MiB" in dockerfile.read_bytes()
    capsys.readouterr()


@pytest.mark.parametrize("ratio", ["0.999", "0.96", "1", "0"])
def test_budget_refuses_a_ratio_outside_the_range(
    ratio: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["budget", "1Gi", "--ratio", ratio]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "above 0 and at most 0.95" in captured.err


def test_config_ratio_outside_the_range(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dfmemlint.toml").write_text("ratio = 0.99\n", encoding="utf-8")
    (tmp_path / "Dockerfile").write_bytes(FINAL)
    assert main([str(tmp_path / "Dockerfile")]) == 2
    assert "ratio must be above 0 and at most 0.95, not 0.99" in capsys.readouterr().err


@pytest.mark.parametrize("ratio", [0.05, 0.5, 0.8, 0.9, 0.95])
@pytest.mark.parametrize("limit", ["64MiB", "512MiB", "1GiB", "2g", "1.5Gi", "300000000"])
def test_every_ratio_in_range_gives_a_value_dfm007_accepts(ratio: float, limit: str) -> None:
    data = FINAL + b'COPY --from=build /out/app /app\nCMD ["/app"]\n'
    options = _options(limit, ratio)
    outcome = fix_file("Dockerfile", data, options, unsafe=False)
    assert outcome.result is not None
    assert [f.code for f in outcome.result.findings] == []


# --- A moved ENV takes its comments -------------------------------------------------------------


ISSUE_DFM003 = b"""FROM golang:1.22 AS build
RUN go build -o /out/app .
FROM alpine:3.20
RUN apk add --no-cache ca-certificates
# dfmemlint: ignore=DFM007
ENV GOMEMLIMIT=500MiB
COPY --from=build /out/app /app
CMD ["/app"]
"""


def test_dfm003_move_keeps_the_suppression_with_its_instruction() -> None:
    options = _options("512MiB")
    assert _codes(ISSUE_DFM003, options) == [("DFM003", "warning")]
    outcome = fix_file("Dockerfile", ISSUE_DFM003, options, unsafe=False)
    assert outcome.data == ISSUE_DFM003.replace(
        b"# dfmemlint: ignore=DFM007\nENV GOMEMLIMIT=500MiB\nCOPY --from=build /out/app /app\n",
        b"COPY --from=build /out/app /app\n# dfmemlint: ignore=DFM007\nENV GOMEMLIMIT=500MiB\n",
    )
    assert outcome.result is not None
    assert outcome.result.findings == []


def test_dfm003_move_takes_the_whole_comment_block_but_not_what_a_blank_line_separates() -> None:
    data = (
        FINAL + b"# Runtime tuning.\n\n# Tuned for the 1GiB pods.\n# dfmemlint: ignore=DFM007\n"
        b"ENV GOGC=50 GOMEMLIMIT=1000MiB\nCOPY --from=build /out/app /app\nCMD [\"/app\"]\n"
    )
    outcome = fix_file("Dockerfile", data, _options("1GiB"), unsafe=False)
    assert outcome.data == (
        FINAL + b"# Runtime tuning.\n\nCOPY --from=build /out/app /app\n"
        b"# Tuned for the 1GiB pods.\n# dfmemlint: ignore=DFM007\n"
        b'ENV GOGC=50 GOMEMLIMIT=1000MiB\nCMD ["/app"]\n'
    )


def test_dfm003_move_with_crlf_and_no_final_newline() -> None:
    data = (
        FINAL + b"# keep\nENV GOGC=50\nCOPY --from=build /out/app /app\nCMD [\"/app\"]"
    ).replace(b"\n", b"\r\n")
    data = data.replace(b'\r\nCMD ["/app"]', b"")
    outcome = fix_file("Dockerfile", data, _options(), unsafe=False)
    assert outcome.error is None
    assert outcome.data.endswith(b"COPY --from=build /out/app /app\r\n# keep\r\nENV GOGC=50")


# --- The fixer's own check ----------------------------------------------------------------------


def test_a_safe_fix_that_escalates_a_finding_is_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """A made-up rule: its safe fix writes ``X`` where the built-in rules then see trouble."""

    def dfm002(ctx: Context) -> Iterator[Problem]:
        data = ctx.dockerfile.data
        at = data.find(b"ENV A=1")
        if at >= 0:
            edit = Edit(at, at + 7, b"ENV GOMEMLIMIT=0")
            fix = Fix("Write the bad value", (edit,), Applicability.SAFE)
            yield Problem(at, at + 7, "A is set", fix, Severity.INFO)

    monkeypatch.setitem(REGISTRY, "DFM002", dfm002)
    data = FINAL + b'COPY --from=build /out/app /app\nENV A=1\nCMD ["/app"]\n'
    outcome = fix_file("Dockerfile", data, _options(), unsafe=False)
    assert (outcome.error, outcome.data, outcome.fixed) == (None, data, [])
    assert outcome.result is not None
    held = next(f for f in outcome.result.findings if f.code == "DFM002")
    assert held.fix is not None
    assert held.fix.applicability is Applicability.UNSAFE
    assert held.fix.title == "Write the bad value (not safe here: it would add DFM007 (error))"
    # With --unsafe-fixes it is applied as asked.
    unsafe = fix_file("Dockerfile", data, _options(), unsafe=True)
    assert b"ENV GOMEMLIMIT=0" in unsafe.data


def test_a_safe_fix_is_held_back_alone_the_others_still_apply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    comment = b"# dfmemlint: ignore=DFM007\n"

    def dfm002(ctx: Context) -> Iterator[Problem]:
        data = ctx.dockerfile.data
        at = data.find(b"ENV A=1")
        if at >= 0 and data[at - len(comment) : at] == comment:
            fix = Fix("Unsuppress", (Edit(at - len(comment), at, b""),), Applicability.SAFE)
            yield Problem(at, at + 7, "A is set", fix, Severity.INFO)

    monkeypatch.setitem(REGISTRY, "DFM002", dfm002)
    data = (
        b"FROM golang:1.22 AS build\nENV GOMEMLIMIT=2GB\nRUN go build -o /out/app .\n"
        b"FROM alpine:3.20\nCOPY --from=build /out/app /app\n"
        + comment + b'ENV A=1 GOMEMLIMIT=0\nCMD ["/app"]\n'
    )
    assert _codes(data, _options()) == [("DFM004", "error"), ("DFM002", "info")]
    outcome = fix_file("Dockerfile", data, _options(), unsafe=False)
    # The DFM004 respelling applies; removing the ignore comment would bring DFM007 back.
    assert outcome.data == data.replace(b"=2GB", b"=2GiB")
    assert outcome.result is not None
    assert [
        (f.code, f.fix.title if f.fix else None) for f in outcome.result.findings
    ] == [("DFM002", "Unsuppress (not safe here: it would add DFM007 (error))")]


def test_regressions_pairs_escalations_with_what_they_were() -> None:
    before_data = FINAL.replace(b"1.22", b"1.18")
    before_data += b'COPY --from=build /out/app /app\nCMD ["/app"]\n'
    after_data = before_data.replace(b'CMD ["/app"]', b'ENV GOMEMLIMIT=409MiB\nCMD ["/app"]')
    options = _options()
    before = lint("a", before_data, options)
    after = lint("a", after_data, options)
    at = before_data.find(b"CMD")
    found = guarantee.regressions(
        before.dockerfile, before.findings, after.dockerfile, after.findings,
        [Edit(at, at, b"ENV GOMEMLIMIT=409MiB\n")],
    )
    assert [(new.code, new.severity, old.severity if old else None) for new, old in found] == [
        ("DFM005", Severity.ERROR, Severity.WARNING)
    ]
    assert guarantee.describe(found) == "it would make DFM005 error (was warning)"


# --- A near miss of the name (DFM009) -------------------------------------------------------------


@pytest.mark.parametrize("name", ["GOMEMLIMT", "gomemlimit", "GO_MEMLIMIT", "GOMEMLIMIT_"])
def test_a_misspelled_name_is_named_and_not_doubled(name: str) -> None:
    env = b"ENV " + name.encode() + b"=400MiB\n"
    data = FINAL + b"COPY --from=build /out/app /app\n" + env + b'CMD ["/app"]\n'
    options = _options("512MiB")
    findings = lint("Dockerfile", data, options).findings
    assert [f.code for f in findings] == ["DFM009", "DFM006"]
    missing = findings[1]
    assert f"ENV {name} on line 5 is not GOMEMLIMIT (DFM009)" in missing.message
    assert missing.fix is None  # no second variable beside the typo
    assert fix_file("Dockerfile", data, options, unsafe=False).data == data
    renamed = fix_file("Dockerfile", data, options, unsafe=True)
    assert renamed.data == data.replace(name.encode() + b"=", b"GOMEMLIMIT=")
    assert renamed.result is not None
    assert renamed.result.findings == []
