"""Byte sizes and their arithmetic: the binary units, :class:`LimitError`, GOMEMLIMIT from a
limit and a ratio, and how sizes are written for people and for Go.

The two grammars that meet in a Dockerfile that sets GOMEMLIMIT have their own modules:
:mod:`dfmemlint.golang.gomemlimit` (what the Go runtime accepts as GOMEMLIMIT) and
:mod:`dfmemlint.golang.container_limit` (a declared container limit written as a Kubernetes
quantity, a Docker size or bytes). Every computation here is exact integer or
:class:`~fractions.Fraction` arithmetic: no float ever decides a byte count.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dfmemlint.golang import headroom

if TYPE_CHECKING:
    from fractions import Fraction

KIB = 1 << 10
MIB = 1 << 20
GIB = 1 << 30
TIB = 1 << 40
PIB = 1 << 50
EIB = 1 << 60

MAX_INT64 = (1 << 63) - 1
MAX_UINT64 = (1 << 64) - 1


class LimitError(ValueError):
    """A size, limit or ratio that cannot be used; the message says what to write instead."""


#: More significant digits than any size can have. A whole part this long is far above int64 even
#: after the largest exponent accepted (10^-30); a fraction this long never becomes a whole number
#: of bytes (the largest multiplier, 2^60 * 10^30, cancels at most 90 of its decimal places).
#: Python refuses to convert over 4,300 digits to ``int`` (``sys.get_int_max_str_digits``), so
#: such text is refused before any conversion.
MAX_DIGITS = 100


def too_many_digits(integer: str, frac: str = "") -> bool:
    """True when ``integer.frac`` has more significant digits than any usable size."""
    return len(integer.lstrip("0")) > MAX_DIGITS or len(frac.rstrip("0")) > MAX_DIGITS


def shorten(text: str, keep: int = 40) -> str:
    """``text`` for a one-line message: cut after ``keep`` characters, saying how long it was."""
    if len(text) <= keep:
        return repr(text)
    return f"{text[:keep]!r}… ({len(text):,} characters)"


# --------------------------------------------------------------------------------------------
# Arithmetic and formatting
# --------------------------------------------------------------------------------------------


def ratio_fraction(ratio: float) -> Fraction:
    """The exact value of ``ratio`` as written: ``0.8`` is 4/5, not the nearest binary float.

    Raises LimitError unless the ratio is in the acceptable range of ``headroom`` (above 0, at
    most 0.95); the message gives the range.
    """
    from fractions import Fraction  # exact arithmetic; imported on first use

    problem = headroom.ratio_problem(ratio)
    if problem is not None:
        raise LimitError(problem)
    return Fraction(str(ratio))


def format_percent(ratio: float) -> str:
    """``ratio`` * 100, exact, from the ratio's shortest decimal spelling: 0.8 -> ``80``, 0.875 ->
    ``87.5``, 0.05 -> ``5``. The same text as ``format_fraction(ratio_fraction(ratio) * 100)``
    without the fractions module (a rule message needs it on most runs)."""
    text = repr(float(ratio))
    if "e" in text or "n" in text or text.startswith("-"):  # 1e-05, inf, nan: the exact way
        return format_fraction(ratio_fraction(ratio) * 100)
    whole, _, decimals = text.partition(".")
    decimals = decimals + "00"
    integral = (whole + decimals[:2]).lstrip("0") or "0"
    rest = decimals[2:].rstrip("0")
    return f"{int(integral):,}" + (f".{rest}" if rest else "")


def compute_gomemlimit(limit_bytes: int, ratio: float) -> int:
    """``floor(limit_bytes * ratio)`` rounded down to whole MiB, in bytes.

    Exact: ``ratio`` is taken as its shortest decimal spelling (``0.8`` = 4/5), so 512 MiB * 0.8 is
    409.6 MiB and gives 409 MiB, with no float rounding in between. Raises LimitError for a ratio
    outside the acceptable range (``headroom``: above 0, at most 0.95), a limit that is not
    positive, or a result under 1 MiB.
    """
    r = ratio_fraction(ratio)
    if limit_bytes <= 0:
        raise LimitError(f"the memory limit must be more than 0 bytes, not {limit_bytes}")
    raw = limit_bytes * r.numerator // r.denominator
    whole_mib = raw // MIB
    if whole_mib < 1:
        raise LimitError(
            f"{ratio:g} of {describe_bytes(limit_bytes)} is {describe_bytes(raw)}, under the 1 MiB "
            "minimum for a useful GOMEMLIMIT"
        )
    return whole_mib * MIB


_GO_SPELLINGS = ((TIB, "TiB"), (GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB"))


def format_size(n: int) -> str:
    """The shortest exact spelling of ``n`` bytes that every Go release accepts as GOMEMLIMIT.

    The largest binary unit that divides ``n`` (``1GiB``, ``1536MiB``, ``409MiB``, ``3KiB``);
    otherwise bytes with an explicit ``B`` (``123B``) rather than bare digits, so that a reader does
    not take the number for a forgotten unit. 0 is ``0``.
    """
    if n < 0:
        raise ValueError(f"a size cannot be negative: {n}")
    if n == 0:
        return "0"
    for unit, spelling in _GO_SPELLINGS:
        if n % unit == 0:
            return f"{n // unit}{spelling}"
    return f"{n}B"


def format_decimal(value: Fraction, places: int) -> str:
    """``value`` with at most ``places`` decimals, rounded half up, trailing zeros dropped."""
    from fractions import Fraction  # exact arithmetic; imported on first use

    scale = 10**places
    scaled = value * scale
    rounded = math.floor(scaled + Fraction(1, 2))
    negative = rounded < 0
    whole, part = divmod(abs(rounded), scale)
    text = f"{whole:,}"
    if part:
        text += "." + f"{part:0{places}d}".rstrip("0")
    return f"-{text}" if negative else text


def format_fraction(value: Fraction) -> str:
    """An exact decimal for a terminating fraction (``429,496,729.6``), else 6 decimals and "…"."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        places = 0
        while (value * 10**places).denominator != 1:
            places += 1
        return format_decimal(value, places)
    return format_decimal(value, 6) + "…"


def _one_decimal(n: int, unit: int) -> str:
    whole, rest = divmod(n, unit)
    if rest == 0:
        return f"{whole:,}"
    tenths = (n * 10 * 2 + unit) // (unit * 2)  # n / unit in tenths, rounded half up
    if tenths % 10 == 0:
        # Rounding would print a whole number (1,048,575 bytes as "1,024.0 KiB", which reads as
        # 1 MiB); truncate instead so the figure stays on the right side of the boundary.
        tenths = n * 10 // unit
    return f"{tenths // 10:,}.{tenths % 10}"


def describe_bytes(n: int) -> str:
    """``n`` for people: ``536,870,912 bytes (512 MiB)``, ``450,971,566 bytes (430.1 MiB)``.

    The unit in brackets is MiB from 1 MiB up to 1 TiB, KiB below, TiB above, with one decimal
    when the amount is not whole; under 1 KiB there is no bracket (``123 bytes``).
    """
    plain = f"{n:,} byte" if abs(n) == 1 else f"{n:,} bytes"
    size = abs(n)
    if size < KIB:
        return plain
    unit, name = (KIB, "KiB") if size < MIB else (MIB, "MiB") if size < TIB else (TIB, "TiB")
    sign = "-" if n < 0 else ""
    return f"{plain} ({sign}{_one_decimal(size, unit)} {name})"
