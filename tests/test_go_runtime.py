"""The GOMEMLIMIT grammar checked against the real Go runtime, not just against its source.

A tiny program (tests/go_memlimit) is built with every Go toolchain found and run once per value
with GOMEMLIMIT set in its environment. Exit status 0 prints the limit the runtime read; a value
the runtime rejects kills the process before main with "fatal error: malformed GOMEMLIMIT" and
exit status 2. Both outcomes must match :func:`dfmemlint.golang.gomemlimit.read_gomemlimit`
for that toolchain's Go release, and :func:`dfmemlint.golang.gomemlimit.judge_gomemlimit` must
classify each value the way the real runtimes disagree (or not).

Toolchains: ``DFMEMLINT_GO`` (``os.pathsep``-separated ``go`` executables, e.g. from
``.ci/install-go DIR``), else ``go`` on PATH. Without one the tests skip, except under
``CI=true``, where that is a failure. CI runs Go 1.21.x (the grammar of 1.19-1.25) and the newest
release (1.26 and later accept a leading '+').
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dfmemlint.golang.gomemlimit import (
    NO_LIMIT,
    PARSEINT_GO_MINOR,
    MemLimitStatus,
    judge_gomemlimit,
    read_gomemlimit,
)
from dfmemlint.golang.units import MAX_INT64

PROGRAM_SOURCE = Path(__file__).parent / "go_memlimit"
BUILD_TIMEOUT = 600
RUN_TIMEOUT = 30
GENERATED_EXAMPLES = 600


@dataclass(frozen=True)
class GoProgram:
    """The test program built with one toolchain."""

    version: str  # e.g. "go1.21.13"
    minor: int  # e.g. 21
    path: Path

    def read_limit(self, value: str | None) -> int | None:
        """Start the program with GOMEMLIMIT=value (unset for None).

        Returns the limit it printed, or None when the runtime rejected the value.
        """
        env = {} if value is None else {"GOMEMLIMIT": value}
        proc = subprocess.run(
            [str(self.path)], env=env, capture_output=True, timeout=RUN_TIMEOUT, check=False
        )
        stdout = proc.stdout.decode("utf-8", "replace")
        stderr = proc.stderr.decode("utf-8", "replace")
        if proc.returncode == 0:
            return int(stdout.strip())
        if proc.returncode == 2 and "fatal error: malformed GOMEMLIMIT" in stderr:
            return None
        raise AssertionError(
            f"{self.version} with GOMEMLIMIT={value!r}: exit status {proc.returncode}\n"
            f"stdout: {stdout}\nstderr: {stderr[:2000]}"
        )


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (a Go toolchain is required when CI=true)", pytrace=False)
    pytest.skip(reason)


def _toolchains() -> list[str]:
    configured = os.environ.get("DFMEMLINT_GO", "")
    if configured.strip():
        return [path for path in configured.split(os.pathsep) if path.strip()]
    found = shutil.which("go")
    return [found] if found else []


def _clean_env(scratch: Path) -> dict[str, str]:
    """The parent's environment without any Go setting (a stray GOMEMLIMIT would kill `go`)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GO", "CGO_")) and key != "DFMEMLINT_GO"
    }
    env.update(
        GOCACHE=str(scratch / "cache"),
        GOPATH=str(scratch / "gopath"),
        GOMODCACHE=str(scratch / "gopath" / "pkg" / "mod"),
        GOFLAGS="-mod=mod",
        GOTOOLCHAIN="local",
        GOENV="off",
        GOWORK="off",
        GOPROXY="off",
        CGO_ENABLED="0",
    )
    return env


