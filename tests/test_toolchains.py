"""Go builds the tool used not to see (issue "findings and fixes you can trust", section 4): Go
toolchain images other than ``golang``, Go installed from a tarball, builds through a script,
and a final stage that tunes Go but takes its start command from its base image."""

from __future__ import annotations

import re

import pytest

from dfmemlint.dockerfile import toolchains
from dfmemlint.dockerfile.gobuild import parse_golang_image, runs_build_script
from dfmemlint.engine import LintOptions, lint

REDHAT = "registry.access.redhat.com"
MICROSOFT = "mcr.microsoft.com/oss/go/microsoft/golang"
FINAL = b"FROM alpine:3.20\nCOPY --from=build /out/app /app\n"


def _findings(data: bytes) -> list[tuple[str, str]]:
    return [(f.code, f.severity.label) for f in lint("Dockerfile", data, LintOptions()).findings]


def _build(image: str, tail: bytes = b'CMD ["/app"]\n') -> bytes:
    return f"FROM {image} AS build\nRUN go build -o /out/app .\n".encode() + FINAL + tail


# One row per kind of image in the table: an old tag, a new tag.
ROWS = [
    ("golang:1.18", "golang:1.22"),
    ("mirror.gcr.io/library/golang:1.18-alpine", "public.ecr.aws/docker/library/golang:1.23"),
    (f"{REDHAT}/ubi8/go-toolset:1.18", f"{REDHAT}/ubi9/go-toolset:1.22"),
    ("registry.redhat.io/ubi8/go-toolset:1.18.9-13", "ubi8/go-toolset:1.23.9-1751469143"),
    ("cgr.dev/chainguard/go:1.18", "cgr.dev/chainguard/go:1.22-dev"),
    (f"{MICROSOFT}:1.18", f"{MICROSOFT}:1.22.5-1-bookworm"),
    ("cimg/go:1.18", "cimg/go:1.21.5"),
    ("bitnami/golang:1.18", "docker.io/bitnami/golang:1.22.5-debian-12-r0"),
]


@pytest.mark.parametrize(("old", "new"), ROWS, ids=[row[0].split(":")[0] for row in ROWS])
def test_each_toolchain_image(old: str, new: str) -> None:
    assert toolchains.image_row(old) is not None
    # Go 1.18 ignores GOMEMLIMIT: set in the final stage, it silently does nothing.
    limited = _build(old, b'ENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n')
    assert _findings(limited) == [("DFM005", "error")]
    assert _findings(_build(old)) == [("DFM005", "warning"), ("DFM006", "warning")]
    # A Go new enough, no GOMEMLIMIT: missing.
    assert _findings(_build(new)) == [("DFM006", "warning")]
    image = parse_golang_image(new)
    assert image is not None
    assert image.version is not None
    assert image.version.release[:2] >= (1, 19)


@pytest.mark.parametrize(
    "reference",
    ["cgr.dev/chainguard/go:latest", "cimg/go", f"{REDHAT}/ubi8/go-toolset:latest"],
)
def test_a_tag_without_a_version_pins_nothing(reference: str) -> None:
    image = parse_golang_image(reference)
    assert image is not None
    assert image.version is None
    assert _findings(_build(reference)) == [("DFM006", "warning")]


@pytest.mark.parametrize(
    "reference",
    ["example.com/ubi8/go-toolset:1.18", "cgr.dev/chainguard/gold:1.18", "cimg/golang:1.18",
     "bitnami/go:1.18", "mcr.microsoft.com/golang:1.18"],
)
def test_look_alikes_are_not_toolchains(reference: str) -> None:
    assert toolchains.image_row(reference) is None


@pytest.mark.parametrize("row", toolchains.TOOLCHAIN_IMAGES, ids=lambda row: row.name)
def test_each_row_matches_only_names_with_its_suffix(row: toolchains.ToolchainImage) -> None:
    """``image_row`` tests the suffix before compiling a row's pattern: a pattern that could
    match a name without it would be skipped."""
    assert all(c.isalnum() or c in "/-" for c in row.suffix)
    assert row.pattern.endswith(row.suffix)
    examples = [old for old, _ in ROWS] + [new for _, new in ROWS]
    assert any(toolchains.image_row(image) == row for image in examples)


