"""DFM005 go-too-old: the Go toolchain that builds the shipped binary predates Go 1.19.

Only the Go toolchain (``dockerfile.toolchains``: an image of the table, or Go installed from an
official tarball) of a stage that compiles a program the final image ships counts (not
the runtime base image, and not a stage that only provides certificates or time zones). An image
that runs no Go program (a toolchain or CI image with no start command, files exported from
``scratch``) is left alone unless it sets GOMEMLIMIT, which that toolchain would ignore.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.gobuild import go_too_old
from dfmemlint.rules.base import GO_MEMLIMIT_MIN_VERSION, Context, Problem
from dfmemlint.types import Severity

CODE = "DFM005"


def _given(ctx: Context, start: int, end: int) -> str:
    """`` (GO_VERSION=1.17 from --build-arg)`` when the image text at ``start:end`` reads an ARG
    declared before the first FROM that a ``--build-arg`` gave its value: the version is then
    in no file."""
    text = ctx.dockerfile.data[start:end].decode("utf-8", "surrogateescape")
    if "$" not in text:
        return ""
    import re

    given = dict.fromkeys(
        decl for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text)
        if (decl := ctx.graph.global_args.get(name)) is not None and decl.from_build_arg
    )
    if not given:
        return ""
    return " (" + ", ".join(f"{d.name}={d.default}" for d in given) + " from --build-arg)"


def check(ctx: Context) -> Iterator[Problem]:
    limit_set = bool(ctx.settings_named("GOMEMLIMIT"))
    if not ctx.runs_go and not limit_set:
        return
    reported: set[int] = set()
    minimum = ".".join(str(part) for part in GO_MEMLIMIT_MIN_VERSION)
    for stage in ctx.go_build_stages:
        toolchain = ctx.toolchain(stage)
        assert toolchain is not None
        if not go_too_old(toolchain) or toolchain.start in reported:
            continue
        reported.add(toolchain.start)
        version = toolchain.version
        what = toolchain.what + _given(ctx, toolchain.start, toolchain.end)
        if limit_set:
            message = (
                f"{what} builds the Go program this image ships, and Go {version} "
                f"ignores GOMEMLIMIT (it arrived in Go {minimum}), so the limit set here does "
                f"nothing. Build with Go {minimum} or newer."
            )
            severity = Severity.ERROR
        else:
            message = (
                f"{what} builds the Go program this image runs, and Go {version} "
                f"predates GOMEMLIMIT (Go {minimum}), so the program cannot be given a soft "
                f"memory limit. Build with Go {minimum} or newer."
            )
            severity = Severity.WARNING
        yield Problem(toolchain.start, toolchain.end, message, None, severity)
