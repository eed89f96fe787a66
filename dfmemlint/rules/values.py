"""The value rules for a container from any format: DFM004 (malformed GOMEMLIMIT), DFM007
(GOMEMLIMIT out of range against the same container's memory limit) and DFM008 (GOGC=off with
no GOMEMLIMIT), judged on :class:`~dfmemlint.containers.ContainerSettings` records.

The Dockerfile rules use the same judgements (``describe``, ``judge``, ``unbounded`` in each
rule's module); this module applies them to containers whose limit and settings another format
(Kubernetes, Compose) read.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.containers import ContainerSettings, GoSetting, Place
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit, unquoted
from dfmemlint.golang.headroom import within_headroom
from dfmemlint.golang.units import (
    MIB,
    LimitError,
    compute_gomemlimit,
    describe_bytes,
    format_fraction,
    format_size,
    ratio_fraction,
)
from dfmemlint.records import Record
from dfmemlint.rules import gogc_off_unbounded, gomemlimit_malformed, gomemlimit_out_of_range
from dfmemlint.types import Applicability, Edit, Fix, Severity

# Single letters that a Kubernetes manifest's author may mean as decimal (Kubernetes) or
# binary (Docker, most people) units: a fix cannot know which.
_AMBIGUOUS_LETTERS = {"k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


class ValueProblem(Record):
    code: str
    place: Place
    message: str
    severity: Severity | None = None  # None: the rule's default
    fix: Fix | None = None


def recommended(limit: int | None, ratio: float) -> int | None:
    """floor(limit * ratio) in whole MiB, in bytes; None without a usable limit."""
    if limit is None:
        return None
    try:
        return compute_gomemlimit(limit, ratio) or None
    except LimitError:
        return None


# The fields a Compose service declares its memory limit with (compose-go
# ``types/types.go`` ``ServiceConfig.MemLimit``, ``mem_limit``, and ``Resource.MemoryBytes``,
# ``deploy.resources.limits.memory``).
COMPOSE_LIMIT_FIELDS = "mem_limit or deploy.resources.limits.memory"


def _is_service(settings: ContainerSettings) -> bool:
    return settings.container.role == "service"


def limit_words(settings: ContainerSettings) -> str:
    """What the limit is called in messages: ``the service's 512MiB mem_limit`` for a Compose
    service (the field that sets it), ``the container's 512MiB memory limit`` otherwise."""
    limit = settings.limit
    assert limit is not None
    if _is_service(settings):
        return f"the service's {format_size(limit.bytes)} {limit.field}"
    return f"the container's {format_size(limit.bytes)} memory limit"


def _short_limit_words(settings: ContainerSettings) -> str:
    """``the service's mem_limit`` or ``the container's memory limit`` (fix titles)."""
    if _is_service(settings) and settings.limit is not None:
        return f"the service's {settings.limit.field}"
    return "the container's memory limit"


def advice(settings: ContainerSettings, ratio: float) -> str:
    """``GOMEMLIMIT=409MiB (0.8 of the container's 512 MiB memory limit)``, or a share; for a
    Compose service without a limit, the fields that would declare one."""
    limit = settings.limit
    target = recommended(None if limit is None else limit.bytes, ratio)
    if limit is not None and target is not None:
        return f"GOMEMLIMIT={format_size(target)} ({ratio:g} of {limit_words(settings)})"
    try:
        percent = format_fraction(ratio_fraction(ratio) * 100)
    except LimitError:  # pragma: no cover - the ratio is validated where it is read
        percent = f"{ratio * 100:g}"
    if _is_service(settings):
        return (
            f"GOMEMLIMIT to about {percent}% of the service's memory limit (it declares "
            f"none: set {COMPOSE_LIMIT_FIELDS}, and dfmemlint computes the value)"
        )
    return f"GOMEMLIMIT to about {percent}% of the container's memory limit"


def _source(setting: GoSetting, *, container: bool = False) -> str:
    """`` (from ConfigMap tuning key GOMEMLIMIT (envFrom))`` for a value not written as the
    container's own literal, naming the container when the message does not."""
    if setting.origin in ("env value", "environment", "ENV"):
        return ""
    if container:
        return f" (from {setting.origin}, for {setting.container.describe()})"
    return f" (from {setting.origin})"


def _ambiguity(value: str) -> str | None:
    """Both readings of ``512M``: Kubernetes' decimal and the binary one Go's fix assumes."""
    number, letter = value[:-1], value[-1:]
    if not number.isdigit() or letter not in _AMBIGUOUS_LETTERS:
        return None
    decimal = int(number) * _AMBIGUOUS_LETTERS[letter]
    binary = int(number) * 1024 ** (" KMGT".index(letter.upper()))
    return (
        f" ({value} is ambiguous: as a Kubernetes quantity it is {describe_bytes(decimal)}, "
        f"as a binary unit {describe_bytes(binary)}; the fix assumes the binary reading)."
    )


def _capped(settings: ContainerSettings, suggestion: str, ratio: float) -> tuple[str, str]:
    """The respelling, or the recommended value when the respelling would leave too little
    headroom below the container's limit (as the Dockerfile rule does): (value, why)."""
    limit = settings.limit
    amount = judge_gomemlimit(suggestion).bytes
    if limit is None or amount is None or within_headroom(amount, limit.bytes):
        return suggestion, ""
    target = recommended(limit.bytes, ratio)
    if target is None:  # pragma: no cover - a limit above 1 MiB always gives a value
        return suggestion, ""
    whose = "service's" if _is_service(settings) else "container's"
    why = gomemlimit_malformed.too_much(suggestion, amount, limit.bytes, whose)
    return format_size(target), f" ({ratio:g} of {limit_words(settings)}; {why})"


