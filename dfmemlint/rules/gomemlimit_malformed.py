"""DFM004 gomemlimit-malformed: a GOMEMLIMIT value the Go runtime rejects."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.reader import encode
from dfmemlint.dockerfile.settings import Setting
from dfmemlint.golang.gomemlimit import MemLimitJudgement, MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.headroom import MAX_PERCENT, within_headroom
from dfmemlint.golang.units import format_size
from dfmemlint.rules import gogc_off_unbounded, gomemlimit_out_of_range
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix, shown

CODE = "DFM004"
_UNCOUNTED = "GOMEMLIMIT does not count"
_BAD = (MemLimitStatus.MALFORMED, MemLimitStatus.VERSION_DEPENDENT)
_ONLY_IF_MEANT = " only if that is meant: "


def _where(ctx: Context, setting: Setting) -> str:
    if setting.runtime:
        old = ctx.old_go_builders
        if old and len(old) == len(ctx.go_build_stages):
            # DFM005 says the limit does nothing now; this agrees, and says what comes next.
            return (
                f"the Go {old[0].version} program this image ships ignores GOMEMLIMIT (DFM005), "
                "but built with a Go that reads it, it exits at start-up"
            )
        return "every Go process in this image exits at start-up"
    if setting.kind in ("arg", "env"):
        return "every Go command that later RUN steps of this stage start (go build included) exits"
    return "the Go commands this step starts (go build included) exit"


def _capped(ctx: Context, setting: Setting, suggestion: str) -> tuple[str, str]:
    """The respelling, or the recommended value when a container limit is declared and the
    respelling would leave too little headroom below it (DFM007 would flag it): (value, why)."""
    limit = ctx.memory_limit
    amount = judge_gomemlimit(suggestion).bytes
    if not setting.runtime or limit is None or amount is None or within_headroom(amount, limit):
        return suggestion, ""
    recommended = ctx.recommended_gomemlimit
    if recommended is None:
        return suggestion, ""
    return format_size(recommended), (
        f" ({ctx.ratio:g} of the declared {format_size(limit)} memory limit; "
        f"{too_much(suggestion, amount, limit, 'declared')})"
    )


def cap(
    suggestion: str, limit: int | None, recommended: int | None, of_limit: str
) -> tuple[str, str]:
    """The respelling ``suggestion``, or the ``recommended`` GOMEMLIMIT (bytes; ``of_limit``
    names the share, ``0.8 of the declared 512MiB memory limit``) when the respelling leaves
    too little headroom below a declared ``limit`` (bytes): (value, why), as :func:`_capped`
    decides for a Dockerfile's runtime value."""
    amount = judge_gomemlimit(suggestion).bytes
    if limit is None or amount is None or recommended is None or within_headroom(amount, limit):
        return suggestion, ""
    return format_size(recommended), (
        f" ({of_limit}; {too_much(suggestion, amount, limit, 'declared')})"
    )


def too_much(suggestion: str, amount: int, limit: int, whose: str) -> str:
    """Why the respelling ``suggestion`` (``amount`` bytes) does not fit a memory ``limit``
    (bytes) that it does not leave the headroom below: it exceeds the limit, equals it, or
    leaves under the headroom share (100 - MAX_PERCENT, from ``golang.headroom``). ``whose``
    names the limit (``declared``, ``container's``)."""
    named = f"the {whose} {format_size(limit)} memory limit"
    if amount > limit:
        return f"{suggestion} would exceed {named}"
    if amount == limit:
        return f"{suggestion} would equal {named}, leaving nothing for memory {_UNCOUNTED}"
    return f"{suggestion} would leave under {100 - MAX_PERCENT}% of it for memory {_UNCOUNTED}"


