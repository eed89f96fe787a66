"""The ``github`` reporter against the real npm ``@actions/core``, byte for byte.

``DFMEMLINT_ACTIONS_CORE_DIR`` names a folder holding ``node_modules/@actions/core`` (for example
after ``npm install --prefix DIR @actions/core``). Without node or that package the tests skip,
except under ``CI=true``, where they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dfmemlint.reporters import Report, github
from dfmemlint.types import Finding, Severity

# Runs each call in the JSON on stdin with the package's own functions and prints, as JSON, what
# they wrote to stdout (one entry per write, os.EOL removed). import() loads both the CommonJS
# builds (@actions/core 1.x) and the ES module builds (2.x and later).
NODE_SCRIPT = r"""
const fs = require("fs");
const os = require("os");
const path = require("path");
const { pathToFileURL } = require("url");

const lib = path.join(
  process.env.DFMEMLINT_ACTIONS_CORE_DIR, "node_modules", "@actions", "core", "lib");

async function load(name) {
  const namespace = await import(pathToFileURL(path.join(lib, name)).href);
  return Object.assign({}, namespace.default, namespace);
}

(async () => {
  const command = await load("command.js");
  const core = await load("core.js");
  const calls = JSON.parse(fs.readFileSync(0, "utf8"));
  const written = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk) => {
    written.push(String(chunk));
    return true;
  };
  try {
    for (const [fn, ...args] of calls) {
      if (fn === "issueCommand") command.issueCommand(...args);
      else core[fn](...args);
    }
  } finally {
    process.stdout.write = write;
  }
  const lines = written.map((s) => (s.endsWith(os.EOL) ? s.slice(0, -os.EOL.length) : s));
  write(JSON.stringify(lines));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
"""

TRICKY = [
    "plain",
    "50% of 512MiB",
    "%25 already escaped?",
    "line one\nline two",
    "crlf\r\nend",
    "lone\rcarriage",
    "a,b:c,d::e",
    "key=value;other]",
    "Dockerfile.prød 日本 🐳",
    " leading and trailing ",
    "lone surrogate \udc80 from an undecodable byte",
    "",
]


@pytest.fixture(scope="module")
def node() -> str:
    executable = shutil.which("node")
    folder = os.environ.get("DFMEMLINT_ACTIONS_CORE_DIR", "")
    if executable is None:
        problem = "node is not on PATH"
    elif not folder:
        problem = "DFMEMLINT_ACTIONS_CORE_DIR is not set (a folder with node_modules/@actions/core)"
    elif not (Path(folder) / "node_modules/@actions/core/lib/command.js").is_file():
        problem = f"no node_modules/@actions/core/lib/command.js under {folder}"
    else:
        return executable
    if os.environ.get("CI") == "true":
        pytest.fail(f"@actions/core comparison cannot run under CI=true: {problem}")
    pytest.skip(f"@actions/core comparison skipped: {problem}")


def run_actions_core(node: str, calls: list[list[object]]) -> list[str]:
    process = subprocess.run(
        [node, "-e", NODE_SCRIPT],
        input=json.dumps(calls),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )
    assert process.returncode == 0, process.stderr
    lines: list[str] = json.loads(process.stdout)
    return lines


def test_issue_command_escaping_matches(node: str) -> None:
    calls: list[list[object]] = []
    ours = []
    for text in TRICKY:
        properties: dict[str, str | int | None] = {
            "title": text,
            "file": text,
            "line": 3,
            "col": 0,
            "endColumn": None,
        }
        calls.append(["issueCommand", "warning", properties, text])
        ours.append(github.workflow_command("warning", properties, text))
    calls.append(["issueCommand", "group", {}, "path, with: 100% odd\nname"])
    ours.append(github.workflow_command("group", {}, "path, with: 100% odd\nname"))
    calls.append(["issueCommand", "error", {"title": "", "file": ""}, "all properties empty"])
    ours.append(github.workflow_command("error", {"title": "", "file": ""}, "all properties empty"))
    assert ours == run_actions_core(node, calls)


def test_render_matches_core_annotation_functions(node: str) -> None:
    findings = [
        Finding(
            "svc/a,b:c.Dockerfile",
            "DFM004",
            "gomemlimit-malformed",
            Severity.ERROR,
            "GOMEMLIMIT=512MB: 100% fatal,\nsee: docs",
            3,
            16,
            3,
            21,
        ),
        Finding(
            "svc/a,b:c.Dockerfile",
            "DFM003",
            "env-cache-bust",
            Severity.WARNING,
            "ENV before RUN\r\nrebuilds layers",
            2,
            1,
            4,
            7,
        ),
        Finding(
            "Dockerfile.日本",
            "DFM001",
            "gomemlimit-build-only",
            Severity.INFO,
            "deliberate cap? 50%",
            7,
            5,
            7,
            5,
        ),
    ]
    report = Report(tuple(findings), {}, 2)
    calls: list[list[object]] = []
    for path in ("svc/a,b:c.Dockerfile", "Dockerfile.日本"):
        calls.append(["startGroup", path])
        for f in (f for f in findings if f.path == path):
            one_line = f.line == f.end_line
            # core's AnnotationProperties, deliberately in another order than the wire order
            properties: dict[str, object] = {
                "endColumn": max(f.column, f.end_column - 1) if one_line else None,
                "startColumn": f.column if one_line else None,
                "endLine": f.end_line,
                "startLine": f.line,
                "file": f.path,
                "title": f"{f.code} {f.name}",
            }
            level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
            calls.append([level[f.severity], f.message, properties])
        calls.append(["endGroup"])
    assert github.render(report).splitlines() == run_actions_core(node, calls)
