"""What every format's adapter shares: a container that gets no alert, and the GOMEMLIMIT an
alert is computed for.

A container gets an alert when this is known from the files: that it runs Go (GOMEMLIMIT or
GOGC reaches it: a manifest or Compose file does not say what an image runs, so without either
the container is listed, not guessed; ``--all-containers`` alerts on it anyway), its memory
limit, and the GOMEMLIMIT its runtime starts with: a value every Go release reads as the same
bytes, ``off``/empty/unset (no soft limit), or a number the files compute. It is unknown when it
comes from a Secret, a ConfigMap not among the files or the shell; a value the runtime rejects
(the process never runs) or reads differently by Go release has no threshold to alert at; and a
soft limit under 1 MiB (``0``, or the downward API with ``divisor: 1Mi``, a count of MiB that Go
reads as bytes) makes the GC run nonstop, where an alert would fire from the start: that is
DFM007's to report, not an alert's.
"""

from __future__ import annotations

from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.units import MIB
from dfmemlint.records import Record


class Skipped(Record):
    """A container that gets no alert: ``title`` names it, ``reason`` says why."""

    title: str
    reason: str


class SoftLimit(Record):
    """The GOMEMLIMIT a container runs with: bytes (None: no soft limit), as written, where."""

    bytes: int | None
    text: str
    origin: str


NOT_SET = SoftLimit(None, "not set", "no GOMEMLIMIT reaches the container")


def soft_limit(value: str, origin: str) -> SoftLimit | str:
    """The soft limit ``GOMEMLIMIT=value`` gives (``origin``: where it was set), or why it gives
    none an alert can use."""
    judgement = judge_gomemlimit(value)
    if judgement.status in (MemLimitStatus.OFF, MemLimitStatus.EMPTY):
        return SoftLimit(None, value or "empty", origin)
    if judgement.status is not MemLimitStatus.VALID or judgement.bytes is None:
        return f"GOMEMLIMIT={value!r} has no threshold: {judgement.problem}"
    if judgement.bytes < MIB:
        return (
            f"GOMEMLIMIT={value} is {judgement.bytes:,} bytes, under 1 MiB: the GC runs "
            "nonstop and an alert would fire from the start (DFM007)"
        )
    return SoftLimit(judgement.bytes, value, origin)


NOT_GO = "neither GOMEMLIMIT nor GOGC is set: not known to run Go"
