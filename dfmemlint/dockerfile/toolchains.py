"""Go toolchain images, and Go installed from an official tarball: which Go builds in a stage.

One table: a repository pattern (matched on the image reference in lower case, a digest
dropped) and how its tag gives the Go version. Every row's tags lead with the Go version
(``1.22``, ``1.22.5``, ``1.22.5-1-bookworm``, ``1.18.9-13``, ``1.23.9-1751469143``,
``1.22-dev``), as their registries publish them (Docker Hub's ``golang`` and its mirrors, Red
Hat's ``ubi8/go-toolset`` and ``ubi9/go-toolset`` on registry.access.redhat.com and
registry.redhat.io, Chainguard's ``cgr.dev/chainguard/go``, Microsoft's
``mcr.microsoft.com/oss/go/microsoft/golang``, CircleCI's ``cimg/go``, Bitnami's
``bitnami/golang``); a tag without one (``latest``, ``alpine``, ``1``) pins no release.

A tarball install downloads ``go<version>.<os>-<arch>.tar.gz`` (the file names of
https://go.dev/dl/, also under dl.google.com/go/ and golang.org/dl/) in a ``RUN`` step; the
version is in the URL, directly or through an ``ARG``/``ENV`` of the stage
(``go${GO_VERSION}.linux-amd64.tar.gz``).
"""

from __future__ import annotations

import re

from dfmemlint.dockerfile.model import Stage, StageGraph
from dfmemlint.records import Record


class ToolchainImage(Record):
    """A row of the table."""

    name: str  # for messages
    pattern: str  # a regular expression: the repository, lower case, without tag or digest
    suffix: str  # how every repository the pattern matches ends (tested first: most are not Go)


_HUB = r"(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)/)?"
TOOLCHAIN_IMAGES: tuple[ToolchainImage, ...] = (
    ToolchainImage(
        "golang",
        r"(?:" + _HUB + r"(?:library/)?|mirror\.gcr\.io/library/|"
        r"public\.ecr\.aws/docker/library/)golang",
        "golang",
    ),
    ToolchainImage(
        "Red Hat go-toolset",
        r"(?:(?:registry\.access\.redhat\.com|registry\.redhat\.io)/)?"
        r"(?:ubi\d+|rhel\d+)/go-toolset",
        "/go-toolset",
    ),
    ToolchainImage("Chainguard go", r"cgr\.dev/chainguard/go", "/go"),
    ToolchainImage(
        "Microsoft Go", r"mcr\.microsoft\.com/oss/go/microsoft/golang", "/golang"
    ),
    ToolchainImage("CircleCI go", _HUB + r"cimg/go", "/go"),
    ToolchainImage("Bitnami golang", _HUB + r"bitnami/golang", "/golang"),
)
# The patterns are compiled on first use, by re's own cache: a lint of a Dockerfile without a
# Go toolchain image compiles none of them.
_SUFFIXES = tuple({row.suffix for row in TOOLCHAIN_IMAGES})

_TARBALL = r"\bgo(?P<version>[^/\s\"'`]+?)\.(?:linux|freebsd|darwin)-[a-z0-9${}_]+\.tar\.gz"
_VARIABLE = r"\$(?:\{(\w+)\}|(\w+))"


class GoVersion(Record):
    """A Go release as Go writes it: ``major.minor[.patch][kind pre]`` (``1.22``, ``1.22.5``,
    ``1.21rc1``, ``1.18beta1``), Go's ``internal/gover/gover.go`` (``Version``, ``parse``). Go
    does not use semver or PEP 440 for its toolchains, so the text is kept as written (for
    messages: ``Go 1.18beta1``) and ``release`` holds the numbers compared (``(1, 18)``)."""

    text: str
    release: tuple[int, ...]

    def __str__(self) -> str:
        return self.text


