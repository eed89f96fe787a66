"""Configuration: ``[tool.dfmemlint]`` in pyproject.toml or ``.dfmemlint.toml``, found by walking up
from each file; unknown keys and bad values are errors (exit 2) naming the key and the file; flags
on the command line win."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfmemlint import config
from dfmemlint.cli import main
from dfmemlint.config import Config, ConfigError, find_config, load_file
from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.types import Severity

DOCKERFILE = (
    b"FROM golang:1.22 AS build\nRUN GOMEMLIMIT=1GiB go build -o /app .\n\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=500MiB\nCMD ["/app"]\n'
)
# Unconfigured: DFM001 (info: the final image has its own limit). With a 512MiB limit declared,
# also DFM007 (warning: 500MiB is 97.6% of it).


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    config.clear_cache()
    yield
    config.clear_cache()


def lint_json(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]], str]:
    code = main(["--format", "json", "--no-color", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else []), err


def project(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    dockerfile = tmp_path / "sub" / "dir" / "Dockerfile"
    dockerfile.parent.mkdir(parents=True, exist_ok=True)
    dockerfile.write_bytes(DOCKERFILE)
    return dockerfile


# --- finding the file ----------------------------------------------------------------------------


def test_no_configuration_anywhere(tmp_path: Path) -> None:
    assert find_config(str(tmp_path)) == Config()


def test_pyproject_table_found_walking_up(tmp_path: Path) -> None:
    path = project(tmp_path, "pyproject.toml", '[tool.dfmemlint]\nmemory-limit = "512MiB"\n')
    found = find_config(str(path))
    assert found.path == str(tmp_path / "pyproject.toml")
    assert found.memory_limit == 512 << 20


def test_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / ".dfmemlint.toml").write_text('ratio = 0.7\n', encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[tool.black]\nline-length = 100\n', encoding="utf-8")
    found = find_config(str(inner / "Dockerfile"))
    assert found.path == str(tmp_path / ".dfmemlint.toml")
    assert found.ratio == 0.7


@pytest.mark.parametrize(
    ("present", "taken"),
    [
        ((".dfmemlint.toml", "dfmemlint.toml", "pyproject.toml"), ".dfmemlint.toml"),
        (("dfmemlint.toml", "pyproject.toml"), "dfmemlint.toml"),
        (("pyproject.toml",), "pyproject.toml"),
    ],
)
def test_which_file_a_directory_gives(
    tmp_path: Path, present: tuple[str, ...], taken: str
) -> None:
    """One directory's files are taken in ruff's order (.ruff.toml, ruff.toml, pyproject.toml)."""
    for name in present:
        table = "[tool.dfmemlint]\n" if name == "pyproject.toml" else ""
        (tmp_path / name).write_text(f'{table}ratio = 0.7\n', encoding="utf-8")
    found = find_config(str(tmp_path / "Dockerfile"))
    assert found.path == str(tmp_path / taken)


def test_dfmemlint_toml_takes_top_level_keys(tmp_path: Path) -> None:
    text = 'select = ["DFM004", "DFM007"]\nfail-on = "error"\n'
    path = project(tmp_path, ".dfmemlint.toml", text)
    found = find_config(str(path))
    assert found.select == frozenset({"DFM004", "DFM007"})
    assert found.fail_on is Severity.ERROR


def test_dfmemlint_toml_may_use_the_tool_table(tmp_path: Path) -> None:
    path = project(tmp_path, ".dfmemlint.toml", '[tool.dfmemlint]\nignore = ["DFM003"]\n')
    assert find_config(str(path)).ignore == frozenset({"DFM003"})


def test_dfmemlint_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.dfmemlint]\nratio = 0.5\n', encoding="utf-8")
    (tmp_path / ".dfmemlint.toml").write_text("ratio = 0.9\n", encoding="utf-8")
    assert find_config(str(tmp_path / "Dockerfile")).ratio == 0.9


def test_nearest_configuration_wins(tmp_path: Path) -> None:
    (tmp_path / ".dfmemlint.toml").write_text("ratio = 0.5\n", encoding="utf-8")
    inner = tmp_path / "service"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[tool.dfmemlint]\nratio = 0.75\n', encoding="utf-8")
    assert find_config(str(inner / "Dockerfile")).ratio == 0.75
    assert find_config(str(tmp_path / "Dockerfile")).ratio == 0.5


def test_every_key(tmp_path: Path) -> None:
    path = tmp_path / ".dfmemlint.toml"
    path.write_text(
        'select = "DFM00"\nignore = ["dfm003"]\nmemory-limit = "1Gi"\nratio = 0.9\n'
        'fail-on = "info"\n[severity]\nDFM001 = "error"\nDFM006 = "info"\n',
        encoding="utf-8",
    )
    loaded = load_file(str(path))
    assert loaded.select is not None
    assert "DFM008" in loaded.select
    assert loaded.ignore == frozenset({"DFM003"})
    assert loaded.memory_limit == 1 << 30
    assert loaded.ratio == 0.9
    assert loaded.fail_on is Severity.INFO
    assert loaded.severity == {"DFM001": Severity.ERROR, "DFM006": Severity.INFO}


def test_memory_limit_as_a_number_of_bytes(tmp_path: Path) -> None:
    path = tmp_path / ".dfmemlint.toml"
    path.write_text("memory-limit = 536870912\n", encoding="utf-8")
    assert load_file(str(path)).memory_limit == 512 << 20


# --- bad configuration: ConfigError naming the key and the file -----------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("colour = true\n", "unknown key 'colour'"),
        ("memory_limit = '512MiB'\n", "unknown key 'memory_limit'"),
        ("select = ['DFM999']\n", "Invalid value for 'select': unknown rule code 'DFM999'"),
        ("select = 3\n", "Invalid value for 'select': expected a list of rule codes"),
        ("ignore = [1]\n", "Invalid value for 'ignore': expected a rule code"),
        ("ratio = 1.5\n",
         "Invalid value for 'ratio': the ratio must be above 0 and at most 0.95, not 1.5"),
        ("ratio = 0.99\n",
         "Invalid value for 'ratio': the ratio must be above 0 and at most 0.95, not 0.99"),
        ("ratio = true\n",
         "Invalid value for 'ratio': the ratio must be a number above 0 and at most 0.95"),
        ("ratio = 0\n",
         "Invalid value for 'ratio': the ratio must be above 0 and at most 0.95, not 0"),
        ("memory-limit = '512M'\n", "Invalid value for 'memory-limit': 512M is ambiguous"),
        ("memory-limit = 'lots'\n", "Invalid value for 'memory-limit': "),
        ("memory-limit = []\n", "Invalid value for 'memory-limit': expected a size"),
        ("fail-on = 'fatal'\n", "Invalid value for 'fail-on': unknown severity 'fatal'"),
        ("severity = 'error'\n", "Invalid value for 'severity': expected a table"),
        ("[severity]\nDFM001 = 'loud'\n",
         "Invalid value for 'severity.DFM001': unknown severity 'loud'"),
        ("[severity]\nDFM123 = 'error'\n",
         "Invalid value for 'severity': unknown rule code 'DFM123'"),
        ("select = [\n", "not valid TOML"),
        ("tool = 'x'\n", "'tool' must be a table"),
    ],
)
def test_bad_configuration(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / ".dfmemlint.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_file(str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert fragment in message


def test_pyproject_table_that_is_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\ndfmemlint = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[tool.dfmemlint\] must be a table"):
        find_config(str(tmp_path))


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        (".dfmemlint.toml", "unknown = 1\n", "unknown key 'unknown'"),
        ("pyproject.toml", "[tool.dfmemlint]\nratio = 2\n",
         "Invalid value for 'ratio': the ratio must be above 0"),
        ("pyproject.toml", "[tool.dfmemlint]\nselect = ['E501']\n", "unknown rule code 'E501'"),
    ],
)
def test_cli_exits_2_naming_the_key_and_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, fragment: str
) -> None:
    dockerfile = project(tmp_path, name, text)
    code = main(["--no-color", str(dockerfile)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.startswith(f"Error: {tmp_path / name}: ")
    assert fragment in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


# --- configuration in use, and the command line winning ------------------------------------------


def test_config_applies_to_the_files_below_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = project(
        tmp_path,
        "pyproject.toml",
        '[tool.dfmemlint]\nmemory-limit = "512MiB"\n[tool.dfmemlint.severity]\nDFM007 = "error"\n',
    )
    code, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [(f["code"], f["severity"]) for f in findings] == [
        ("DFM001", "info"),
        ("DFM007", "error"),
    ]
    assert code == 1


def test_config_ignore_and_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile = project(
        tmp_path, ".dfmemlint.toml", 'memory-limit = "512MiB"\nfail-on = "error"\n'
    )
    code, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM001", "DFM007"]
    assert code == 0  # a warning and an info, below fail-on = error
    code, _, _ = lint_json(["--fail-on", "info", str(dockerfile)], capsys)
    assert code == 1


def test_cli_select_replaces_config_select(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'select = ["DFM007"]\nmemory-limit = "512MiB"\n'
    dockerfile = project(tmp_path, ".dfmemlint.toml", text)
    _, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM007"]
    _, findings, _ = lint_json(["--select", "DFM001", str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM001"]


def test_cli_ignore_adds_to_config_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = 'ignore = ["DFM001"]\nmemory-limit = "512MiB"\n'
    dockerfile = project(tmp_path, ".dfmemlint.toml", text)
    _, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM007"]
    _, findings, _ = lint_json(["--ignore", "DFM007", str(dockerfile)], capsys)
    assert findings == []


def test_cli_memory_limit_and_ratio_win(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile = project(tmp_path, ".dfmemlint.toml", 'memory-limit = "512MiB"\nratio = 0.5\n')
    _, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM001", "DFM007"]
    (dfm007,) = [f for f in findings if f["code"] == "DFM007"]
    assert "GOMEMLIMIT=256MiB (0.5 of the declared 512MiB memory limit)" in str(dfm007["message"])
    args = ["--memory-limit", "2GiB", "--ratio", "0.75", str(dockerfile)]
    _, findings, _ = lint_json(args, capsys)
    assert [f["code"] for f in findings] == ["DFM001"]


def test_cli_fail_on_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile = project(tmp_path, ".dfmemlint.toml", 'fail-on = "info"\n')
    code, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [f["severity"] for f in findings] == ["info"]
    assert code == 1
    code, _, _ = lint_json(["--fail-on", "warning", str(dockerfile)], capsys)
    assert code == 0


def test_each_file_gets_its_own_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = tmp_path / "strict"
    lax = tmp_path / "lax"
    for folder, text in ((strict, 'memory-limit = "512MiB"\n'), (lax, 'ignore = ["DFM001"]\n')):
        folder.mkdir()
        (folder / ".dfmemlint.toml").write_text(text, encoding="utf-8")
        (folder / "Dockerfile").write_bytes(DOCKERFILE)
    _, findings, _ = lint_json([str(strict), str(lax)], capsys)
    by_path = {(Path(str(f["path"])).parent.name, f["code"]) for f in findings}
    assert by_path == {("strict", "DFM001"), ("strict", "DFM007")}


# --- precedence (ruff's model, see config.py) ----------------------------------------------------


def test_cli_select_wins_over_config_ignore(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--select DFM001` reported nothing when the configuration ignored DFM001.
    text = 'ignore = ["DFM001"]\nmemory-limit = "512MiB"\n'
    dockerfile = project(tmp_path, ".dfmemlint.toml", text)
    _, findings, _ = lint_json(["--select", "DFM001", str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM001"]
    # The flag's own --ignore still applies on top of its --select.
    args = ["--select", "DFM001", "--ignore", "DFM001", str(dockerfile)]
    _, findings, _ = lint_json(args, capsys)
    assert findings == []


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ([], set(BY_CODE)),
        ([(None, frozenset({"DFM001"}))], set(BY_CODE) - {"DFM001"}),
        ([(frozenset({"DFM001", "DFM002"}), frozenset({"DFM002"}))], {"DFM001"}),
        ([(None, frozenset({"DFM001"})), (frozenset({"DFM001"}), frozenset())], {"DFM001"}),
        ([(frozenset({"DFM004"}), frozenset()), (None, frozenset({"DFM004"}))], set()),
        ([(frozenset({"DFM004"}), frozenset()), (None, frozenset())], {"DFM004"}),
    ],
)
def test_selected_rules(
    layers: list[tuple[frozenset[str] | None, frozenset[str]]], expected: set[str]
) -> None:
    assert config.selected_rules(layers) == expected


def test_fail_on_is_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `dfmemlint a b` exited 0 (a's fail-on = "error" applied to b too) while `dfmemlint b` was 1.
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "Dockerfile").write_bytes(DOCKERFILE.replace(b"ENV GOMEMLIMIT=500MiB\n", b""))
    (a / "pyproject.toml").write_text('[tool.dfmemlint]\nfail-on = "error"\n', encoding="utf-8")
    assert lint_json([str(a)], capsys)[0] == 0  # a warning, under a's threshold
    assert lint_json([str(b)], capsys)[0] == 1
    assert lint_json([str(a), str(b)], capsys)[0] == 1
    assert lint_json([str(b), str(a)], capsys)[0] == 1
    assert lint_json(["--fail-on", "error", str(a), str(b)], capsys)[0] == 0


@pytest.mark.parametrize("where", ["cli", "config"])
def test_fail_on_none(tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    # `none` was accepted by the GitHub Action only.
    text = 'memory-limit = "256MiB"\n' + ('fail-on = "none"\n' if where == "config" else "")
    dockerfile = project(tmp_path, ".dfmemlint.toml", text)
    args = ["--fail-on", "none"] if where == "cli" else []
    code, findings, _ = lint_json([*args, str(dockerfile)], capsys)
    assert "error" in [f["severity"] for f in findings]  # DFM007: 500MiB is above the limit
    assert code == 0
    assert config.load_file(str(tmp_path / ".dfmemlint.toml")).fail_on == (
        config.NEVER_FAIL if where == "config" else None
    )


def test_config_option_uses_one_file_for_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = project(tmp_path, ".dfmemlint.toml", 'memory-limit = "512MiB"\n')
    other = tmp_path / "elsewhere.toml"
    other.write_text('ignore = ["DFM001"]\n', encoding="utf-8")
    _, findings, _ = lint_json([str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM001", "DFM007"]
    _, findings, _ = lint_json(["--config", str(other), str(dockerfile)], capsys)
    assert findings == []  # the nearer .dfmemlint.toml is not read
    _, findings, _ = lint_json(["--isolated", str(dockerfile)], capsys)
    assert [f["code"] for f in findings] == ["DFM001"]  # no configuration at all
    code, _, err = lint_json(["--config", str(tmp_path / "missing.toml"), str(dockerfile)], capsys)
    assert code == 2
    assert err.startswith(f"Error: {tmp_path / 'missing.toml'}: cannot read: ")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('exclude = "vendor"\n',
         "Invalid value for 'exclude': expected a list of paths or glob patterns"),
        ("extend-exclude = [1]\n",
         "Invalid value for 'extend-exclude': expected a list of paths or glob patterns"),
        ("fail-on = 3\n",
         "Invalid value for 'fail-on': expected one of error, warning, info, none, got 3"),
    ],
)
def test_bad_exclude_and_fail_on(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / ".dfmemlint.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment):
        load_file(str(path))


@pytest.mark.parametrize(
    ("text", "configures"),
    [
        ("[tool.dfmemlint]\nratio = 0.5\n", True),
        ('  [ tool . "dfmemlint" . severity ]\nDFM006 = "error"\n', True),
        ("tool.dfmemlint.ratio = 0.5\n", True),
        ("[tool]\ndfmemlint = {ratio = 0.5}\n", True),
        ("[tool]\ndfmemlint.ratio = 0.5\n", True),
        ("tool = { dfmemlint = { ratio = 0.5 } }\n", True),
        ('["tool"]\nother = 1\n"dfmemlint" = {ratio = 0.5}\n', True),
        ('[project]\nname = "dfmemlint"\n[project.scripts]\ndfmemlint = "dfmemlint.cli:main"\n',
         False),
        ("[tool.dfmemlintx]\nratio = 0.5\n", False),
        ("[tool.ruff]\ndfmemlint = 1\n", False),
        ("", False),
    ],
)
def test_pyproject_prefilter_never_misses_a_table(text: str, configures: bool) -> None:
    """A pyproject.toml is parsed only when its bytes may hold the table; whenever TOML has one,
    the filter says so (a wrong no would ignore a configuration)."""
    assert config.may_configure(text.encode()) is configures
    if text:
        has_table = "dfmemlint" in config._parse(text.encode(), "pyproject.toml").get("tool", {})
        assert has_table is configures


_FORMS = [
    "[{s}{q}tool{q}{s}.{s}{r}dfmemlint{r}{s}]\nratio = 0.5\n",
    "[[{s}{q}tool{q}{s}.{s}{r}dfmemlint{r}{s}.x{s}]]\nratio = 0.5\n",
    "{q}tool{q}{s}.{s}{r}dfmemlint{r}{s}.ratio{s}={s}0.5\n",
    "{q}tool{q}{s}={s}{{{s}{r}dfmemlint{r}{s}={s}{{ratio = 0.5}}{s}}}\n",
    "[{s}{q}tool{q}{s}]{s}# tools\nother = 1\n{r}dfmemlint{r}{s}={s}{{ratio = 0.5}}\n",
    "[{s}{q}tool{q}{s}]\r\n{r}dfmemlint{r}{s}.{s}ratio{s}={s}0.5\r\n",
    "[{q}tool{q}.ruff]\n{r}dfmemlint{r} = 1\n",
    "[project]\ndependencies = [{q}dfmemlint{q}]\n[tool]\nother = 1\n",
]


def _written(form: str, quote: str, inner: str, blank: str) -> str:
    return "name = 'x'\n" + form.format(s=blank, q=quote, r=inner) + "[project]\nname = 'x'\n"


def _is_toml(text: str) -> bool:
    try:
        config._parse(text.encode(), "pyproject.toml")
    except ConfigError:
        return False
    return True


# Every form with every quoting and spacing, kept where TOML allows it (a quoted key with a
# blank before its dot is fine; a header of mismatched quotes is not).
_WRITINGS = [
    (form, _written(form, quote, inner, blank))
    for form in _FORMS
    for quote in ("", '"', "'")
    for inner in ("", '"', "'")
    for blank in ("", " ", "\t")
    if _is_toml(_written(form, quote, inner, blank))
]


@pytest.mark.parametrize(("form", "text"), _WRITINGS)
def test_the_prefilter_never_misses_a_table_however_it_is_written(form: str, text: str) -> None:
    """Each way of writing the table, with every quoting and spacing TOML allows: where tomllib
    finds a dfmemlint table, the filter says yes (a wrong no would ignore a configuration)."""
    data = config._parse(text.encode(), "pyproject.toml")
    configured = "dfmemlint" in data.get("tool", {})
    assert configured is not form.startswith(("[{q}tool{q}.ruff]", "[project]"))
    assert config.may_configure(text.encode()) is configured


def test_most_writings_are_toml() -> None:
    assert len(_WRITINGS) > 150  # of 216: only mismatched quoting is left out
