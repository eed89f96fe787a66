"""A Compose value is judged as the text Compose's interpolation gives the container
(compose-spec/compose-go ``template/template.go``): ``$$`` is one literal ``$``, so
``GOMEMLIMIT: "$${X}"`` hands Go the malformed ``${X}``; findings point at the text that makes the
value, and what a fix writes interpolates to what the fix means."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dfmemlint.compose.interpolate import interpolate, literal
from dfmemlint.compose.lint import lint_compose
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.kubernetes.lint import lint_manifest

# Templates interpolated by compose-go v2.13.0's own template package (tests/compose_template),
# with V=1 and E= set, every other variable unset; an error is a null value.
SUBSTITUTIONS = Path(__file__).parent / "fixtures" / "compose-template" / "substitutions.jsonl"


def _findings(text: str, options: LintOptions | None = None) -> list[tuple[str, int, int, int]]:
    result = lint_compose("compose.yaml", text.encode(), options or LintOptions())
    return [(f.code, f.line, f.column, f.end_column) for f in result.findings]


def _service(environment: str, extra: str = "") -> str:
    return f"services:\n  app:\n    image: golang:1.22\n{extra}    environment:\n{environment}"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        # The example: the container gets the literal ${X}, which Go refuses.
        ('      GOMEMLIMIT: "$${X}"\n', ("DFM004", 5, 20, 25)),
        ("      GOMEMLIMIT: $${X}\n", ("DFM004", 5, 19, 24)),
        ("      GOMEMLIMIT: '$${X}'\n", ("DFM004", 5, 20, 25)),
        ("      - GOMEMLIMIT=$${X:-512MiB}\n", ("DFM004", 5, 20, 33)),
        ("      GOMEMLIMIT: 512MiB$$\n", ("DFM004", 5, 19, 27)),
        ("      GOMEMLIMIT: $$\n", ("DFM004", 5, 19, 21)),
        # An escape inside a default: the finding spans the default, not the ${...} around it.
        ("      GOMEMLIMIT: ${UNSET:-5$$12MiB}\n", ("DFM004", 5, 28, 36)),
        ("      GOMEMLIMIT: ${UNSET:-$${X}}\n", ("DFM004", 5, 28, 33)),
    ],
)
def test_an_escaped_value_is_judged_as_compose_interpolates_it(
    project: Path, entry: str, expected: tuple[str, int, int, int]
) -> None:
    assert _findings(_service(entry)) == [expected]


def test_the_message_names_the_interpolated_value_and_the_escape(project: Path) -> None:
    result = lint_compose(
        "compose.yaml", _service('      GOMEMLIMIT: "$${X}"\n').encode(), LintOptions()
    )
    (finding,) = result.findings
    assert "GOMEMLIMIT=${X} " in finding.message
    assert "$$ as one $" in finding.message
    assert finding.fix is None  # no value Go accepts can be read into ${X}


@pytest.mark.parametrize(
    ("entry", "codes"),
    [
        # $$off is the text $off: not off, so the collector runs (Go's readGOGC reads it as 100).
        ("      GOGC: $$off\n", []),
        ("      - GOGC=$${GOGC:-off}\n", []),
        # The default of an unset variable is what Compose gives: off.
        ("      GOGC: ${UNSET:-off}\n", ["DFM008"]),
        ("      GOGC: ${UNSET-off}\n", ["DFM008"]),
        # Nested defaults: the inner default applies.
        ("      GOGC: ${A:-${B:-off}}\n", ["DFM008"]),
        # An alternative applies only when the variable is set: unknown here, never guessed.
        ("      GOGC: ${UNSET:+off}\n", []),
        ("      GOGC: ${UNSET+off}\n", []),
        # A required variable the shell must give: unknown.
        ("      GOGC: ${UNSET:?set it}\n", []),
        ("      GOGC: ${UNSET?set it}\n", []),
    ],
)
def test_substitution_forms_decide_gogc(project: Path, entry: str, codes: list[str]) -> None:
    assert [code for code, *_ in _findings(_service(entry))] == codes


@pytest.mark.parametrize(
    ("dotenv", "template", "expected"),
    [
        # Each form of template/template.go with the variable set, set but empty, and unset
        # (unset with a default gives the default; unset otherwise is unknown: None).
        ("V=1", "${V:-d}", "1"),
        ("V=", "${V:-d}", "d"),
        ("", "${V:-d}", "d"),
        ("V=1", "${V-d}", "1"),
        ("V=", "${V-d}", ""),
        ("", "${V-d}", "d"),
        ("V=1", "${V:+r}", "r"),
        ("V=", "${V:+r}", ""),
        ("", "${V:+r}", None),
        ("V=1", "${V+r}", "r"),
        ("V=", "${V+r}", "r"),
        ("", "${V+r}", None),
        ("V=1", "${V:?e}", "1"),
        ("V=", "${V:?e}", None),
        ("V=", "${V?e}", ""),
        ("V=1", "$V", "1"),
        ("V=1", "$${V}", "${V}"),
        ("V=1", "$$$V", "$1"),
        ("V=1", "$$$$V", "$$V"),
        ("V=1", "${U:-${V}}", "1"),
        ("V=1", "${U:-${W:-$$}}", "$"),
        ("V=1", "${U:-a$${V}b}", "a${V}b"),
        # The first separator in the template decides (getSubstitutionFunctionForTemplate).
        ("V=1", "${U-x:-y}", "x:-y"),
        ("V=1", "${U:-x-y}", "x-y"),
        # Text after the first closing brace is interpolated again (the rest).
        ("V=1", "${U:-x}}$V", "x}1"),
    ],
)
def test_every_substitution_form(dotenv: str, template: str, expected: str | None) -> None:
    values = dict(line.split("=", 1) for line in dotenv.splitlines())
    assert interpolate(template, values.get).value == expected


def test_interpolation_agrees_with_compose_go() -> None:
    """Every template up to three characters of ``${}:-+?`` and variable names, and longer ones
    built from each form (escapes, defaults, alternatives, required, nesting): the value
    compose-go computes, or an error where it errs; where the value depends on a variable the
    shell may set (U), dfmemlint says unknown instead (it never guesses the shell empty)."""
    env = {"V": "1", "E": ""}
    compared = unknown = 0
    for line in SUBSTITUTIONS.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        result = interpolate(case["template"], env.get)
        if result.error is not None:
            assert case["value"] is None, (case, result)
        elif result.value is None:
            assert result.unknown, (case, result)
            unknown += 1
        else:
            assert result.value == case["value"], (case, result)
            compared += 1
    # The check compares (it is not vacuous), and meets the shell's variables too.
    assert compared >= 1200
    assert unknown >= 100


@given(st.text(alphabet="$ab{}:-+?_0123456789MiB", max_size=20))
def test_what_a_fix_writes_interpolates_to_its_text(text: str) -> None:
    assert interpolate(literal(text), lambda name: None).value == text


def test_a_fix_in_a_default_interpolates_to_the_suggestion(project: Path) -> None:
    text = _service("      GOMEMLIMIT: ${UNSET:-512MB}\n", "    mem_limit: 1g\n")
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=False)
    assert outcome.data == text.replace("512MB", "512MiB").encode()
    assert interpolate("${UNSET:-512MiB}", lambda name: None).value == "512MiB"


def test_an_escaped_value_gets_no_fix_that_would_change_its_meaning(project: Path) -> None:
    # The value is the one character '$' after '5': no respelling reads it, so no fix writes.
    text = _service("      GOMEMLIMIT: ${UNSET:-5$$12MiB}\n", "    mem_limit: 1g\n")
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=True)
    assert outcome.data == text.encode()


def test_a_dollar_in_a_fix_is_written_escaped(project: Path) -> None:
    from dfmemlint.compose.lint import _as_template
    from dfmemlint.containers import Place
    from dfmemlint.rules.values import ValueProblem
    from dfmemlint.types import Applicability, Edit, Fix

    fix = Fix("t", (Edit(3, 5, b"a$b"),), Applicability.SAFE)
    problem = ValueProblem("DFM004", Place("compose.yaml", 3, 5, True), "m", None, fix)
    escaped = _as_template(problem)
    assert escaped.fix is not None
    assert escaped.fix.edits == (Edit(3, 5, b"a$$b"),)
    plain = problem._replace(fix=fix._replace(edits=(Edit(3, 5, b"512MiB"),)))
    assert _as_template(plain) is plain


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # Kubernetes expands $$ to one $ too (expansion.go, tryReadVariableName).
        ('"1GiB$$"', "1GiB$"),
        ('"$$512MiB"', "$512MiB"),
        ('"512MiB$"', "512MiB$"),
    ],
)
def test_a_kubernetes_value_with_an_escape_is_judged_expanded(value: str, shown: str) -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "  - name: app\n    image: golang:1.22\n    env:\n    - name: GOMEMLIMIT\n"
        f"      value: {value}\n"
    )
    result = lint_manifest("pod.yaml", manifest.encode(), LintOptions())
    (finding,) = [f for f in result.findings if f.code == "DFM004"]
    assert f"GOMEMLIMIT={shown} " in finding.message
