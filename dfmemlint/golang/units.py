"""Byte sizes: the Go runtime's GOMEMLIMIT grammar, declared container limits, and the arithmetic.

Three different grammars meet in a Dockerfile that sets GOMEMLIMIT:

* **Go** (``GOMEMLIMIT``): a whole number of bytes, optionally followed by ``B``, ``KiB``, ``MiB``,
  ``GiB`` or ``TiB`` (case-sensitive), or exactly ``off``. :func:`parse_go_byte_count` is a port of
  the runtime's own parser; :func:`judge_gomemlimit` decides for every Go release at once.
* **Kubernetes** resource quantities (``512Mi``, ``500M`` = 500*10^6, ``1e9``, ``1.5Gi``).
* **Docker** sizes (``-m 512m``, ``mem_limit: 1g``): letters ``b k m g t`` in any case, all binary.

:func:`parse_memory_limit` reads a declared container limit written in any of the three and
refuses the spellings whose meaning depends on the tool that reads them. Every computation here is
exact integer or :class:`~fractions.Fraction` arithmetic: no float ever decides a byte count.
"""

from __future__ import annotations

import enum
import math
import re
from typing import TYPE_CHECKING, NamedTuple

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

#: The Go release that introduced GOMEMLIMIT.
FIRST_GO_MINOR = 19
#: From this Go release on, ``parseByteCount`` uses ``strconv.ParseInt`` instead of the runtime's
#: own ``atoi64``: a leading ``+`` is accepted and a sign with no digits (``-MiB``) is not.
PARSEINT_GO_MINOR = 26

#: What ``debug.SetMemoryLimit(-1)`` reports when GOMEMLIMIT is unset, empty or ``off``.
NO_LIMIT = MAX_INT64

#: The line the Go runtime prints before it exits with status 2 on a value it rejects.
MALFORMED_GOMEMLIMIT_MESSAGE = (
    "fatal error: malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`"
)

_OLD_GO = f"Go 1.{FIRST_GO_MINOR} to 1.{PARSEINT_GO_MINOR - 1}"
_NEW_GO = f"Go 1.{PARSEINT_GO_MINOR} and later"
_CRASH = "dies at start-up with 'fatal error: malformed GOMEMLIMIT'"


class LimitError(ValueError):
    """A size, limit or ratio that cannot be used; the message says what to write instead."""


#: More significant digits than any size can have. A whole part this long is far above int64 even
#: after the largest exponent accepted (10^-30); a fraction this long never becomes a whole number
#: of bytes (the largest multiplier, 2^60 * 10^30, cancels at most 90 of its decimal places).
#: Python refuses to convert over 4,300 digits to ``int`` (``sys.get_int_max_str_digits``), so
#: such text is refused before any conversion.
_MAX_DIGITS = 100


def _too_many_digits(integer: str, frac: str = "") -> bool:
    """True when ``integer.frac`` has more significant digits than any usable size."""
    return len(integer.lstrip("0")) > _MAX_DIGITS or len(frac.rstrip("0")) > _MAX_DIGITS


def shorten(text: str, keep: int = 40) -> str:
    """``text`` for a one-line message: cut after ``keep`` characters, saying how long it was."""
    if len(text) <= keep:
        return repr(text)
    return f"{text[:keep]!r}… ({len(text):,} characters)"


# --------------------------------------------------------------------------------------------
# The Go runtime's grammar
# --------------------------------------------------------------------------------------------


def _is_digit(c: str) -> bool:
    # Go compares bytes with '0' and '9'; str.isdigit would also accept non-ASCII digits.
    return "0" <= c <= "9"


