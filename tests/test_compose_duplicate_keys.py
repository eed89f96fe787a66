"""A key written twice in one mapping of a Compose file: compose-go refuses the file
(``loader/reset.go`` ``resolveContainer``: ``line 17: mapping key "GOGC" already defined at line
16``), so dfmemlint reports it as a file Compose cannot read (DFM015) at the repeated key, and
judges nothing in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dfmemlint.compose.keys import find_duplicate
from dfmemlint.compose.lint import lint_compose
from dfmemlint.engine import LintOptions

HEAD = "services:\n  app:\n    image: golang:1.22\n"


def _findings(text: str, path: str = "compose.yaml") -> list[tuple[str, int, int, str]]:
    result = lint_compose(path, text.encode(), LintOptions())
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        # The environment variable written twice (the issue's example): Compose refuses the file.
        (
            HEAD + "    environment:\n      GOMEMLIMIT: 100MiB\n      GOMEMLIMIT: 200MiB\n",
            6, 7, 'mapping key "GOMEMLIMIT" already defined at line 5',
        ),
        # Quoting does not make another key: the Value compared is the text after quoting.
        (
            HEAD + "    environment:\n      GOGC: 'off'\n      \"GOGC\": 100\n",
            6, 7, 'mapping key "GOGC" already defined at line 5',
        ),
        (HEAD + "    environment:\n      1: a\n      '1': b\n", 6, 7, 'mapping key "1"'),
        # A service twice, and a service's field twice.
        (HEAD + "  app:\n    image: x\n", 4, 3, 'mapping key "app" already defined at line 2'),
        (HEAD + "    mem_limit: 1g\n    mem_limit: 2g\n", 5, 5, 'mapping key "mem_limit"'),
        # The top level.
        (HEAD + "services: {}\n", 4, 1, 'mapping key "services" already defined at line 1'),
        # Two merge keys in one mapping are two '<<' keys.
        (
            "x-a: &a {GOGC: 'off'}\nx-b: &b {GOGC: '50'}\n" + HEAD
            + "    environment:\n      <<: *a\n      <<: *b\n",
            8, 7, 'mapping key "<<" already defined at line 7',
        ),
        # Collection keys all have the empty Value to compose-go: two of them are a repeat.
        (
            "x-keys:\n  ? [a]\n  : 1\n  ? {b: 1}\n  : 2\n" + HEAD,
            4, 5, 'mapping key "" already defined at line 2',
        ),
        # In a flow mapping.
        (HEAD + "    environment: {A: 1, A: 2}\n", 4, 25, 'mapping key "A"'),
    ],
)
def test_a_repeated_key_is_reported_where_it_is_repeated(
    project: Path, text: str, line: int, column: int, words: str
) -> None:
    ((code, found_line, found_column, message),) = _findings(text)
    assert (code, found_line, found_column) == ("DFM015", line, column)
    assert words in message
    assert "Compose refuses" in message


def test_the_first_repeat_in_compose_gos_order_is_reported(project: Path) -> None:
    # The walk goes into a key's value before it compares the next key: the repeat inside
    # 'app' (line 5) comes before the repeat of 'app' itself (line 7).
    text = (
        "services:\n  app:\n    image: x\n    environment: {}\n    image: y\n"
        "  other: {}\n  app: {}\n"
    )
    assert [(c, line) for c, line, _, _ in _findings(text)] == [("DFM015", 5)]


def test_an_anchored_mapping_is_walked_once(project: Path) -> None:
    # Reached three times through aliases, its repeat is reported once, where it is written.
    text = (
        "x-env: &env\n  GOGC: 'off'\n  GOGC: '100'\nservices:\n"
        "  a: {image: x, environment: *env}\n  b: {image: x, environment: *env}\n"
    )
    assert [(c, line, col) for c, line, col, _ in _findings(text)] == [("DFM015", 3, 3)]


def test_a_reset_node_is_not_walked_and_list_entries_are_no_keys(project: Path) -> None:
    # compose-go drops a !reset node before it looks inside; a list-form environment has no
    # mapping keys (a later entry of the same variable wins: types/mapping.go).
    text = (
        HEAD + "    environment:\n      - GOGC=off\n      - GOGC=100\n"
        "    labels: !reset\n      a: 1\n      a: 2\n"
    )
    assert _findings(text) == []


def test_no_repeat_in_many_documents_and_deep_nesting() -> None:
    deep = "a:\n" + "".join("  " * n + f"k{n}:\n" for n in range(1, 400)) + "  " * 400 + "v: 1\n"
    assert find_duplicate(yaml.compose(deep, Loader=yaml.SafeLoader)) is None
    repeated = find_duplicate(yaml.compose("a: {b: [{c: 1, c: 2}]}\n", Loader=yaml.SafeLoader))
    assert repeated is not None
    assert (repeated.key, repeated.node.start_mark.column, repeated.first_line) == ("c", 15, 1)


def test_a_repeat_in_the_override_file(project: Path) -> None:
    (project / "compose.yaml").write_text(HEAD)
    override = "services:\n  app:\n    mem_limit: 1g\n    mem_limit: 2g\n"
    (project / "compose.override.yaml").write_text(override)
    found = _findings(override, "compose.override.yaml")
    assert [(c, line, col) for c, line, col, _ in found] == [("DFM015", 4, 5)]
    # The base file is reported too (its project cannot be read), naming the other file.
    ((code, line, _, message),) = _findings(HEAD)
    assert (code, line) == ("DFM015", 1)
    assert "compose.override.yaml:4: mapping key" in message
