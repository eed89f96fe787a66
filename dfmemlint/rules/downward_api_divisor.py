"""DFM010 downward-api-divisor: GOMEMLIMIT from ``resourceFieldRef`` with a divisor other than 1.

The downward API writes ``ceil(limit / divisor)`` as a bare number
(``convertResourceMemoryToString`` in kubernetes/kubernetes ``pkg/api/v1/resource/helpers.go``);
Go reads a bare number as bytes (``parseByteCount`` in ``runtime/string.go``). ``divisor: 1Mi``
on a 512Mi limit gives ``GOMEMLIMIT=512``: a soft limit of 512 bytes, so the garbage collector
runs without pause.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.golang.units import describe_bytes
from dfmemlint.kubernetes.environment import ManifestContext
from dfmemlint.kubernetes.fixes import literal_fix
from dfmemlint.rules.values import ValueProblem, advice

CODE = "DFM010"


def check(ctx: ManifestContext) -> Iterator[ValueProblem]:
    for resolved in ctx.resolved:
        setting = resolved.settings.get("GOMEMLIMIT")
        if setting is None or (setting.divisor or 1) == 1:
            continue
        if setting.value is not None:
            amount = describe_bytes(int(setting.value))
            result = f"yields {setting.value}, which Go reads as {amount}"
        else:
            result = "yields a bare count, which Go reads as bytes"
        message = (
            f"GOMEMLIMIT from the downward API ({setting.origin}) with divisor "
            f"{describe_bytes(setting.divisor or 1)} {result}: the garbage collector runs "
            f"almost continuously. Set a literal {advice(resolved.settings, ctx.ratio)}."
        )
        entry = resolved.entries["GOMEMLIMIT"][-1]
        fix = literal_fix(ctx, resolved, entry)
        yield ValueProblem(CODE, setting.place, message, None, fix)