def _atoi64(s: str) -> int | None:
    """Port of ``runtime.atoi64`` (Go 1.19-1.24; ``internal/runtime/strconv.Atoi64`` in 1.25).

    An optional ``-`` and then ASCII digits, fitting in int64. A lone ``-`` yields 0; ``+`` is not
    a sign here.
    """
    if s == "":
        return None
    neg = False
    if s[0] == "-":
        neg = True
        s = s[1:]
    un = 0
    for c in s:
        if not _is_digit(c):
            return None
        if un > MAX_UINT64 // 10:  # overflow
            return None
        un *= 10
        un1 = un + ord(c) - ord("0")
        if un1 > MAX_UINT64:  # Go detects the wrap-around with un1 < un
            return None
        un = un1
    if not neg and un > MAX_INT64:
        return None
    if neg and un > MAX_INT64 + 1:
        return None
    return -un if neg else un


def _parse_int64(s: str) -> int | None:
    """Port of ``strconv.ParseInt(s, 10, 64)`` as ``parseByteCount`` uses it from Go 1.26 on.

    An optional ``+`` or ``-``, then at least one ASCII digit, fitting in int64. With an explicit
    base of 10 no ``0x`` prefix and no ``_`` separator is allowed.
    """
    if s == "":
        return None
    neg = False
    if s[0] == "+":
        s = s[1:]
    elif s[0] == "-":
        s = s[1:]
        neg = True
    # ParseUint(s, 10, 64)
    if s == "":
        return None
    cutoff = MAX_UINT64 // 10 + 1
    n = 0
    for c in s:
        if not _is_digit(c):
            return None  # ErrSyntax
        if n >= cutoff:
            return None  # ErrRange
        n *= 10
        n1 = n + ord(c) - ord("0")
        if n1 > MAX_UINT64:
            return None  # ErrRange
        n = n1
    # Back in ParseInt: the magnitude must fit in int64.
    if not neg and n > MAX_INT64:
        return None
    if neg and n > MAX_INT64 + 1:
        return None
    return -n if neg else n


def parse_go_byte_count(s: str, *, go_minor: int = 25) -> int | None:
    """Port of the Go runtime's ``parseByteCount`` (``runtime/string.go``) as in Go 1.<go_minor>.

    Returns the byte count, or None where Go returns ``ok == false``. Go works on the bytes of the
    value and inspects every one of them, so any non-ASCII character is rejected, as here.

    The grammar is ``^[0-9]+(([KMGT]i)?B)?$`` fitting in int64, with two edges that moved in Go 1.26
    when the digits started to be read by ``strconv.ParseInt`` instead of the runtime's ``atoi64``:

    * a leading ``+`` (``+512MiB``) is rejected up to Go 1.25 and accepted from Go 1.26 on;
    * a ``-`` with no digits before a unit (``-MiB``, ``-KiB``) is 0 up to Go 1.25 and rejected
      from Go 1.26 on.

    ``-0`` and ``-0MiB`` are 0 in every release (Go's own tests keep them); any other negative
    number is rejected; leading zeros are fine.

    Raises ValueError for a ``go_minor`` before 19: those releases do not read GOMEMLIMIT.
    """
    if go_minor < FIRST_GO_MINOR:
        raise ValueError(f"Go 1.{go_minor} does not read GOMEMLIMIT (it appeared in Go 1.19)")
    atoi = _atoi64 if go_minor < PARSEINT_GO_MINOR else _parse_int64

    # The empty string is not valid.
    if s == "":
        return None
    # Handle the easy non-suffix case.
    last = s[-1]
    if _is_digit(last):
        n = atoi(s)
        if n is None or n < 0:
            return None
        return n
    # Failing a trailing digit, this must always end in 'B', with at least one digit before it.
    if last != "B" or len(s) < 2:
        return None
    # The one before that must always be a digit or 'i'.
    c = s[-2]
    if _is_digit(c):
        # Trivial 'B' suffix.
        n = atoi(s[:-1])
        if n is None or n < 0:
            return None
        return n
    if c != "i":
        return None
    # At least 4 characters now, for the unit prefix and at least one digit.
    if len(s) < 4:
        return None
    power = {"K": 1, "M": 2, "G": 3, "T": 4}.get(s[-3])
    if power is None:  # invalid suffix
        return None
    m = 1 << (10 * power)
    n = atoi(s[:-3])
    if n is None or n < 0:
        return None
    if n > MAX_UINT64 // m:  # overflow
        return None
    un = n * m
    if un > MAX_INT64:  # overflow
        return None
    return un