def _malformed(
    settings: ContainerSettings, setting: GoSetting, ratio: float
) -> ValueProblem | None:
    value = setting.value
    if value is None:
        return None
    verdict = judge_gomemlimit(value)
    if not gomemlimit_malformed.is_bad(verdict):
        return None
    where = f"every Go process in {settings.container.describe()} exits at start-up"
    suggestion, why = None, ""
    safe = verdict.suggestion_safe
    if verdict.suggestion is not None:
        suggestion, why = _capped(settings, verdict.suggestion, ratio)
        risk = None
        if not why:
            risk = gomemlimit_malformed.respelling_risk(
                suggestion, None if settings.limit is None else settings.limit.bytes,
                _judged_gogc(settings),
            )
        if risk is not None:
            limit = settings.limit
            target = recommended(None if limit is None else limit.bytes, ratio)
            of_limit = f"{ratio:g} of {limit_words(settings)}" if limit is not None else ""
            suggestion, why = gomemlimit_malformed.risky_suggestion(
                suggestion, risk, target, of_limit
            )
            safe = False
    message = gomemlimit_malformed.describe(
        value, verdict, where, _source(setting), suggestion, why
    )
    ambiguity = _ambiguity(unquoted(value) or value)
    if ambiguity is not None:
        message = message.removesuffix(".") + ambiguity
        safe = False
    fix = None
    if suggestion is not None and setting.place.editable:
        fix = Fix(
            gomemlimit_malformed.fix_title(value, suggestion, why),
            (Edit(setting.place.start, setting.place.end, suggestion.encode()),),
            Applicability.SAFE if safe else Applicability.UNSAFE,
        )
    return ValueProblem("DFM004", setting.place, message, None, fix)


def _judged_gogc(settings: ContainerSettings) -> str | None:
    """The container's GOGC value, when DFM008 judges it (see :func:`check`)."""
    gogc = settings.get("GOGC")
    return None if gogc is None else gogc.value


def _full_limit_message(settings: ContainerSettings, setting: GoSetting, ratio: float) -> str:
    assert settings.limit is not None
    return (
        f"GOMEMLIMIT from the downward API ({setting.origin}) is 100% of the "
        f"{format_size(settings.limit.bytes)} memory limit of {settings.container.describe()}, "
        "leaving no "
        "headroom for memory GOMEMLIMIT does not count (the mapped binary, cgo and other non-Go "
        "allocations, kernel memory charged to the container), so the kernel may kill the "
        "container before the garbage collector works hard. The API cannot express a fraction: "
        f"set a literal {advice(settings, ratio)}, or let the program set its own limit from "
        "the cgroup (debug.SetMemoryLimit with a ratio, as KimMachineGun/automemlimit does)."
    )


def _out_of_range(
    settings: ContainerSettings, setting: GoSetting, ratio: float
) -> ValueProblem | None:
    value = setting.value
    if value is None:
        return None
    verdict = judge_gomemlimit(value)
    if verdict.status is not MemLimitStatus.VALID or verdict.bytes is None:
        return None
    limit = settings.limit
    limit_bytes = None if limit is None else limit.bytes
    if setting.from_limit and limit_bytes is not None and verdict.bytes >= limit_bytes:
        # Chosen by mature charts on purpose (Flux, Istio, Grafana): a warning, not an error.
        return ValueProblem(
            "DFM007", setting.place, _full_limit_message(settings, setting, ratio),
            Severity.WARNING,
        )
    fine = limit_bytes is None or within_headroom(verdict.bytes, limit_bytes)
    if verdict.bytes >= MIB and fine:
        return None  # in range: no advice to work out
    judged = gomemlimit_out_of_range.judge(
        value + _source(setting, container=True), verdict.bytes, limit_bytes,
        advice(settings, ratio),
    )
    if judged is None:
        return None
    message, severity = judged
    fix = None
    target = recommended(limit_bytes, ratio)
    if target is not None and setting.place.editable:
        new = format_size(target)
        fix = Fix(
            f"Set GOMEMLIMIT to {new} ({ratio:g} of {_short_limit_words(settings)})",
            (Edit(setting.place.start, setting.place.end, new.encode()),),
            Applicability.UNSAFE,
        )
    return ValueProblem("DFM007", setting.place, message, severity, fix)


def check(settings: ContainerSettings, ratio: float) -> Iterator[ValueProblem]:
    """DFM004, DFM007 and DFM008 for one container. A downward-API GOMEMLIMIT whose divisor is
    not 1 is left to the rule about divisors (its value is a count Go reads as bytes)."""
    gomemlimit = settings.get("GOMEMLIMIT")
    if gomemlimit is not None and (gomemlimit.divisor or 1) == 1:
        for problem in (
            _malformed(settings, gomemlimit, ratio),
            _out_of_range(settings, gomemlimit, ratio),
        ):
            if problem is not None:
                yield problem
    gogc = settings.get("GOGC")
    if gogc is None or gogc.value is None:
        return
    if settings.opaque and gomemlimit is None:
        return  # a Secret or an unseen ConfigMap may set GOMEMLIMIT
    if gomemlimit is not None and gomemlimit.value is None:
        return  # set, to a value the files do not show
    if gogc_off_unbounded.unbounded(gogc.value, None if gomemlimit is None else gomemlimit.value):
        where = settings.container.describe() + _source(gogc)
        yield ValueProblem(
            "DFM008",
            gogc.place,
            gogc_off_unbounded.message(
                where, advice(settings, ratio), gogc.value,
                None if gomemlimit is None else gomemlimit.value,
            ),
        )
