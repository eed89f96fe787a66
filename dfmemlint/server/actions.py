"""Code actions: each fix as a quick fix, "fix all safe problems" as a source action, and
"ignore DFMxxx on this line" as a suppression comment (``# dfmemlint: ignore=`` on the comment
line(s) directly above the instruction in a Dockerfile, above the finding's line in YAML, where
``dfmemlint.kubernetes.lint`` looks for it).

Shaped after astral-sh/ruff-lsp ``ruff_lsp/server.py`` (``code_action``): one quick fix per
diagnostic that has a fix, a "Disable for this line" action that merges with an existing
suppression comment, and a ``source.fixAll`` action that runs the same fixer as ``--fix``.
Every edit is computed on the bytes the diagnostics were computed on, and carries the document
version, so a client applies it only to the text it was made for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lsprotocol import types

from dfmemlint import formats
from dfmemlint.dockerfile.reader import BOM
from dfmemlint.engine import LintResult, read_pragmas
from dfmemlint.fix.fixer import editable_ranges, splice
from dfmemlint.server.diagnostics import LineIndex, to_diagnostic
from dfmemlint.server.linting import DocumentLint, Located, fix_all
from dfmemlint.types import Applicability, Edit

if TYPE_CHECKING:
    from dfmemlint.formats import Result
    from dfmemlint.positions import TextPositions

FIX_ALL_KIND = "source.fixAll.dfmemlint"
FIX_ALL_TITLE = "dfmemlint: fix all safe problems"
_TRAILING = re.compile(rb"[ \t]*(?:\r\n|\r|\n)?\Z")
# A YAML comment line, and one that is an ignore comment (as dfmemlint.kubernetes.lint reads).
_YAML_COMMENT = re.compile(rb"[ \t]*#")
_YAML_IGNORE = re.compile(rb"[ \t]*#[ \t]*dfmemlint:[ \t]*ignore[ \t]*=", re.IGNORECASE)


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether the client asked for actions of ``kind`` (kinds are hierarchical, LSP 3.17
    ``CodeActionKind``: asking for ``source`` includes ``source.fixAll.dfmemlint``)."""
    if only is None:
        return True
    return any(kind == base or kind.startswith(f"{base}.") for base in only)


def _workspace_edit(
    uri: str, version: int | None, index: LineIndex, edits: Sequence[Edit]
) -> types.WorkspaceEdit:
    text_edits: list[types.TextEdit | types.AnnotatedTextEdit | types.SnippetTextEdit] = [
        types.TextEdit(
            range=index.range(edit.start, edit.end),
            new_text=edit.replacement.decode("utf-8", "replace"),
        )
        for edit in sorted(edits, key=lambda e: (e.start, e.end))
    ]
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=version
                ),
                edits=text_edits,
            )
        ]
    )


def _quick_fix(
    located: Located, document: DocumentLint, index: LineIndex, uri: str, version: int | None
) -> types.CodeAction | None:
    fix = located.finding.fix
    if fix is None or not fix.edits or fix.applicability < Applicability.UNSAFE:
        return None
    assert document.result is not None
    # The command line applies a fix only below the parser directives and in stages BuildKit
    # builds (dfmemlint.fix.fixer.apply_fixes); so does the editor.
    allowed = editable_ranges(document.result)
    if not all(allowed.allows(edit) for edit in fix.edits):
        return None
    safe = fix.applicability == Applicability.SAFE
    title = f"{located.finding.code}: {fix.title}" + ("" if safe else " (unsafe fix)")
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[to_diagnostic(located, index)],
        is_preferred=safe,
        edit=_workspace_edit(uri, version, index, fix.edits),
    )


def _line_edit(source: TextPositions, line: int, code: str, newline: bytes) -> Edit:
    """A new ``# dfmemlint: ignore=CODE`` line just above ``line`` (1-based), indented like
    it (after a byte order mark on the first line)."""
    start = source.line_starts[line - 1]
    text = source.line_text(line)
    if start == 0 and text.startswith(BOM):
        start, text = len(BOM), text[len(BOM) :]
    indent = text[: len(text) - len(text.lstrip(b" \t"))]
    return Edit(start, start, indent + f"# dfmemlint: ignore={code}".encode() + newline)


def _append_code(source: TextPositions, line: int, code: str) -> Edit:
    """``, CODE`` at the end of the comment on ``line``, before trailing blanks."""
    trailing = _TRAILING.search(source.line_text(line))
    assert trailing is not None  # it matches the empty string at the end
    end = source.line_starts[line - 1] + trailing.start()
    return Edit(end, end, f", {code}".encode())