def read_gomemlimit(value: str, *, go_minor: int = 25) -> int | None:
    """Port of ``runtime.readGOMEMLIMIT``: the limit a Go 1.<go_minor> program starts with.

    The empty string and exactly ``off`` mean no limit (:data:`NO_LIMIT`, math.MaxInt64); anything
    else goes through :func:`parse_go_byte_count`. None means the runtime rejects the value: the
    process prints ``GOMEMLIMIT=<value>`` and :data:`MALFORMED_GOMEMLIMIT_MESSAGE` and exits with
    status 2 before ``main`` runs.
    """
    if value in ("", "off"):
        if go_minor < FIRST_GO_MINOR:
            raise ValueError(f"Go 1.{go_minor} does not read GOMEMLIMIT (it appeared in Go 1.19)")
        return NO_LIMIT
    return parse_go_byte_count(value, go_minor=go_minor)


# --------------------------------------------------------------------------------------------
# Judging a GOMEMLIMIT value for every Go release
# --------------------------------------------------------------------------------------------


class MemLimitStatus(str, enum.Enum):
    """What every Go release from 1.19 on makes of a GOMEMLIMIT value."""

    VALID = "valid"  # a byte count every release accepts and agrees on
    OFF = "off"  # exactly "off": no limit
    EMPTY = "empty"  # the empty string: no limit
    VERSION_DEPENDENT = "version-dependent"  # accepted by some releases, fatal in others
    MALFORMED = "malformed"  # fatal in every release


class MemLimitJudgement(NamedTuple):
    """The verdict of :func:`judge_gomemlimit`."""

    status: MemLimitStatus
    #: The byte count, when every release that accepts the value reads the same number.
    bytes: int | None
    #: One sentence on what is wrong; empty when nothing is.
    problem: str
    #: A corrected value, when one is unambiguous.
    suggestion: str | None
    #: True when the suggestion only respells what was written (a one-to-one suffix or format
    #: mapping); False when it changes the amount (rounding), or when there is no suggestion.
    suggestion_safe: bool
    #: Why a malformed value is rejected, as a clause (``the unit 'MB' is not one of …``).
    reason: str = ""


_GO_UNITS: dict[str, tuple[int, str]] = {
    # lower-cased spelling -> (multiplier, Go spelling)
    "": (1, ""),
    "b": (1, "B"),
    **{
        spelling: (1024**power, f"{letter.upper()}iB")
        for power, letter in enumerate("kmgt", start=1)
        for spelling in (letter, f"{letter}b", f"{letter}i", f"{letter}ib")
    },
}
_SMALLER_GO_UNIT: dict[int, tuple[int, str]] = {
    KIB: (1, "B"),
    MIB: (KIB, "KiB"),
    GIB: (MIB, "MiB"),
    TIB: (GIB, "GiB"),
}
# The patterns for malformed values and declared limits are kept as text: `re` compiles (and
# caches) them on first use, so a run that meets neither never pays for them.
_INTENDED = r"\s*(?P<plus>\+?)(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]+))?\s*(?P<unit>[A-Za-z]*)\s*"


def _both_eras(value: str) -> tuple[int | None, int | None]:
    return (
        parse_go_byte_count(value, go_minor=PARSEINT_GO_MINOR - 1),
        parse_go_byte_count(value, go_minor=PARSEINT_GO_MINOR),
    )


def _is_valid_everywhere(value: str) -> bool:
    old, new = _both_eras(value)
    return old is not None and old == new


