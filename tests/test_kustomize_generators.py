"""ConfigMaps a kustomization's configMapGenerator makes (dfmemlint.kubernetes.generators): read
like a ConfigMap by envFrom and configMapKeyRef, each value judged where it is written (a
literal in the kustomization, a line of an env file), in a run over the files and in a
kustomize build of an overlay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dfmemlint.cli import main
from dfmemlint.kubernetes import model
from dfmemlint.kubernetes.generators import generated
from dfmemlint.yamlsource.reader import read_stream

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api
          envFrom:
            - configMapRef:
                name: go-tuning
          env:
            - name: GOGC
              valueFrom:
                configMapKeyRef: {name: go-tuning, key: gogc}
          resources:
            limits:
              memory: 512Mi
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content.encode())


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(["--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def _found(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    return [(f["path"], f["code"], f["line"], f["column"]) for f in findings]


def _values(tmp_path: Path, kustomization: str) -> dict[str, tuple[str, int, int, bool]]:
    path = tmp_path / "kustomization.yaml"
    path.write_text(kustomization)
    stream = read_stream(path.read_bytes())
    found = {}
    manifest = model.read(str(path), stream)
    for config_map in manifest.config_maps:
        assert manifest.placer is not None
        for key, (_key_node, value_node) in config_map.data.items():
            at = manifest.placer(value_node)
            data = Path(at.path).read_bytes()
            line = data[: at.start].count(b"\n") + 1
            column = at.start - (data.rfind(b"\n", 0, at.start) + 1) + 1
            found[f"{config_map.name}/{key}"] = (str(value_node.value), line, column, at.editable)
    return found


def test_literals_envs_and_files_as_kustomize_reads_them(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "go.env": "\ufeff# tuning\n  GOMEMLIMIT=400MiB # soft\r\n\nEMPTY\nGOGC=50\n",
        "limit.txt": "300MiB\n",
    })
    kustomization = (
        "namespace: shop\n"
        "configMapGenerator:\n"
        "  - name: from-env\n"
        "    envs: [go.env]\n"
        "  - name: literal\n"
        "    namespace: jobs\n"
        "    literals:\n"
        "      - GOMEMLIMIT=\"400MiB\"\n"
        "      - 'GOGC=of=f'\n"
        "      - \"X=a\\tb\"\n"
        "    files:\n"
        "      - limit.txt\n"
        "      - LIMIT=limit.txt\n"
    )
    assert _values(tmp_path, kustomization) == {
        # the rest of the line, comment and all; leading space skipped; no "=": empty
        "from-env/GOMEMLIMIT": ("400MiB # soft", 2, 14, True),
        "from-env/EMPTY": ("", 4, 6, True),
        "from-env/GOGC": ("50", 5, 6, True),
        # quotes around a literal's value removed; the value after the first "="
        "literal/GOMEMLIMIT": ("400MiB", 8, 21, True),
        "literal/GOGC": ("of=f", 9, 15, True),
        "literal/X": ("a\tb", 10, 10, False),  # an escape: the bytes are not the value
        # a file's whole content, placed at its entry
        "literal/limit.txt": ("300MiB\n", 12, 9, False),
        "literal/LIMIT": ("300MiB\n", 13, 9, False),
    }
    maps = {cm.name: cm.namespace for cm in generated(
        str(tmp_path / "kustomization.yaml"),
        read_stream((tmp_path / "kustomization.yaml").read_bytes()),
    ).config_maps}
    assert maps == {"from-env": "shop", "literal": "jobs"}


@pytest.mark.parametrize("generator", [
    "envs: [missing.env]",
    "envs: [bad.env]",  # a key that is no variable name
    "literals: [NOEQUALS]",
    "literals: ['=x']",
    "literals: [A=1, A=2]",  # a duplicate key
    "files: [a=b=c]",
    "files: [=x]",
    "files: [missing.txt]",
    "literals: [{A: 1}]",
])
def test_a_generator_kustomize_fails_on_makes_nothing(tmp_path: Path, generator: str) -> None:
    _tree(tmp_path, {"bad.env": "NOT A NAME=1\n"})
    kustomization = f"configMapGenerator:\n  - name: g\n    {generator}\n  - literals: [A=1]\n"
    assert _values(tmp_path, kustomization) == {}


def test_a_run_over_the_files_reads_the_generated_configmap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, {
        "app/deployment.yaml": DEPLOYMENT,
        "app/kustomization.yaml": (
            "resources: [deployment.yaml]\n"
            "configMapGenerator:\n"
            "  - name: go-tuning\n"
            "    literals:\n"
            "      - GOMEMLIMIT=512MB\n"
            "      - gogc=\"off\"\n"
        ),
    })
    monkeypatch.chdir(tmp_path)
    code, findings = _json(["app"], capsys)
    assert code == 1
    assert _found(findings) == [("app/kustomization.yaml", "DFM004", 5, 20)]
    assert findings[0]["fix"]["edits"][0]["replacement"] == "409MiB"
    assert main(["--fix", "app"]) == 0
    assert "- GOMEMLIMIT=409MiB\n" in (tmp_path / "app/kustomization.yaml").read_text()
    # The deployment alone: the generated ConfigMap is read through the kustomization above
    # it in the same run only.
    code, findings = _json(["app/deployment.yaml"], capsys)
    assert (code, findings) == (0, [])


OVERLAY = {
    "base/deployment.yaml": DEPLOYMENT,
    "base/kustomization.yaml": (
        "resources: [deployment.yaml]\n"
        "configMapGenerator:\n"
        "  - name: go-tuning\n"
        "    literals: [GOMEMLIMIT=400MiB, gogc=100]\n"
    ),
    "overlay/kustomization.yaml": (
        "resources:\n"
        "  - ../base\n"
        "configMapGenerator:\n"
        "  - name: go-tuning\n"
        "    behavior: replace\n"
        "    envs:\n"
        "      - go.env\n"
    ),
    "overlay/go.env": "gogc=off\nGOMEMLIMIT=600MiB # too much\n",
}


def test_an_overlay_generator_is_judged_in_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, OVERLAY)
    monkeypatch.chdir(tmp_path)
    # A run over the overlay reports the env file's value where the kustomization names it.
    code, findings = _json(["overlay"], capsys)
    assert code == 1
    assert _found(findings) == [("overlay/kustomization.yaml", "DFM004", 7, 9)]
    assert "written in overlay/go.env, line 2" in findings[0]["message"]
    assert findings[0]["fix"] is None
    # The env file named: reported at the value, with a fix once it has one.
    code, findings = _json(["overlay/go.env"], capsys)
    assert _found(findings) == [("overlay/go.env", "DFM004", 2, 12)]
    (tmp_path / "overlay/go.env").write_text("gogc=off\nGOMEMLIMIT=512MB\n")
    code, findings = _json(["overlay/go.env"], capsys)
    assert _found(findings) == [("overlay/go.env", "DFM004", 2, 12)]
    assert main(["--fix", "overlay/go.env"]) == 0
    assert (tmp_path / "overlay/go.env").read_text() == "gogc=off\nGOMEMLIMIT=409MiB\n"
    # replace: the base's 400MiB is gone; merge would keep its keys under the overlay's.
    (tmp_path / "overlay/go.env").write_text("gogc=off\n")
    code, findings = _json(["overlay"], capsys)
    assert _found(findings) == [("overlay/kustomization.yaml", "DFM008", 7, 9)]
    kustomization = tmp_path / "overlay/kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("replace", "merge"))
    code, findings = _json(["overlay"], capsys)
    assert (code, findings) == (0, [])


def test_an_env_file_no_kustomization_reads_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, {"x/app.env": "GOMEMLIMIT=512MB\n", "x/kustomization.yaml": "resources: []\n"})
    capsys.readouterr()
    assert main([str(tmp_path / "x/app.env")]) == 0
    assert "nothing in it was checked" in capsys.readouterr().err


def _rules(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[list[Any], str]:
    import yaml

    capsys.readouterr()
    assert main(["alerts", *args]) == 0
    out, err = capsys.readouterr()
    return yaml.safe_load(out)["groups"][0]["rules"], err


def test_alerts_for_an_overlay_directory_build_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = dict(OVERLAY)
    files["overlay/go.env"] = "GOMEMLIMIT=400MiB\n"
    files["overlay/kustomization.yaml"] += (
        "namespace: prod\n"
        "patches:\n"
        "  - target: {kind: Deployment, name: api}\n"
        "    patch: |-\n"
        "      - op: replace\n"
        "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
        "        value: 1Gi\n"
    )
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    [rule], _ = _rules(["overlay"], capsys)
    # The patched limit, the overlay's generated value, the namespace the overlay sets.
    assert rule["labels"]["namespace"] == "prod"
    assert rule["annotations"]["rss_threshold_bytes"] == str(400 * (1 << 20) * 11 // 10)
    assert "overlay/go.env:1" in rule["annotations"]["description"]
    assert "1Gi = 1,073,741,824 bytes" in rule["annotations"]["description"]
    # The base on its own: its own generator, no namespace; the deployment the base lists is
    # read through the base's build, not again alone.
    [rule], err = _rules(["base"], capsys)
    assert "namespace" not in rule["labels"]
    assert "base/kustomization.yaml:4" in rule["annotations"]["description"]
    assert "skipped" not in err


def test_a_build_resolves_the_workloads_that_read_a_generated_configmap(tmp_path: Path) -> None:
    from dfmemlint.kubernetes.kustomize_build import Files, build

    worker = DEPLOYMENT.replace("name: api\n", "name: worker\n", 1).replace("go-tuning", "other")
    _tree(tmp_path, {
        "deployment.yaml": DEPLOYMENT,
        "worker.yaml": worker,
        "kustomization.yaml": (
            "resources: [deployment.yaml, worker.yaml]\n"
            "configMapGenerator:\n  - name: go-tuning\n    literals: [GOGC=50]\n"
        ),
    })
    path = str(tmp_path / "kustomization.yaml")
    stream = read_stream((tmp_path / "kustomization.yaml").read_bytes())
    done = build(path, Files(path, stream), [])
    assert done is not None
    assert [item.pod.workload.name for item in done.resolved] == ["api"]
    everything = build(path, Files(path, stream), [], everything=True)
    assert everything is not None
    assert [item.pod.workload.name for item in everything.resolved] == ["api", "worker"]
    # Any other node of the kustomization is placed in it.
    manifest = model.read(path, stream)
    assert manifest.placer is not None
    root = stream.documents[0].root
    assert manifest.placer(root).path == path
    assert manifest.placer(root.value[0][0]).editable


def test_env_files_kustomize_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, {"kustomization.yaml": "configMapGenerator: [\n", "a/x": ""})  # not YAML
    (tmp_path / "a/bad.env").write_bytes(b"GOMEMLIMIT=\xff\n")
    (tmp_path / "a/kustomization.yaml").write_text(
        "configMapGenerator:\n  - name: g\n    envs: [bad.env]\n"
    )
    assert _values(tmp_path / "a", (tmp_path / "a/kustomization.yaml").read_text()) == {}
    capsys.readouterr()
    assert main([str(tmp_path / "a/bad.env")]) == 0
    assert "nothing in it was checked" in capsys.readouterr().err


def test_components_prefix_and_suffix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A component works on its parent's resources (its generator, its patch), and the
    name prefix and suffix rename the workloads whose pods the alert selects."""
    _tree(tmp_path, {
        "base/deployment.yaml": DEPLOYMENT,
        "base/kustomization.yaml": "resources: [deployment.yaml]\nnamePrefix: shop-\n",
        "tuning/kustomization.yaml": (
            "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
            "kind: Component\n"
            "configMapGenerator:\n"
            "  - name: go-tuning\n"
            "    literals: [GOMEMLIMIT=300MiB, gogc=50]\n"
            "patches:\n"
            "  - target: {kind: Deployment}\n"
            "    patch: |-\n"
            "      - op: replace\n"
            "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
            "        value: 256Mi\n"
        ),
        "prod/kustomization.yaml": (
            "resources: [../base]\ncomponents: [../tuning, ../missing]\nnameSuffix: -v2\n"
        ),
    })
    monkeypatch.chdir(tmp_path)
    [rule], _ = _rules(["prod"], capsys)
    assert rule["labels"]["workload"] == "Deployment/shop-api-v2"
    assert 'pod=~"shop-api-v2-' in rule["expr"]
    assert "256Mi" in rule["annotations"]["description"]
    assert "tuning/kustomization.yaml:5" in rule["annotations"]["description"]
