"""The VS Code extension in ``editors/vscode``: its manifest says what the server reads, and it
packages as a ``.vsix`` with npm's ``@vscode/vsce``.

Packaging needs npm and the network (``npm install``, then ``@vscode/vsce``: from
``DFMEMLINT_VSCE``, the ``vsce`` executable ``.ci/run`` installs, else ``npx``). Without them
the packaging test skips, except under ``CI=true``, where it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from helpers.tools import unavailable

from dfmemlint.server.settings import ClientSettings, parse_settings

FOLDER = Path(__file__).resolve().parents[1] / "editors" / "vscode"
MANIFEST = json.loads((FOLDER / "package.json").read_text(encoding="utf-8"))
SCRIPT = (FOLDER / "extension.js").read_text(encoding="utf-8")
#: The @vscode/vsce release npx runs when DFMEMLINT_VSCE is not set (.ci/run installs the same).
VSCE = "@vscode/vsce@4.1.0"


def test_manifest_starts_the_server_for_dockerfiles_and_yaml() -> None:
    assert MANIFEST["main"] == "extension.js"
    assert MANIFEST["activationEvents"] == ["onLanguage:dockerfile", "onLanguage:yaml"]
    assert '{ command, args: ["server"] }' in SCRIPT
    assert 'documentSelector: [{ language: "dockerfile" }, { language: "yaml" }]' in SCRIPT
    assert "vscode-languageclient" in MANIFEST["dependencies"]
    lock = json.loads((FOLDER / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"] == MANIFEST["dependencies"]


def test_every_setting_reaches_the_server() -> None:
    """Each ``dfmemlint.*`` setting but the command's path is one the server reads, sent as
    ``initializationOptions`` and again on a change (the ``dfmemlint`` section)."""
    properties = MANIFEST["contributes"]["configuration"]["properties"]
    keys = [name.removeprefix("dfmemlint.") for name in properties]
    assert keys[0] == "path"
    sent = re.findall(r"^\s+(\w+): config\.get\(\"(\w+)\"\)", SCRIPT, re.M)
    assert [key for key, _ in sent] == [setting for _, setting in sent] == keys[1:]
    example = {"memoryLimit": "512MiB", "ratio": 0.5, "select": ["DFM004"], "ignore": ["DFM003"]}
    for key in keys[1:]:
        assert parse_settings({"dfmemlint": {key: example[key]}}) != ClientSettings()
    defaults = {key: properties[f"dfmemlint.{key}"]["default"] for key in keys[1:]}
    assert parse_settings(defaults) == ClientSettings()  # unset settings override nothing
    assert 'configurationSection: "dfmemlint"' in SCRIPT


def _vsce() -> list[str]:
    given = os.environ.get("DFMEMLINT_VSCE", "")
    npx = shutil.which("npx")
    if shutil.which("npm") is None:
        unavailable("npm is not on PATH")
    if given:
        if not Path(given).is_file():
            unavailable(f"DFMEMLINT_VSCE={given} is not a file")
        return [given]
    if npx is None:
        unavailable("npx is not on PATH (or set DFMEMLINT_VSCE)")
    return [npx, "--yes", VSCE]


def test_packages_as_a_vsix(tmp_path: Path) -> None:
    vsce = _vsce()
    npm = shutil.which("npm")
    assert npm is not None
    folder = tmp_path / "vscode"
    shutil.copytree(FOLDER, folder, ignore=shutil.ignore_patterns("node_modules", "*.vsix"))
    subprocess.run(
        [npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--silent"],
        cwd=folder, check=True, timeout=600,
    )
    out = tmp_path / "dfmemlint.vsix"
    subprocess.run(
        [*vsce, "package", "--allow-missing-repository", "--skip-license", "-o", str(out)],
        cwd=folder, check=True, timeout=600, capture_output=True,
    )
    with zipfile.ZipFile(out) as vsix:
        names = set(vsix.namelist())
        packaged = json.loads(vsix.read("extension/package.json"))
    assert {"extension.vsixmanifest", "extension/extension.js"} <= names
    assert "extension/node_modules/vscode-languageclient/node.js" in names
    assert packaged["activationEvents"] == MANIFEST["activationEvents"]
