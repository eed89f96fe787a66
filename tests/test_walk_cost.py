"""The directory walk does not compose the YAML files it passes that are not manifests.

A structural check, not a timing one (``benchmarks/bench.py`` section (e) times the walk): in a
folder of Dockerfiles, CI configurations, Helm values, a 5 MB data file and one manifest, every
call into PyYAML's composer is counted, and only the manifest is composed, once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers.manifests import workload

from dfmemlint.cli import main
from dfmemlint.formats import wanted_in_walk

DOCKERFILE = """\
FROM golang:1.22 AS build
RUN go build -o /app .
FROM scratch
COPY --from=build /app /app
ENV GOMEMLIMIT=512MB
CMD ["/app"]
"""
MANIFEST = workload("""\
          env: [{name: GOMEMLIMIT, value: "1024Mi"}]
          resources: {limits: {memory: 2Gi}}
""")
CI = """\
name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""
VALUES = """\
# A chart's values: apiVersion and kind appear, but not at the top level.
image: {repository: example/api, tag: "1.0"}
extraObjects:
  - apiVersion: v1
    kind: ConfigMap
resources: {limits: {memory: 512m}}
"""
GITLAB = "stages: [test]\ntest:\n  script: [make test]\nvariables:\n  kind: unit\n"


def _data_yaml(size: int) -> str:
    record = "- {id: %d, name: item-%d, tags: [a, b, c], weight: 1.5, active: true}\n"
    parts: list[str] = []
    total = 0
    number = 0
    while total < size:
        line = record % (number, number)
        parts.append(line)
        total += len(line)
        number += 1
    return "".join(parts)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for service in range(20):
        folder = tmp_path / f"svc{service}"
        (folder / ".github" / "workflows").mkdir(parents=True)
        (folder / "Dockerfile").write_text(DOCKERFILE)
        (folder / ".github" / "workflows" / "ci.yml").write_text(CI)
        (folder / ".gitlab-ci.yml").write_text(GITLAB)
        (folder / "chart").mkdir()
        (folder / "chart" / "values.yaml").write_text(VALUES)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fixtures.yaml").write_text(_data_yaml(5 * 2**20))
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "api.yaml").write_text(MANIFEST)
    return tmp_path


def test_the_walk_composes_only_the_manifest(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    composed: list[str] = []
    for name in ("compose", "compose_all", "load", "load_all", "safe_load", "safe_load_all"):
        real = getattr(yaml, name)

        def counting(stream: object, *args: object, _real: object = real, **kw: object) -> object:
            composed.append(stream if isinstance(stream, str) else repr(stream))
            return _real(stream, *args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(yaml, name, counting)
    monkeypatch.chdir(tree)
    assert main(["--format", "json", "."]) == 1
    assert composed == [MANIFEST]
    found = capsys.readouterr().out
    assert found.count('"path": "deploy/api.yaml"') == 1
    assert found.count("Dockerfile") >= 20  # the Dockerfiles were linted


def test_the_cheap_check_rejects_every_other_yaml_file(tree: Path) -> None:
    yaml_files = sorted(p for p in tree.rglob("*") if p.suffix in (".yaml", ".yml"))
    assert len(yaml_files) == 62
    wanted = [p.relative_to(tree).as_posix() for p in yaml_files if wanted_in_walk(str(p))]
    assert wanted == ["deploy/api.yaml"]


def test_a_walk_without_manifests_does_not_import_the_yaml_reader(tree: Path) -> None:
    """A run over Dockerfiles and YAML files that are not manifests never imports PyYAML (the
    run-level ConfigMap index included)."""
    (tree / "deploy" / "api.yaml").unlink()
    code = (
        "import sys\n"
        "from dfmemlint.cli import main\n"
        "try:\n    main(['--exit-zero', '--quiet', '.'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m == 'yaml' or m.startswith('dfmemlint.yaml')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
