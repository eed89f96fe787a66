"""README's editor snippets for the language server are well-formed and say what the server
reads: the command, the language and settings it accepts."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from dfmemlint.server.settings import ClientSettings, parse_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## In the editor") : README.index("## Speed and memory")]


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", SECTION, re.M | re.S)


def test_every_editor_has_a_snippet() -> None:
    for editor in ("**Neovim**", "**Helix**", "**Zed**", "**VS Code**"):
        assert editor in SECTION
    assert "pip install 'dfmemlint[lsp]'" in SECTION


def test_helix_and_zed_toml() -> None:
    helix, extension, cargo = (tomllib.loads(block) for block in blocks("toml"))
    server = helix["language-server"]["dfmemlint"]
    assert [server["command"], *server["args"]] == ["dfmemlint", "server"]
    assert parse_settings(server["config"]).memory_limit is not None
    assert [language["name"] for language in helix["language"]] == ["dockerfile", "yaml"]
    assert all("dfmemlint" in language["language-servers"] for language in helix["language"])
    assert extension["language_servers"]["dfmemlint"]["languages"] == ["Dockerfile", "YAML"]
    assert cargo["lib"]["crate-type"] == ["cdylib"]
    (rust,) = blocks("rust")
    assert 'args: vec!["server".into()]' in rust
    assert 'which("dfmemlint")' in rust


def test_neovim_and_vs_code() -> None:
    (lua,) = blocks("lua")
    assert 'cmd = { "dfmemlint", "server" }' in lua
    assert 'filetypes = { "dockerfile", "yaml" }' in lua
    (package,) = blocks("json")
    manifest = json.loads(package)
    assert manifest["activationEvents"] == ["onLanguage:dockerfile", "onLanguage:yaml"]
    assert manifest["main"] == "extension.js"
    (js,) = blocks("js")
    assert '{ command: "dfmemlint", args: ["server"] }' in js
    assert 'documentSelector: [{ language: "dockerfile" }, { language: "yaml" }]' in js


@pytest.mark.parametrize("key", ["memoryLimit", "ratio", "select", "ignore"])
def test_settings_named_in_readme_are_read(key: str) -> None:
    assert f"`{key}`" in SECTION
    value = {"memoryLimit": "512MiB", "ratio": 0.5, "select": ["DFM004"], "ignore": ["DFM003"]}
    assert parse_settings({"dfmemlint": {key: value[key]}}) != ClientSettings()
