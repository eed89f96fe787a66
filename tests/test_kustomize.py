"""kustomize patches read where they are written: the edges of dfmemlint.kubernetes.kustomize
(the fixture cases are in tests/fixtures/kustomize, run by test_kubernetes_across_files.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dfmemlint.cli import main
from dfmemlint.engine import LintOptions
from dfmemlint.formats import Format, detect, looks_like_operations, wanted_in_walk
from dfmemlint.kubernetes import kustomize
from dfmemlint.kubernetes.lint import lint_manifest
from dfmemlint.yamlsource.reader import read_stream


def _codes(path: str, text: str) -> list[tuple[str, int, int]]:
    result = lint_manifest(path, text.encode(), LintOptions())
    return [(f.code, f.line, f.column) for f in result.findings]


def _patch(block: str) -> str:
    return "patches:\n  - target: {kind: Deployment, name: api}\n    patch: " + block


@pytest.mark.parametrize("block", [
    "|2\n      - op: add\n        path: /spec/containers/0/env/-\n"
    "        value: {name: GOMEMLIMIT, value: 1Gi}\n",  # explicit indentation: not read
    "|\n\n",  # nothing in it
    "|\n      - op: add\n        path: [\n",  # not YAML
    "'- op: add'\n",  # not a literal block
    "|\n      - op: add\n        path: env/-\n"
    "        value: {name: GOMEMLIMIT, value: 1Gi}\n",  # not a JSON pointer
])
def test_patches_not_read(block: str) -> None:
    assert _codes("kustomization.yaml", _patch(block)) == []


def test_whole_container_list_and_an_env_list_without_go_settings() -> None:
    text = _patch(
        "|\n"
        "      - op: replace\n"
        "        path: /spec/template/spec/containers\n"
        "        value:\n"
        "          - just-a-string\n"
        "          - name: api\n"
        "            env: [{name: GOGC, value: \"off\"}]\n"
        "            resources: {limits: {memory: 1Gi}}\n"
        "          - name: quiet\n"
        "            env: [{name: OTHER, value: x}]\n"
        "      - op: replace\n"
        "        path: /spec/template/spec/containers/0/env\n"
        "        value: [{name: OTHER, value: x}]\n"
        "      - op: add\n"
        "        path: /spec/template/spec/containers/0/env/-\n"
        "        value: {name: OTHER, value: x}\n"
    )
    # The container is whole, so GOGC=off without GOMEMLIMIT is known: DFM008 at "off".
    assert _codes("kustomization.yaml", text) == [("DFM008", 9, 40)]


def test_a_kustomization_by_kind_and_the_target_named() -> None:
    text = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "patches:\n  - target: {name: api}\n    patch: |\n"
        "      - op: add\n        path: /env/-\n"
        "        value: {name: GOMEMLIMIT, value: 1Gi}\n"
    )
    result = lint_manifest("overlay.yaml", text.encode(), LintOptions())
    [finding] = result.findings
    assert (finding.code, finding.line, finding.column) == ("DFM004", 8, 42)
    assert "container 'container' of object/api" in finding.message


def test_a_value_across_lines_is_not_edited() -> None:
    text = _patch(
        "|\n      - op: add\n        path: /spec/template/spec/containers/0/env/-\n"
        "        value: {name: GOMEMLIMIT, value: \"1Gi\n          \"}\n"
    )
    stream = read_stream(text.encode())
    [view] = kustomize.judge("kustomization.yaml", stream, LintOptions()).patches
    [settings] = view.containers
    place = settings.settings["GOMEMLIMIT"].place
    assert place.editable is False


def test_detection() -> None:
    assert detect("overlays/prod/Kustomization", b"resources: []\n") is Format.KUBERNETES
    assert detect("kustomization.yml", b"resources: []\n") is Format.KUBERNETES
    assert detect("patch.yaml", b"- op: replace\n  path: /spec\n  value: 1\n") is (
        Format.KUBERNETES
    )
    assert detect("list.yaml", b"- name: GOMEMLIMIT\n  value: 1Gi\n") is None
    assert looks_like_operations(b'- path: "/spec/replicas"\n  op: add\n')
    assert not looks_like_operations(b"- op: x\n")
    assert wanted_in_walk("any/where/Kustomization")


def test_a_kustomization_that_is_only_text() -> None:
    assert _codes("kustomization.yaml", "just text\n") == []


# --- kustomize build: resources read, patches applied ------------------------------------

BASE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app: api, tier: web}
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api
          env:
            - name: GOGC
              value: "100"
          resources:
            limits:
              memory: 512Mi
"""


