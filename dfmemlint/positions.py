"""Lines and columns of byte offsets, the same way for every format.

Lines are split at LF only; columns are 1-based Unicode code points of the line decoded as UTF-8
with ``surrogateescape`` (what every reporter shows). :class:`Lines` serves formats whose reader
does not keep line starts itself (YAML); the Dockerfile reader's ``Dockerfile`` has the same
three members, so the fixer and reporters take either (:class:`TextPositions`).
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a Protocol costs as much to declare as a module to import: typing only
    from collections.abc import Sequence
    from typing import Protocol

    class TextPositions(Protocol):
        @property
        def data(self) -> bytes: ...

        @property
        def line_starts(self) -> Sequence[int]: ...

        def line_col(self, offset: int) -> tuple[int, int]: ...

        def line_text(self, line: int) -> bytes: ...


class Lines:
    """Line starts of ``data`` (index 0 = line 1), with the same conventions as the Dockerfile
    reader: a final line break opens an empty last line."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        starts = [0]
        find = data.find
        at = find(b"\n")
        while at >= 0:
            starts.append(at + 1)
            at = find(b"\n", at + 1)
        self.line_starts = tuple(starts)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a byte offset; columns count code points."""
        line = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        column = len(self.data[start:offset].decode("utf-8", "surrogateescape")) + 1
        return line + 1, column

    def line_text(self, line: int) -> bytes:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.data)
        return self.data[start:end]
