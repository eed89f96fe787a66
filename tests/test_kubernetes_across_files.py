"""ConfigMaps that one linted manifest defines and another's containers read
(``tests/fixtures/across-files/<case>/``), and Go settings set by kustomize patches in a
kustomization or a patch file beside it (``tests/fixtures/kustomize/<case>/``).

Each case is a folder of manifests and ``expected``: every finding of a run over the folder, one
per line, as ``path:line:col-end_line:end_col CODE severity``. Where ``fixed/`` exists, ``--fix``
must turn each file named there into it and leave the others alone, write each file at most
once, and change nothing when run again. Each case runs twice: on the folder (the directory
walk) and on its files named one by one (as the pre-commit hook runs it).
``DFMEMLINT_REGENERATE=1`` rewrites ``expected`` from what the run reports now: review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.commands import fixing
from dfmemlint.engine import LintOptions
from dfmemlint.kubernetes import configmaps
from dfmemlint.kubernetes import lint as kubernetes_lint
from dfmemlint.yamlsource import reader

CASES_DIR = Path(__file__).parent / "fixtures" / "across-files"
KUSTOMIZE_DIR = Path(__file__).parent / "fixtures" / "kustomize"
CASES = sorted(
    path for folder in (CASES_DIR, KUSTOMIZE_DIR) for path in folder.iterdir() if path.is_dir()
)
INPUT_NAMES = ("*.yaml", "Kustomization")
REGENERATE = os.environ.get("DFMEMLINT_REGENERATE") == "1"


def _copy(case: Path, target: Path) -> list[str]:
    names = sorted(path.name for pattern in INPUT_NAMES for path in case.glob(pattern))
    for name in names:
        shutil.copyfile(case / name, target / name)
    return names


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(args)
    return code, capsys.readouterr().out


def _lines(findings: list[dict[str, object]]) -> list[str]:
    return [
        f"{f['path']}:{f['line']}:{f['column']}-{f['end_line']}:{f['end_column']} "
        f"{f['code']} {f['severity']}"
        for f in findings
    ]


@pytest.mark.parametrize("walk", [True, False], ids=["directory", "named"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(
    case: Path, walk: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = _copy(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    paths = ["."] if walk else names
    code, out = _run(["--format", "json", *paths], capsys)
    found = _lines(json.loads(out))
    expected_file = case / "expected"
    if REGENERATE:
        expected_file.write_text("".join(line + "\n" for line in found), encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert found == expected
    assert code == (1 if expected else 0)

    writes: Counter[str] = Counter()
    real_write = fixing.write_atomic

    def counting_write(path: str, *args: object, **kwargs: object) -> int:
        writes[path] += 1
        return real_write(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fixing, "write_atomic", counting_write)
    _run(["--fix", "--format", "json", *paths], capsys)
    fixed_dir = case / "fixed"
    for name in names:
        want = fixed_dir / name if (fixed_dir / name).is_file() else case / name
        assert (tmp_path / name).read_bytes() == want.read_bytes(), name
    assert all(count == 1 for count in writes.values()), writes
    assert {os.path.basename(path) for path in writes} == {
        name for name in names if (fixed_dir / name).is_file()
    }
    writes.clear()
    _run(["--fix", "--format", "json", *paths], capsys)
    assert not writes  # converged


def test_every_case_has_a_positive_or_says_why() -> None:
    """Positive cases report something; the negative ones are the namespace, missing and
    ambiguous ConfigMaps, which must report nothing."""
    empty = {
        f"{case.parent.name}/{case.name}" for case in CASES
        if not (case / "expected").read_text().strip()
    }
    assert empty == {
        "across-files/ambiguous", "across-files/missing", "across-files/other-namespace",
        "kustomize/not-judged",
    }
    assert len(CASES) - len(empty) >= 9


def test_the_finding_names_every_consumer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _copy(CASES_DIR / "shared", tmp_path)
    monkeypatch.chdir(tmp_path)
    _code, out = _run(["--format", "json", "."], capsys)
    [finding] = json.loads(out)
    assert finding["path"] == "configmap.yaml"
    assert "container 'api' of Deployment/api in api.yaml" in finding["message"]
    # Each other reader is named with its memory limit (api's 2Gi is the smallest: it is
    # the one judged, and the message says the advice fits every reader).
    assert "Also read by container 'worker' of CronJob/worker in worker.yaml (memory limit " in (
        finding["message"]
    )
    assert "judged against the smallest memory limit of the containers" in finding["message"]


def test_inspect_shows_where_each_value_came_from(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(CASES_DIR / "envfrom")
    _code, out = _run(["inspect", "--format", "json", "deployment.yaml", "configmap.yaml"], capsys)
    deployment, config_map = json.loads(out)
    assert config_map["containers"] == []
    [api] = deployment["containers"]
    setting = api["settings"]["GOMEMLIMIT"]
    assert (setting["value"], setting["origin"]) == (
        "4Gi", "ConfigMap tuning key GOMEMLIMIT (envFrom)",
    )
    assert setting["at"] == {"path": "configmap.yaml", "line": 6, "column": 16}
    assert api["memory_limit"]["at"] == {"path": "deployment.yaml", "line": 16, "column": 23}
    _code, out = _run(["inspect", "deployment.yaml", "configmap.yaml"], capsys)
    assert "GOMEMLIMIT=4Gi  (ConfigMap tuning key GOMEMLIMIT (envFrom), configmap.yaml:6:16)" in out
    assert "(resources.limits.memory, line 16)" in out


@pytest.mark.parametrize(("case", "unknown"), [
    ("ambiguous", "ConfigMap tuning key GOMEMLIMIT (defined 2 times with different values) "
                  "(envFrom)"),
    ("other-namespace", "ConfigMap tuning (envFrom, not in the linted files)"),
    ("missing", "ConfigMap tuning (envFrom, not in the linted files)"),
])
def test_inspect_says_what_is_unknown(
    case: str, unknown: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(CASES_DIR / case)
    _code, out = _run(["inspect", "--format", "json", "."], capsys)
    [deployment] = [info for info in json.loads(out) if info["containers"]]
    [api] = deployment["containers"]
    assert "GOMEMLIMIT" not in api["settings"]
    assert api["unknown_sources"] == [unknown]


def test_keyref_of_a_disputed_key_is_unknown(tmp_path: Path) -> None:
    for name in ("base.yaml", "overlay.yaml"):
        shutil.copyfile(CASES_DIR / "ambiguous" / name, tmp_path / name)
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "    - name: p\n      env:\n        - name: GOMEMLIMIT\n          valueFrom:\n"
        "            configMapKeyRef: {name: tuning, key: GOMEMLIMIT}\n"
    )
    files = [(n, (tmp_path / n).read_bytes()) for n in ("base.yaml", "overlay.yaml", "pod.yaml")]
    index = configmaps.run_index(files)
    assert index is not None
    result = kubernetes_lint.lint_manifest(
        "pod.yaml", files[2][1], LintOptions(manifests=index)
    )
    [resolved] = result.resolved
    assert resolved.settings.opaque == (
        "ConfigMap tuning key GOMEMLIMIT (defined 2 times with different values) for "
        "GOMEMLIMIT",
    )


def test_standard_input_stands_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Standard input is linted on its own: a ConfigMap in a file named beside it is not read
    for it (the README says so)."""
    case = CASES_DIR / "envfrom"
    monkeypatch.chdir(case)
    monkeypatch.setattr("sys.stdin", open(case / "deployment.yaml"))  # noqa: SIM115
    code, out = _run(
        ["--format", "json", "--stdin-filename", "deployment.yaml", "-", "configmap.yaml"],
        capsys,
    )
    assert (code, json.loads(out)) == (0, [])