def _tree(tmp_path: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def _overlay(patches: str, base: str = BASE_DEPLOYMENT) -> dict[str, str]:
    return {
        "base/deployment.yaml": base,
        "base/kustomization.yaml": "resources: [deployment.yaml]\n",
        "overlay/kustomization.yaml": "resources:\n  - ../base\n" + patches,
    }


GOMEMLIMIT_2GB = """\
patches:
  - target: {kind: Deployment, name: api}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/env/-
        value: {name: GOMEMLIMIT, value: 2GB}
"""


def test_a_patched_gomemlimit_is_judged_against_the_base_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The observed case: 2GB in a JSON 6902 patch of a base whose container has 512Mi. With
    no limit known the safe respelling was 2GiB, four times the limit; kustomize build's
    output is judged 409MiB, and so is the patch now."""
    _tree(tmp_path, _overlay(GOMEMLIMIT_2GB))
    monkeypatch.chdir(tmp_path)
    code, [finding] = _json(["--format", "json", "overlay"], capsys)
    assert code == 1
    assert (finding["path"], finding["code"], finding["line"], finding["column"]) == (
        "overlay/kustomization.yaml", "DFM004", 8, 42,
    )
    assert finding["fix"]["edits"][0]["replacement"] == "409MiB"
    # The container is named from the base, and the base's file is said.
    assert "container 'api' of Deployment/api in base/deployment.yaml" in finding["message"]
    assert "'containers/0'" not in finding["message"]
    # kustomize build's output of the same: the same advice.
    built = BASE_DEPLOYMENT.replace(
        '              value: "100"\n',
        '              value: "100"\n            - name: GOMEMLIMIT\n              value: 2GB\n',
    )
    (tmp_path / "built.yaml").write_text(built)
    _code, [from_build] = _json(["--format", "json", "built.yaml"], capsys)
    assert from_build["fix"]["edits"][0]["replacement"] == "409MiB"
    main(["--fix", "overlay"])
    assert "value: {name: GOMEMLIMIT, value: 409MiB}" in (
        tmp_path / "overlay/kustomization.yaml"
    ).read_text()


def test_a_limit_the_same_patch_sets_wins_over_the_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    patches = GOMEMLIMIT_2GB + (
        "      - op: replace\n"
        "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
        "        value: 1Gi\n"
    )
    _tree(tmp_path, _overlay(patches))
    monkeypatch.chdir(tmp_path)
    _code, [finding] = _json(["--format", "json", "overlay"], capsys)
    assert finding["fix"]["edits"][0]["replacement"] == "819MiB"  # 0.8 of 1Gi, not of 512Mi


def test_gogc_off_is_judged_against_the_whole_built_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gogc_off = (
        "patches:\n  - target: {kind: Deployment, name: api}\n    patch: |-\n"
        "      - op: replace\n        path: /spec/template/spec/containers/0/env/0/value\n"
        "        value: \"off\"\n"
    )
    _tree(tmp_path, _overlay(gogc_off))
    monkeypatch.chdir(tmp_path)
    _code, found = _json(["--format", "json", "overlay"], capsys)
    assert [(f["code"], f["line"]) for f in found] == [("DFM008", 8)]
    with_limit = BASE_DEPLOYMENT.replace(
        '              value: "100"\n',
        '              value: "100"\n            - name: GOMEMLIMIT\n              value: 400MiB\n',
    )
    _tree(tmp_path, _overlay(gogc_off, with_limit))
    code, found = _json(["--format", "json", "overlay"], capsys)
    assert (code, found) == (0, [])


def test_a_base_kustomization_s_own_patches_are_applied_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _overlay(GOMEMLIMIT_2GB)
    files["base/kustomization.yaml"] = (
        "resources: [deployment.yaml]\npatches:\n  - target: {name: ap.}\n    patch: |\n"
        "      - op: replace\n"
        "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
        "        value: 256Mi\n"
    )
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, [finding] = _json(["--format", "json", "overlay/kustomization.yaml"], capsys)
    assert finding["fix"]["edits"][0]["replacement"] == "204MiB"


@pytest.mark.parametrize(("target", "applied"), [
    ("{kind: Deploy.*, name: api}", True),
    ("{kind: StatefulSet}", False),
    ("{name: api, namespace: other}", False),
    ("{group: apps, version: v1, name: api}", True),
    ("{group: batch}", False),
    ("{labelSelector: 'app=api,tier!=db'}", True),
    ("{labelSelector: 'app==api, tier'}", True),
    ("{labelSelector: '!tier'}", False),
    ("{labelSelector: 'tier'}", True),
    ("{labelSelector: 'app!=api'}", False),
    ("{labelSelector: 'app=web'}", False),
    ("{annotationSelector: 'x=y'}", False),
    ("{labelSelector: 'app in (api)'}", None),
    ("{labelSelector: '!app=api'}", None),
    ("{name: 'a[pi'}", None),
])
def test_targets_are_selected_as_kustomize_selects(
    target: str, applied: bool | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _tree(tmp_path, _overlay(GOMEMLIMIT_2GB.replace("{kind: Deployment, name: api}", target)))
    monkeypatch.chdir(tmp_path)
    _code, [info] = _json(["inspect", "--format", "json", "overlay/kustomization.yaml"], capsys)
    [patch] = info["patches"]
    assert patch["applied"] is bool(applied)
    if applied is None:
        assert patch["error"] == "its target cannot be matched here"
    elif not applied:
        assert patch["error"] == "no resource read here matches its target"
        # Judged on its own: the base's limit is not known.
        assert patch["containers"][0]["memory_limit"] is None


def test_inspect_shows_each_patch_with_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _overlay(GOMEMLIMIT_2GB + "  - path: memory.yaml\n")
    files["overlay/memory.yaml"] = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: api\n"
        "          resources: {limits: {memory: 1Gi}}\n"
    )
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, [info, patch_file] = _json(
        ["inspect", "--format", "json", "overlay/kustomization.yaml", "overlay/memory.yaml"],
        capsys,
    )
    [patch] = info["patches"]
    assert (patch["patch"], patch["kind"], patch["target"], patch["applied"]) == (
        "patches[0]", "JSON 6902", "Deployment/api", True,
    )
    assert patch["at"] == {"path": "overlay/kustomization.yaml", "line": 4, "column": 5}
    [api] = patch["containers"]
    assert (api["container"], api["workload"]["path"]) == ("api", "base/deployment.yaml")
    # The container's limit after the build (the later patch's), where that patch writes it.
    assert api["memory_limit"]["at"] == {"path": "overlay/memory.yaml", "line": 9, "column": 40}
    assert api["settings"]["GOMEMLIMIT"]["value"] == "2GB"
    assert api["settings"]["GOMEMLIMIT"]["at"] == {
        "path": "overlay/kustomization.yaml", "line": 8, "column": 42,
    }
    assert "GOGC" not in api["settings"]  # the base sets it, not this patch
    # The patch file: no workload of its own; the patch it is, and what it sets.
    assert patch_file["containers"] == []
    [memory] = patch_file["patches"]
    assert (memory["patch"], memory["kind"], memory["kustomization"]) == (
        "patches[1]", "strategic merge", "overlay/kustomization.yaml",
    )
    assert memory["containers"][0]["settings"] == {}
    capsys.readouterr()
    main(["inspect", "overlay/kustomization.yaml", "overlay/memory.yaml"])
    out = capsys.readouterr().out
    assert "  kustomize patches[0] (JSON 6902, line 4) -> Deployment/api\n" in out
    assert "    Deployment/api in base/deployment.yaml\n" in out
    assert "GOMEMLIMIT=2GB  (env value, line 8)" in out
    assert "(resources.limits.memory, overlay/memory.yaml:9:40)" in out
    assert (
        "  kustomize patches[1] of overlay/kustomization.yaml (strategic merge, line 9) -> "
        "the objects it names\n"
    ) in out


def test_a_patch_kustomize_fails_on_is_judged_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``add …/env/-`` to a container without ``env`` fails kustomize build: the patch is
    judged alone (no base limit), and inspect says why."""
    base = BASE_DEPLOYMENT.replace('          env:\n            - name: GOGC\n'
                                   '              value: "100"\n', "")
    _tree(tmp_path, _overlay(GOMEMLIMIT_2GB, base))
    monkeypatch.chdir(tmp_path)
    _code, [finding] = _json(["--format", "json", "overlay"], capsys)
    assert finding["fix"]["edits"][0]["replacement"] == "2GiB"
    # The container is still named from the base the target selects.
    assert "container 'api' of Deployment/api in base/deployment.yaml" in finding["message"]
    _code, [info] = _json(["inspect", "--format", "json", "overlay/kustomization.yaml"], capsys)
    assert info["patches"][0]["error"] == "kustomize build fails on it: missing key 'env'"
    capsys.readouterr()
    main(["inspect", "overlay/kustomization.yaml"])
    assert "    not applied here (kustomize build fails on it: missing key 'env'): judged on " in (
        capsys.readouterr().out
    )


def test_dfm014_in_a_json6902_patch_file_and_a_patch_judged_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ops = (
        "- op: add\n  path: /spec/template/spec/containers/0/env/-\n"
        "  value: {name: GOGC, value: off}\n"
    )
    files = _overlay("patches:\n  - path: ops.yaml\n    target: {kind: Deployment}\n")
    files["overlay/ops.yaml"] = ops
    files["alone/ops.yaml"] = ops  # named by no kustomization
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, found = _json(["--format", "json", "overlay", "alone"], capsys)
    # The built container's other GOGC entry is the base's, and no GOMEMLIMIT: DFM008 too.
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in found] == [
        ("overlay/ops.yaml", "DFM008", 3, 30),
        ("overlay/ops.yaml", "DFM014", 3, 30),
        ("alone/ops.yaml", "DFM014", 3, 30),
    ]
    main(["--fix", "overlay", "alone"])
    for name in ("overlay/ops.yaml", "alone/ops.yaml"):
        assert 'value: {name: GOGC, value: "off"}' in (tmp_path / name).read_text()
    _code, [info] = _json(["inspect", "--format", "json", "alone/ops.yaml"], capsys)
    assert (info["patches"][0]["patch"], info["patches"][0]["kustomization"]) == (None, None)
    capsys.readouterr()
    main(["inspect", "alone/ops.yaml"])
    assert "kustomize JSON 6902 patch (no kustomization above names this file)" in (
        capsys.readouterr().out
    )


