"""Kubernetes resource quantities (``512Mi``, ``200M``, ``1.5Gi``, ``1e9``, ``512m``), exactly.

A port of the grammar of apimachinery's ``resource.ParseQuantity``
(``staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go``, ``parseQuantityString``, and
the suffixes of ``suffix.go``): an optional sign, digits with an optional decimal point, then one
suffix: binary ``Ki Mi Gi Ti Pi Ei`` (powers of 2^10), decimal ``n u m "" k M G T P E`` (``m`` is
milli: ``512m`` is 0.512), or an exponent ``e``/``E`` with an integer. ``Quantity.Value()`` rounds
up to a whole number (``ceil``), which is what the kubelet hands to the downward API.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

_NUMBER = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)", re.DOTALL)
_EXPONENT = re.compile(r"[eE]([+-]?[0-9]+)")
_MAX_EXPONENT = 100  # far past anything a memory size means, and cheap to compute

SUFFIXES: dict[str, Fraction] = {
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}


class QuantityError(ValueError):
    """Not a quantity the API server accepts."""


def parse_quantity(text: str) -> Fraction:
    """The exact amount ``text`` stands for (bytes, for a memory quantity).

    Raises :class:`QuantityError` for what ``ParseQuantity`` rejects: no digits, an unknown
    suffix (``512MB``, ``512K``, ``1GiB``), spaces."""
    match = _NUMBER.fullmatch(text)
    if match is None or not (match[2] or match[3]):
        raise QuantityError(f"{text!r} is not a Kubernetes quantity")
    sign, integer, frac, suffix = match[1], match[2], match[3] or "", match[4]
    amount = Fraction(int(integer + frac or "0"), 10 ** len(frac))
    if sign == "-":
        amount = -amount
    if suffix in SUFFIXES:
        return amount * SUFFIXES[suffix]
    exponent = _EXPONENT.fullmatch(suffix)
    if exponent is None or abs(int(exponent[1])) > _MAX_EXPONENT:
        raise QuantityError(f"{text!r} is not a Kubernetes quantity (unknown suffix {suffix!r})")
    return amount * Fraction(10) ** int(exponent[1])


def value(amount: Fraction) -> int:
    """``Quantity.Value()``: the amount rounded up to a whole number."""
    return math.ceil(amount)


def suffix_of(text: str) -> str:
    match = _NUMBER.fullmatch(text)
    return match[4] if match is not None else ""
