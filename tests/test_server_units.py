"""The language server's parts, in process: settings, positions, code actions, hover, linting."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lsprotocol import types

from dfmemlint.cli import main
from dfmemlint.config import ConfigError, clear_cache
from dfmemlint.golang.units import MIB
from dfmemlint.server import actions, hover, linting
from dfmemlint.server.diagnostics import LineIndex, diagnostics
from dfmemlint.server.linting import DocumentLint, document_kind, lint_document, to_bytes
from dfmemlint.server.settings import LIMIT_SOURCE, ClientSettings, parse_settings
from dfmemlint.types import Edit

UTF8, UTF16, UTF32 = (
    types.PositionEncodingKind.Utf8,
    types.PositionEncodingKind.Utf16,
    types.PositionEncodingKind.Utf32,
)


@pytest.fixture(autouse=True)
def _fresh_config() -> None:
    clear_cache()


def lint(tmp_path: Path, text: str, settings: ClientSettings | None = None) -> DocumentLint:
    return lint_document(str(tmp_path / "Dockerfile"), text, settings or ClientSettings())


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        {"memoryLimit": "512MiB", "ratio": 0.5, "select": ["DFM004"], "ignore": "DFM003"},
        {"dfmemlint": {"memory-limit": "512MiB", "ratio": "0.5", "select": "DFM004",
                       "ignore": ["DFM003"]}},
        {"settings": {"memory_limit": 512 * MIB, "ratio": 0.5, "select": ["dfm004"],
                      "ignore": ["DFM003"], "other": 1}},
    ],
)
def test_settings_shapes(raw: object) -> None:
    assert parse_settings(raw) == ClientSettings(
        512 * MIB, 0.5, frozenset({"DFM004"}), frozenset({"DFM003"})
    )


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"memoryLimit": None}])
def test_settings_empty(raw: object) -> None:
    assert parse_settings(raw) == ClientSettings()


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"memoryLimit": True}, "memoryLimit"),
        ({"memoryLimit": "512M"}, "memoryLimit"),
        ({"ratio": 2}, "ratio"),
        ({"select": ["DFM999"]}, "select"),
        ({"ignore": 3}, "ignore"),
    ],
)
def test_settings_errors(raw: object, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^Invalid value for 'dfmemlint.{key}': "):
        parse_settings(raw)


def test_settings_override_configuration(tmp_path: Path) -> None:
    (tmp_path / ".dfmemlint.toml").write_text(
        'select = ["DFM004", "DFM007"]\nignore = ["DFM003"]\nmemory-limit = "1GiB"\nratio = 0.9\n'
    )
    text = "FROM golang:1.22\nENV GOMEMLIMIT=500MiB\nRUN go build .\n"
    from_config = lint(tmp_path, text)
    assert from_config.options is not None
    assert from_config.options.memory_limit == 1024 * MIB
    assert from_config.options.ratio == 0.9
    assert [f.finding.code for f in from_config.findings] == []
    settings = ClientSettings(memory_limit=512 * MIB, select=frozenset({"DFM007", "DFM003"}))
    overridden = lint(tmp_path, text, settings)
    assert overridden.options is not None
    assert overridden.options.memory_limit_source == LIMIT_SOURCE
    # The editor's select replaces the configuration's (as --select does).
    assert [f.finding.code for f in overridden.findings] == ["DFM007"]


# -- positions and diagnostics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "character"), [(UTF16, 3), (UTF8, 6), (UTF32, 2)]
)
def test_positions_in_each_encoding(encoding: str, character: int) -> None:
    data = "x\r\né\U0001F433=v\rlast".encode()
    index = LineIndex(data, encoding)
    at = data.index(b"=")
    assert index.position(at) == types.Position(line=1, character=character)
    assert index.offset(types.Position(line=1, character=character)) == at
    # Lines end at CRLF and at a lone CR, as LSP says.
    assert index.position(data.index(b"last")) == types.Position(line=2, character=0)
    # Inside a CRLF: the end of its line; past the end of a line or of the text: clamped.
    assert index.position(1) == index.position(2) == types.Position(line=0, character=1)
    assert index.offset(types.Position(line=0, character=99)) == 1
    assert index.offset(types.Position(line=9, character=0)) == len(data)
    assert index.position(len(data) + 5) == types.Position(line=2, character=4)


def test_problem_is_one_diagnostic(tmp_path: Path) -> None:
    (tmp_path / ".dfmemlint.toml").write_text("ratio = 7\n")
    document = lint(tmp_path, "FROM golang\r\nENV GOMEMLIMIT=1MB\r\n")
    found = diagnostics(document, LineIndex(document.data))
    assert len(found) == 1
    assert found[0].message.startswith("configuration error:")
    assert found[0].range == types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=11)
    )


def test_oversized_buffer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(linting, "MAX_FILE_BYTES", 10)
    document = lint(tmp_path, "FROM golang:1.22\n")
    assert document.problem is not None
    assert "not linted" in document.problem


def test_a_failing_linter_costs_one_diagnostic(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(linting, "lint", broken)
    document = lint(tmp_path, "FROM golang:1.22\n")
    assert document.problem is not None
    assert "boom" in document.problem
    assert actions.code_actions(
        document, LineIndex(document.data), "file:///x", 1, types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    ) == []
    assert linting.fix_all(document) is None


def test_lone_surrogate_keeps_positions() -> None:
    assert to_bytes("a\ud800b") == b"a?b"
    assert to_bytes("ab") == b"ab"


@pytest.mark.parametrize(
    ("path", "language", "kind"),
    [
        ("/x/Dockerfile", None, "dockerfile"),
        ("/x/api.dockerfile", "plaintext", "dockerfile"),
        ("untitled:Untitled-1", "dockerfile", "dockerfile"),
        ("/x/Containerfile.prod", None, "dockerfile"),
        ("/x/README.md", "markdown", None),
    ],
)
def test_document_kind(path: str, language: str | None, kind: str | None) -> None:
    assert document_kind(path, language) == kind


# -- code actions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "only", "wanted"),
    [
        ("source.fixAll.dfmemlint", None, True),
        ("source.fixAll.dfmemlint", ["source"], True),
        ("source.fixAll.dfmemlint", ["source.fixAll"], True),
        ("source.fixAll.dfmemlint", ["quickfix"], False),
        ("quickfix", ["quickfix"], True),
        ("source.fixAllx", ["source.fixAll"], False),
    ],
)
def test_wanted(kind: str, only: list[str] | None, wanted: bool) -> None:
    assert actions.wanted(kind, only) is wanted


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ENV GOMEMLIMIT=512MB\n", "ENV GOMEMLIMIT=512MiB\n"),
        ("a\u00e9b", "a\u00e8b"),  # same lead byte, different continuation byte
        ("x\U0001F433", "x\U0001F434"),
        ("same", "same"),
        ("", "new"),
        ("abc", "ac"),
        ("\u00e9\u00e9", "\u00e9"),
    ],
)
def test_whole_edit(before: str, after: str) -> None:
    old, new = before.encode(), after.encode()
    edit = actions.whole_edit(old, new)
    assert old[: edit.start] + edit.replacement + old[edit.end :] == new
    old[: edit.start].decode()  # on character boundaries in both texts
    old[edit.end :].decode()
    edit.replacement.decode()


def _ignore(tmp_path: Path, text: str, code: str) -> bytes:
    document = lint(tmp_path, text)
    assert document.result is not None
    located = next(f for f in document.findings if f.finding.code == code)
    edit = actions.ignore_edit(document.result, located)
    assert edit is not None
    return document.data[: edit.start] + edit.replacement + document.data[edit.end :]


def test_ignore_comment_with_crlf_and_after_a_bom(tmp_path: Path) -> None:
    text = 'FROM golang:1.22\r\nENV GOMEMLIMIT=1MB\r\nCMD ["/app"]\r\n'
    fixed = _ignore(tmp_path, text, "DFM004")
    assert fixed.startswith(b"FROM golang:1.22\r\n# dfmemlint: ignore=DFM004\r\nENV")
    # On the first instruction, the comment goes after the BOM, indented like the instruction.
    text = '\ufeff  FROM golang:1.18\nRUN go build -o /a .\nCMD ["/a"]\n'
    fixed = _ignore(tmp_path, text, "DFM005")
    assert fixed.startswith("\ufeff  # dfmemlint: ignore=DFM005\n  FROM".encode())
    assert "DFM005" not in {f.finding.code for f in lint(tmp_path, fixed.decode()).findings}


def test_ignore_merges_with_trailing_spaces(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.22\n# dfmemlint: ignore=DFM003  \nENV GOMEMLIMIT=1MB\n"
        'RUN go build -o /a .\nCMD ["/a"]\n'
    )
    fixed = _ignore(tmp_path, text, "DFM004")
    assert b"# dfmemlint: ignore=DFM003, DFM004  \n" in fixed
    assert "DFM004" not in {f.finding.code for f in lint(tmp_path, fixed.decode()).findings}


def test_no_ignore_for_a_whole_file_finding(tmp_path: Path) -> None:
    document = lint(tmp_path, "# nothing\n")
    assert document.result is not None
    (located,) = document.findings
    assert located.finding.code == "DFM000"
    assert actions.ignore_edit(document.result, located) is None


def test_fix_all_not_offered_without_safe_fixes(tmp_path: Path) -> None:
    document = lint(tmp_path, 'FROM golang:1.22\nRUN go build -o /a .\nCMD ["/a"]\n')
    index = LineIndex(document.data)
    whole = index.range(0, len(document.data))
    assert [a.kind for a in actions.code_actions(document, index, "u", 1, whole)] == [
        "quickfix"
    ]  # only the ignore comment for DFM006


# -- hover ------------------------------------------------------------------------------------


def _hover(tmp_path: Path, text: str, at: str, settings: ClientSettings | None = None) -> str:
    document = lint(tmp_path, text, settings)
    assert document.result is not None
    found = hover.hover_document(document, document.data.index(at.encode()))
    assert found is not None
    return found.markdown


def test_hover_without_a_declared_limit(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.22 AS b\nRUN GOMEMLIMIT=off go build -o /a .\n"
        "FROM scratch\nCOPY --from=b /a /a\n"
    )
    markdown = _hover(tmp_path, text, "off")
    assert "no soft memory limit" in markdown
    assert "does not reach the running container" in markdown
    assert "no container memory limit declared" in markdown


def test_hover_on_a_malformed_value(tmp_path: Path) -> None:
    markdown = _hover(tmp_path, "FROM golang:1.22\nENV GOMEMLIMIT=512MB\n", "512MB")
    assert "MB" in markdown
    assert "bytes" not in markdown.split("\n")[2]


def test_hover_with_the_editor_limit(tmp_path: Path) -> None:
    text = "# dfmemlint: memory-limit=1GiB\nFROM golang:1.22\nENV GOMEMLIMIT=256MiB\n"
    settings = ClientSettings(memory_limit=512 * MIB)
    markdown = _hover(tmp_path, text, "256MiB", settings)
    assert f"{256 * MIB:,} bytes" in markdown
    assert "50 % of the declared container limit" in markdown
    assert LIMIT_SOURCE in markdown
    on_comment = _hover(tmp_path, text, "1GiB", settings)
    assert "not in force" in on_comment
    assert f"{1024 * MIB:,} bytes" in on_comment


def test_hover_on_limits_dfmemlint_cannot_use(tmp_path: Path) -> None:
    text = "# dfmemlint: memory-limit=512M\nFROM golang:1.22\nENV GOMEMLIMIT=1MiB\n"
    assert "not a size dfmemlint reads" in _hover(tmp_path, text, "512M")
    tiny = "# dfmemlint: memory-limit=1MiB\nFROM golang:1.22\nENV GOMEMLIMIT=1MiB\n"
    assert "no budget" in _hover(tmp_path, tiny, "=1MiB\nFROM")


def test_no_hover_elsewhere(tmp_path: Path) -> None:
    document = lint(tmp_path, "# a comment\nFROM golang:1.22\n")
    assert document.result is not None
    assert hover.hover_document(document, 3) is None
    assert hover.hover_document(document, 15) is None


# -- the command ------------------------------------------------------------------------------


def test_server_without_the_lsp_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # import pygls raises ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "dfmemlint.server.protocol", raising=False)
    assert main(["server"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'dfmemlint[lsp]'" in err


def test_server_other_import_errors_are_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dfmemlint.server.protocol", None)
    with pytest.raises(ModuleNotFoundError):
        main(["server"])


def test_edit_type_is_shared() -> None:
    assert actions.whole_edit(b"a", b"b") == Edit(0, 1, b"b")


# -- configuration changes while linting ------------------------------------------------------


def test_a_lint_begun_before_a_configuration_change_is_not_published(tmp_path: Path) -> None:
    """A lint that was running when the configuration changed is redone, not published (its
    result may come from the old configuration)."""
    import asyncio
    import threading

    from pygls.workspace import Workspace

    from dfmemlint.server.protocol import Linted, Snapshot, create_server

    server = create_server()
    server.protocol._workspace = Workspace(None)
    uri = (tmp_path / "Dockerfile").as_uri()
    server.workspace.put_text_document(
        types.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text="FROM x\n")
    )
    published: list[Linted] = []
    server.publish = lambda uri, linted: published.append(linted)  # type: ignore[method-assign]
    started, release = threading.Event(), threading.Event()
    real = server.lint_now
    calls: list[int] = []

    def slow(snapshot: Snapshot) -> Linted | None:
        calls.append(1)
        if len(calls) == 1:
            started.set()
            release.wait(10)
        return real(snapshot)

    server.lint_now = slow  # type: ignore[method-assign]

    async def scenario() -> None:
        server.schedule(uri)
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
        server.relint_all()
        release.set()
        await server.pending[uri]

    asyncio.run(scenario())
    assert len(calls) == 2
    assert len(published) == 1
