"""Files that are not Dockerfiles, named on the command line or piped in: Compose YAML and
manifests on standard input, env files (``.env``, ``app.env``) linted through the Compose project
that reads them, and a Compose file under another name linked to the Dockerfiles it builds."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.compose import compose_service
from helpers.manifests import workload

from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import Format, detect, first_statement, is_env_name

COMPOSE = compose_service("    environment:\n", build=None, image="example/api")
MANIFEST = workload("""\
          resources: {limits: {memory: 512Mi}}
          env:
            - {name: GOMEMLIMIT, value: 512MB}
""")
NOT_READ = "no Compose project in its directory or above, nor any Compose file named with it"
DOCKERFILE = """\
FROM golang:1.22 AS build
RUN go build -o /out/api .
FROM alpine:3.20
COPY --from=build /out/api /usr/local/bin/api
ENV GOMEMLIMIT=600MiB
CMD ["/usr/local/bin/api"]
"""


def _json(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict[str, object]], str]:
    code, out, err = run_cli(capsys, "--no-color", "--format", "json", *args)
    return code, json.loads(out), err


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


# --- Detection ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "expected"),
    [
        ("-", COMPOSE + "      - GOGC=off\n", Format.COMPOSE),
        ("-", "# the stack\n\nservices:\n  api: {image: a}\n", Format.COMPOSE),
        ("-", "\ufeffservices:\n  api: {image: a}\n", Format.COMPOSE),
        ("-", MANIFEST, Format.KUBERNETES),
        ("-", "---\n" + MANIFEST, Format.KUBERNETES),
        ("-", "GOMEMLIMIT=512MB\n", Format.ENV_FILE),
        ("-", "# tuning\nexport GOGC=off\n", Format.ENV_FILE),
        ("-", "FROM golang:1.22\n", Format.DOCKERFILE),
        ("-", "# syntax=docker/dockerfile:1\nARG GO=1.22\nFROM golang:$GO\n", Format.DOCKERFILE),
        # A Dockerfile whose heredoc writes a manifest: its first statement is an instruction.
        ("-", "FROM alpine\nRUN cat <<EOF >/k.yaml\napiVersion: v1\nkind: Pod\nEOF\n",
         Format.DOCKERFILE),
        ("-", "FROM alpine\nRUN <<EOF\nservices:\n  a: {}\nEOF\n", Format.DOCKERFILE),
        ("-", "", Format.DOCKERFILE),
        (".env", "", Format.ENV_FILE),
        ("deploy/.env.production", "FROM alpine\n", Format.ENV_FILE),
        ("app.env", "# nothing yet\n", Format.ENV_FILE),
        ("Dockerfile.env", "GOGC=off\n", Format.DOCKERFILE),
        ("build", "services:\n  api: {image: a}\n", Format.COMPOSE),
        ("Dockerfile", "services:\n  api: {image: a}\n", Format.DOCKERFILE),
    ],
)
def test_detect_by_content(path: str, data: str, expected: Format) -> None:
    assert detect(path, data.encode()) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [(".env", True), (".env.local", True), ("app.env", True), ("APP.ENV", True),
     (".envrc", False), ("env", False), ("Dockerfile", False), (".env/", False)],
)
def test_env_names(name: str, expected: bool) -> None:
    assert is_env_name(name) is expected


def test_first_statement_skips_comments_blanks_and_the_byte_order_mark() -> None:
    assert first_statement(b"\xef\xbb\xbf\n  # x\n\r\n  services:\r\n") == b"services:"
    assert first_statement(b"# only\n\n") == b""


# --- Standard input -------------------------------------------------------------------------------


def test_compose_on_standard_input_is_linted_as_compose(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, COMPOSE + '      - GOMEMLIMIT="400MiB"\n')
    code, found, _ = _json(capsys, "-")
    assert code == 1
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in found] == [
        ("-", "DFM004", 6, 20)
    ]


def test_compose_on_standard_input_is_fixed_to_standard_output(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = COMPOSE + "      - GOGC=off\n"
    _stdin(monkeypatch, text)
    code, out, _ = run_cli(capsys, "--no-color", "--fix", "-")
    assert code == 0
    assert out == text + "      - GOMEMLIMIT=409MiB\n"


def test_manifest_on_standard_input_is_linted_as_a_manifest(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, MANIFEST)
    code, found, _ = _json(capsys, "-")
    assert code == 1
    assert [(f["code"], f["line"]) for f in found] == [("DFM004", 13)]


def test_dockerfile_on_standard_input_is_still_a_dockerfile(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "FROM alpine\nENV GOMEMLIMIT=512MB\n")
    code, found, _ = _json(capsys, "-")
    assert code == 1
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("DFM004", 2, 16)]


# --- Env files ------------------------------------------------------------------------------------


def test_dotenv_named_explicitly_is_linted_through_its_project(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(COMPOSE + "      GOMEMLIMIT: ${GOMEMLIMIT:?}\n")
    (project / ".env").write_text("# tuning\nGOMEMLIMIT=512MB\n")
    code, found, err = _json(capsys, ".env")
    assert code == 1
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in found] == [
        (".env", "DFM004", 2, 12)
    ]
    assert "DFM000" not in err
    # The value is this file's: the fix edits it (the Compose file's finding has none).
    outcome = fix_file(".env", (project / ".env").read_bytes(), LintOptions(), unsafe=False)
    assert outcome.error is None
    assert outcome.data == b"# tuning\nGOMEMLIMIT=409MiB\n"
    code, _, _ = run_cli(capsys, "--fix", ".env")
    assert code == 0
    assert (project / ".env").read_text() == "# tuning\nGOMEMLIMIT=409MiB\n"


def test_env_file_of_a_service_is_linted_through_its_project(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        compose_service("    env_file: config/app.env\n", build=None, image="a", mem_limit="1g")
    )
    (project / "config").mkdir()
    (project / "config" / "app.env").write_text("GOGC=off\nGOMEMLIMIT=1.5GiB\n")
    code, found, _ = _json(capsys, "config/app.env")
    assert code == 1
    assert [(f["path"], f["code"], f["line"]) for f in found] == [
        ("config/app.env", "DFM004", 2)
    ]
    [finding] = found
    assert "service 'api'" in str(finding["message"])


def test_env_file_in_a_subdirectory_of_the_project_is_found_from_above(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        compose_service("    env_file: [env/a.env]\n", build=None, image="a", mem_limit="1g")
    )
    (project / "env").mkdir()
    (project / "env" / "a.env").write_text("GOMEMLIMIT=2GiB\n")
    code, found, _ = _json(capsys, "env/a.env")
    assert code == 1
    assert [(f["code"], f["line"], f["column"]) for f in found] == [("DFM007", 1, 12)]


def test_env_file_nothing_reads_gets_one_note(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".env").write_text("GOMEMLIMIT=512MB\nGOGC=off\n")
    code, out, err = run_cli(capsys, "--no-color", ".env")
    assert code == 0
    assert "DFM000" not in out
    assert err.count("an env file (KEY=value lines), not a Dockerfile") == 1
    assert NOT_READ in err


def test_env_file_on_standard_input_without_a_name_gets_the_note(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "GOMEMLIMIT=512MB\n")
    code, out, err = run_cli(capsys, "--no-color", "-")
    assert code == 0
    assert "DFM000" not in out
    assert "-: an env file" in err


def test_env_file_with_stdin_filename_is_read_with_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(COMPOSE + "      - GOMEMLIMIT\n")
    (project / ".env").write_text("GOMEMLIMIT=400MiB\n")  # on disk: fine
    _stdin(monkeypatch, "GOMEMLIMIT=400MB\n")  # the editor's unsaved text: malformed
    code, found, _ = _json(capsys, "--stdin-filename", ".env", "-")
    assert code == 1
    assert [(f["path"], f["code"], f["line"]) for f in found] == [(".env", "DFM004", 1)]


def test_env_file_compose_cannot_read_is_one_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(COMPOSE + "      - GOMEMLIMIT\n")
    (project / ".env").write_text("A=1\nGOMEMLIMIT='400MiB\n")
    code, found, _ = _json(capsys, ".env")
    assert code == 1
    assert [(f["code"], f["line"]) for f in found] == [("DFM015", 2)]
    assert "unterminated quoted value" in str(found[0]["message"])


def test_env_file_suppression(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "compose.yaml").write_text(COMPOSE + "      - GOMEMLIMIT\n")
    (project / ".env").write_text("# dfmemlint: ignore=DFM004\nGOMEMLIMIT=400MB\n")
    code, found, _ = _json(capsys, ".env")
    assert (code, found) == (0, [])


def test_env_value_that_environment_replaces_is_not_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        compose_service(
            "    env_file: app.env\n    environment: {GOMEMLIMIT: 400MiB}\n",
            build=None,
            image="a",
            mem_limit=None,
        )
    )
    (project / "app.env").write_text("GOMEMLIMIT=400MB\n")
    code, found, _ = _json(capsys, "app.env")
    assert (code, found) == (0, [])


def test_directory_walk_still_skips_env_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(COMPOSE + "      - GOMEMLIMIT\n")
    (project / ".env").write_text("GOMEMLIMIT=400MB\n")
    code, found, _ = _json(capsys, ".")
    assert code == 1
    assert [(f["path"], f["code"]) for f in found] == [("compose.yaml", "DFM004")]


# --- A Compose file under another name and the Dockerfiles it builds ----------------------------


def test_named_compose_file_links_the_dockerfile_it_builds(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "stack.yml").write_text(
        compose_service(build="{context: ., dockerfile: api.Dockerfile}")
    )
    (project / "api.Dockerfile").write_text(DOCKERFILE)
    code, found, _ = _json(capsys, "api.Dockerfile")
    assert (code, found) == (0, [])  # alone: no limit known, 600MiB is fine
    for order in (["stack.yml", "api.Dockerfile"], ["api.Dockerfile", "stack.yml"]):
        code, found, _ = _json(capsys, *order)
        assert code == 1
        assert [(f["path"], f["code"], f["line"]) for f in found] == [
            ("api.Dockerfile", "DFM007", 5)
        ]
        assert "service api, stack.yml:4" in str(found[0]["message"])


def test_named_compose_file_in_another_directory(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "deploy").mkdir()
    (project / "src").mkdir()
    (project / "deploy" / "prod.yml").write_text(
        compose_service(
            "    deploy: {resources: {limits: {memory: 512M}}}\n", build="../src", mem_limit=None
        )
    )
    (project / "src" / "Dockerfile").write_text(DOCKERFILE.replace("ENV GOMEMLIMIT=600MiB\n", ""))
    code, _, _ = run_cli(capsys, "--fix", "deploy/prod.yml", "src/Dockerfile")
    assert code == 0
    assert "ENV GOMEMLIMIT=409MiB\n" in (project / "src" / "Dockerfile").read_text()


def test_default_compose_file_named_too_is_read_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(compose_service())
    (project / "Dockerfile").write_text(DOCKERFILE)
    code, out, err = run_cli(capsys, "--no-color", "compose.yaml", "Dockerfile")
    assert code == 1
    assert out.count("DFM007") == 1
    assert "Compose services build this Dockerfile" not in err  # one service, not two


def test_inspect_shows_the_named_compose_files_services_and_an_unread_env_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "stack.yml").write_text(
        compose_service(build="{context: ., dockerfile: api.Dockerfile}")
    )
    (project / "api.Dockerfile").write_text(DOCKERFILE)
    (project / "other.env").write_text("GOGC=off\n")
    code, out, _ = run_cli(
        capsys, "inspect", "--format", "json", "stack.yml", "api.Dockerfile", "other.env"
    )
    assert code == 0
    compose, dockerfile, env = json.loads(out)
    assert compose["format"] == "compose"
    [service] = dockerfile["compose_services"]
    assert (service["service"], service["memory_limit"]) == ("api", 512 * 2**20)
    assert env["format"] is None
    assert NOT_READ in env["note"]


def test_env_file_reports_only_its_own_values_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        "services:\n"
        "  api:\n    image: a\n    mem_limit: 1g\n    env_file: shared.env\n"
        "    environment: [GOGC=off]\n"
        "  worker:\n    image: b\n    mem_limit: 1g\n    env_file: shared.env\n"
        "    environment: {GOMEMLIMIT: 1.5GiB}\n"
    )
    (project / "shared.env").write_text("GOMEMLIMIT=512MB\n# dfmemlint: ignore=DFM999\n")
    code, found, _ = _json(capsys, "shared.env")
    assert code == 1
    # api gets 512MB from the file (once, though two services read it); the worker's own
    # 1.5GiB is the Compose file's finding, not this file's; the comment names no rule.
    assert [(f["code"], f["line"]) for f in found] == [("DFM004", 1), ("DFM017", 2)]


def test_env_file_beside_a_compose_file_compose_cannot_read(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text("services: [\n")
    (project / ".env").write_text("GOMEMLIMIT=512MB\n")
    code, _, err = run_cli(capsys, "--no-color", ".env")
    assert code == 0
    assert "compose.yaml:2: not valid YAML" in err
    assert "whether it reads .env is unknown" in err
    assert NOT_READ in err


def test_env_file_read_by_a_compose_file_named_with_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "deploy").mkdir()
    (project / "deploy" / "stack.yml").write_text(
        compose_service(
            "    env_file: api.env\n    environment: [GOMEMLIMIT]\n", build=None, image="a"
        )
    )
    (project / "deploy" / "api.env").write_text("GOGC=off\n")
    (project / "deploy" / ".env").write_text("GOMEMLIMIT=512MiB\n")
    # Alone, nothing reads either file (stack.yml is not a name docker compose finds).
    code, found, err = _json(capsys, "deploy/api.env", "deploy/.env")
    assert (code, found) == (0, [])
    assert err.count("nothing in it was checked") == 2
    # Named with the Compose file, each is judged as the service gets it: GOGC=off is bounded
    # by the .env's GOMEMLIMIT, which is the whole 512m limit.
    code, found, err = _json(capsys, "deploy/stack.yml", "deploy/api.env", "deploy/.env")
    assert code == 1
    # Reported in the env file, with its fix, and where the Compose file brings it in.
    assert sorted((f["path"], f["code"], f["line"], f["fix"] is None) for f in found) == [
        ("deploy/.env", "DFM007", 1, False), ("deploy/stack.yml", "DFM007", 6, True)
    ]
    assert "nothing in it was checked" not in err
    code, _, _ = run_cli(capsys, "--unsafe-fixes", "deploy/stack.yml", "deploy/.env")
    assert (project / "deploy" / ".env").read_text() == "GOMEMLIMIT=409MiB\n"
