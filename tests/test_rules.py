"""The rules, on fixtures (``tests/fixtures/<rule-name>/<case>.Dockerfile``, or ``<case>.yaml``
for a Kubernetes manifest) and on the corpus.

Each fixture has ``<case>.expected``: every finding of every rule, one per line, as
``line:col-end_line:end_col CODE severity``. Where ``<case>.fixed.Dockerfile`` (``.fixed.yaml``)
exists, ``--fix`` (safe fixes) must turn the fixture into it, and fixing that again must change
nothing. ``DFMEMLINT_REGENERATE=1 pytest tests/test_rules.py`` rewrites the ``.expected`` files
(and the fixed files that exist) from what the rules report now: review the diff.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest

from dfmemlint.compose.link import services_in, with_service_limit
from dfmemlint.dockerfile.gobuild import (
    compiles_go,
    copies_program,
    is_data_path,
    parse_golang_image,
    starts_interactive_shell,
)
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import lint
from dfmemlint.kubernetes.lint import MANIFEST_RULES
from dfmemlint.rules import REGISTRY
from dfmemlint.rules.catalog import BY_CODE, CATALOG
from dfmemlint.types import Finding, Severity
from dfmemlint.yaml_findings import SYNTAX_CODE

FIXTURES = Path(__file__).parent / "fixtures"
REGENERATE = os.environ.get("DFMEMLINT_REGENERATE") == "1"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"
MIN_POSITIVE = 5
MIN_NEGATIVE = 4

RULE_FOLDERS = [FIXTURES / rule.name for rule in CATALOG]
SUFFIXES = (".Dockerfile", ".yaml")
CASES = sorted(
    case
    for folder in RULE_FOLDERS
    for suffix in SUFFIXES
    for case in folder.glob(f"*{suffix}")
    if not case.name.endswith(f".fixed{suffix}")
)


def _stem(case: Path) -> str:
    return case.name[: -len(case.suffix)]


def _case_id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def _expected_path(case: Path) -> Path:
    return case.with_name(_stem(case) + ".expected")


def _fixed_path(case: Path) -> Path:
    return case.with_name(_stem(case) + ".fixed" + case.suffix)


def render(findings: list[Finding]) -> str:
    return "".join(
        f"{f.line}:{f.column}-{f.end_line}:{f.end_column} {f.code} {f.severity.label}\n"
        for f in findings
    )


def _options(case: Path) -> LintOptions:
    """A fixture with a ``<case>.compose.yml`` beside it is linted as the Compose services of
    that file that build it run it (dfmemlint.compose.link)."""
    compose = case.with_name(_stem(case) + ".compose.yml")
    if not compose.is_file():
        return LintOptions()
    options, _ = with_service_limit(LintOptions(), services_in(str(case), [str(compose)]))
    return options


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_fixture(case: Path) -> None:
    data = case.read_bytes()
    options = _options(case)
    result = lint(case.name, data, options)
    assert not result.notes, result.notes  # a fixture's dfmemlint comments must all be understood
    got = render(result.findings)
    expected_path = _expected_path(case)
    if REGENERATE:
        expected_path.write_text(got, encoding="utf-8")
    assert expected_path.is_file(), f"no {expected_path.name}: run with DFMEMLINT_REGENERATE=1"
    assert got == expected_path.read_text(encoding="utf-8")

    fixed_path = _fixed_path(case)
    if fixed_path.is_file():
        outcome = fix_file(case.name, data, options, unsafe=False)
        assert outcome.error is None
        if REGENERATE:
            fixed_path.write_bytes(outcome.data)
        assert outcome.data == fixed_path.read_bytes()
        again = fix_file(case.name, outcome.data, options, unsafe=False)
        assert again.error is None
        assert again.data == outcome.data


def test_every_rule_has_a_fixture_folder() -> None:
    assert all(folder.is_dir() for folder in RULE_FOLDERS)


@pytest.mark.parametrize("rule", CATALOG, ids=lambda rule: rule.code)
def test_each_rule_has_positive_and_negative_cases(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    name = rule.name  # type: ignore[attr-defined]
    positive = negative = 0
    for case in CASES:
        if case.parent.name != name:
            continue
        codes = {line.split()[1] for line in _expected_path(case).read_text().splitlines()}
        if code in codes:
            positive += 1
        else:
            negative += 1
    assert positive >= MIN_POSITIVE, f"{name}: {positive} positive cases"
    assert negative >= MIN_NEGATIVE, f"{name}: {negative} negative cases"


def test_fixtures_cover_line_endings_and_escapes() -> None:
    datas = [case.read_bytes() for case in CASES]
    assert any(b"\r\n" in data for data in datas)
    assert any(data.startswith(b"\xef\xbb\xbf") for data in datas)
    assert any(data.startswith(b"# escape=`") for data in datas)
    assert any(b"<<EOF" in data for data in datas)


def test_registry_matches_catalog() -> None:
    # Every rule runs: on Dockerfiles, on manifests, or as the manifest syntax check; only
    # DFM016 (a start command hiding the deployment's GOMEMLIMIT) runs on both.
    codes = [*REGISTRY, *MANIFEST_RULES, SYNTAX_CODE]
    assert sorted(set(codes)) == sorted(rule.code for rule in CATALOG)
    assert sorted(set(REGISTRY) & set(MANIFEST_RULES)) == ["DFM016"]
    assert len(codes) == len(CATALOG) + 1


# --- The pieces the rules are built from ---------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "version"),
    [
        ("golang:1.18", "1.18"),
        ("golang:1.18.10-alpine3.17", "1.18.10"),
        ("golang:1.18rc1", "1.18rc1"),
        ("golang:1.21beta1-bookworm", "1.21beta1"),  # as Go writes it, not PEP 440's 1.21b1
        ("docker.io/library/golang:1.17", "1.17"),
        ("docker.io/golang:1.17", "1.17"),
        ("library/golang:1.16", "1.16"),
        ("index.docker.io/library/golang:1.16", "1.16"),
        ("mirror.gcr.io/library/golang:1.16-alpine", "1.16"),
        ("public.ecr.aws/docker/library/golang:1.15", "1.15"),
        ("golang:1.17@sha256:" + "0" * 64, "1.17"),
        ("GOLANG:1.20", "1.20"),
    ],
)
def test_parse_golang_image_versions(reference: str, version: str) -> None:
    image = parse_golang_image(reference)
    assert image is not None
    assert str(image.version) == version


@pytest.mark.parametrize(
    "reference", ["golang", "golang:1", "golang:1-alpine", "golang:alpine", "golang:latest",
                  "golang@sha256:" + "0" * 64, "golang:tip"],
)
def test_parse_golang_image_without_a_pinned_version(reference: str) -> None:
    image = parse_golang_image(reference)
    assert image is not None
    assert image.version is None


@pytest.mark.parametrize(
    "reference",
    ["python:3.12", "golangci/golangci-lint:v1.55", "example.com/golang:1.17", "golang:${GO}",
     "tonistiigi/xx:golang", "", "scratch"],
)
def test_parse_golang_image_other_images(reference: str) -> None:
    assert parse_golang_image(reference) is None


@pytest.mark.parametrize(
    ("words", "builds"),
    [
        ("go build -o /app .", True),
        ("go install ./cmd/...", True),
        ("go run build.go build syncthing", True),
        ("go -C app build", True),
        ("/usr/local/go/bin/go build", True),
        ("xx-go build -o /app", True),
        ("goreleaser build --snapshot", True),
        ("goreleaser", True),
        ("goreleaser check", False),
        ("ko build ./cmd/app", True),
        ("go test -c -o /app.test ./cmd/app", True),
        ("go test ./...", False),
        ("go mod download", False),
        ("go vet ./...", False),
        ("go get github.com/example/tool", False),
        ("go-bindata -o x.go", False),
        ("echo go build", False),
        ("", False),
    ],
)
def test_compiles_go(words: str, builds: bool) -> None:
    assert compiles_go(words.split()) is builds


def test_go_get_builds_only_before_go_1_18() -> None:
    assert compiles_go(["go", "get", "-u", "github.com/example/tool"], go_get_builds=True)
    assert not compiles_go(["go", "get", "-d", "./..."], go_get_builds=True)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/etc/ssl/certs/ca-certificates.crt", True),
        ("/etc/ssl/certs", True),
        ("/etc/passwd", True),
        ("/usr/share/zoneinfo", True),
        ("/usr/local/go/lib/time/zoneinfo.zip", True),
        ("/go/src/app/LICENSE", True),
        ("/_LICENSES/*", True),
        ("./config.yaml", True),
        ("/src/docker/entrypoint.sh", True),
        ("/app", False),
        ("/go/bin/*", False),
        ("/out/", False),
        ("/build/plugin.so", False),
        ("$GOBIN/thanos", False),
        ("./.env", True),
        ("/go/src/readme-tool/bin/readme-tool", False),
        ("/_LICENSES/", True),
        ("/licences/app", True),
        ("/__licences/app", False),
        ("NOTICE.txt", True),
        ("./_credits.x_y", True),
        ("/src/AUTHORS.1", True),
        ("/out/readme.", False),
        ("/out/readme.a-b", False),
        ("/out/notices", False),
        (".//./readme", True),
    ],
)
def test_is_data_path(path: str, data: bool) -> None:
    assert is_data_path(path) is data


@pytest.mark.parametrize(
    ("argv", "interactive"),
    [
        (["/bin/bash"], True),
        (["sh"], True),
        (["bash", "-l"], True),
        (["/sbin/tini", "--", "bash"], True),
        (["sh", "-c", "exec /app"], False),
        (["/app"], False),
        (["/sbin/tini", "--", "/app"], False),
        ([], False),
    ],
)
def test_starts_interactive_shell(argv: list[str], interactive: bool) -> None:
    assert starts_interactive_shell(argv) is interactive


def test_copies_program_json_form() -> None:
    from dfmemlint.dockerfile import reader

    df = reader.read(b'FROM a\nCOPY --from=b ["/etc/ssl/certs", "/usr/share/zoneinfo", "/x/"]\n'
                     b"COPY --from=b /app /usr/share/zoneinfo /\n")
    first, second = df.instructions[1], df.instructions[2]
    assert not copies_program(first)
    assert copies_program(second)


def test_message_numbers_are_computed() -> None:
    """Messages give the numbers of this file and options, not fixed prose numbers."""
    data = (
        b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\nFROM alpine:3.20\n"
        b"COPY --from=build /app /app\nENV GOGC=off\nENTRYPOINT [\"/app\"]\n"
    )
    default = lint("Dockerfile", data, LintOptions())
    messages = {f.code: f.message for f in default.findings}
    assert "about 80% of the container's memory limit" in messages["DFM008"]
    other = lint("Dockerfile", data, LintOptions(ratio=0.875))
    messages = {f.code: f.message for f in other.findings}
    assert "about 87.5% of the container's memory limit" in messages["DFM008"]
    declared = lint(
        "Dockerfile", data, LintOptions(memory_limit=1 << 30, memory_limit_from_cli=True, ratio=0.9)
    )
    messages = {f.code: f.message for f in declared.findings}
    assert "GOMEMLIMIT=921MiB (0.9 of the declared 1GiB memory limit)" in messages["DFM008"]


def test_messages_are_one_or_two_sentences() -> None:
    for case in CASES:
        for finding in lint(case.name, case.read_bytes(), LintOptions()).findings:
            # Sentence ends: ". " followed by a capital letter, plus the final full stop.
            sentences = len(re.findall(r"[.!?] (?=[A-Z'`])", finding.message)) + 1
            assert sentences <= 2, (case.name, finding.message)
            assert finding.message.endswith((".", ")")), finding.message


def test_headroom_percent_is_rounded_down() -> None:
    data = (
        b"# dfmemlint: memory-limit=1000MiB\nFROM golang:1.22 AS build\nRUN go build -o /app .\n"
        b"FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=976MiB\n"
        b"ENTRYPOINT [\"/app\"]\n"
    )
    (finding,) = [f for f in lint("D", data, LintOptions()).findings if f.code == "DFM007"]
    assert "is 97.6% of the container's memory limit" in finding.message
    assert finding.severity is Severity.WARNING
    barely = data.replace(b"976MiB", b"996147201")  # 95% of 1000 MiB plus one byte
    (finding,) = [f for f in lint("D", barely, LintOptions()).findings if f.code == "DFM007"]
    assert "is over 95% of" in finding.message


# --- The corpus ----------------------------------------------------------------------------------

# Independent of the rules: a file "involves Go" when the manifest names a golang base image or a
# GOMEMLIMIT, or its text mentions golang, runs the go tool, or sets a GO* variable.
_INVOLVES_GO = re.compile(
    r"golang|\bgo\s+(?:build|install|run|test|get|mod|generate|vet)\b|\bGO[A-Z0-9_]*\s*="
    r"|\b(?:ENV|ARG)\s+GO[A-Z0-9_]*\b|goreleaser|\bko\s+build\b",
    re.IGNORECASE,
)


def _manifest() -> list[dict[str, str]]:
    with open(CORPUS / "manifest.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _buildkit_rejects(name: str) -> bool:
    with open(CORPUS / "buildkit" / f"{name}.json", encoding="utf-8") as handle:
        return bool(json.load(handle).get("error"))


needs_corpus = pytest.mark.skipif(
    not (CORPUS / "manifest.tsv").is_file(), reason="../shared/corpus is not present"
)


@needs_corpus
def test_corpus_no_findings_where_go_is_not_involved() -> None:
    checked = 0
    for row in _manifest():
        name = row["saved_name"]
        data = (CORPUS / "files" / name).read_bytes()
        text = data.decode("utf-8", "replace")
        if row["go_base_image"] or row["has_gomemlimit"] == "y" or _INVOLVES_GO.search(text):
            continue
        findings = lint(name, data, LintOptions()).findings
        if _buildkit_rejects(name):
            # BuildKit itself rejects the file: the syntax rule says so, and only it.
            assert {f.code for f in findings} == {"DFM000"}, name
            continue
        checked += 1
        assert findings == [], (name, [(f.code, f.line) for f in findings])
    assert checked > 100


@needs_corpus
def test_corpus_lints_without_crashing() -> None:
    counts: dict[str, int] = {}
    for row in _manifest():
        name = row["saved_name"]
        result = lint(name, (CORPUS / "files" / name).read_bytes(), LintOptions())
        for finding in result.findings:
            assert finding.code in BY_CODE
            assert (finding.line, finding.column) <= (finding.end_line, finding.end_column)
            counts[finding.code] = counts.get(finding.code, 0) + 1
    assert counts  # the corpus has Go images without GOMEMLIMIT: something must be found


@pytest.mark.parametrize(
    ("gogc", "off"),
    [
        ("off", True),
        ("-1", True),
        ("-50", True),
        ("-2147483648", True),
        ("-0", False),
        ("-2147483649", False),  # not an int32: Go falls back to the default, 100
        ("-", False),
        ("-1.5", False),
        ("+1", False),
        ("0", False),
        ("100", False),
        ("OFF", False),
        (" -1", False),
    ],
)
def test_what_turns_the_collector_off(gogc: str, off: bool) -> None:
    """runtime/mgcpacer.go: readGOGC, then setGCPercent stores any negative percent as -1."""
    from dfmemlint.golang.gomemlimit import gogc_turns_gc_off

    assert gogc_turns_gc_off(gogc) is off


def test_a_negative_gogc_with_no_gomemlimit_is_dfm008_in_every_format() -> None:
    dockerfile = (
        b"FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM scratch\n"
        b'COPY --from=b /app /app\nENV GOGC=-1\nCMD ["/app"]\n'
    )
    found = lint("Dockerfile", dockerfile, LintOptions()).findings
    dfm008 = [f for f in found if f.code == "DFM008"]
    assert len(dfm008) == 1
    assert "GOGC=-1 (a negative GOGC turns the collector off" in dfm008[0].message
    zero = dockerfile.replace(b"GOGC=-1", b"GOGC=-0")
    assert "DFM008" not in [f.code for f in lint("Dockerfile", zero, LintOptions()).findings]
    pod = (
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        b'    - name: a\n      image: x\n      env: [{name: GOGC, value: "-1"}]\n'
    )
    assert "DFM008" in [f.code for f in lint("pod.yaml", pod, LintOptions()).findings]
    compose = b"services:\n  api:\n    image: x\n    environment:\n      GOGC: -1\n"
    assert "DFM008" in [f.code for f in lint("compose.yaml", compose, LintOptions()).findings]
