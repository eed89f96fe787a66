"""Code actions: each fix as a quick fix, "fix all safe problems" as a source action, and
"ignore DFMxxx on this line" as a suppression comment.

Shaped after astral-sh/ruff-lsp ``ruff_lsp/server.py`` (``code_action``): one quick fix per
diagnostic that has a fix, a "Disable for this line" action that merges with an existing
suppression comment, and a ``source.fixAll`` action that runs the same fixer as ``--fix``.
Every edit is computed on the bytes the diagnostics were computed on, and carries the document
version, so a client applies it only to the text it was made for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lsprotocol import types

from dfmemlint.dockerfile.reader import BOM
from dfmemlint.engine import LintResult, read_pragmas
from dfmemlint.fix.fixer import editable_ranges
from dfmemlint.server.diagnostics import LineIndex, to_diagnostic
from dfmemlint.server.linting import DocumentLint, Located, fix_all
from dfmemlint.types import Applicability, Edit

FIX_ALL_KIND = "source.fixAll.dfmemlint"
FIX_ALL_TITLE = "dfmemlint: fix all safe problems"
_TRAILING = re.compile(rb"[ \t]*(?:\r\n|\r|\n)?\Z")


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


def ignore_edit(result: LintResult, located: Located) -> Edit | None:
    """The edit that suppresses ``located`` with ``# dfmemlint: ignore=CODE``: added to an ignore
    comment already directly above its instruction, else as a new comment line just above the
    instruction with its indentation (where :mod:`dfmemlint.engine` looks). None for a finding
    outside any instruction (a whole-file finding)."""
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
            trailing = _TRAILING.search(df.line_text(line))
            assert trailing is not None  # it matches the empty string at the end
            end = df.line_starts[line - 1] + trailing.start()
            return Edit(end, end, f", {finding.code}".encode())
        line -= 1
    start = df.line_starts[instruction.start_line - 1]
    text = df.line_text(instruction.start_line)
    if start == 0 and text.startswith(BOM):
        start, text = len(BOM), text[len(BOM) :]
    indent = text[: len(text) - len(text.lstrip(b" \t"))]
    comment = indent + f"# dfmemlint: ignore={finding.code}".encode() + df.newline
    return Edit(start, start, comment)


def _ignore_action(
    located: Located, document: DocumentLint, index: LineIndex, uri: str, version: int | None
) -> types.CodeAction | None:
    assert document.result is not None
    edit = ignore_edit(document.result, located)
    if edit is None:
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