def describe(
    value: str,
    verdict: MemLimitJudgement,
    where: str,
    source: str = "",
    suggestion: str | None = None,
    why: str = "",
) -> str:
    """The message for a GOMEMLIMIT ``value`` that ``verdict`` found malformed or
    version-dependent, from any format: ``where`` says who dies (``every Go process in this
    image exits at start-up``), ``source`` where the value came from, ``suggestion`` (and
    ``why``) what to write instead."""
    if suggestion is not None:
        hint = f" Use {suggestion}{why}."
    else:
        hint = " Write a whole number of bytes, or one with a KiB, MiB, GiB or TiB suffix."
    if verdict.status is MemLimitStatus.VERSION_DEPENDENT:
        return f"GOMEMLIMIT={shown(value)}{source}: {verdict.problem}{hint}"
    return (
        f"GOMEMLIMIT={shown(value)}{source} is not a value the Go runtime accepts "
        f"({verdict.reason}); {where} with 'malformed GOMEMLIMIT'.{hint}"
    )


def is_bad(verdict: MemLimitJudgement) -> bool:
    """Malformed, or fatal in some Go releases."""
    return verdict.status in _BAD


def breaks_the_build(value: str) -> str:
    """What a build-time ``value`` does to the build it is meant to cap, as a clause for the
    placement rules (DFM001, DFM002), so that their advice agrees with this rule's: ``""`` when
    the Go runtime accepts the value, else ``it makes the build exit (DFM004)`` (``under some
    Go releases`` for a value only some of them reject)."""
    status = judge_gomemlimit(value).status
    if status is MemLimitStatus.MALFORMED:
        return "it makes the build exit (DFM004)"
    if status is MemLimitStatus.VERSION_DEPENDENT:
        return "it makes the build exit under some Go releases (DFM004)"
    return ""


def respelling_risk(suggestion: str, limit: int | None, gogc: str | None) -> str | None:
    """Why writing ``suggestion`` for the GOMEMLIMIT a running program sees is no safe fix,
    from any format: the value it spells is one the range rule (DFM007) flags against the
    container's memory ``limit`` (bytes, None when unknown; ``512KiB is under 1 MiB``), or,
    beside a ``gogc`` (the GOGC the program sees, None when DFM008 does not judge it) that
    turns the collector off, one that bounds nothing (DFM008). None when the respelling adds
    no finding, so a fix that writes it keeps the promise of safe fixes (``fix.guarantee``)."""
    verdict = judge_gomemlimit(suggestion)
    if verdict.status is MemLimitStatus.VALID and verdict.bytes is not None:
        flaw = gomemlimit_out_of_range.flaw(verdict.bytes, limit)
        if flaw is not None:
            return f"{suggestion} would be {flaw}, which DFM007 flags"
    if gogc is not None and gogc_off_unbounded.unbounded(gogc, suggestion):
        return f"GOMEMLIMIT={suggestion} beside GOGC={gogc} would bound nothing, which DFM008 flags"
    return None


def risky_suggestion(
    suggestion: str, risk: str, recommended: int | None, of_limit: str
) -> tuple[str, str]:
    """The value to suggest, and why, when writing ``suggestion`` has a ``risk``
    (:func:`respelling_risk`): the ``recommended`` GOMEMLIMIT (bytes; ``of_limit`` names the
    share, ``0.8 of the declared 512MiB memory limit``) when a limit gives one, else the
    respelling itself, to be written only if meant."""
    if recommended is not None:
        return format_size(recommended), f" ({of_limit}; {risk})"
    return suggestion, f"{_ONLY_IF_MEANT}{risk}"


def fix_title(value: str, suggestion: str, why: str) -> str:
    """``Replace 512KB with 512KiB``, with the reason a risky respelling is not safe in the
    words ``fix.guarantee.demoted`` uses."""
    risk = why.removeprefix(_ONLY_IF_MEANT)
    if risk != why:
        return f"Replace {shown(value)} with {suggestion} (not safe here: {risk})"
    return f"Replace {shown(value)} with {suggestion}{why}"


