"""The bits of PromQL and Prometheus configuration the alert rules are written in.

* Label matchers ``label="value"`` and ``label=~"regex"``: PromQL strings take Go's escapes
  (prometheus/prometheus ``promql/parser/lex.go`` ``lexString``), of which JSON's are a subset.
* Durations (``for:``): prometheus/common ``model/time.go`` ``ParseDuration``: ``0``, or whole
  numbers each followed by a unit, units from the biggest to the smallest among ``y`` (365 days),
  ``w``, ``d``, ``h``, ``m``, ``s``, ``ms``, each at most once (``1h30m``; not ``30m1h``, ``1.5h``
  or ``90 s``).
"""

from __future__ import annotations

import json
import re

from dfmemlint.records import Record

_UNIT_MS = {
    "y": 365 * 24 * 3600 * 1000,
    "w": 7 * 24 * 3600 * 1000,
    "d": 24 * 3600 * 1000,
    "h": 3600 * 1000,
    "m": 60 * 1000,
    "s": 1000,
    "ms": 1,
}
_DURATION = re.compile(
    r"(?:(?P<y>[0-9]+)y)?(?:(?P<w>[0-9]+)w)?(?:(?P<d>[0-9]+)d)?(?:(?P<h>[0-9]+)h)?"
    r"(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?(?:(?P<ms>[0-9]+)ms)?",
    re.ASCII,
)
#: ``ParseDuration`` refuses anything over the int64 nanoseconds of a Go ``time.Duration``.
_MAX_MS = ((1 << 63) - 1) // 1_000_000


class DurationError(ValueError):
    """A ``for:`` duration Prometheus would refuse; the message says why."""


def parse_duration(text: str) -> int:
    """A Prometheus duration (``5m``, ``1h30m``, ``0``) in milliseconds.

    Raises DurationError for anything ``model.ParseDuration`` refuses.
    """
    if text == "0":
        return 0
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        raise DurationError(
            f"{text!r} is not a Prometheus duration: whole numbers with units from y, w, d, h, "
            "m, s, ms, biggest first (5m, 1h30m)"
        )
    numbers = {unit: n for unit, n in match.groupdict().items() if n is not None}
    # 30 digits is beyond any representable duration; Python refuses to convert over 4,300.
    too_long = any(len(n.lstrip("0")) > 30 for n in numbers.values())
    total = 0 if too_long else sum(int(n) * _UNIT_MS[unit] for unit, n in numbers.items())
    if too_long or total > _MAX_MS:
        raise DurationError(f"{text!r} is longer than Prometheus can represent (about 292 years)")
    return total


def quote(value: str) -> str:
    """``value`` as a PromQL double-quoted string literal."""
    return json.dumps(value, ensure_ascii=False)


class Matcher(Record):
    """One label matcher of a series selector: ``label="value"`` or ``label=~"regex"``.

    A regex matcher is anchored at both ends by Prometheus (RE2 syntax).
    """

    label: str
    value: str
    regex: bool = False

    def __str__(self) -> str:
        return f"{self.label}{'=~' if self.regex else '='}{quote(self.value)}"


def selector(metric: str, matchers: tuple[Matcher, ...]) -> str:
    """``metric{m1, m2, ...}``."""
    return f"{metric}{{{', '.join(str(m) for m in matchers)}}}"