def test_each_manifest_is_parsed_once_and_others_not_by_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    names = _copy(CASES_DIR / "shared", tmp_path)
    (tmp_path / "plain.yaml").write_text(  # a manifest that shares no ConfigMap
        "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 80}]}\n"
    )
    (tmp_path / "ci.yaml").write_text("on: push\njobs: {build: {runs-on: x}}\n")
    parsed: Counter[bytes] = Counter()

    real = reader.read_stream

    def counting(data: bytes) -> reader.YamlStream:
        parsed[data] += 1
        return real(data)

    monkeypatch.setattr("dfmemlint.yamlsource.reader.read_stream", counting)
    monkeypatch.setattr("dfmemlint.kubernetes.lint.read_stream", counting)
    monkeypatch.chdir(tmp_path)
    code, _out = _run(["--format", "json", "."], capsys)
    assert code == 1
    by_name = {(tmp_path / name).read_bytes(): name for name in [*names, "plain.yaml"]}
    counts = {by_name[data]: count for data, count in parsed.items()}
    assert counts == dict.fromkeys([*names, "plain.yaml"], 1)
    index = configmaps.ManifestIndex(
        (name, (tmp_path / name).read_bytes()) for name in [*names, "plain.yaml"]
    )
    assert index.paths == tuple(names)  # the Service mentions no ConfigMap: left out


def test_one_file_gets_no_index() -> None:
    data = (CASES_DIR / "envfrom" / "configmap.yaml").read_bytes()
    assert configmaps.run_index([("configmap.yaml", data), ("Dockerfile", b"FROM x\n")]) is None


def test_files_the_index_cannot_read_define_nothing() -> None:
    consumer = (CASES_DIR / "envfrom" / "deployment.yaml").read_bytes()
    index = configmaps.ManifestIndex([
        ("deployment.yaml", consumer),
        ("broken.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata: [\n"),
        ("chart.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata:\n{{- toYaml .Values.env }}\n"),
    ])
    assert index.paths == ("deployment.yaml", "broken.yaml", "chart.yaml")
    assert index.definers("deployment.yaml") == []
    assert index.consumers("broken.yaml")[0].path == "deployment.yaml"
    assert index.reuse("deployment.yaml", consumer + b"\n") is None  # other bytes: read again