def test_a_strategic_merge_patch_file_is_not_a_workload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GOGC=off in a patch file of a base that sets GOMEMLIMIT: no DFM008 (the observed case),
    whether the base is read or not; the same file alone is a workload, and gets it."""
    patch = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: api\n"
        "          env: [{name: GOGC, value: \"off\"}]\n"
    )
    files = {
        "overlay/kustomization.yaml": "resources: [../base]\npatchesStrategicMerge:\n"
                                      "  - gogc.yaml\n",
        "overlay/gogc.yaml": patch,
        "alone/gogc.yaml": patch,
    }
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, found = _json(["--format", "json", "overlay", "alone"], capsys)
    assert [(f["path"], f["code"]) for f in found] == [("alone/gogc.yaml", "DFM008")]


def test_a_patch_file_two_overlays_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each kustomization above a patch file that names it applies it: the value is reported
    once, judged for each built container (the smallest limit's advice first)."""
    files = _overlay("patches:\n  - path: patches/limit.yaml\n    target: {name: api}\n")
    files["overlay/patches/limit.yaml"] = (
        "- op: replace\n  path: /spec/template/spec/containers/0/env/0\n"
        "  value: {name: GOMEMLIMIT, value: 300MB}\n"
    )
    files["overlay/patches/kustomization.yaml"] = (
        "resources: [../../base]\npatches:\n  - path: limit.yaml\n    target: {name: api}\n"
        "  - target: {name: api}\n    patch: |\n      - op: replace\n"
        "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
        "        value: 128Mi\n"
    )
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, [finding] = _json(["--format", "json", "overlay/patches/limit.yaml"], capsys)
    assert finding["code"] == "DFM004"
    assert finding["fix"]["edits"][0]["replacement"] == "102MiB"  # 0.8 of 128Mi
    assert "container 'api' of Deployment/api in base/deployment.yaml" in finding["message"]
    # The nearer kustomization's limit is the larger one now: still the smallest is judged.
    for name, limit in (("overlay/patches/kustomization.yaml", "1Gi"),
                        ("overlay/kustomization.yaml", None)):
        text = files[name]
        if limit is None:
            text += ("  - target: {name: api}\n    patch: |\n      - op: replace\n"
                     "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
                     "        value: 128Mi\n")
        else:
            text = text.replace("128Mi", limit)
        (tmp_path / name).write_text(text)
    _code, [finding] = _json(["--format", "json", "overlay/patches/limit.yaml"], capsys)
    assert finding["fix"]["edits"][0]["replacement"] == "102MiB"


