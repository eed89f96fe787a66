"""Declared container memory limits: a size written as a Kubernetes quantity, a Docker size or
bytes, read the way both tools read it, and refused where they disagree.

Kubernetes quantities (apimachinery's ``resource.ParseQuantity``,
``staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go``; ported exactly in
:mod:`dfmemlint.kubernetes.quantity`: ``512Mi``, ``500M`` = 500*10^6, ``1e9``, ``1.5Gi``) and
Docker sizes (docker/go-units ``size.go``, ``RAMInBytes``; ported exactly in
:mod:`dfmemlint.golang.dockersize`: ``-m 512m``, ``mem_limit: 1g``, letters ``b k m g t p`` in any
case, all binary) read ``512M`` differently. :func:`parse_memory_limit` accepts what both read
alike and refuses the rest with a message that computes both readings;
:func:`parse_container_limit` also refuses limits no container running Go has (under 4 MiB, over
16 TiB).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dfmemlint.golang.units import (
    EIB,
    GIB,
    KIB,
    MAX_DIGITS,
    MAX_INT64,
    MIB,
    PIB,
    TIB,
    LimitError,
    describe_bytes,
    format_decimal,
    shorten,
    too_many_digits,
)

if TYPE_CHECKING:
    from fractions import Fraction


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
    return f"{format_decimal(amount, 3)} bytes"


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
    if too_many_digits(integer) or len(exp_digits) > MAX_DIGITS:
        raise LimitError(
            f"memory limit {shorten(text)} is out of range (at most {MAX_INT64:,} bytes)"
        )
    if too_many_digits("", frac or ""):
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
            f"memory limit {shorten(text)} is {format_decimal(size, 3)} bytes, not a whole "
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
# The largest bare number read as MiB in a hint: a limit written in MiB rarely exceeds 64 GiB,
# while a number near 4 MiB of bytes (4194303) is far more likely bytes than 4 TiB.
_MIB_HINT_LIMIT = 64 * GIB


def parse_container_limit(text: str) -> int:
    """:func:`parse_memory_limit`, then refuse (:class:`LimitError`) a limit under 4 MiB or over
    16 TiB; for a bare number the message names the unit that was likely meant (``512`` ->
    ``512MiB``) when that reading is itself a limit it accepts and at most 64 GiB (``2`` gets no
    hint: 2 MiB is refused too; nor does ``4194303``, bytes just under 4 MiB, not 4 TiB)."""
    limit = parse_memory_limit(text)
    shown = text.strip()
    if limit < MIN_CONTAINER_LIMIT:
        hint = ""
        if shown.isdigit():
            meant = int(shown.lstrip("0") or "0")
            if MIN_CONTAINER_LIMIT <= meant * MIB <= _MIB_HINT_LIMIT:
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
