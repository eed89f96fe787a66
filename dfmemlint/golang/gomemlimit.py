"""The Go runtime's GOMEMLIMIT grammar, ported, and a verdict on a value for every Go release.

A whole number of bytes, optionally followed by ``B``, ``KiB``, ``MiB``, ``GiB`` or ``TiB``
(case-sensitive), or exactly ``off``: :func:`parse_go_byte_count` is a port of the runtime's own
``parseByteCount`` (``runtime/string.go``), :func:`read_gomemlimit` of ``readGOMEMLIMIT``
(``runtime/mgcpacer.go``), and :func:`judge_gomemlimit` decides for every Go release at once.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable

from dfmemlint.golang.units import GIB, KIB, MAX_INT64, MAX_UINT64, MIB, TIB, too_many_digits
from dfmemlint.records import Record

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


MIN_INT32 = -(1 << 31)


def gogc_turns_gc_off(value: str) -> bool:
    """Whether ``GOGC=value`` turns the garbage collector off: exactly ``off``, or a negative
    whole number that fits in an int32.

    Go's ``runtime/mgcpacer.go``: ``readGOGC`` returns -1 for ``off`` and otherwise the value
    read as an int32 (``atoi32`` up to Go 1.25, ``strconv.ParseInt(p, 10, 32)`` since), 100 when
    that fails; ``gcControllerState.setGCPercent`` then stores any negative percent as -1, which
    is off. Both readers take ``-`` and ASCII digits alike, so ``-1`` and ``-50`` are off, while
    ``-0`` is 0 (collect continuously) and ``-2147483649`` does not fit (the default, 100)."""
    if value == "off":
        return True
    if not value.startswith("-"):
        return False
    number = _atoi64(value)
    return number is not None and MIN_INT32 <= number < 0


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


class MemLimitJudgement(Record):
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
    inner = unquoted(value)
    if inner is not None:
        return _suggest_unquoted(inner)
    match = re.fullmatch(_INTENDED, value)
    if match is None:
        return None, False
    unit = _GO_UNITS.get(match["unit"].lower())
    if unit is None:
        return None, False
    multiplier, spelling = unit
    frac = match["frac"] or ""
    if too_many_digits(match["int"], frac):  # far beyond int64: no spelling fits
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


def unquoted(value: str) -> str | None:
    """The text inside a pair of quotes (``"400MiB"``, ``'400MiB'``) that are part of the value
    itself, or None. A format that keeps them (a Compose list-form ``environment`` entry, a YAML
    string that contains them) hands Go the quotes too, and Go accepts no quote
    (``parseByteCount``)."""
    if len(value) > 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        if value[0] not in inner:
            return inner
    return None


def _suggest_unquoted(inner: str) -> tuple[str | None, bool]:
    """The suggestion for a quoted value: the text inside the quotes when Go accepts it (safe:
    the amount is the one written), else that text's own suggestion."""
    if inner == "off" or _is_valid_everywhere(inner):
        return inner, True
    return _suggest(inner)


def _has_space(value: str) -> bool:
    return any(c.isspace() for c in value)  # what \s matches in a str pattern


def _radix_prefix(value: str) -> bool:
    digits = value.lstrip("+-")
    return digits[:1] == "0" and digits[1:2] in ("x", "X", "o", "O", "b", "B")


def _whole_bytes(value: str) -> bool:
    digits = value[1:] if value[:1] in ("+", "-") else value
    number = digits.rstrip("BKMGTi")
    return number.isascii() and number.isdigit() and digits[len(number) :] in _BYTE_UNITS


_BYTE_UNITS = ("", "B", "KiB", "MiB", "GiB", "TiB")

# The first shape a malformed value has, in this order, says why Go refuses it. Each shape comes
# with a test its values all pass, cheaper than the pattern: the pattern is compiled (on first
# use, by re's cache) only for a value that passes it, so the common misspellings (``512MB``,
# ``1Gi``) compile none.
_MALFORMED_SHAPES: tuple[tuple[Callable[[str], bool], str, str], ...] = (
    (_has_space, r"(?s).*\s.*", "it must not contain whitespace"),
    (lambda v: "." in v, r"[+-]?[0-9]*\.[0-9]+\D*", "it must be a whole number"),
    (_radix_prefix, r"[+-]?0[xXoObB][0-9A-Fa-f_]+", "only decimal digits are allowed"),
    (lambda v: "e" in v or "E" in v, r"[+-]?[0-9.]+[eE][+-]?[0-9]+",
     "exponent notation is not allowed"),
    (lambda v: "_" in v, r"[+-]?[0-9_]*_[0-9_]*\D*", "digit separators are not allowed"),
    (lambda v: v.startswith("-"), r"-[0-9]+\D*", "a negative limit is not allowed"),
    (_whole_bytes, r"[+-]?[0-9]+(?:(?:[KMGT]i)?B)?",
     "it does not fit in a signed 64-bit number of bytes"),
)
_FATAL_TAIL = f"so every Go program that inherits it {_CRASH}"


def _malformed_reason(value: str) -> str:
    if unquoted(value) is not None:
        return "the quotes are part of the value, and Go accepts no quote"
    if value.strip().lower() == "off":
        return "only lowercase 'off' disables the limit"
    for may_be, shape, reason in _MALFORMED_SHAPES:
        if may_be(value) and re.fullmatch(shape, value):
            return reason
    # A number and a unit Go does not know: [+-]?[0-9]+[A-Za-z]+
    digits = value[1:] if value[:1] in ("+", "-") else value
    unit = digits.lstrip("0123456789")
    if unit != digits and unit.isascii() and unit.isalpha():
        return f"the unit {unit!r} is not one of the case-sensitive B, KiB, MiB, GiB or TiB"
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