def test_kustomizations_that_cannot_be_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "a/kustomization.yaml": "resources: [missing.yaml, https://example.com/x, ../b]\n"
                                "patches:\n  - path: nowhere.yaml\n  - path: ops.yaml\n"
                                "    target: {name: api}\n",
        "a/ops.yaml": "- op: add\n  path: /env/-\n  value: {name: GOMEMLIMIT, value: 1G}\n",
        "b/kustomization.yaml": "resources: [broken.yaml, ../a]\n",  # a cycle
        "b/broken.yaml": "apiVersion: v1\nkind: Pod\nspec: [\n",
    }
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, found = _json(["--format", "json", "a"], capsys)
    assert [(f["path"], f["code"]) for f in found] == [("a/ops.yaml", "DFM004")]


def test_a_patch_that_deletes_its_target_and_other_workloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the workloads a patch changes are shown for it; a patch deleting its target is
    judged alone. A kustomization above that cannot be read, or names other files, is passed."""
    other = BASE_DEPLOYMENT.replace("name: api\n  labels", "name: web\n  labels")
    files = _overlay(
        GOMEMLIMIT_2GB + "  - patch: |\n      apiVersion: apps/v1\n      kind: Deployment\n"
        "      metadata: {name: web}\n      $patch: delete\n",
        BASE_DEPLOYMENT + "---\n" + other,
    )
    files["kustomization.yaml"] = "resources: [\n"  # above overlay/: not YAML
    files["overlay/sub/kustomization.yaml"] = "resources: []\n"
    files["overlay/sub/ops.yaml"] = (
        "- op: add\n  path: /spec/template/spec/containers/0/env/-\n"
        "  value: {name: GOMEMLIMIT, value: 1G}\n"
    )
    _tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    _code, [info] = _json(["inspect", "--format", "json", "overlay/kustomization.yaml"], capsys)
    first, deleting = info["patches"]
    assert [c["workload"]["name"] for c in first["containers"]] == ["api"]
    assert deleting["error"] == "it deletes its target"
    # The operations file: named by no kustomization above it (one above is not YAML).
    _code, found = _json(["--format", "json", "overlay/sub/ops.yaml"], capsys)
    assert [f["code"] for f in found] == ["DFM004"]


def test_a_kustomization_that_cannot_be_read_builds_nothing(tmp_path: Path) -> None:
    from dfmemlint.kubernetes.kustomize_build import Files, build

    files = Files("kustomization.yaml", read_stream(b"resources: []\n"))
    assert build(str(tmp_path / "missing" / "kustomization.yaml"), files, []) is None


def test_a_limit_a_patch_lowers_under_the_base_s_gomemlimit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The base's GOMEMLIMIT is fine for its own limit; the overlay lowers the limit under it:
    reported at the overlay's limit, without a fix (the value is the base's)."""
    base = BASE_DEPLOYMENT.replace(
        '              value: "100"\n',
        '              value: "100"\n            - name: GOMEMLIMIT\n              value: 400MiB\n',
    )
    lower = (
        "patches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: replace\n"
        "        path: /spec/template/spec/containers/0/resources/limits/memory\n"
        "        value: 256Mi\n"
    )
    _tree(tmp_path, _overlay(lower, base))
    monkeypatch.chdir(tmp_path)
    code, [finding] = _json(["--format", "json", "overlay", "base"], capsys)
    assert code == 1
    assert (finding["path"], finding["code"], finding["severity"], finding["line"]) == (
        "overlay/kustomization.yaml", "DFM007", "error", 8,
    )
    assert finding["fix"] is None
    assert finding["message"].endswith(
        ". GOMEMLIMIT is set in base/deployment.yaml; the memory limit, here."
    )


def test_a_failing_patch_on_an_object_without_containers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api}\ndata: {a: b}\n"
    _tree(tmp_path, _overlay(GOMEMLIMIT_2GB.replace("kind: Deployment", "kind: ConfigMap"), base))
    monkeypatch.chdir(tmp_path)
    _code, [finding] = _json(["--format", "json", "overlay"], capsys)
    # Nothing to name it from: the operation's own words, and the target.
    assert "container 'containers/0' of ConfigMap/api" in finding["message"]
