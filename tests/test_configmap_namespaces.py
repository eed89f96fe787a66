"""Which ConfigMaps a container reads when a manifest names no namespace (the request's:
``kubectl apply -n``, ``helm install -n``), and a ConfigMap written more than once with the same
value: every copy is reported and fixed alike (``configmaps.py``)."""

from __future__ import annotations

import pytest

from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.kubernetes import configmaps
from dfmemlint.kubernetes import lint as kubernetes_lint


def _config_map(namespace: str | None, value: str = "512MB", name: str = "tuning") -> str:
    where = "" if namespace is None else f"\n  namespace: {namespace}"
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}{where}\n"
        f'data:\n  GOMEMLIMIT: "{value}"\n'
    )


def _pod(namespace: str | None, name: str = "api") -> str:
    where = "" if namespace is None else f"\n  namespace: {namespace}"
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}{where}\nspec:\n  containers:\n"
        f"    - name: {name}\n      image: x\n      envFrom:\n"
        "        - configMapRef: {name: tuning}\n"
        "      resources: {limits: {memory: 1Gi}}\n"
    )


def _lint(
    files: dict[str, str], path: str, namespace: str | None = None
) -> kubernetes_lint.ManifestResult:
    index = configmaps.ManifestIndex(
        ((name, text.encode()) for name, text in files.items()), namespace
    )
    return kubernetes_lint.lint_manifest(
        path, files[path].encode(), LintOptions(manifests=index)
    )


def _gomemlimit(result: kubernetes_lint.ManifestResult) -> str | None:
    [resolved] = result.resolved
    setting = resolved.settings.get("GOMEMLIMIT")
    return None if setting is None else setting.value


@pytest.mark.parametrize(
    ("config_map", "pod", "request_namespace", "reads"),
    [
        (None, None, None, True),  # one request: the same namespace, whatever it is
        (None, "prod", None, True),  # helm install -n prod / kubectl apply -n prod
        ("prod", None, None, True),  # the same, the other way round
        ("prod", "prod", None, True),
        ("default", None, None, True),
        ("prod", "staging", None, False),  # two namespaces the files write never meet
        ("default", "prod", None, False),
        (None, "staging", "prod", False),  # alerts --namespace prod: the ConfigMap is in prod
        ("staging", None, "prod", False),  # ... and so is the pod
        (None, "prod", "prod", True),
        ("prod", None, "prod", True),
    ],
)
def test_an_unset_namespace_is_the_requests(
    config_map: str | None, pod: str | None, request_namespace: str | None, reads: bool
) -> None:
    files = {"cm.yaml": _config_map(config_map), "pod.yaml": _pod(pod)}
    result = _lint(files, "pod.yaml", request_namespace)
    assert _gomemlimit(result) == ("512MB" if reads else None)
    # Reported where the ConfigMap holds the value, when the pod reads it.
    other = _lint(files, "cm.yaml", request_namespace)
    assert [f.code for f in other.findings] == (["DFM004"] if reads else [])


def test_a_pod_without_a_namespace_may_read_either_namespace() -> None:
    """Two ConfigMaps of one name in two namespaces, with different values: a pod whose
    manifest names no namespace may be in either, so its value is unknown (never guessed)."""
    files = {
        "cm.yaml": _config_map("prod") + "---\n" + _config_map("staging", "1GiB"),
        "pod.yaml": _pod(None),
    }
    result = _lint(files, "pod.yaml")
    assert _gomemlimit(result) is None
    [resolved] = result.resolved
    assert resolved.settings.opaque == (
        "ConfigMap tuning key GOMEMLIMIT (defined 2 times with different values, in "
        "namespaces the pod may be in: prod, staging) (envFrom)",
    )
    # A pod that names one of them reads that one.
    files["pod.yaml"] = _pod("staging")
    assert _gomemlimit(_lint(files, "pod.yaml")) == "1GiB"


def test_copies_that_agree_are_each_reported_and_fixed() -> None:
    text = "---\n".join((_config_map(None), _config_map("prod"), _pod("prod")))
    files = {"all.yaml": text}
    result = _lint(files, "all.yaml")
    assert [(f.code, f.line) for f in result.findings] == [("DFM004", 6), ("DFM004", 14)]
    assert all(f.fix is not None for f in result.findings)
    outcome = fix_file("all.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.data.count(b'"512MiB"') == 2
    assert b"512MB" not in outcome.data
    again = fix_file("all.yaml", outcome.data, LintOptions(), unsafe=False)
    assert not again.changed  # converged


def test_a_copy_that_cannot_be_edited_exactly_keeps_every_copy_unfixed() -> None:
    """A folded block scalar is not edited in place: fixing only the other copy would part
    them (then the value is unknown and the block's copy stays bad), so neither is fixed."""
    block = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuning\n"
        "data:\n  GOMEMLIMIT: >-\n    512MB\n"
    )
    text = "---\n".join((_config_map(None), block, _pod(None)))
    result = _lint({"all.yaml": text}, "all.yaml")
    assert [(f.code, f.line, f.fix) for f in result.findings] == [
        ("DFM004", 6, None), ("DFM004", 13, None),
    ]


def test_copies_read_by_pods_of_other_namespaces_are_judged_per_pod() -> None:
    """The unset ConfigMap is read by a pod in prod (beside prod's own copy) and by one in
    staging; the prod copy is reported for the prod pod only."""
    files = {
        "cms.yaml": _config_map(None) + "---\n" + _config_map("prod"),
        "prod.yaml": _pod("prod", "api"),
        "staging.yaml": _pod("staging", "job"),
    }
    result = _lint(files, "cms.yaml")
    first, second = result.findings
    assert (first.line, second.line) == (6, 14)
    assert "staging.yaml" in first.message
    assert "prod.yaml" in first.message
    assert "staging.yaml" not in second.message
    assert "prod.yaml" in second.message
