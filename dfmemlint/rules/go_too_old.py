"""DFM005 go-too-old: the Go toolchain that builds the shipped binary predates Go 1.19.

Only the ``golang:`` image of a stage that compiles a program the final image ships counts (not
the runtime base image, and not a stage that only provides certificates or time zones). An image
that runs no Go program (a toolchain or CI image with no start command, files exported from
``scratch``) is left alone unless it sets GOMEMLIMIT, which that toolchain would ignore.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rules.base import GO_MEMLIMIT_MIN_VERSION, Context, Problem, go_too_old
from dfmemlint.types import Severity

CODE = "DFM005"


def check(ctx: Context) -> Iterator[Problem]:
    limit_set = bool(ctx.settings_named("GOMEMLIMIT"))
    if not ctx.runs_go and not limit_set:
        return
    reported: set[int] = set()
    minimum = ".".join(str(part) for part in GO_MEMLIMIT_MIN_VERSION)
    for stage in ctx.go_build_stages:
        found = ctx.golang_image(stage)
        assert found is not None
        image, root = found
        if not go_too_old(image) or root.index in reported:
            continue
        reported.add(root.index)
        token = root.base_token
        assert token is not None
        version = image.version
        if limit_set:
            message = (
                f"{root.base} builds the Go program this image ships, and Go {version} ignores "
                f"GOMEMLIMIT (it arrived in Go {minimum}), so the limit set here does nothing. "
                f"Build with golang:{minimum} or newer."
            )
            severity = Severity.ERROR
        else:
            message = (
                f"{root.base} builds the Go program this image runs, and Go {version} predates "
                f"GOMEMLIMIT (Go {minimum}), so the program cannot be given a soft memory limit. "
                f"Build with golang:{minimum} or newer."
            )
            severity = Severity.WARNING
        yield Problem(token.start, token.end, message, None, severity)
