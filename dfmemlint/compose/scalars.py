"""The string Compose makes of a YAML scalar in ``environment``.

Compose reads YAML with go-yaml (``go.yaml.in/yaml/v4``, compose-go ``loader/loader.go``
``loadYamlFile``), whose resolver follows YAML 1.2's core schema, not the YAML 1.1 that PyYAML
and Kubernetes use: an unquoted ``off``, ``yes``, ``on`` or ``n`` stays a string, and only
``true``/``True``/``TRUE`` (and the ``false`` spellings) are booleans (yaml/go-yaml
``internal/libyaml/resolver.go``, ``resolve`` and ``resolveMapList``). Compose then turns a
non-string value of an ``environment`` entry into text with Go's ``fmt.Sprint``
(compose-go ``types/mapping.go``, ``mappingValue``; list entries likewise through
``fmt.Sprint``), so ``GOGC: 012`` (an octal integer to go-yaml) reaches the container as ``10``
and ``GOGC: 1e3`` as ``1000``. A null (``GOGC:``, ``~``) is a key without a value, like a bare
``- GOGC`` in the list form. :func:`compose_text` computes that text for a plain scalar; quoted and
block scalars are strings as written.
"""

from __future__ import annotations

import math
import re
from typing import Any

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    "-0": -0.0,
    "-0.0": -0.0,
}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# go-yaml tries a timestamp for plain scalars starting with a digit or sign.
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?")
_GO_INT_BODY = {
    "0x": (16, re.compile(r"[0-9a-fA-F]+")),
    "0o": (8, re.compile(r"[0-7]+")),
    "0b": (2, re.compile(r"[01]+")),
}
MAX_INT64 = (1 << 63) - 1
MAX_UINT64 = (1 << 64) - 1


class Unsupported(ValueError):
    """A scalar whose Go text dfmemlint does not reproduce (a timestamp)."""


def _go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)`` (then ``ParseUint``) after go-yaml removed every ``_``:
    a sign, then ``0x``/``0o``/``0b`` or a leading ``0`` for octal, else decimal."""
    sign = 1
    body = text
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    prefix = body[:2].lower()
    if prefix in _GO_INT_BODY:
        base, digits = _GO_INT_BODY[prefix]
        if not digits.fullmatch(body[2:]) or len(body[2:].lstrip("0_")) > 64:
            return None  # not an int, or beyond uint64 in any base
        value = int(body[2:], base)
    elif len(body) > 1 and body[0] == "0":
        if not re.fullmatch(r"[0-7]+", body[1:]) or len(body[1:].lstrip("0")) > 22:
            return None  # not octal, or beyond uint64
        value = int(body[1:], 8)
    elif re.fullmatch(r"[0-9]+", body):
        if len(body.lstrip("0")) > 20:  # beyond uint64 (and Python's 4,300-digit conversions)
            return None
        value = int(body)
    else:
        return None
    value *= sign
    if -MAX_INT64 - 1 <= value <= MAX_UINT64 and (value >= 0 or sign < 0):
        return value
    return None


def go_int(plain: str) -> int | None:
    """The integer go-yaml reads from a plain scalar (``0x1F``, ``012``, ``1_000``), or None."""
    if not plain or not (plain[0].isascii() and (plain[0].isdigit() or plain[0] in "+-")):
        return None
    without_underscores = plain.replace("_", "")
    return _go_parse_int(without_underscores) if without_underscores else None


def go_format_float(value: float) -> str:
    """Go's ``fmt.Sprint(float64)``: ``%g`` with the shortest digits that read back the same
    number, in exponent form when the decimal exponent is below -4 or at least 6
    (``strconv/ftoa.go`` ``formatDigits``: "if precision was the shortest possible, use
    precision 6 for this decision"); ``1e+06``, ``1.5``, ``1e-05``, ``+Inf``, ``NaN``."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    # Python's repr has the same shortest round-trip digits as Go's strconv.
    mantissa, _, exponent_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    all_digits = whole + fraction
    significant = all_digits.lstrip("0")
    point = len(whole) + int(exponent_text or 0) - (len(all_digits) - len(significant))
    digits = significant.rstrip("0")
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def compose_text(plain: str) -> str | None:
    """What Compose passes to the container for the plain (unquoted) scalar ``plain`` in
    ``environment``: None for a null, ``true``/``false`` for booleans, integers and floats as Go
    prints them, anything else unchanged. Raises Unsupported for a timestamp."""
    if plain in _NULLS:
        return None
    if plain in _TRUE:
        return "true"
    if plain in _FALSE:
        return "false"
    if plain in _SPECIAL_FLOATS:
        return go_format_float(_SPECIAL_FLOATS[plain])
    first = plain[0]
    if first == "." and _YAML_STYLE_FLOAT.fullmatch(plain):
        return go_format_float(float(plain))
    if not (first.isascii() and (first.isdigit() or first in "+-")):
        return plain
    if _TIMESTAMP.fullmatch(plain):
        raise Unsupported(f"{plain!r} is a timestamp to Compose's YAML reader")
    without_underscores = plain.replace("_", "")
    as_int = _go_parse_int(without_underscores) if without_underscores else None
    if as_int is not None:
        return str(as_int)
    if _YAML_STYLE_FLOAT.fullmatch(without_underscores):
        return go_format_float(float(without_underscores))
    return plain


_RESOLVED_TAGS = frozenset(
    "tag:yaml.org,2002:" + name for name in ("bool", "int", "float", "null", "timestamp")
)


def resolved_from_text(text: str, node: Any) -> bool:
    """Whether go-yaml resolves the plain scalar ``node`` (of the YAML ``text``) from its text,
    as :func:`compose_text` does: False for a scalar written with an explicit tag that makes it a
    string (``!!str 012`` stays ``012``, ``!!str 1e3`` stays ``1e3``; a local tag ``!x``
    likewise). go-yaml v3 (``yaml.go`` ``Node.indicatedString``: a ``!!str`` tag; ``decode.go``
    ``decoder.scalar``, ``resolve.go`` ``resolve``: a tag it cannot resolve keeps the text) and
    its successor go.yaml.in/yaml/v4 read them so; the non-specific ``!`` leaves a plain scalar
    resolved from its text (``parser.node``). A plain scalar cannot start with ``!`` or ``&``,
    so one whose text does is written with a tag or an anchor before its value."""
    if getattr(node, "style", "") is not None:
        return False
    at = node.start_mark.index
    if text[at : at + 1] not in ("!", "&") or node.tag in _RESOLVED_TAGS:
        return True
    properties = text[at : node.end_mark.index].split(None, 2)[:2]
    return not any(word.startswith("!") and word != "!" for word in properties)