def check(ctx: Context) -> Iterator[Problem]:
    # One finding per place: ENVs that read one ARG's default share it (reported there).
    # A value from --build-arg is at the ARG it sets, and is not in the file to be edited.
    data = ctx.dockerfile.data
    groups: dict[tuple[int, int], list[Setting]] = {}
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if not setting.resolved:
            continue  # the shell expands it when the command runs
        if judge_gomemlimit(setting.value).status not in _BAD:
            continue
        groups.setdefault(setting.value_place(data)[:2], []).append(setting)
    program_sees = ctx.runtime_settings.get("GOMEMLIMIT")
    for (start, end), settings in groups.items():
        setting = settings[0]
        verdict = judge_gomemlimit(setting.value)
        _, _, editable, source = setting.value_place(data)
        fix = None
        suggestion, why = None, ""
        if verdict.suggestion is not None:
            runtime = next((s for s in settings if s is program_sees), None)
            suggestion, why = _capped(ctx, runtime or setting, verdict.suggestion)
            safe = verdict.suggestion_safe
            risk = None
            if runtime is not None and not why:
                gogc = gogc_off_unbounded.runtime_gogc(ctx)
                risk = respelling_risk(suggestion, ctx.memory_limit, gogc)
            if risk is not None:
                of_limit = (
                    f"{ctx.ratio:g} of the declared {format_size(ctx.memory_limit)} memory limit"
                    if ctx.memory_limit is not None
                    else ""
                )
                suggestion, why = risky_suggestion(
                    suggestion, risk, ctx.recommended_gomemlimit, of_limit
                )
                safe = False
            if editable:
                fix = Fix(
                    fix_title(setting.value, suggestion, why),
                    (Edit(start, end, encode(suggestion)),),
                    Applicability.SAFE if safe else Applicability.UNSAFE,
                )
        message = describe(setting.value, verdict, _where(ctx, setting), source, suggestion, why)
        yield Problem(start, end, message, fix)
    yield from _in_scripts(ctx)


def _in_scripts(ctx: Context) -> Iterator[Problem]:
    """The values the entrypoint script assigns: at the value, in the Dockerfile for a heredoc
    script (with a fix, as for an ENV), in the script's own file for a build-context file
    (without one: ``--fix`` edits only the file it lints)."""
    for found in ctx.script_settings:
        verdict = judge_gomemlimit(found.value)
        if verdict.status not in _BAD:
            continue
        start, end, elsewhere = ctx.script_place(found)
        suggestion, why, fix = None, "", None
        if verdict.suggestion is not None:
            of_limit = (
                f"{ctx.ratio:g} of the declared {format_size(ctx.memory_limit)} memory limit"
                if ctx.memory_limit is not None
                else ""
            )
            suggestion, why = cap(
                verdict.suggestion, ctx.memory_limit, ctx.recommended_gomemlimit, of_limit
            )
            safe = verdict.suggestion_safe
            # The program sees it: judged as DFM007 judges the script's values (DFM008 speaks
            # only when nothing sets GOMEMLIMIT, and the script does).
            risk = None if why else respelling_risk(suggestion, ctx.memory_limit, None)
            if risk is not None:
                suggestion, why = risky_suggestion(
                    suggestion, risk, ctx.recommended_gomemlimit, of_limit
                )
                safe = False
            editable = ctx.dockerfile.data[start:end] == encode(found.value)
            if elsewhere is None and editable:
                fix = Fix(
                    fix_title(found.value, suggestion, why),
                    (Edit(start, end, encode(suggestion)),),
                    Applicability.SAFE if safe else Applicability.UNSAFE,
                )
        where = f"the program the entrypoint script {found.script} starts exits at start-up"
        source = "" if elsewhere is not None else f" (in the entrypoint script {found.script})"
        message = describe(found.value, verdict, where, source, suggestion, why)
        yield Problem(start, end, message, fix, elsewhere=elsewhere)