def test_an_image_that_is_no_toolchain_compiles_no_pattern(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tried: list[str] = []
    fullmatch = re.fullmatch

    def spy(pattern: str, text: str) -> re.Match[str] | None:
        tried.append(pattern)
        return fullmatch(pattern, text)

    monkeypatch.setattr(re, "fullmatch", spy)
    for image in ("alpine:3.20", "gcr.io/distroless/static:nonroot", "scratch"):
        assert toolchains.image_row(image) is None
    assert tried == []
    assert toolchains.image_row("cimg/go:1.22") is not None
    assert tried == [row.pattern for row in toolchains.TOOLCHAIN_IMAGES if row.suffix == "/go"]


@pytest.mark.parametrize(
    "install",
    [
        b"RUN curl -fsSL https://go.dev/dl/go1.17.13.linux-amd64.tar.gz | tar -C /usr/local -xz\n",
        b"ARG GO_VERSION=1.17.13\n"
        b"RUN wget -q https://dl.google.com/go/go${GO_VERSION}.linux-amd64.tar.gz"
        b" && tar -C /usr/local -xzf go${GO_VERSION}.linux-amd64.tar.gz\n",
        b"ENV GOLANG_VERSION 1.17.13\n"
        b"RUN curl -sSL https://golang.org/dl/go$GOLANG_VERSION.linux-arm64.tar.gz | tar -xz\n",
    ],
    ids=["url", "arg", "env"],
)
def test_go_installed_from_a_tarball(install: bytes) -> None:
    data = (
        b"FROM debian:12 AS build\n" + install
        + b"ENV PATH=/usr/local/go/bin:$PATH\nRUN go build -o /out/app .\n" + FINAL
        + b'ENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
    )
    result = lint("Dockerfile", data, LintOptions())
    (finding,) = result.findings
    assert (finding.code, finding.severity.label) == ("DFM005", "error")
    assert "Go 1.17.13 ignores GOMEMLIMIT" in finding.message
    assert finding.line == 2 if install.startswith(b"RUN") else finding.line == 3


def test_a_tarball_of_a_new_go_is_a_toolchain_too() -> None:
    data = (
        b"FROM debian:12 AS build\n"
        b"RUN curl -fsSL https://go.dev/dl/go1.23.4.linux-amd64.tar.gz | tar -C /usr/local -xz\n"
        b"RUN /usr/local/go/bin/go build -o /out/app .\n" + FINAL + b'CMD ["/app"]\n'
    )
    assert _findings(data) == [("DFM006", "warning")]


def test_a_tarball_installed_toolchain_image_with_nothing_to_start_is_left_alone() -> None:
    data = (
        b"FROM debian:12\n"
        b"RUN curl -fsSL https://go.dev/dl/go1.17.13.linux-amd64.tar.gz | tar -C /usr/local -xz\n"
        b"RUN cd /usr/local/go/src && ./make.bash\n"
    )
    assert _findings(data) == []


@pytest.mark.parametrize(
    "build",
    [b"RUN ./build-static.sh", b"RUN make", b"RUN bash scripts/build.sh linux", b"RUN hack/build"],
)
def test_a_toolchain_stage_that_builds_through_a_script(build: bytes) -> None:
    data = b"FROM golang:1.22 AS build\nCOPY . .\n" + build + b"\n" + FINAL + b'CMD ["/app"]\n'
    assert _findings(data) == [("DFM006", "warning")]
    # Only data copied from it: not the program.
    data_only = data.replace(b"/out/app /app", b"/etc/ssl /etc/ssl")
    assert _findings(data_only) == []


def test_a_script_in_the_image_itself_is_not_a_go_build() -> None:
    # A CI image built FROM golang that runs an install script: nothing is copied and started.
    data = b"FROM golang:1.22\nRUN ./install-deps.sh\nENTRYPOINT [\"/usr/bin/make\"]\n"
    assert _findings(data) == []


@pytest.mark.parametrize(
    ("words", "script"),
    [
        ("./build-static.sh", True), ("make", True), ("sh build.sh", True),
        ("bash -c 'go build'", False), ("/usr/bin/curl x", False), ("apk add git", False),
        ("hack/make.sh binary", True), ("", False), ("sh", False),
    ],
)
def test_runs_build_script(words: str, script: bool) -> None:
    assert runs_build_script(words.split()) is script


def test_dfm003_when_the_start_command_comes_from_the_base_image() -> None:
    data = (
        b"FROM caddy:2.8\nENV GOMEMLIMIT=400MiB\nRUN apk add --no-cache curl\n"
        b"COPY Caddyfile /etc/caddy/Caddyfile\n"
    )
    assert _findings(data) == [("DFM003", "warning")]
    # A toolchain image: the ENV tunes the RUN steps of the build.
    assert _findings(data.replace(b"caddy:2.8", b"golang:1.22")) == []
    scratch = data.replace(b"caddy:2.8", b"scratch").replace(b"RUN apk add --no-cache curl\n", b"")
    assert _findings(scratch) == []
