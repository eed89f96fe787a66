"""DFM006 gomemlimit-missing: the final image runs a Go binary and no GOMEMLIMIT reaches it.

"Runs a Go binary" is ``Context.runs_go``: the final image ships a program compiled in a golang
stage (not only certificates or time zones copied from one) and starts something other than an
interactive shell; images with no start command count only when they are neither ``scratch``
exports nor golang toolchain images, and do not just run the Go tool in a ``RUN`` step.

A GOMEMLIMIT set to the empty string counts as missing: the Go runtime reads ``""`` as no limit,
like ``off`` (``runtime/mgcpacer.go`` ``readGOMEMLIMIT``), and it overrides a limit the base
image set. Only a value written empty is reported, not one that a build argument left empty.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.reader import encode
from dfmemlint.dockerfile.settings import Setting, start_command
from dfmemlint.fix.rewrite import add_gomemlimit_fix
from dfmemlint.golang.units import format_size
from dfmemlint.rules.base import GO_MEMLIMIT_MIN_VERSION, Context, Problem
from dfmemlint.rules.gomemlimit_misspelled import near_misses
from dfmemlint.types import Applicability, Edit, Fix

CODE = "DFM006"
GO_MEMLIMIT_MIN_VERSION_TEXT = ".".join(str(part) for part in GO_MEMLIMIT_MIN_VERSION)


def _written_empty(ctx: Context, setting: Setting) -> bool:
    return setting.value == "" and ctx.dockerfile.data[setting.start : setting.end] in (
        b"",
        b'""',
        b"''",
    )


def _empty(ctx: Context, setting: Setting) -> Problem:
    recommended = ctx.recommended_gomemlimit
    fix = None
    if recommended is not None:
        value = format_size(recommended)
        # Unsafe: an empty value may be meant to switch off a limit the base image sets.
        fix = Fix(
            f"Set GOMEMLIMIT={value}",
            (Edit(setting.start, setting.end, encode(value)),),
            Applicability.UNSAFE,
        )
    return Problem(
        setting.assign_start,
        setting.assign_end,
        "GOMEMLIMIT is set to the empty string, which the Go runtime reads as no limit (like "
        "'off', and over any limit the base image set), so it ignores the container's memory "
        f"limit until the kernel kills it. Set {ctx.gomemlimit_advice()}, or write 'off' if no "
        "limit is meant.",
        fix,
    )


def check(ctx: Context) -> Iterator[Problem]:
    final = ctx.graph.final_stage
    if final is None or not ctx.runs_go:
        return
    setting = ctx.runtime_settings.get("GOMEMLIMIT")
    if setting is not None:
        if _written_empty(ctx, setting):
            yield _empty(ctx, setting)
        return
    if ctx.startup_limit is not None:
        return  # set when the container starts: a static value would switch it off
    if ctx.deployment_env and len(ctx.deployments_setting("GOMEMLIMIT")) == len(
        ctx.deployment_env
    ):
        return  # every Compose service that runs this image sets it
    anchor = start_command(ctx.graph)
    if anchor is None or anchor.start < final.from_instruction.start:
        anchor = final.from_instruction
    start, end = ctx.instruction_line_span(anchor)
    builders = ", ".join(s.label for s in ctx.go_build_stages)
    stages = "stages" if len(ctx.go_build_stages) > 1 else "stage"
    fix = add_gomemlimit_fix(ctx)
    typos = near_misses(ctx, ctx.final_lineage)
    if typos:
        # The rename (DFM009) is the fix: a second variable beside the typo would hide it.
        fix = None
        typo = typos[-1]
        todo = (
            f"ENV {typo.name} on line {typo.instruction.start_line} is not GOMEMLIMIT (DFM009): "
            "rename it."
        )
    elif ctx.old_go_builders:
        old = ctx.old_go_builders[0]
        todo = (
            f"First build with Go {GO_MEMLIMIT_MIN_VERSION_TEXT} or newer (DFM005): Go "
            f"{old.version} ignores GOMEMLIMIT, so --fix does not add one; then set "
            f"{ctx.gomemlimit_advice()}."
        )
    elif ctx.recommended_gomemlimit is not None:
        todo = f"Set {ctx.gomemlimit_advice()}" + ("; --fix adds it." if fix else ".")
    elif ctx.memory_limit is not None:
        todo = (
            f"Set {ctx.gomemlimit_advice()}; the declared {format_size(ctx.memory_limit)} limit is "
            f"too small to derive one ({ctx.ratio:g} of it is under 1 MiB)."
        )
    else:
        todo = (
            f"Set {ctx.gomemlimit_advice()}, or declare that limit (--memory-limit SIZE or "
            "'# dfmemlint: memory-limit=SIZE') and --fix adds GOMEMLIMIT computed from it."
        )
    yield Problem(
        start,
        end,
        f"This image runs a Go program (built in {stages} {builders}) and no GOMEMLIMIT reaches "
        f"it, so the Go runtime ignores the container's memory limit until the kernel kills it. "
        f"{todo}",
        fix,
    )
