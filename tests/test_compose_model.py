"""Compose services as ``docker compose`` runs them: forms, merge, env_file, limits, build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.compose_samples import ISSUE_API, ISSUE_WORKER

from dfmemlint.compose.model import ComposeError, Project
from dfmemlint.compose.names import is_compose_name, project_files, project_of
from dfmemlint.compose.project import load_project

MIB = 1 << 20


def _project(tmp_path: Path, files: dict[str, str]) -> Project:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text.encode())
    found = project_files(str(tmp_path))
    return load_project(found or [str(tmp_path / next(iter(files)))])


def _env(project: Project, service: str) -> dict[str, str | None]:
    return {k: v.value for k, v in project.services[service].environment.items()}




def test_issue_example_api(tmp_path: Path) -> None:
    project = _project(tmp_path, {"compose.yaml": ISSUE_API})
    api = project.services["api"]
    assert _env(project, "api") == {"GOMEMLIMIT": "512MB"}
    origin = api.environment["GOMEMLIMIT"].origin
    assert (origin.line, origin.column, origin.editable) == (5, 19, True)
    assert ISSUE_API.encode()[origin.start : origin.end] == b"512MB"
    assert api.memory_limit is not None
    assert api.memory_limit.bytes == 512 * MIB
    assert api.memory_limit.key == "deploy.resources.limits.memory"
    assert (api.memory_limit.origin.line, api.memory_limit.origin.column) == (9, 19)
    assert api.dockerfile == os.path.join(str(tmp_path), "Dockerfile")


def test_issue_example_worker(tmp_path: Path) -> None:
    project = _project(tmp_path, {"compose.yaml": ISSUE_WORKER})
    worker = project.services["worker"]
    value = worker.environment["GOMEMLIMIT"]
    assert value.value == "16MiB"
    assert value.overridable == ("WORKER_GOMEMLIMIT",)
    assert ISSUE_WORKER.encode()[value.origin.start : value.origin.end] == b"16MiB"
    assert value.origin.editable
    assert worker.memory_limit is not None
    assert worker.memory_limit.bytes == 20 * MIB
    assert worker.dockerfile is None


def test_dotenv_feeds_interpolation_and_bare_keys(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  w:\n    environment:\n"
            "      - GOMEMLIMIT=${WORKER_GOMEMLIMIT:-16MiB}\n      - GOGC\n      - SHELL_ONLY\n"
            "    mem_limit: ${LIMIT:?set it}\n",
            ".env": "WORKER_GOMEMLIMIT=30MiB\nGOGC=50\nLIMIT=32m\n",
        },
    )
    w = project.services["w"]
    assert _env(project, "w") == {"GOMEMLIMIT": "30MiB", "GOGC": "50", "SHELL_ONLY": None}
    assert w.environment["GOGC"].via == ".env"
    assert w.environment["GOGC"].origin.line == 2
    assert w.memory_limit is not None
    assert w.memory_limit.bytes == 32 * MIB


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ("    environment:\n      GOGC: off\n      N: 012\n      B: true\n      E:\n",
         {"GOGC": "off", "N": "10", "B": "true", "E": None}),
        ("    environment:\n      - GOGC=off\n      - 'Q=a b'\n      - E=\n",
         {"GOGC": "off", "Q": "a b", "E": ""}),
        ("    environment:\n      GOMEMLIMIT: '${UNSET}'\n", {"GOMEMLIMIT": None}),
        ("    environment:\n      - GOGC=1\n      - GOGC=2\n", {"GOGC": "2"}),
        ("    environment: {GOGC: \"50\"}\n", {"GOGC": "50"}),
        # an explicit !!str (or a local tag) keeps the text; ! and !!int resolve it (YAML 1.2)
        ("    environment:\n      GOGC: !!str 012\n      L: !!str 1e3\n      Y: yes\n"
         "      T: ! 012\n      A: &a !!str 0x10\n      I: !!int 012\n      S: !!str\n"
         "      X: !x 1e3\n      N: !!null\n",
         {"GOGC": "012", "L": "1e3", "Y": "yes", "T": "10", "A": "0x10", "I": "10", "S": "",
          "X": "1e3", "N": None}),
    ],
)
def test_environment_forms(tmp_path: Path, environment: str, expected: dict[str, str]) -> None:
    project = _project(tmp_path, {"compose.yaml": "services:\n  s:\n" + environment})
    assert _env(project, "s") == expected


def test_override_file_merges_environment_by_key_and_replaces_limits(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    mem_limit: 1g\n    environment:\n"
            "      GOGC: 100\n      GOMEMLIMIT: 800MiB\n    env_file: a.env\n",
            "docker-compose.override.yml": "services:\n  s:\n    mem_limit: 512m\n"
            "    environment:\n      - GOMEMLIMIT=400MiB\n",
            "compose.override.yaml": "services:\n  s:\n    environment: {GOGC: 1}\n",
            "a.env": "A=1\n",
        },
    )
    # compose.override.yaml comes first among the override names; only one is read.
    assert project.files[-1].endswith("compose.override.yaml")
    assert _env(project, "s") == {"A": "1", "GOGC": "1", "GOMEMLIMIT": "800MiB"}
    assert project.services["s"].environment["GOGC"].origin.path.endswith(
        "compose.override.yaml"
    )


def test_override_replaces_mem_limit(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yml": "services:\n  s:\n    mem_limit: 1g\n    build: {context: app}\n",
            "compose.override.yml": "services:\n  s:\n    mem_limit: 512m\n"
            "    build: {dockerfile: Dockerfile.prod}\n",
        },
    )
    s = project.services["s"]
    assert s.memory_limit is not None
    assert s.memory_limit.bytes == 512 * MIB
    assert s.memory_limit.origin.path.endswith("compose.override.yml")
    assert s.dockerfile == os.path.join(str(tmp_path), "app", "Dockerfile.prod")


def test_reset_and_override_tags(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    mem_limit: 1g\n"
            "    environment: {A: 1, B: 2}\n",
            "compose.override.yaml": "services:\n  s:\n    mem_limit: !reset null\n"
            "    environment: !override {C: 3}\n",
        },
    )
    assert project.services["s"].memory_limit is None
    assert _env(project, "s") == {"C": "3"}


def test_env_file_forms_and_precedence(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    env_file:\n      - one.env\n"
            "      - path: two.env\n        required: true\n"
            "      - path: missing.env\n        required: false\n"
            "    environment:\n      - GOGC=9\n",
            "one.env": "GOMEMLIMIT=1GiB\nGOGC=1\n",
            "two.env": "export GOMEMLIMIT=\"2GiB\"\nREF=${GOGC}\n",
        },
    )
    s = project.services["s"]
    assert _env(project, "s") == {"GOMEMLIMIT": "2GiB", "GOGC": "9", "REF": "9"}
    limit = s.environment["GOMEMLIMIT"]
    assert (limit.via, limit.origin.line, limit.origin.column) == ("env_file", 1, 20)
    assert limit.origin.path == os.path.join(str(tmp_path), "two.env")
    assert project.notes == []


def test_env_file_string_form_and_missing_required(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"compose.yaml": "services:\n  s:\n    env_file: nowhere.env\n"}
    )
    assert _env(project, "s") == {}
    assert any("nowhere.env not found" in note for note in project.notes)


@pytest.mark.parametrize(
    ("limits", "expected", "key"),
    [
        ("    mem_limit: 536870912\n", 512 * MIB, "mem_limit"),
        ("    mem_limit: 512MB\n", 512 * MIB, "mem_limit"),
        ("    mem_limit: 1.5g\n", 1536 * MIB, "mem_limit"),
        ("    mem_limit: '16g '\n", None, None),
        ("    mem_limit: 512Mi\n", None, None),
        ("    mem_limit: 1.5e9\n", None, None),
        ("    mem_limit: -1\n", None, None),
        ("    mem_limit: 0\n", None, None),
        ("    mem_limit: ${NOPE}\n", None, None),
        ("    deploy: {resources: {limits: {memory: 1g}}}\n    mem_limit: 1g\n", 1 << 30,
         "deploy.resources.limits.memory"),
        ("    deploy: {resources: {limits: {memory: 1g}}}\n    mem_limit: 2g\n", 1 << 30,
         "deploy.resources.limits.memory"),
        ("    deploy: {resources: {limits: {memory: 2g}}}\n    mem_limit: 1g\n", 1 << 30,
         "mem_limit"),
    ],
)
def test_memory_limits(tmp_path: Path, limits: str, expected: int | None, key: str | None) -> None:
    project = _project(tmp_path, {"compose.yaml": "services:\n  s:\n" + limits})
    limit = project.services["s"].memory_limit
    assert (None if limit is None else (limit.bytes, limit.key)) == (
        None if expected is None else (expected, key)
    )


def test_refused_sizes_and_distinct_limits_are_noted(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    mem_limit: 512Mi\n    memswap_limit: 1x\n"
            "  b:\n    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 2g}}}\n"
            "  c:\n    mem_limit: 1.5e9\n    memswap_limit: 2g\n"
        },
    )
    assert any("512Mi" in n and "invalid suffix" in n for n in project.notes)
    assert any("memswap_limit" in n for n in project.notes)
    assert any("different values" in n for n in project.notes)
    assert any("ignores it" in n for n in project.notes)
    assert project.services["c"].memswap_limit == 2 << 30


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        ("    build: .\n", "Dockerfile"),
        ("    build: ./svc\n", "svc/Dockerfile"),
        ("    build: {context: svc, dockerfile: Containerfile}\n", "svc/Containerfile"),
        ("    build: {dockerfile: d/x.dockerfile}\n", "d/x.dockerfile"),
        ("    build: {context: 'https://github.com/a/b.git'}\n", None),
        ("    build: {context: 'git@github.com:a/b'}\n", None),
        ("    build: {dockerfile_inline: 'FROM scratch'}\n", None),
        ("    build: {dockerfile: '${NOPE}'}\n", None),
        ("    image: x\n", None),
    ],
)
def test_build_names_the_dockerfile(tmp_path: Path, build: str, expected: str | None) -> None:
    project = _project(tmp_path, {"compose.yaml": "services:\n  s:\n" + build})
    found = project.services["s"].dockerfile
    assert found == (None if expected is None else os.path.join(str(tmp_path), expected))


def test_positions_after_non_ascii_text(tmp_path: Path) -> None:
    text = "# é\nservices:\n  s:\n    environment:\n      - \"X=é\"\n      - GOGC=off\n"
    project = _project(tmp_path, {"compose.yaml": text})
    origin = project.services["s"].environment["GOGC"].origin
    assert text.encode()[origin.start : origin.end] == b"off"
    assert project.services["s"].environment["X"].origin.editable


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ComposeError, match="not valid YAML"):
        _project(tmp_path, {"compose.yaml": "services: [\n"})
    with pytest.raises(ComposeError, match="mapping"):
        _project(tmp_path, {"compose.yaml": "- a\n"})
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    (tmp_path / ".env").write_text("K='x\n")
    with pytest.raises(ComposeError, match="unterminated"):
        load_project([str(tmp_path / "compose.yaml")])


def test_invalid_interpolation_and_extends_are_noted(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {"compose.yaml": "services:\n  s:\n    extends: {service: t}\n    environment:\n"
         "      - A=${\n"},
    )
    assert any("invalid interpolation" in n for n in project.notes)
    assert any("extends" in n for n in project.notes)


def test_names() -> None:
    assert is_compose_name("compose.yaml")
    assert is_compose_name("docker-compose.override.yml")
    assert not is_compose_name("docker-compose.prod.yml")


def test_project_of(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    (tmp_path / "docker-compose.override.yaml").write_text("services: {}\n")
    (tmp_path / "other.yml").write_text("services: {}\n")
    assert project_of(str(tmp_path / "compose.yaml")) == [
        str(tmp_path / "compose.yaml"),
        str(tmp_path / "docker-compose.override.yaml"),
    ]
    # docker-compose.yml is not the file docker compose picks here: read on its own.
    alone = str(tmp_path / "docker-compose.yml")
    assert project_of(alone) == [alone]
    assert project_of(str(tmp_path / "other.yml")) == [str(tmp_path / "other.yml")]
    assert project_files(str(tmp_path / "nowhere")) == []


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "x-go: &go\n  GOMEMLIMIT: 100MiB\n  GOGC: 50\n"
            "x-more: &more\n  GOGC: 70\n  EXTRA: 1\n"
            "x-limits: &limits\n  mem_limit: 128m\n"
            "services:\n"
            "  a:\n    <<: *limits\n    environment:\n      <<: *go\n      GOGC: 80\n"
            "  b:\n    environment: *go\n"
            "  c:\n    environment:\n      <<: [*go, *more]\n"
        },
    )
    assert _env(project, "a") == {"GOMEMLIMIT": "100MiB", "GOGC": "80"}
    a_limit = project.services["a"].memory_limit
    assert a_limit is not None
    assert a_limit.bytes == 128 * MIB
    assert _env(project, "b") == {"GOMEMLIMIT": "100MiB", "GOGC": "50"}
    assert _env(project, "c") == {"GOMEMLIMIT": "100MiB", "GOGC": "50", "EXTRA": "1"}
    origin = project.services["b"].environment["GOMEMLIMIT"].origin
    assert (origin.line, origin.column) == (2, 15)


def test_odd_shapes_are_skipped(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    environment:\n      - {A: 1}\n      - B=2\n"
            "    env_file:\n      - {required: false}\n    deploy: !reset {}\n"
            "    build: !reset {}\n  t:\n    environment:\n      GOMEMLIMIT: 2001-01-01\n"
            "      GOGC: [1]\n    mem_limit: !reset null\n    deploy:\n      resources: !reset {}\n"
            "    build: {context: ., dockerfile: !reset null}\n  u:\n"
            "    deploy: {resources: {limits: {memory: !reset null}}}\n"
            "    build: !override {context: x}\n"
        },
    )
    assert _env(project, "s") == {"B": "2"}
    assert _env(project, "t") == {"GOMEMLIMIT": None, "GOGC": None}
    assert project.services["t"].dockerfile == os.path.join(str(tmp_path), "Dockerfile")
    assert project.services["u"].memory_limit is None
    assert project.services["u"].dockerfile == os.path.join(str(tmp_path), "x", "Dockerfile")


def test_env_file_depending_on_the_shell_and_refused(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    env_file: ['${WHERE}/x.env', bad.env]\n",
            "bad.env": "K='open\n",
        },
    )
    assert any("depends on the shell" in n for n in project.notes)
    assert any("unterminated" in n for n in project.notes)


def test_values_from_dotenv_escapes_and_shell(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    env_file: e.env\n"
            "    environment:\n      - A=$$x\n      - B=\"q\"\n",
            "e.env": "GOMEMLIMIT=\"1${NOPE:-GiB}\"\nC=\"x\\ty\"\nD=${A}\n",
        },
    )
    s = project.services["s"]
    assert s.environment["A"].value == "$x"
    assert not s.environment["A"].origin.editable
    assert s.environment["GOMEMLIMIT"].value == "1GiB"
    assert not s.environment["GOMEMLIMIT"].origin.editable
    assert s.environment["C"].value == "x\ty"
    assert s.environment["D"].value == "$x"


def test_value_from_a_dotenv_variable_points_at_the_dotenv_line(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  bus:\n    mem_limit: ${LIMIT:?set it}\n"
            "    environment:\n      GOMEMLIMIT: ${GOMEMLIMIT:?set it}\n",
            ".env": "# limits\nLIMIT=768m\nGOMEMLIMIT=1536MiB\n",
        },
    )
    bus = project.services["bus"]
    value = bus.environment["GOMEMLIMIT"]
    assert (value.value, value.via, value.origin.line, value.origin.column) == (
        "1536MiB", ".env", 3, 12
    )
    assert value.origin.path == os.path.join(str(tmp_path), ".env")
    assert value.origin.editable
    assert bus.memory_limit is not None
    assert (bus.memory_limit.origin.line, bus.memory_limit.bytes) == (2, 768 * MIB)


def test_values_from_other_files_know_what_brought_them(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        {
            "compose.yaml": "services:\n  s:\n    env_file:\n      - path: e.env\n"
            "    environment:\n      - GOGC\n      - A=${A}\n      - B=x${A}\n",
            ".env": "GOGC=50\nA=1\n",
            "e.env": "GOMEMLIMIT=1GiB\n",
        },
    )
    env = project.services["s"].environment
    brought = {k: (v.via, v.brought_by and (v.brought_by.line, v.brought_by.column))
               for k, v in env.items()}
    assert brought == {
        "GOMEMLIMIT": ("env_file", (4, 15)),
        "GOGC": (".env", (6, 9)),
        "A": (".env", (7, 9)),
        "B": ("environment", None),
    }
