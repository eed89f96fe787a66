"""Write the rule files: a small, deterministic YAML writer for maps, lists, strings and numbers.

Why not a YAML library: the output is a handful of known shapes, and people read and review it
(and paste it into a Helm chart), so every string is written in the plainest style that is still
unambiguous: PromQL expressions in single quotes (they contain double quotes, never single ones),
multi-line text as a literal block, everything else double-quoted with JSON's escapes, which YAML
1.1 and 1.2 double-quoted scalars share. Keys are plain identifiers. Tests read the output back
with PyYAML and check it with promtool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Union

Value = Union[str, int, "Mapping[str, Value]", "Sequence[Value]"]

# Characters YAML does not allow raw in a scalar, or reads as line breaks (NEL, LS, PS), or that
# would hide in a review (BOM): written as \\uXXXX escapes in a double-quoted scalar.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Strings safe to write plain: names (not YAML 1.1's booleans and nulls) and durations like 5m.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*|[1-9][0-9]*[a-z]+(?:[0-9]+[a-z]+)*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _double_quoted(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _block_safe(text: str) -> bool:
    lines = text.split("\n")
    return (
        len(lines) > 1
        and not _UNPRINTABLE.search(text)
        and "\r" not in text
        and "\t" not in text
        and all(line and line == line.rstrip() for line in lines)
        and not lines[0].startswith(" ")
    )


def scalar(value: str | int) -> str:
    """``value`` as a one-line YAML scalar (a number, or a string that reads back unchanged)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"not a scalar: {value!r}")
    if isinstance(value, int):
        return str(value)
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    if (
        value
        and '"' in value
        and "'" not in value
        and value == value.strip()
        and not _UNPRINTABLE.search(value)
        and "\n" not in value
        and "\t" not in value
    ):
        return f"'{value}'"
    return _double_quoted(value)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else _double_quoted(key)


def _lines(value: Value, indent: str) -> list[str]:
    """``value`` as block-style lines, each starting with ``indent``."""
    if isinstance(value, Mapping):
        out: list[str] = []
        for key, item in value.items():
            out.extend(_entry(f"{indent}{_key(key)}:", item, indent + "  "))
        return out
    if isinstance(value, (str, int)):
        raise TypeError("a document is a map or a list")
    out = []
    for item in value:
        nested = _lines(item, indent + "  ") if isinstance(item, Mapping) and item else None
        if nested:
            out.append(f"{indent}- {nested[0][len(indent) + 2 :]}")
            out.extend(nested[1:])
        else:
            out.extend(_entry(f"{indent}-", item, indent + "  "))
    return out


def _entry(head: str, item: Value, indent: str) -> list[str]:
    if isinstance(item, str) and _block_safe(item):
        return [f"{head} |-", *(indent + line for line in item.split("\n"))]
    if isinstance(item, (str, int)):
        return [f"{head} {scalar(item)}"]
    if not item:
        return [f"{head} {{}}" if isinstance(item, Mapping) else f"{head} []"]
    return [head, *_lines(item, indent)]


def dump(document: Mapping[str, Value]) -> str:
    """``document`` as a YAML document, ending with a newline."""
    return "\n".join(_lines(document, "")) + "\n"