def _suggest(value: str) -> tuple[str | None, bool]:
    """A corrected spelling of what the author evidently meant, and whether it is a safe fix.

    Safe suggestions only respell: the case of ``off``; a decimal or Kubernetes-style unit read as
    the binary unit Go uses (``MB``/``M``/``Mi``/``mib`` → ``MiB``); whitespace and a leading
    ``+`` dropped; a decimal that is an exact whole number of the next smaller unit
    (``1.5GiB`` → ``1536MiB``). A decimal that is not (``1.3GiB``) gets an unsafe suggestion rounded
    down to the next smaller unit. Nothing is guessed for negative numbers, hexadecimal, exponents,
    digit separators or anything else.
    """
    if value.strip().lower() == "off":
        return "off", True
    match = re.fullmatch(_INTENDED, value)
    if match is None:
        return None, False
    unit = _GO_UNITS.get(match["unit"].lower())
    if unit is None:
        return None, False
    multiplier, spelling = unit
    frac = match["frac"] or ""
    if _too_many_digits(match["int"], frac):  # far beyond int64: no spelling fits
        return None, False
    frac = frac.rstrip("0")  # the same amount, in fewer digits
    # The amount in bytes is exactly scaled_bytes / 10**len(frac): integers only.
    scaled_bytes = int((match["int"] + frac).lstrip("0") or "0") * multiplier
    scale = 10 ** len(frac)
    safe = True
    if scaled_bytes % (scale * multiplier) == 0:
        suggestion = f"{scaled_bytes // (scale * multiplier)}{spelling}"
    elif multiplier in _SMALLER_GO_UNIT:
        smaller, smaller_spelling = _SMALLER_GO_UNIT[multiplier]
        safe = scaled_bytes % (scale * smaller) == 0
        suggestion = f"{scaled_bytes // (scale * smaller)}{smaller_spelling}"
    else:  # a fraction of a byte
        return None, False
    if not _is_valid_everywhere(suggestion):  # e.g. it does not fit in int64
        return None, False
    return suggestion, safe


_MALFORMED_SHAPES: tuple[tuple[str, str], ...] = (
    (r"(?s).*\s.*", "it must not contain whitespace"),
    (r"[+-]?[0-9]*\.[0-9]+\D*", "it must be a whole number"),
    (r"[+-]?0[xXoObB][0-9A-Fa-f_]+", "only decimal digits are allowed"),
    (r"[+-]?[0-9.]+[eE][+-]?[0-9]+", "exponent notation is not allowed"),
    (r"[+-]?[0-9_]*_[0-9_]*\D*", "digit separators are not allowed"),
    (r"-[0-9]+\D*", "a negative limit is not allowed"),
    (r"[+-]?[0-9]+(?:(?:[KMGT]i)?B)?", "it does not fit in a signed 64-bit number of bytes"),
)
_UNIT_SHAPE = r"[+-]?[0-9]+(?P<unit>[A-Za-z]+)"
_FATAL_TAIL = f"so every Go program that inherits it {_CRASH}"


def _malformed_reason(value: str) -> str:
    if value.strip().lower() == "off":
        return "only lowercase 'off' disables the limit"
    for shape, reason in _MALFORMED_SHAPES:
        if re.fullmatch(shape, value):
            return reason
    unit = re.fullmatch(_UNIT_SHAPE, value)
    if unit is not None:
        return (
            f"the unit {unit['unit']!r} is not one of the case-sensitive B, KiB, MiB, GiB or TiB"
        )
    return (
        "it must be a whole number of bytes, optionally followed by B, KiB, MiB, GiB or TiB, "
        "or exactly 'off'"
    )


def _describe_malformed(value: str) -> str:
    return f"Go does not accept GOMEMLIMIT={value!r}: {_malformed_reason(value)}, {_FATAL_TAIL}."


def _describe_version_dependent(value: str, old: int | None, new: int | None) -> str:
    if old is None and new is not None:
        return (
            f"{_NEW_GO} read GOMEMLIMIT={value!r} as {new:,} bytes, but a program built with "
            f"{_OLD_GO} {_CRASH}."
        )
    if new is None and old is not None:
        return (
            f"{_OLD_GO} read GOMEMLIMIT={value!r} as {old:,} bytes, but a program built with "
            f"{_NEW_GO} {_CRASH}."
        )
    return (  # pragma: no cover - no Go release pair reads one value as two different numbers
        f"Go releases disagree on GOMEMLIMIT={value!r}: {_OLD_GO} read {old}, {_NEW_GO} read {new}."
    )


