"""kustomize patches read where they are written: the edges of dfmemlint.kubernetes.kustomize
(the fixture cases are in tests/fixtures/kustomize, run by test_kubernetes_across_files.py)."""

from __future__ import annotations

import pytest

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
