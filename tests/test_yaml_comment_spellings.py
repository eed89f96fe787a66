"""A ``# dfmemlint`` comment in a Kubernetes manifest or a Compose file is read with the same
grammar as in a Dockerfile (dfmemlint.engine.pragma_body and keyed_setting): hadolint's spelling
without a colon, ``:`` or blanks between the key and the codes, any letter case. Only the
setting a YAML file cannot take, ``memory-limit``, and text that is no setting are DFM017."""

from __future__ import annotations

import pytest
from helpers.compose import compose_service
from helpers.manifests import workload

from dfmemlint.engine import LintOptions
from dfmemlint.formats import lint

SPELLINGS = [
    "# dfmemlint: ignore=DFM004",
    "# dfmemlint ignore=DFM004",  # hadolint's spelling, no colon
    "# dfmemlint: ignore DFM004",
    "# dfmemlint:ignore=DFM004",
    "# dfmemlint ignore DFM004",
    "# DFMEMLINT: Ignore: DFM004",
    "#dfmemlint: ignore = DFM004",
]
GLOBAL_SPELLINGS = [
    "# dfmemlint global ignore=DFM004",
    "# dfmemlint: global ignore DFM004",
    "# dfmemlint: Global  Ignore: DFM004",
]


def _pod(comment: str) -> str:
    return workload(
        "          resources: {limits: {memory: 512Mi}}\n"
        "          env:\n"
        f"            {comment}\n"
        "            - {name: GOMEMLIMIT, value: 400MB}\n"
    )


def _compose(comment: str) -> str:
    return compose_service(f"    environment:\n      {comment}\n      GOMEMLIMIT: 400MB\n")


def _codes(path: str, text: str) -> list[str]:
    return [f.code for f in lint(path, text.encode(), LintOptions()).findings]


@pytest.mark.parametrize("comment", SPELLINGS)
@pytest.mark.parametrize(("path", "make"), [("pod.yaml", _pod), ("compose.yaml", _compose)])
def test_every_dockerfile_spelling_works_in_yaml(comment: str, path: str, make: object) -> None:
    assert callable(make)
    assert "DFM004" in _codes(path, make("# no comment"))  # the finding it hides
    assert _codes(path, make(comment)) == []


@pytest.mark.parametrize("comment", GLOBAL_SPELLINGS)
@pytest.mark.parametrize(("path", "make"), [("pod.yaml", _pod), ("compose.yaml", _compose)])
def test_global_spellings_work_in_yaml(comment: str, path: str, make: object) -> None:
    assert callable(make)
    text = make("# no comment")
    assert _codes(path, f"{comment}\n{text}") == []


@pytest.mark.parametrize(
    ("comment", "shown"),
    [
        ("# dfmemlint ignroe=DFM004", "'ignroe=DFM004'"),
        ("# dfmemlint: ignroe DFM004", "'ignroe DFM004'"),
        ("# dfmemlint: memory-limit=512MiB", "'memory-limit=512MiB'"),
        ("# dfmemlint: disable DFM004", "'disable DFM004'"),
    ],
)
def test_what_is_no_yaml_setting_is_dfm017_at_its_text(comment: str, shown: str) -> None:
    text = _pod(comment)
    findings = lint("pod.yaml", text.encode(), LintOptions()).findings
    [problem] = [f for f in findings if f.code == "DFM017"]
    assert f"dfmemlint comment not understood: {shown}" in problem.message
    line = text.splitlines()[problem.line - 1]
    body = shown.strip("'")
    assert line[problem.column - 1 : problem.end_column - 1] == body
    assert "DFM004" in [f.code for f in findings]  # nothing was hidden


def test_prose_that_mentions_dfmemlint_is_no_setting() -> None:
    assert _codes("pod.yaml", _pod("# dfmemlint runs in CI on this file")) == ["DFM004"]


def test_an_unknown_code_is_dfm017_at_the_code_in_every_spelling() -> None:
    text = _pod("# dfmemlint ignore DFM004, DFM999")
    findings = lint("pod.yaml", text.encode(), LintOptions()).findings
    [problem] = [f for f in findings if f.code == "DFM017"]
    line = text.splitlines()[problem.line - 1]
    assert line[problem.column - 1 : problem.end_column - 1] == "DFM999"
    assert "DFM004" not in [f.code for f in findings]