def judge_gomemlimit(value: str) -> MemLimitJudgement:
    """Decide what every Go release from 1.19 on makes of ``GOMEMLIMIT=value``.

    ``value`` is the variable's text after the Dockerfile's quoting is removed. A value is VALID
    only when every release accepts it and reads the same byte count, since the Go release that
    built the binary is rarely known for sure. Range (``0``, under 1 MiB, above the container
    limit) is not judged here.

    Suggestions read ``MB``, ``M``, ``Mi``, ``mb``, ``mib`` (and likewise K, G, T) as the binary
    unit Go uses (``MiB``). Whoever writes ``GOMEMLIMIT=512MB`` is writing for Go, whose only
    units are binary, and means "512 of Go's megabytes"; Docker reads these letters as binary
    too, and ``Mi`` is the same unit in Kubernetes' spelling. Had the author meant the SI unit
    instead, the difference is small: 512 MiB is 4.9 % more than 512*10^6 bytes (2.4 % for K),
    less than the 5-10 % of headroom the Go GC guide leaves below a container limit. For G and T
    the gap is 7.4 % and 10 %; the range rule (DFM007) still checks the result against a
    declared container limit.
    """
    if value == "":
        return MemLimitJudgement(MemLimitStatus.EMPTY, None, "", None, False)
    if value == "off":
        return MemLimitJudgement(MemLimitStatus.OFF, None, "", None, False)
    old, new = _both_eras(value)
    if old is not None and old == new:
        return MemLimitJudgement(MemLimitStatus.VALID, old, "", None, False)
    suggestion, safe = _suggest(value)
    if old is None and new is None:
        problem = _describe_malformed(value)
        return MemLimitJudgement(
            MemLimitStatus.MALFORMED, None, problem, suggestion, safe, _malformed_reason(value)
        )
    agreed = old if new is None else new if old is None else None
    problem = _describe_version_dependent(value, old, new)
    return MemLimitJudgement(MemLimitStatus.VERSION_DEPENDENT, agreed, problem, suggestion, safe)


# --------------------------------------------------------------------------------------------
# Declared container limits
# --------------------------------------------------------------------------------------------

_LIMIT = (
    r"\s*(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?"
    r"(?:[eE](?P<exp>[+-]?[0-9]+))?\s*(?P<unit>[A-Za-z]*)\s*"
)
_MAX_EXPONENT = 30

# Units read the same by every tool that accepts them (exact spelling first, then lower-cased).
_LIMIT_UNITS_EXACT: dict[str, int] = {
    "": 1,
    # Kubernetes binary quantities.
    "Ki": KIB,
    "Mi": MIB,
    "Gi": GIB,
    "Ti": TIB,
    "Pi": PIB,
    "Ei": EIB,
    # Kubernetes exa: Docker has no 'e', so it is unambiguous.
    "E": 10**18,
}
_LIMIT_UNITS_FOLDED: dict[str, int] = {
    "b": 1,
    # IEC (Go's spelling; Docker accepts any case).
    "kib": KIB,
    "mib": MIB,
    "gib": GIB,
    "tib": TIB,
    "pib": PIB,
    "eib": EIB,
    # Docker with a 'b': Kubernetes rejects these, Docker reads them as binary.
    "kb": KIB,
    "mb": MIB,
    "gb": GIB,
    "tb": TIB,
    "pb": PIB,
}
# Single lower-case Docker letters; 'k' is missing on purpose (ambiguous, see below).
_LIMIT_UNITS_DOCKER: dict[str, int] = {"m": MIB, "g": GIB, "t": TIB, "p": PIB}
# Letters two tools read differently: letter -> (decimal reading, binary reading, power of 10).
_AMBIGUOUS_UNITS: dict[str, tuple[int, int, int]] = {
    "k": (10**3, KIB, 3),
    "K": (10**3, KIB, 3),
    "M": (10**6, MIB, 6),
    "G": (10**9, GIB, 9),
    "T": (10**12, TIB, 12),
    "P": (10**15, PIB, 15),
}
_LIMIT_FORMS = (
    "write it as bytes (536870912), with Go/IEC units (512MiB, 1GiB), as a Kubernetes "
    "quantity (512Mi, 1.5Gi, 1e9) or with Docker's lower-case units (512m, 1g)"
)


