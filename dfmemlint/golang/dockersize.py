"""Docker and Compose memory sizes, read exactly as Compose reads them.

Compose keeps ``mem_limit``, ``memswap_limit``, ``mem_reservation`` and
``deploy.resources.limits.memory`` as ``types.UnitBytes`` (compose-spec/compose-go
``types/bytes.go``, ``UnitBytes.parseString``): a YAML integer is taken as bytes; a string is
first tried as a base-10 integer (``strconv.ParseInt(s, 10, 64)``, so ``-1`` is accepted) and
otherwise read by docker/go-units ``RAMInBytes`` (``size.go``, ``parseSize`` with the binary
unit map). :func:`ram_in_bytes` is a port of that function, so its edges are Docker's:

* the unit is one of ``b k m g t p`` in any case, optionally followed by ``b`` or ``ib``, and
  every unit is binary: ``512m``, ``512M``, ``512MB``, ``512mib`` and ``512MiB`` are 512 MiB;
* ``512Mi`` (a Kubernetes quantity) is **rejected** (``invalid suffix: 'mi'``): a two-letter
  suffix must end in ``b``;
* the number is a Go float (``strconv.ParseFloat``: ``1.5g``, ``1e3``, ``.5g``) and the result is
  truncated to whole bytes (``1.5g`` = 1,610,612,736; ``32.3`` = 32);
* one space may separate the number from the unit (``32 mb``); any other space is an error, as is
  a negative number.
"""

from __future__ import annotations

import math
import re

from dfmemlint.golang.units import GIB, KIB, MAX_INT64, MIB, PIB, TIB

_BINARY = {"k": KIB, "m": MIB, "g": GIB, "t": TIB, "p": PIB}
_DIGITS_OR_DOT = set("0123456789.")
# strconv.ParseFloat's decimal syntax. Hexadecimal floats need a 'p' exponent, which no size can
# have here: the number ends at its last digit or dot, and "0x10" alone is a syntax error.
_GO_DECIMAL_FLOAT = re.compile(
    r"[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)"
    r"(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
)
_GO_SPECIAL_FLOAT = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_GO_INT = re.compile(r"[+-]?[0-9]+")


class SizeError(ValueError):
    """A size Docker or Compose rejects; the message is the one Go gives, with the text."""


def _parse_go_float(text: str) -> float:
    """``strconv.ParseFloat(text, 64)`` for the decimal forms; SizeError where Go fails.

    Go's own syntax: digits with optional ``_`` only between digits, a fraction, an exponent;
    ``Inf``/``NaN`` spellings; out-of-range values are errors (``ErrRange``)."""
    if _GO_SPECIAL_FLOAT.fullmatch(text):
        value = float(text)
    elif _GO_DECIMAL_FLOAT.fullmatch(text):
        # '_' only between digits (strconv's underscoreOK), as the pattern requires.
        value = float(text.replace("_", ""))
        if math.isinf(value):
            raise SizeError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    else:
        raise SizeError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    return value


def ram_in_bytes(text: str) -> int:
    """Port of docker/go-units ``RAMInBytes`` (``size.go``: ``parseSize`` with ``binaryMap``).

    Returns the size in bytes; raises SizeError where go-units returns an error. Go converts
    the float to int64 by truncation, as here.
    """
    num, sep, sfx = text.partition(" ")
    if not sep:
        # No space between number and suffix: the suffix starts after the last digit or dot.
        last = max((i for i, c in enumerate(text) if c in _DIGITS_OR_DOT), default=-1)
        if last == -1:
            raise SizeError(f"invalid size: '{text}'")
        num, sfx = text[: last + 1], text[last + 1 :]
    size = _parse_go_float(num)
    if math.isnan(size) or size < 0:
        # NaN is not negative in Go, and int64(NaN) is implementation-defined; Docker then
        # fails on the resulting value. Refuse it here.
        raise SizeError(f"invalid size: '{text}'")
    if sfx:
        if len(sfx) > 3:
            raise SizeError(f"invalid suffix: '{sfx}'")
        sfx = sfx.lower()
        if sfx[0] == "b":
            if len(sfx) > 1:
                raise SizeError(f"invalid suffix: '{sfx}'")
        else:
            multiplier = _BINARY.get(sfx[0])
            if multiplier is None:
                raise SizeError(f"invalid suffix: '{sfx}'")
            size *= float(multiplier)
            if (len(sfx) == 2 and sfx[1] != "b") or (len(sfx) == 3 and sfx[1:] != "ib"):
                raise SizeError(f"invalid suffix: '{sfx}'")
    if math.isinf(size) or size >= 2.0**63:
        # int64(+Inf) or an overflow: Go gives an implementation-defined value; never a limit.
        raise SizeError(f"invalid size: '{text}' (more than {MAX_INT64:,} bytes)")
    return int(size)


def compose_unit_bytes(value: str | int) -> int:
    """Port of compose-go ``UnitBytes`` reading: ``mem_limit: 536870912`` (a YAML integer) is
    bytes; a string is tried as a base-10 int64 first (``"-1"`` stays -1), then by
    :func:`ram_in_bytes`. Raises SizeError where Compose refuses the file."""
    if isinstance(value, int):
        return value
    # Over 20 digits cannot fit in int64 (Go's ParseInt fails with a range error); checked before
    # converting, as Python refuses to convert over 4,300 digits.
    if _GO_INT.fullmatch(value) and len(value.lstrip("+-").lstrip("0")) <= 20:
        number = int(value)
        if -MAX_INT64 - 1 <= number <= MAX_INT64:
            return number
    return ram_in_bytes(value)