def yaml_ignore_edit(source: TextPositions, located: Located) -> Edit:
    """The edit that suppresses ``located`` in a YAML file: added to an ignore comment among the
    comment lines directly above the finding's line, else a new comment line just above it with
    its indentation (where :mod:`dfmemlint.kubernetes.lint` looks)."""
    finding = located.finding
    line = finding.line - 1
    while line >= 1 and _YAML_COMMENT.match(source.line_text(line)):
        if _YAML_IGNORE.match(source.line_text(line)):
            return _append_code(source, line, finding.code)
        line -= 1
    text = source.line_text(finding.line)
    newline = b"\r\n" if text.endswith(b"\r\n") else b"\n"
    return _line_edit(source, finding.line, finding.code, newline)


def ignore_edit(result: Result, located: Located) -> Edit | None:
    """The edit that suppresses ``located`` with ``# dfmemlint: ignore=CODE``. In a Dockerfile:
    added to an ignore comment already directly above its instruction, else as a new comment
    line just above the instruction with its indentation (where :mod:`dfmemlint.engine` looks);
    None for a finding outside any instruction (a whole-file finding). In another format, see
    :func:`yaml_ignore_edit`."""
    if not isinstance(result, LintResult):
        return yaml_ignore_edit(result.source, located)
    df = result.dockerfile
    finding = located.finding
    instruction = next(
        (i for i in df.instructions if i.start_line <= finding.line <= i.end_line), None
    )
    if instruction is None:
        return None
    pragmas = read_pragmas(df, result.path)
    comment_lines = {line for line, _ in df.comments}
    line = instruction.start_line - 1
    while line in comment_lines:
        if line in pragmas.ignore_lines:
            return _append_code(df, line, finding.code)
        line -= 1
    return _line_edit(df, instruction.start_line, finding.code, df.newline)


def _suppresses(document: DocumentLint, located: Located, edit: Edit) -> bool:
    """Whether the text with ``edit`` still reads and has fewer findings of ``located``'s code:
    the check a YAML comment gets (a line inserted inside a block scalar or flow collection
    would change the document, and a format may not read the comments)."""
    assert document.options is not None
    assert document.kind is not None
    code = located.finding.code
    after = formats.lint(
        document.path, splice(document.data, [edit]), document.options, document.kind
    )
    before = sum(1 for f in document.findings if f.finding.code == code)
    return after.syntax_error is None and sum(
        1 for f in after.findings if f.code == code
    ) < before


def _ignore_action(
    located: Located, document: DocumentLint, index: LineIndex, uri: str, version: int | None
) -> types.CodeAction | None:
    assert document.result is not None
    edit = ignore_edit(document.result, located)
    if edit is None:
        return None
    if not isinstance(document.result, LintResult) and not _suppresses(document, located, edit):
        return None
    return types.CodeAction(
        title=f"dfmemlint: ignore {located.finding.code} on this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[to_diagnostic(located, index)],
        edit=_workspace_edit(uri, version, index, [edit]),
    )


def _char_start(data: bytes, offset: int) -> int:
    """``offset`` moved back to the first byte of the UTF-8 character it falls in."""
    while 0 < offset < len(data) and data[offset] & 0xC0 == 0x80:
        offset -= 1
    return offset


def whole_edit(before: bytes, after: bytes) -> Edit:
    """One edit that turns ``before`` into ``after``: the differing middle, on character
    boundaries (the bytes both share at either end stay untouched)."""
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    prefix = min(_char_start(before, prefix), _char_start(after, prefix))
    suffix = 0
    while (
        suffix < limit - prefix
        and before[len(before) - 1 - suffix] == after[len(after) - 1 - suffix]
    ):
        suffix += 1
    end_before = len(before) - suffix
    end_after = len(after) - suffix
    # Move the end forward to a character boundary in both texts.
    while end_before < len(before) and before[end_before] & 0xC0 == 0x80:
        end_before += 1
        end_after += 1
    return Edit(prefix, end_before, after[prefix:end_after])


def code_actions(
    document: DocumentLint,
    index: LineIndex,
    uri: str,
    version: int | None,
    requested: types.Range,
    only: Sequence[str] | None = None,
) -> list[types.CodeAction]:
    """The actions for the findings that touch ``requested``, then "fix all" for the document."""
    if document.result is None:
        return []
    first, last = index.offset(requested.start), index.offset(requested.end)
    actions: list[types.CodeAction] = []
    if wanted(types.CodeActionKind.QuickFix, only):
        touching = [
            located for located in document.findings
            if located.start <= last and first <= located.end
        ]
        for located in touching:
            action = _quick_fix(located, document, index, uri, version)
            if action is not None:
                actions.append(action)
        for located in touching:
            action = _ignore_action(located, document, index, uri, version)
            if action is not None:
                actions.append(action)
    if wanted(FIX_ALL_KIND, only) and any(
        located.finding.fix is not None
        and located.finding.fix.applicability == Applicability.SAFE
        for located in document.findings
    ):
        fixed = fix_all(document)
        if fixed is not None:
            actions.append(
                types.CodeAction(
                    title=FIX_ALL_TITLE,
                    kind=FIX_ALL_KIND,
                    edit=_workspace_edit(
                        uri, version, index, [whole_edit(document.data, fixed)]
                    ),
                )
            )
    return actions