def _describe_amount(amount: Fraction) -> str:
    if amount.denominator == 1:
        return describe_bytes(amount.numerator)
    return f"{_format_decimal(amount, 3)} bytes"


def _ambiguity_message(text: str, number: str, amount: Fraction, letter: str) -> str:
    decimal, binary, power = _AMBIGUOUS_UNITS[letter]
    as_decimal = _describe_amount(amount * decimal)
    as_binary = _describe_amount(amount * binary)
    upper = letter.upper()
    docker = f"{number}{letter.lower()}b" if letter in "kK" else f"{number}{letter.lower()}"
    alternatives = (
        f"write {number}{upper}i/{number}{upper}iB or {docker} (Docker) or {number}e{power}"
    )
    if letter == "K":
        readings = (
            f"Docker reads it as {as_binary}, while the decimal kilo (Kubernetes spells it "
            f"{number}k) is {as_decimal}"
        )
    else:
        readings = f"Kubernetes reads it as {as_decimal}, Docker as {as_binary}"
    return f"{text} is ambiguous: {readings}; {alternatives} instead"


def parse_memory_limit(text: str) -> int:
    """Read a declared container memory limit and return it in bytes.

    Accepted, with optional whitespace around the number and between it and the unit:

    * plain bytes: ``536870912``; Go/IEC units ``B``, ``KiB``, ``MiB``, ``GiB``, ``TiB`` (any case,
      as Docker accepts them too);
    * Kubernetes quantities: binary ``Ki Mi Gi Ti Pi Ei``, decimals (``1.5Gi``, ``0.5Gi``),
      exponents (``1e9``, ``1E9``, ``5e8``), and ``E`` (10^18, which Docker does not know);
    * Docker sizes: lower-case ``m g t p`` and ``kb mb gb tb pb`` in any case, all binary
      (``512m`` = 512 MiB, ``1gb`` = 1 GiB).

    Refused with :class:`LimitError`, whose message says what to write instead:

    * spellings two tools read differently: ``512M``, ``1G``, ``2T``, ``1P`` are decimal for
      Kubernetes and binary for Docker; lower-case ``500k`` is 500,000 bytes for Kubernetes and
      512,000 for Docker; upper-case ``500K`` is binary for Docker, rejected by Kubernetes, and
      decimal to anyone who reads it as SI. The message computes both readings;
    * lower-case ``m`` is taken as Docker's mebibyte, not Kubernetes' milli: a memory limit of
      0.512 bytes means nothing, and ``mem_limit: 512m`` is the everyday Docker spelling;
    * Kubernetes' ``n`` and ``u`` (nano, micro) and any other unit;
    * an amount that is not a whole number of bytes (``1.5``, ``0.5k``), zero or negative, an
      exponent combined with a unit, or more than math.MaxInt64 bytes (what Go can represent).
    """
    from fractions import Fraction  # exact arithmetic; imported on first use

    match = re.fullmatch(_LIMIT, text)
    if match is None or not (match["int"] or match["frac"]):
        raise LimitError(f"cannot read {shorten(text)} as a memory limit: {_LIMIT_FORMS}")
    integer, frac, exp, unit = match["int"], match["frac"], match["exp"], match["unit"]
    exp_digits = (exp or "").lstrip("+-").lstrip("0")
    if _too_many_digits(integer) or len(exp_digits) > _MAX_DIGITS:
        raise LimitError(
            f"memory limit {shorten(text)} is out of range (at most {MAX_INT64:,} bytes)"
        )
    if _too_many_digits("", frac or ""):
        raise LimitError(f"memory limit {shorten(text)} is not a whole number of bytes")
    number = integer + ("" if frac is None else f".{frac}")
    digits = (frac or "").rstrip("0")  # the same amount, in fewer digits
    amount = Fraction(int((integer + digits).lstrip("0") or "0"), 10 ** len(digits))
    if match["sign"] == "-":
        amount = -amount
    if amount <= 0:
        raise LimitError(f"memory limit {shorten(text)} must be more than 0 bytes")
    if exp is not None:
        if unit:
            raise LimitError(
                f"cannot read {shorten(text)} as a memory limit: an exponent cannot be combined "
                f"with a unit; {_LIMIT_FORMS}"
            )
        power = int(exp_digits or "0") * (-1 if exp.startswith("-") else 1)
        if abs(power) > _MAX_EXPONENT:
            raise LimitError(f"memory limit {shorten(text)} is out of range")
        amount *= Fraction(10) ** power

    if unit in _AMBIGUOUS_UNITS:
        raise LimitError(_ambiguity_message(text.strip(), number, amount, unit))
    multiplier = (
        _LIMIT_UNITS_EXACT.get(unit)
        or _LIMIT_UNITS_FOLDED.get(unit.lower())
        or _LIMIT_UNITS_DOCKER.get(unit)
    )
    if multiplier is None:
        hint = ""
        if unit.lower() in ("ki", "mi", "gi", "ti", "pi", "ei"):
            hint = f" (Kubernetes spells it {unit[0].upper()}i)"
        elif unit in ("n", "u"):
            hint = " (Kubernetes nano/micro units make no sense for memory)"
        raise LimitError(
            f"unknown unit {unit!r} in memory limit {shorten(text)}{hint}: {_LIMIT_FORMS}"
        )
    size = amount * multiplier
    if size.denominator != 1:
        raise LimitError(
            f"memory limit {shorten(text)} is {_format_decimal(size, 3)} bytes, not a whole "
            "number of bytes"
        )
    if size.numerator > MAX_INT64:
        raise LimitError(
            f"memory limit {shorten(text)} is {size.numerator:,} bytes, more than Go can represent "
            f"({MAX_INT64:,})"
        )
    return size.numerator


