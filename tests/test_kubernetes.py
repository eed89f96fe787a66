"""Kubernetes manifests: quantities, format detection, the walk, comments, fixes, templates and
the rule pages' examples."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from helpers.manifests import workload

from dfmemlint.cli import main
from dfmemlint.engine import LintOptions
from dfmemlint.files import expand_paths
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import Format, detect, lint, looks_like_kubernetes
from dfmemlint.kubernetes.lint import ManifestResult, is_chart_template
from dfmemlint.kubernetes.quantity import QuantityError, parse_quantity, suffix_of, value
from dfmemlint.rules.catalog import BY_CODE

ROOT = Path(__file__).resolve().parents[1]

DEPLOYMENT = workload("""\
          env:
            - name: GOMEMLIMIT
              valueFrom:
                resourceFieldRef:
                  resource: limits.memory
                  divisor: 1Mi  # a count of MiB
            - name: GOGC
              value: "100"
          resources:
            limits:
              memory: 512Mi
""")


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("512Mi", 512 * 2**20), ("200M", 200 * 10**6), ("1.5Gi", 3 * 2**29), ("1e9", 10**9),
        ("512m", Fraction(512, 1000)), ("1k", 1000), ("0", 0), ("+1Ki", 1024), ("-1", -1),
        (".5Gi", 2**29), ("1E3", 1000), ("2Ei", 2 * 2**60), ("5n", Fraction(5, 10**9)),
    ],
)
def test_quantities(text: str, amount: Fraction | int) -> None:
    assert parse_quantity(text) == amount


@pytest.mark.parametrize("text", ["", "Mi", "512MB", "512K", "1GiB", "1 Gi", "1e", "1e999"])
def test_not_quantities(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def test_quantity_value_rounds_up_and_suffix() -> None:
    assert value(Fraction(512, 1000)) == 1
    assert value(Fraction(1024)) == 1024
    assert suffix_of("512m") == "m"
    assert suffix_of("1.5Gi") == "Gi"


@pytest.mark.parametrize(
    ("path", "data", "fmt"),
    [
        ("Dockerfile", b"FROM x\n", Format.DOCKERFILE),
        ("deploy/api.dockerfile", b"FROM x\n", Format.DOCKERFILE),
        ("build/x.txt", b"FROM x\n", Format.DOCKERFILE),
        ("k8s/api.yaml", DEPLOYMENT.encode(), Format.KUBERNETES),
        ("k8s/api.YML", DEPLOYMENT.encode(), Format.KUBERNETES),
        ("chart/values.yaml", b"image: x\nresources: {}\n", None),
        ("compose.yaml", b"services: {}\n", Format.COMPOSE),
    ],
)
def test_detect(path: str, data: bytes, fmt: Format | None) -> None:
    assert detect(path, data) is fmt


def test_sniff_needs_top_level_keys() -> None:
    assert looks_like_kubernetes(b"# c\napiVersion: v1\nkind: Pod\n")
    assert not looks_like_kubernetes(b"spec:\n  apiVersion: v1\n  kind: Pod\n")
    assert not looks_like_kubernetes(b"apiVersion: v1\n")


def test_walk_finds_manifests_but_parses_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "api.yaml").write_text(DEPLOYMENT)
    (tmp_path / "k8s" / "values.yaml").write_text("a: [\n")  # not a manifest: never parsed
    (tmp_path / "k8s" / "notes.txt").write_text(DEPLOYMENT)
    found = expand_paths([str(tmp_path)])
    assert [Path(p).relative_to(tmp_path).as_posix() for p in found] == [
        "Dockerfile", "k8s/api.yaml",
    ]


def test_only_manifests_in_a_directory(tmp_path: Path) -> None:
    (tmp_path / "api.yml").write_text(DEPLOYMENT)
    assert expand_paths([str(tmp_path)]) == [str(tmp_path / "api.yml")]


def test_findings_and_the_literal_fix() -> None:
    result = lint("api.yaml", DEPLOYMENT.encode(), LintOptions())
    assert [(f.code, f.line, f.column, f.end_column) for f in result.findings] == [
        ("DFM010", 15, 29, 42),
    ]
    outcome = fix_file("api.yaml", DEPLOYMENT.encode(), LintOptions(), unsafe=True)
    assert outcome.error is None
    assert outcome.data.decode() == DEPLOYMENT.replace(
        "              valueFrom:\n                resourceFieldRef:\n"
        "                  resource: limits.memory\n                  divisor: 1Mi",
        '              value: "409MiB"',
    )
    safe = fix_file("api.yaml", DEPLOYMENT.encode(), LintOptions(), unsafe=False)
    assert safe.data == DEPLOYMENT.encode()


def test_millibyte_fix_is_unsafe_and_complete() -> None:
    data = DEPLOYMENT.replace("divisor: 1Mi", 'divisor: "1"').replace("512Mi", "512m").encode()
    result = lint("api.yaml", data, LintOptions())
    assert [f.code for f in result.findings] == ["DFM011", "DFM013"]
    outcome = fix_file("api.yaml", data, LintOptions(), unsafe=True)
    assert outcome.error is None
    assert b"memory: 512Mi" in outcome.data
    assert [f.code for f in outcome.result.findings] == ["DFM007"]  # type: ignore[union-attr]


def test_comments_suppress() -> None:
    data = DEPLOYMENT.replace(
        "                  divisor:", "                  # dfmemlint: ignore=DFM010\n"
        "                  divisor:"
    )
    result = lint("api.yaml", data.encode(), LintOptions())
    # The finding is on the resource line, above the comment: not suppressed, and the comment
    # is an unused suppression (DFM017, intended change: it used to pass silently).
    assert [(f.code, f.line) for f in result.findings] == [("DFM010", 15), ("DFM017", 16)]
    data = DEPLOYMENT.replace(
        "                  resource:", "                  # dfmemlint: ignore=DFM010\n"
        "                  resource:"
    )
    assert lint("api.yaml", data.encode(), LintOptions()).findings == []
    data = "# dfmemlint: global ignore=all\n" + DEPLOYMENT
    assert lint("api.yaml", data.encode(), LintOptions()).findings == []
    # Intended change: an unknown code is a DFM017 finding at the code (it used to be dropped).
    data = "# dfmemlint: global ignore=DFM999, DFM007\n" + DEPLOYMENT
    found = lint("api.yaml", data.encode(), LintOptions()).findings
    assert [(f.code, f.line, f.column) for f in found] == [("DFM017", 1, 28), ("DFM010", 16, 29)]


def test_select_ignore_and_severity() -> None:
    options = LintOptions(select=frozenset({"DFM004"}))
    assert lint("api.yaml", DEPLOYMENT.encode(), options).findings == []
    options = LintOptions(ignore=frozenset({"DFM010"}))
    assert lint("api.yaml", DEPLOYMENT.encode(), options).findings == []
    options = LintOptions(severity={"DFM010": BY_CODE["DFM011"].severity})
    [finding] = lint("api.yaml", DEPLOYMENT.encode(), options).findings
    assert finding.severity.label == "warning"
    broken = b"apiVersion: v1\nkind: Pod\nspec: [\n"
    assert lint("x.yaml", broken, LintOptions(ignore=frozenset({"DFM015"}))).findings == []


@pytest.mark.parametrize(
    ("data", "template"),
    [
        (b"apiVersion: v1\nkind: Pod\n{{- if .Values.x }}\n", True),
        (b"apiVersion: v1\nkind: Pod\nspec: {{ toYaml .Values.spec }}\n", True),
        (b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: '{{ $labels.pod }}'\n", False),
        (b"apiVersion: v1\nkind: Pod\n", False),
    ],
)
def test_chart_templates(data: bytes, template: bool) -> None:
    assert is_chart_template(data) is template
    result = lint("t.yaml", data, LintOptions())
    assert isinstance(result, ManifestResult)
    assert result.template is template


def test_templates_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "templates").mkdir()
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / "templates" / name).write_text(
            "apiVersion: v1\nkind: Pod\n{{- include \"x\" . }}\n"
        )
    assert main([str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "2 Helm chart templates skipped" in err
    assert "helm template" in err


@pytest.mark.parametrize("output_format", ["json", "github", "sarif", "text"])
def test_output_formats(
    tmp_path: Path, output_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(DEPLOYMENT)
    assert main(["--format", output_format, "--no-color", str(path)]) == 1
    out = capsys.readouterr().out
    if output_format == "json":
        [finding] = json.loads(out)
        assert (finding["code"], finding["line"], finding["column"]) == ("DFM010", 15, 29)
    elif output_format == "github":
        assert "line=15,endLine=15,col=29,endColumn=41" in out
    elif output_format == "sarif":
        [result] = json.loads(out)["runs"][0]["results"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (15, 29)
    else:
        assert f"{path}:15:29: DFM010" in out


def test_stdin_filename(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DEPLOYMENT.encode())))
    assert main(["--stdin-filename", "k8s/api.yaml", "--format", "json", "-"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["path"] == "k8s/api.yaml"


def _examples(code: str) -> list[str]:
    page = (ROOT / "rules" / f"{code}.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", page, re.S)


@pytest.mark.parametrize("code", ["DFM010", "DFM011", "DFM012", "DFM013", "DFM014", "DFM015"])
def test_rule_page_examples(code: str) -> None:
    bad, good = _examples(code)
    assert code in {f.code for f in lint("x.yaml", bad.encode(), LintOptions()).findings}
    assert lint("x.yaml", good.encode(), LintOptions()).findings == []


INSPECTED = """\
# Source: chart/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: tuning
  namespace: prod