class Toolchain(Record):
    """The Go that a stage builds with: ``what`` for messages (``golang:1.18``,
    ``go1.17.13.linux-amd64.tar.gz``), its version (``None``: not pinned), and the byte span that
    names it (the image after FROM, or the tarball in the RUN)."""

    what: str
    version: GoVersion | None
    start: int
    end: int
    tarball: bool = False


def version_of(text: str) -> GoVersion | None:
    """The Go version a tag or tarball version starts with (``1.18.9-13`` is 1.18.9); ``None``
    for ``latest``, ``alpine`` or a bare major version (``1``: the newest 1.x)."""
    end = _digits_end(text, 0)
    if end == 0 or text[end : end + 1] != ".":
        return None
    minor = _digits_end(text, end + 1)
    if minor == end + 1:
        return None
    end = minor
    if text[end : end + 1] == ".":
        patch = _digits_end(text, end + 1)
        end = patch if patch > end + 1 else end
    release = text[:end]
    for pre in ("rc", "beta"):
        if text.startswith(pre, end):
            number = _digits_end(text, end + len(pre))
            end = number if number > end + len(pre) else end
            break
    return GoVersion(text[:end], tuple(int(part) for part in release.split(".")))


def _digits_end(text: str, start: int) -> int:
    """Where the run of decimal digits (``\\d``: any Unicode decimal digit) from ``start`` ends."""
    end = start
    while end < len(text) and text[end].isdecimal():
        end += 1
    return end


def split(reference: str) -> tuple[str, str] | None:
    """(repository in lower case, tag) of an image reference; ``None`` when it uses ``$``."""
    ref = reference.strip()
    if not ref or "$" in ref:
        return None
    name = ref.partition("@")[0]
    tag = ""
    if ":" in name.rsplit("/", 1)[-1]:
        name, _, tag = name.rpartition(":")
    return name.lower(), tag


def image_row(reference: str) -> ToolchainImage | None:
    """The table's row for an image reference, or ``None``."""
    parts = split(reference)
    if parts is None:
        return None
    name = parts[0]
    if not name.endswith(_SUFFIXES):
        return None
    return next(
        (
            row
            for row in TOOLCHAIN_IMAGES
            if name.endswith(row.suffix) and re.fullmatch(row.pattern, name)
        ),
        None,
    )


def from_image(stage: Stage) -> Toolchain | None:
    """The toolchain of a stage FROM a Go toolchain image (``stage`` is the root of its chain)."""
    row = image_row(stage.base)
    if row is None or stage.base_token is None:
        return None
    parts = split(stage.base)
    assert parts is not None
    return Toolchain(stage.base, version_of(parts[1]), stage.base_token.start, stage.base_token.end)


def from_tarball(graph: StageGraph, stage: Stage) -> Toolchain | None:
    """Go installed in ``stage`` from an official tarball, with the version its URL names."""
    data = graph.dockerfile.data
    for ins in stage.instructions:
        if ins.cmd != "RUN":
            continue
        text = ins.original + "".join(doc.content for doc in ins.heredocs)
        if ".tar.gz" not in text:
            continue
        match = re.search(_TARBALL, text)
        if match is None:
            continue
        raw = match.group("version")
        resolved = re.sub(_VARIABLE, lambda m: _value(graph, stage, m.group(1) or m.group(2)), raw)
        version = None if "$" in resolved else version_of(resolved)
        name = f"go{resolved}.linux tarball" if "$" in resolved else match.group(0)
        needle = match.group(0).encode("utf-8", "surrogateescape")
        at = data.find(needle, ins.start, ins.end)
        start, end = (at, at + len(needle)) if at >= 0 else (ins.start, ins.start + 3)
        return Toolchain(name, version, start, end, tarball=True)
    return None


def _value(graph: StageGraph, stage: Stage, name: str) -> str:
    env = stage.env.get(name)
    if env is not None:
        return env.value
    arg = stage.args.get(name) or graph.global_args.get(name)
    if arg is not None and arg.default is not None:
        return arg.default
    return "$" + name