# A declared limit outside these bounds is almost certainly a slip: `512` meant as MiB is 512
# bytes, too little to start any Go program; above 16 TiB no container limit is meant.
MIN_CONTAINER_LIMIT = 4 * MIB
MAX_CONTAINER_LIMIT = 16 * TIB


def parse_container_limit(text: str) -> int:
    """:func:`parse_memory_limit`, then refuse (:class:`LimitError`) a limit under 4 MiB or over
    16 TiB; for a bare number the message names the unit that was likely meant (``512`` ->
    ``512MiB``) when that reading is itself a limit it accepts (``2`` gets no hint: 2 MiB is
    refused too)."""
    limit = parse_memory_limit(text)
    shown = text.strip()
    if limit < MIN_CONTAINER_LIMIT:
        hint = ""
        if shown.isdigit():
            meant = int(shown.lstrip("0") or "0")
            if MIN_CONTAINER_LIMIT <= meant * MIB <= MAX_CONTAINER_LIMIT:
                hint = f"; did you mean {meant}MiB?"
        raise LimitError(
            f"memory limit {shorten(shown)} is {describe_bytes(limit)}, under 4 MiB: too small "
            f"for a container that runs a Go program{hint}"
        )
    if limit > MAX_CONTAINER_LIMIT:
        raise LimitError(
            f"memory limit {shorten(shown)} is {describe_bytes(limit)}, over 16 TiB: not a "
            "container limit dfmemlint accepts (is the unit right?)"
        )
    return limit


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
            f"{ratio} of {describe_bytes(limit_bytes)} is {describe_bytes(raw)}, under the 1 MiB "
            f"minimum for a useful GOMEMLIMIT"
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


def _format_decimal(value: Fraction, places: int) -> str:
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
        return _format_decimal(value, places)
    return _format_decimal(value, 6) + "…"


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