def _build(go: str, scratch: Path) -> GoProgram:
    if not Path(go).is_file():
        pytest.fail(f"DFMEMLINT_GO names {go!r}, which is not a file", pytrace=False)
    env = _clean_env(scratch)
    version_out = subprocess.run(
        [go, "version"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    match = re.search(r"\bgo1\.(\d+)(?:\.\d+)?\b", version_out.stdout)
    if version_out.returncode != 0 or match is None:
        pytest.fail(f"{go} version failed: {version_out.stdout}{version_out.stderr}", pytrace=False)
    version = match.group(0)
    binary = scratch / f"go_memlimit-{version}"
    built = subprocess.run(
        [go, "build", "-trimpath", "-o", str(binary), "."],
        cwd=PROGRAM_SOURCE,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"{go} build failed:\n{built.stdout}{built.stderr}", pytrace=False)
    return GoProgram(version=version, minor=int(match.group(1)), path=binary)


@pytest.fixture(scope="session")
def go_programs(tmp_path_factory: pytest.TempPathFactory) -> list[GoProgram]:
    gos = _toolchains()
    if not gos:
        _missing(
            "no Go toolchain: set DFMEMLINT_GO to the `go` executables "
            '(DFMEMLINT_GO="$(.ci/install-go DIR | paste -sd: -)") or put go on PATH'
        )
    # One build at a time: each `go build` already uses every core.
    programs = [_build(go, tmp_path_factory.mktemp(f"go{index}")) for index, go in enumerate(gos)]
    return sorted(programs, key=lambda program: program.minor)


def _check(programs: list[GoProgram], value: str) -> None:
    """The real runtimes agree with the port, and with judge_gomemlimit's classification."""
    results = {program.version: program.read_limit(value) for program in programs}
    for program in programs:
        expected = read_gomemlimit(value, go_minor=program.minor)
        assert results[program.version] == expected, (
            f"GOMEMLIMIT={value!r}: {program.version} read {results[program.version]}, "
            f"read_gomemlimit(go_minor={program.minor}) says {expected}"
        )

    judgement = judge_gomemlimit(value)
    outcomes = set(results.values())
    if judgement.status in (MemLimitStatus.EMPTY, MemLimitStatus.OFF):
        assert outcomes == {NO_LIMIT}
    elif judgement.status is MemLimitStatus.VALID:
        assert outcomes == {judgement.bytes}, (value, results)
    elif judgement.status is MemLimitStatus.MALFORMED:
        assert outcomes == {None}, (value, results)
    else:
        assert judgement.status is MemLimitStatus.VERSION_DEPENDENT
        assert outcomes <= {None, judgement.bytes}, (value, results)
    if _both_grammars(programs):
        # Each grammar is represented: the real runtimes alone decide the classification.
        if outcomes == {None}:
            assert judgement.status is MemLimitStatus.MALFORMED, (value, results)
        elif None in outcomes:
            assert judgement.status is MemLimitStatus.VERSION_DEPENDENT, (value, results)
        else:
            assert len(outcomes) == 1, (value, results)


def _both_grammars(programs: list[GoProgram]) -> bool:
    minors = {program.minor for program in programs}
    return any(m < PARSEINT_GO_MINOR for m in minors) and any(
        m >= PARSEINT_GO_MINOR for m in minors
    )


def test_toolchains_cover_both_grammars(go_programs: list[GoProgram]) -> None:
    if not _both_grammars(go_programs):
        versions = ", ".join(program.version for program in go_programs)
        _missing(
            f"only {versions} found: the differential test needs a Go release before 1.26 and "
            "one from 1.26 on (.ci/install-go DIR installs both)"
        )


def test_unset_means_no_limit(go_programs: list[GoProgram]) -> None:
    for program in go_programs:
        assert program.read_limit(None) == NO_LIMIT == MAX_INT64


# Values worth running every time, whatever hypothesis generates.
_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
EDGE_VALUES: list[str] = [
    # No limit.
    "",
    "off",
    # Valid.
    "0",
    "1",
    "512MiB",
    "536870912",
    "1B",
    "1KiB",
    "05KiB",
    "1GiB",
    "99TiB",
    "0B",
    "0TiB",
    "00512MiB",
    "0000000000000000000000000001",
    # Zero with a sign.
    "-0",
    "-0B",
    "-0MiB",
    "-00",
    "+0",
    "+0MiB",
    # Signs.
    "+512MiB",
    "+1",
    "+1B",
    "-MiB",
    "-KiB",
    "-GiB",
    "-TiB",
    "-",
    "+",
    "-B",
    "+B",
    "+MiB",
    "+-1",
    "-+1",
    "++1",
    "--0",
    "-1",
    "-120KiB",
    "-9223372036854775808",
    "+9223372036854775807",
    # The mistakes people make.
    "512MB",
    "512M",
    "512Mi",
    "512mib",
    "512mb",
    "512m",
    "512MIB",
    "2G",
    "2GB",
    "2gib",
    "2Gi",
    "512K",
    "512KB",
    "512kb",
    "512b",
    "1T",
    "1.5GiB",
    "1.5MiB",
    "1.5",
    "512 MiB",
    " 512MiB",
    "512MiB ",
    "512MiB\n",
    "OFF",
    "Off",
    " off",
    "off ",
    "none",
    "0x10",
    "0x12345",
    "1e9",
    "1E9",
    "1_000",
    "1,000",
    "512PiB",
    "555EiB",
    "22iB",
    "iB",
    "B",
    "KiB",
    "MiB",
    # int64 overflow boundaries.
    "9223372036854775807",
    "9223372036854775807B",
    "9223372036854775808",
    "9223372036854775808B",
    "18446744073709551615",
    "18446744073709551616",
    "20496382327982653440",
    "9999999999999999999999",
    "99999999999999999999KiB",
    "18014398509481984KiB",
    *(f"{MAX_INT64 // unit + delta}{name}" for name, unit in _UNITS.items() for delta in (0, 1)),
    # Non-ASCII look-alikes.
    "\uff15\uff11\uff12MiB",
    "\u0665MiB",
    "512MiB\u00a0",
    "512\u202fMiB",
]


def test_edge_values(go_programs: list[GoProgram]) -> None:
    failures = []
    for value in dict.fromkeys(EDGE_VALUES):
        try:
            _check(go_programs, value)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)


# The grammar's alphabet, and some neighbours people type.
_ALPHABET = "0123456789KMGTiBb+- .ex_of"


def _near_boundary(name_unit: tuple[str, int]) -> st.SearchStrategy[str]:
    name, unit = name_unit
    limit = MAX_INT64 // unit
    return st.integers(min_value=limit - 2, max_value=limit + 2).map(lambda n: f"{n}{name}")


GOMEMLIMIT_VALUES: st.SearchStrategy[str] = st.one_of(
    st.text(alphabet=_ALPHABET, max_size=12),
    st.from_regex(r"\A[+-]{0,2}0*[0-9]{0,20}(([KMGTkmgt]i?)?[Bb]?)\Z"),
    st.builds(
        lambda sign, n, unit: f"{sign}{n}{unit}",
        st.sampled_from(["", "", "+", "-"]),
        st.integers(min_value=0, max_value=2**65),
        st.sampled_from(["", "B", "KiB", "MiB", "GiB", "TiB", "MB", "Mi", "M", "mib"]),
    ),
    st.sampled_from(sorted(_UNITS.items())).flatmap(_near_boundary),
    st.sampled_from(EDGE_VALUES),
).filter(lambda value: "\x00" not in value)  # an environment variable cannot hold NUL


@settings(
    max_examples=GENERATED_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(value=GOMEMLIMIT_VALUES)
def test_generated_values(go_programs: list[GoProgram], value: str) -> None:
    _check(go_programs, value)
