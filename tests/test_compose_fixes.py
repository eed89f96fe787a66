"""Compose: quotes kept in a list-form environment entry (DFM004 says so and removes them), and
GOGC=off without GOMEMLIMIT (DFM008 advice worded for a service; GOMEMLIMIT added from the
service's limit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dfmemlint.compose.lint import lint_compose
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.types import Applicability, Finding


def _findings(project: Path, text: str, name: str = "compose.yaml") -> list[Finding]:
    (project / name).write_text(text)
    return lint_compose(name, text.encode(), LintOptions()).findings


def _service(environment: str, limit: str = "    mem_limit: 512m\n") -> str:
    return f"services:\n  api:\n    image: example/api\n{limit}    environment:\n{environment}"


# --- Quotes in a list-form entry ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "fixed"),
    [
        ('"400MiB"', "400MiB"),
        ("'400MiB'", "400MiB"),
        ('"off"', "off"),
        ('"1.5GiB"', "1536MiB"),  # the quotes go, and the decimal is respelled exactly
        ("'384mib'", "384MiB"),
    ],
)
def test_quoted_list_entry_is_malformed_and_the_fix_removes_the_quotes(
    project: Path, written: str, fixed: str
) -> None:
    text = _service(f"      - GOMEMLIMIT={written}\n", "    mem_limit: 4g\n")
    [finding] = _findings(project, text)
    assert finding.code == "DFM004"
    assert (finding.line, finding.column, finding.end_column) == (6, 20, 20 + len(written))
    assert "quotes are part of the value" in finding.message
    assert "list-form environment entry" in finding.message
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.SAFE
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.error is None
    assert outcome.data == text.replace(written, fixed).encode()
    assert lint_compose("compose.yaml", outcome.data, LintOptions()).findings == []


def test_quoted_value_too_close_to_the_limit_is_fixed_to_the_recommended_value(
    project: Path,
) -> None:
    text = _service('      - GOMEMLIMIT="500MiB"\n')
    [finding] = _findings(project, text)
    assert finding.fix is not None
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.data == text.replace('"500MiB"', "409MiB").encode()


def test_map_form_quotes_are_yaml_quotes(project: Path) -> None:
    # YAML removes these: the value is 400MiB.
    assert _findings(project, _service('      GOMEMLIMIT: "400MiB"\n')) == []


def test_quotes_inside_a_yaml_string_are_kept_too(project: Path) -> None:
    # A single-quoted YAML string holding double quotes: the value has them, as in a list entry,
    # but the message does not speak of a list entry.
    [finding] = _findings(project, _service("      GOMEMLIMIT: '\"400MiB\"'\n"))
    assert finding.code == "DFM004"
    assert "quotes are part of the value" in finding.message
    assert "list-form" not in finding.message


def test_unquoted_list_entry_message_says_nothing_of_quotes(project: Path) -> None:
    [finding] = _findings(project, _service("      - GOMEMLIMIT=400MB\n"))
    assert "quotes" not in finding.message
    assert "list-form" not in finding.message


@pytest.mark.parametrize(
    "value", ['"400MiB"', "'off'", '"a"b"', '""', "'x'"]
)
def test_quoted_values_are_malformed_in_go(value: str) -> None:
    assert judge_gomemlimit(value).status is MemLimitStatus.MALFORMED


@pytest.mark.parametrize(("value", "suggestion"), [('"a"b"', None), ('""', None), ("'x'", None)])
def test_quoted_text_that_is_no_value_gets_no_suggestion(value: str, suggestion: None) -> None:
    assert judge_gomemlimit(value).suggestion is suggestion


# --- DFM008 in Compose ---------------------------------------------------------------------------


def test_gogc_off_without_a_limit_names_the_compose_fields(project: Path) -> None:
    [finding] = _findings(project, _service("      GOGC: \"off\"\n", limit=""))
    assert finding.code == "DFM008"
    assert "service's memory limit" in finding.message
    assert "mem_limit or deploy.resources.limits.memory" in finding.message
    assert "container's memory limit" not in finding.message
    assert finding.fix is None


@pytest.mark.parametrize(
    ("limit", "field", "added"),
    [
        ("    mem_limit: 512m\n", "mem_limit", "409MiB"),
        ("    mem_limit: 1g\n", "mem_limit", "819MiB"),
        (
            "    deploy:\n      resources:\n        limits:\n          memory: 300M\n",
            "deploy.resources.limits.memory",
            "240MiB",
        ),
    ],
)
def test_gogc_off_with_a_limit_adds_gomemlimit_from_it(
    project: Path, limit: str, field: str, added: str
) -> None:
    text = _service('      GOGC: "off"\n      LOG: info\n', limit)
    [finding] = _findings(project, text)
    assert f"GOMEMLIMIT={added} (0.8 of the service's" in finding.message
    assert field in finding.message
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.SAFE
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.error is None
    assert outcome.data == text.replace(
        '"off"\n', f'"off"\n      GOMEMLIMIT: {added}\n'
    ).encode()
    again = fix_file("compose.yaml", outcome.data, LintOptions(), unsafe=False)
    assert again.data == outcome.data


def test_gogc_off_fix_follows_the_ratio(project: Path) -> None:
    text = _service("      - GOGC=off\n")
    (project / "compose.yaml").write_text(text)
    options = LintOptions(ratio=0.5)
    outcome = fix_file("compose.yaml", text.encode(), options, unsafe=False)
    assert outcome.data == text.replace("off\n", "off\n      - GOMEMLIMIT=256MiB\n").encode()


def test_gogc_off_default_of_a_variable_gets_gomemlimit_after_it(project: Path) -> None:
    text = _service("      - GOGC=${GOGC:-off}  # tuned\n")
    (project / "compose.yaml").write_text(text)
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.data == (text + "      - GOMEMLIMIT=409MiB\n").encode()


def test_gogc_off_on_the_last_line_without_a_line_break(project: Path) -> None:
    text = _service("      GOGC: 'off'")
    (project / "compose.yaml").write_text(text)
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.data == (text + "\n      GOMEMLIMIT: 409MiB").encode()


@pytest.mark.parametrize(
    "environment",
    [
        "      GOGC: \"off\"\n      GOMEMLIMIT: \"off\"\n",  # a second key would be a duplicate
        "      GOGC: \"off\"\n      GOMEMLIMIT: ''\n",
        "      - GOGC=off\n      - GOMEMLIMIT=off\n",
        "      [GOGC=off]\n",  # flow style: no line of its own
        "      GOGC: >-\n        off\n",  # a folded scalar over two lines
    ],
)
def test_gogc_off_gets_no_gomemlimit_added_where_it_cannot_go(
    project: Path, environment: str
) -> None:
    text = _service(environment).replace("environment:\n      [", "environment: [")
    findings = _findings(project, text)
    assert [f.code for f in findings] == ["DFM008"]
    assert findings[0].fix is None


def test_gogc_off_shared_through_an_anchor_gets_no_fix(project: Path) -> None:
    text = (
        "x-env: &env\n  GOGC: \"off\"\n"
        "services:\n"
        "  api:\n    image: a\n    mem_limit: 512m\n    environment: *env\n"
        "  db:\n    image: b\n    mem_limit: 1g\n    environment: *env\n"
    )
    findings = _findings(project, text)
    assert [f.code for f in findings] == ["DFM008"]
    assert findings[0].fix is None


def test_gogc_off_from_the_dotenv_file_gets_no_fix(project: Path) -> None:
    (project / ".env").write_text("GOGC=off\n")
    findings = _findings(project, _service("      - GOGC\n"))
    assert [f.code for f in findings] == ["DFM008"]
    assert findings[0].fix is None


def test_leaf_comparison_allows_an_added_entry_and_nothing_else() -> None:
    from yaml_leaves import same_apart_from_edits

    before = b"env:\n  - GOGC=off\n  - LOG=info\n"
    at = before.index(b"  - LOG")
    same_apart_from_edits(before, before[:at] + b"  - GOMEMLIMIT=1MiB\n" + before[at:], [(at, at)])
    with pytest.raises(AssertionError):
        same_apart_from_edits(before, before[:at] + b"  - GOMEMLIMIT=1MiB\n", [(at, at)])
    with pytest.raises(AssertionError):
        same_apart_from_edits(
            before, before[:at] + b"  - GOMEMLIMIT=1MiB\n  - LOG=debug\n", [(at, at)]
        )


def test_gogc_off_with_an_anchor_on_its_value_gets_no_fix(project: Path) -> None:
    findings = _findings(project, _service('      GOGC: &gogc "off"\n'))
    assert [f.code for f in findings] == ["DFM008"]
    assert findings[0].fix is None
