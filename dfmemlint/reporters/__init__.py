"""Reporters turn findings into text for people and machines; each module has ``render``."""

from __future__ import annotations

from dfmemlint.records import Record
from dfmemlint.types import Finding

# What the machine-readable formats call a path that could not be read (json ``name``, github
# ``title``, sarif notification ``descriptor``).
INPUT_ERROR = "input-error"


# What happened to a file whose fixes were not applied (InputProblem.kind; the run exits 2):
# reverted (the fixed text did not read, or a fix did not remove its finding: the machine
# formats call it ``fix-error``), or not written (the file could not be written: an
# ``input-error``, as a file that cannot be read).
FIX_REVERTED = "fix-reverted"
FIX_NOT_WRITTEN = "fix-not-written"
FIX_ERROR = "fix-error"
READ = "read"


class InputProblem(Record):
    """A path the run could not lint (missing, unreadable, binary, a directory that cannot be
    listed or holds nothing dfmemlint reads), or whose fixes it could not apply: every format
    reports it, and the run exits 2.

    ``path`` as the user gave it or the search found it (``-`` or ``--stdin-filename`` for
    standard input); ``message`` why, without the path (``cannot read: Permission denied``);
    ``kind`` which: :data:`READ`, :data:`FIX_REVERTED` or :data:`FIX_NOT_WRITTEN`."""

    path: str
    message: str
    kind: str = READ

    @property
    def name(self) -> str:
        """The name the machine formats give it: ``fix-error`` for reverted fixes, else
        ``input-error`` (a file that could not be read, or written)."""
        return FIX_ERROR if self.kind == FIX_REVERTED else INPUT_ERROR


class Report(Record):
    """Everything a reporter may show.

    ``findings`` are in file order then position order; ``sources`` maps each path to the bytes
    that were linted (for source lines, carets and SARIF fixes); ``files_checked`` counts the
    files linted, ``errors`` the paths that could not be, ``skipped`` the files skipped. Lines
    are 1-based; columns are 1-based Unicode code points within the line (the line decoded as
    UTF-8 with ``surrogateescape``), and ``end_column`` is exclusive.
    """

    findings: tuple[Finding, ...]
    sources: dict[str, bytes]
    files_checked: int
    errors: tuple[InputProblem, ...] = ()
    #: Files the run skipped for their content (a Helm chart template, YAML of no format
    #: dfmemlint reads, named to it or found): not among ``files_checked``.
    skipped: int = 0


def printable(text: str) -> str:
    """``text`` with every control character (C0, DEL, C1) shown as a visible stand-in, so text
    quoted from a file cannot clear the screen, set the title or move the cursor: C0 as its
    Unicode control picture (ESC -> U+241B), DEL as U+2421, C1 as U+FFFD. Tabs stay."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        code = ord(char)
        if code < 0x20 and char != "\t":
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code < 0xA0:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)
