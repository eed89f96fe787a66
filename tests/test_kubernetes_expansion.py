"""``$(VAR)`` references in env values, expanded as the kubelet expands them
(``third_party/forked/golang/expansion/expand.go``; ``makeEnvironmentVariables``)."""

from __future__ import annotations

import pytest

from dfmemlint.engine import LintOptions
from dfmemlint.formats import lint
from dfmemlint.kubernetes import model
from dfmemlint.kubernetes.environment import resolve_all
from dfmemlint.kubernetes.expansion import expand
from dfmemlint.yamlsource.reader import read_stream

VARIABLES = {"A": "400", "B": None, "E": ""}


@pytest.mark.parametrize(
    ("text", "value", "undefined"),
    [
        ("$(A)MiB", "400MiB", ()),
        ("$(A)$(A)", "400400", ()),
        ("$(E)512MiB", "512MiB", ()),
        ("$$(A)", "$(A)", ()),  # an escaped reference stays as written
        ("$$$(A)", "$400", ()),
        ("$(C)", "$(C)", ("C",)),  # an unset variable is kept as written
        ("x$(C)y$(A)", "x$(C)y400", ("C",)),
        ("$(A", "$(A", ()),  # no closing parenthesis
        ("$A", "$A", ()),
        ("a$", "a$", ()),
        ("$", "$", ()),
        ("$()", "$()", ("",)),
        ("$(B)", None, ()),  # set, with a value the files do not show
        ("$(X_SERVICE_HOST):80", None, ()),  # a Service variable: not in the files
        ("$(DB_PORT)", None, ()),
    ],
)
def test_expand_as_the_kubelet_does(
    text: str, value: str | None, undefined: tuple[str, ...]
) -> None:
    expansion = expand(text, VARIABLES)
    assert expansion.value == value
    assert expansion.undefined == undefined


def test_open_ended_sources_make_unset_references_unknown() -> None:
    assert expand("$(C)", VARIABLES, open_ended=True).value is None
    assert expand("$(A)", VARIABLES, open_ended=True).value == "400"
    assert expand("$(A)", VARIABLES).alone == "A"
    assert expand("$(A)MiB", VARIABLES).alone is None


POD = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: tuning
data:
  MIB: "300"
  GOGC: "80"
---
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
    - name: api
      image: example/api
{env}
      resources: {{limits: {{memory: 512Mi}}}}