data:
  GOGC: "off"
---
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: prod
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: example/migrate
      containers:
        - name: api
          image: example/api
          envFrom:
            - configMapRef: {name: tuning}
            - secretRef: {name: extra}
          env:
            - name: GOMEMLIMIT
              valueFrom:
                resourceFieldRef: {resource: limits.memory}
          resources:
            limits:
              memory: 512Mi
"""


def test_inspect_manifest_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(INSPECTED)
    assert main(["inspect", "--format", "json", str(path)]) == 0
    [info] = json.loads(capsys.readouterr().out)
    assert (info["format"], info["objects"], info["template"], info["error"]) == (
        "kubernetes", 2, False, None,
    )
    migrate, api = info["containers"]
    assert (migrate["role"], migrate["memory_limit"], migrate["settings"]) == (
        "initContainer", None, {},
    )
    assert api["workload"] == {
        "kind": "Deployment", "name": "api", "namespace": "prod",
        "source": "chart/templates/deployment.yaml",
    }
    assert api["memory_limit"]["bytes"] == 512 * 2**20
    assert api["memory_limit"]["at"]["line"] == 34
    gomemlimit, gogc = api["settings"]["GOMEMLIMIT"], api["settings"]["GOGC"]
    assert (gomemlimit["value"], gomemlimit["bytes"], gomemlimit["at"]["line"]) == (
        str(512 * 2**20), 512 * 2**20, 31,
    )
    assert (gogc["value"], gogc["origin"], gogc["at"]["line"]) == (
        "off", "ConfigMap tuning key GOGC (envFrom)", 8,
    )
    assert api["unknown_sources"] == ["Secret extra (envFrom)"]


def test_inspect_manifest_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "api.yaml"
    good.write_text(INSPECTED)
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nspec: [\n")
    template = tmp_path / "_pod.tpl"
    template.write_text("{{- define \"pod\" }}\napiVersion: v1\n{{- end }}\n")
    assert main(["inspect", str(good), str(broken), str(template)]) == 0
    out = capsys.readouterr().out
    assert "Deployment/api in prod (from chart/templates/deployment.yaml)" in out
    assert "    init container migrate: no memory limit" in out
    assert "GOMEMLIMIT=536870912 = 536,870,912 bytes (512 MiB)  (resourceFieldRef" in out
    assert "may also come from Secret extra (envFrom)" in out
    assert "broken.yaml  (Kubernetes, 0 objects)\n  error at line 4, column 1:" in out
    assert "_pod.tpl  (Kubernetes, 0 objects)\n  skipped: a Helm chart template" in out


def test_yaml_that_is_not_a_manifest_is_not_read(tmp_path: Path) -> None:
    result = lint("chart/values.yaml", b"a: [\n", LintOptions())
    assert result.findings == []
    assert result.syntax_error is None
    assert detect("chart/templates/_helpers.tpl", b"{{- define \"x\" }}\n") is Format.KUBERNETES
    assert detect("notes.tpl", b"FROM x\n") is Format.DOCKERFILE


def test_ambiguous_units_get_an_unsafe_fix_with_both_readings() -> None:
    data = (ROOT / "tests" / "fixtures" / "gomemlimit-malformed" / "k8s-ambiguous-mega.yaml")
    [finding] = lint("x.yaml", data.read_bytes(), LintOptions()).findings
    assert finding.code == "DFM004"
    assert finding.fix is not None
    assert finding.fix.applicability.label == "unsafe"
    assert "as a Kubernetes quantity it is 400,000,000 bytes" in finding.message
    assert "as a binary unit 419,430,400 bytes (400 MiB)" in finding.message
    literal = DEPLOYMENT.replace(
        "valueFrom:\n                resourceFieldRef:\n                  resource: limits.memory\n"
        "                  divisor: 1Mi  # a count of MiB",
        'value: "300Mi"',
    )
    [respelled] = lint("x.yaml", literal.encode(), LintOptions()).findings
    assert respelled.fix is not None
    assert respelled.fix.applicability.label == "safe"  # Mi means MiB: one-to-one
