"""The memory budget of a Go container: GOMEMLIMIT and an RSS alert threshold from its limit.

The arithmetic behind ``dfmemlint budget 512MiB`` (``dfmemlint.commands.budget``), shown there:

* ``GOMEMLIMIT = floor(limit * ratio)`` rounded down to whole MiB (ratio 0.8 by default);
* the RSS alert threshold ``min(floor(limit * 0.9), floor(GOMEMLIMIT * 1.1))``: an alert before
  the kernel's OOM killer acts, and no later than 10 % past the point where the GC starts working
  hard;
* the snippets to paste into a Dockerfile, a Kubernetes container spec and a Prometheus rule.

Every number is computed with exact integer arithmetic from the declared limit.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from dfmemlint.golang.units import (
    MIB,
    compute_gomemlimit,
    describe_bytes,
    format_fraction,
    format_size,
    ratio_fraction,
)
from dfmemlint.records import Record

DEFAULT_RATIO = 0.8
#: Alert when the working set passes this share of the container limit ...
ALERT_LIMIT_SHARE = Fraction(9, 10)
#: ... or this multiple of GOMEMLIMIT, whichever is lower.
ALERT_GOMEMLIMIT_FACTOR = Fraction(11, 10)
#: The placeholder container name in the Kubernetes and Prometheus snippets.
CONTAINER = "app"

AlertBasis = Literal["limit", "gomemlimit"]


class Budget(Record):
    """The memory plan for one container limit."""

    limit_bytes: int
    ratio: float
    gomemlimit_bytes: int
    #: ``gomemlimit_bytes`` spelled for GOMEMLIMIT, e.g. ``409MiB``.
    gomemlimit: str
    alert_threshold_bytes: int
    #: Which bound set the threshold: ``limit`` (limit * 0.9) or ``gomemlimit`` (GOMEMLIMIT * 1.1);
    #: ``limit`` when they are equal.
    alert_threshold_basis: AlertBasis


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def alert_threshold(limit_bytes: int, gomemlimit_bytes: int | None) -> tuple[int, AlertBasis]:
    """The RSS alert threshold in bytes, ``min(floor(limit * 0.9), floor(GOMEMLIMIT * 1.1))``.

    ``gomemlimit_bytes`` is the soft limit the Go runtime actually runs with; None means it has
    none (GOMEMLIMIT unset or ``off``: the runtime's default is math.MaxInt64, see
    ``runtime/debug.SetMemoryLimit``), so only ``limit * 0.9`` bounds the threshold. Returns the
    threshold and which bound set it (``limit`` when the two are equal).
    """
    by_limit = _floor(limit_bytes * ALERT_LIMIT_SHARE)
    if gomemlimit_bytes is None:
        return by_limit, "limit"
    by_gomemlimit = _floor(gomemlimit_bytes * ALERT_GOMEMLIMIT_FACTOR)
    if by_limit <= by_gomemlimit:
        return by_limit, "limit"
    return by_gomemlimit, "gomemlimit"


def plan_budget(limit_bytes: int, ratio: float = DEFAULT_RATIO) -> Budget:
    """Compute GOMEMLIMIT and the alert threshold for a container limit of ``limit_bytes``.

    Raises LimitError for a ratio outside (0, 1], a limit that is not positive, or a GOMEMLIMIT
    that would be under 1 MiB.
    """
    gomemlimit_bytes = compute_gomemlimit(limit_bytes, ratio)
    threshold, basis = alert_threshold(limit_bytes, gomemlimit_bytes)
    return Budget(
        limit_bytes=limit_bytes,
        ratio=ratio,
        gomemlimit_bytes=gomemlimit_bytes,
        gomemlimit=format_size(gomemlimit_bytes),
        alert_threshold_bytes=threshold,
        alert_threshold_basis=basis,
    )


def kubernetes_memory(limit_bytes: int) -> str:
    """The limit as a Kubernetes quantity: ``<n>Mi`` when it is whole MiB, else plain bytes."""
    if limit_bytes % MIB == 0:
        return f"{limit_bytes // MIB}Mi"
    return str(limit_bytes)


def snippets(budget: Budget) -> dict[str, str]:
    """Text to paste: ``dockerfile`` (the ENV line), ``dockerfile_inline`` (on a shell-form start
    command, a runtime value still winning), ``kubernetes``, ``prometheus``."""
    value = budget.gomemlimit
    kubernetes = "\n".join(
        [
            "resources:",
            "  limits:",
            f"    memory: {kubernetes_memory(budget.limit_bytes)}",
            "env:",
            "  - name: GOMEMLIMIT",
            f'    value: "{value}"',
        ]
    )
    return {
        "dockerfile": f"ENV GOMEMLIMIT={value}",
        "dockerfile_inline": f"CMD GOMEMLIMIT=${{GOMEMLIMIT:-{value}}} exec /app",
        "kubernetes": kubernetes,
        "prometheus": (
            f'container_memory_rss{{container="{CONTAINER}"}} '
            f"> {budget.alert_threshold_bytes}"
        ),
    }


def budget_json(budget: Budget) -> dict[str, object]:
    """The JSON document ``dfmemlint budget --format json`` prints."""
    return {
        "limit_bytes": budget.limit_bytes,
        "ratio": budget.ratio,
        "gomemlimit": budget.gomemlimit,
        "gomemlimit_bytes": budget.gomemlimit_bytes,
        "alert_threshold_bytes": budget.alert_threshold_bytes,
        "alert_threshold_basis": budget.alert_threshold_basis,
        "snippets": snippets(budget),
    }


def mib_text(n: int) -> str:
    """``n`` bytes in MiB: exact when whole, else rounded half up to one decimal."""
    tenths = (n * 20 + MIB) // (2 * MIB)
    if n % MIB == 0:
        return f"{n // MIB:,} MiB"
    return f"{tenths // 10:,}.{tenths % 10} MiB"


def _floored(exact: Fraction) -> str:
    """``exact`` and, when it is not whole, the whole number of bytes it is rounded down to."""
    whole = _floor(exact)
    if exact.denominator == 1:
        return f"{whole:,} bytes ({mib_text(whole)})"
    return f"{format_fraction(exact)} -> {whole:,} bytes ({mib_text(whole)})"


def threshold_lines(limit_bytes: int, gomemlimit_bytes: int | None) -> list[str]:
    """The arithmetic of :func:`alert_threshold`, one indented line per step."""
    threshold, basis = alert_threshold(limit_bytes, gomemlimit_bytes)
    by_limit_exact = limit_bytes * ALERT_LIMIT_SHARE
    if gomemlimit_bytes is None:
        by_gomemlimit = "no soft limit (GOMEMLIMIT unset or off)"
    else:
        by_gomemlimit_exact = gomemlimit_bytes * ALERT_GOMEMLIMIT_FACTOR
        by_gomemlimit = f"{gomemlimit_bytes:,} * 1.1 = {_floored(by_gomemlimit_exact)}"
    lower = "limit * 0.9" if basis == "limit" else "GOMEMLIMIT * 1.1"
    return [
        f"  limit * 0.9      = {limit_bytes:,} * 0.9 = {_floored(by_limit_exact)}",
        f"  GOMEMLIMIT * 1.1 = {by_gomemlimit}",
        f"  threshold        = {threshold:,} bytes ({mib_text(threshold)}), from {lower}",
    ]


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def budget_text(size: str, budget: Budget) -> str:
    """The human report: every step of the arithmetic in bytes and MiB, then the snippets."""
    limit = budget.limit_bytes
    ratio = ratio_fraction(budget.ratio)
    ratio_text = str(budget.ratio)
    exact = limit * ratio
    raw = _floor(exact)
    gomem = budget.gomemlimit_bytes
    share = format_fraction(Fraction(round(Fraction(gomem * 1000, limit)), 10))
    snippet = snippets(budget)
    lines = [
        f"Memory budget for a container limit of {size.strip()}",
        "",
        "Container limit",
        f"  {size.strip()} = {describe_bytes(limit)}",
        "",
        f"GOMEMLIMIT = floor(limit * {ratio_text}), rounded down to whole MiB",
        f"  {limit:,} * {ratio_text} = {format_fraction(exact)} bytes",
        f"  floor       = {raw:,} bytes = {mib_text(raw)}",
        f"  whole MiB   = {gomem // MIB:,} MiB = {gomem:,} bytes",
        f"  GOMEMLIMIT={budget.gomemlimit} ({share} % of the limit)",
        "",
        "RSS alert threshold = min(limit * 0.9, GOMEMLIMIT * 1.1)",
        *threshold_lines(limit, gomem),
        "",
        "Dockerfile: the last instruction before CMD/ENTRYPOINT (it invalidates no cached layer,",
        "and a GOMEMLIMIT set at run time, as in the Kubernetes snippet below, still wins):",
        _indent(snippet["dockerfile"]),
        "or on a shell-form start command (exec keeps the program PID 1; a runtime value wins):",
        _indent(snippet["dockerfile_inline"]),
        "",
        "Kubernetes (in the container spec):",
        _indent(snippet["kubernetes"]),
        "",
        f'Prometheus alert expression (replace container="{CONTAINER}"; the whole rule with',
        "--format prometheus):",
        _indent(snippet["prometheus"]),
    ]
    return "\n".join(lines)