"""


def _settings(env: str) -> dict[str, tuple[str | None, int, bool]]:
    data = POD.format(env=env).encode()
    resolved = resolve_all(model.read("pod.yaml", read_stream(data)))[0]
    found = {}
    for name, setting in resolved.settings.settings.items():
        line = data[: setting.place.start].count(b"\n") + 1
        found[name] = (setting.value, line, setting.place.editable)
    return found


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # a reference to an earlier entry: placed where that entry's value is written
        ("      env:\n        - {name: LIMIT, value: 400MiB}\n"
         "        - {name: GOMEMLIMIT, value: $(LIMIT)}",
         {"GOMEMLIMIT": ("400MiB", 18, True)}),
        # built from a ConfigMap read with envFrom: placed at the literal, not editable
        ("      envFrom: [{configMapRef: {name: tuning}}]\n      env:\n"
         "        - {name: GOMEMLIMIT, value: \"$(MIB)MiB\"}",
         {"GOMEMLIMIT": ("300MiB", 19, False), "GOGC": ("80", 7, True)}),
        # an entry read from a ConfigMap key, alone: placed where the ConfigMap writes it
        ("      env:\n        - name: L\n"
         "          valueFrom: {configMapKeyRef: {name: tuning, key: MIB}}\n"
         "        - {name: GOGC, value: $(L)}",
         {"GOGC": ("300", 6, True)}),
        # a later entry is not yet set: kept as written
        ("      env:\n        - {name: GOMEMLIMIT, value: \"$(LIMIT)\"}\n"
         "        - {name: LIMIT, value: 400MiB}",
         {"GOMEMLIMIT": ("$(LIMIT)", 18, False)}),
        ("      env:\n        - {name: GOGC, value: \"$$(X)\"}",
         {"GOGC": ("$(X)", 18, False)}),
        # the kubelet expands only $(NAME); ${NAME} is left to a tool that may substitute it
        # before apply (envsubst, Flux's postBuild): unknown
        ("      env:\n        - {name: GOMEMLIMIT, value: \"${LIMIT}\"}",
         {"GOMEMLIMIT": (None, 18, True)}),
        ("      env:\n        - {name: GOMEMLIMIT, value: \"${A}$(B)\"}",
         {"GOMEMLIMIT": (None, 18, True)}),
        # a $ that starts no reference reaches the program as written, where it is written
        ("      env:\n        - {name: GOMEMLIMIT, value: \"512MiB$\"}",
         {"GOMEMLIMIT": ("512MiB$", 18, True)}),
        # the downward API in MiB, then a suffix
        ("      env:\n        - name: MIB\n          valueFrom:\n"
         "            resourceFieldRef: {resource: limits.memory, divisor: 1Mi}\n"
         "        - {name: GOMEMLIMIT, value: $(MIB)MiB}",
         {"GOMEMLIMIT": ("512MiB", 21, False)}),
        # a Secret's value is not in the files, before or through envFrom
        ("      env:\n        - name: S\n          valueFrom: {secretKeyRef: {name: s, key: k}}\n"
         "        - {name: GOMEMLIMIT, value: $(S)}",
         {"GOMEMLIMIT": (None, 20, False)}),
        ("      envFrom: [{configMapRef: {name: tuning}}, {secretRef: {name: s}}]\n      env:\n"
         "        - {name: GOMEMLIMIT, value: $(MIB)MiB}\n        - {name: GOGC, value: $(NEW)}",
         {"GOMEMLIMIT": (None, 19, False), "GOGC": (None, 20, False)}),
        # a null value is empty, as is a missing one
        ("      env:\n        - {name: GOMEMLIMIT, value: ~}", {"GOMEMLIMIT": ("", 18, True)}),
        ("      env:\n        - {name: GOMEMLIMIT, value: !!null ''}",
         {"GOMEMLIMIT": ("", 18, False)}),
    ],
)
def test_references_resolve_in_order(
    env: str, expected: dict[str, tuple[str | None, int, bool]]
) -> None:
    assert _settings(env) == expected


def test_an_unset_reference_reaches_go_and_is_malformed() -> None:
    data = POD.format(env="      env:\n        - {name: GOMEMLIMIT, value: \"$(LIMIT)\"}").encode()
    findings = lint("pod.yaml", data, LintOptions()).findings
    assert [(f.code, f.line) for f in findings] == [("DFM004", 18)]
    assert findings[0].fix is None


def test_a_referenced_value_is_judged_and_fixed_where_it_is_written() -> None:
    env = ("      env:\n        - {name: LIMIT, value: 512MB}\n"
           "        - {name: GOMEMLIMIT, value: $(LIMIT)}")
    findings = lint("pod.yaml", POD.format(env=env).encode(), LintOptions()).findings
    assert [(f.code, f.line, f.column) for f in findings] == [("DFM004", 18, 32)]
    assert findings[0].fix is not None


def test_a_value_built_from_the_limit_is_out_of_range() -> None:
    env = ("      env:\n        - name: MIB\n          valueFrom:\n"
           "            resourceFieldRef: {resource: limits.memory, divisor: 1Mi}\n"
           "        - {name: GOMEMLIMIT, value: \"$(MIB)MiB\"}")
    findings = lint("pod.yaml", POD.format(env=env).encode(), LintOptions()).findings
    assert [(f.code, f.line) for f in findings] == [("DFM007", 21)]


def test_a_null_configmap_value_is_empty() -> None:
    data = POD.format(env="      envFrom: [{configMapRef: {name: tuning}}]").replace(
        'GOGC: "80"', "GOGC: ~").encode()
    resolved = resolve_all(model.read("pod.yaml", read_stream(data)))[0]
    assert resolved.settings.settings["GOGC"].value == ""
