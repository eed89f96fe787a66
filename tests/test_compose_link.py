"""A Dockerfile runs under the memory limit of the Compose services that build it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli
from helpers.compose import compose_service

from dfmemlint.cli import main

DOCKERFILE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/api .

FROM alpine:3.20
COPY --from=build /out/api /usr/local/bin/api
ENV GOMEMLIMIT=512MiB
CMD ["/usr/local/bin/api"]
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "--no-color", *args)


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    _, out, _ = run(capsys, "--format", "json", *args)
    found: list[dict[str, object]] = json.loads(out)
    return found


def test_directory_reports_dfm007_against_the_service_limit(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(compose_service())
    (project / "Dockerfile").write_text(DOCKERFILE)
    code, out, _ = run(capsys, ".")
    assert code == 1
    assert "Dockerfile:8:16: DFM007 [error]" in out
    assert "service api, compose.yaml:4" in out
    [finding] = findings(capsys, ".")
    assert (finding["code"], finding["line"], finding["column"]) == ("DFM007", 8, 16)


def test_fix_sets_gomemlimit_from_the_service_limit(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        compose_service("    deploy: {resources: {limits: {memory: 1g}}}\n", mem_limit=None)
    )
    (project / "Dockerfile").write_text(DOCKERFILE.replace("ENV GOMEMLIMIT=512MiB\n", ""))
    code, _, err = run(capsys, "--fix", ".")
    assert code == 0, err
    fixed = (project / "Dockerfile").read_text()
    # An ENV default, which the service's environment can still override (DFM016).
    assert fixed.endswith('ENV GOMEMLIMIT=819MiB\nCMD ["/usr/local/bin/api"]\n')


def test_service_that_sets_gomemlimit_silences_dfm006_and_dfm016_names_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        compose_service("    environment: [GOMEMLIMIT=800MiB]\n", mem_limit="1g")
    )
    (project / "Dockerfile").write_text(DOCKERFILE.replace("ENV GOMEMLIMIT=512MiB\n", ""))
    assert findings(capsys, ".") == []
    (project / "Dockerfile").write_text(
        DOCKERFILE.replace("ENV GOMEMLIMIT=512MiB\n", "").replace(
            'CMD ["/usr/local/bin/api"]', 'CMD ["env", "GOMEMLIMIT=700MiB", "/usr/local/bin/api"]'
        )
    )
    code, out, _ = run(capsys, ".")
    assert code == 1
    assert "DFM016 [warning] GOMEMLIMIT=700MiB on the CMD overrides" in out
    assert "service api, compose.yaml:5 sets GOMEMLIMIT=800MiB" in out


def test_command_line_and_comment_win_over_the_service(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(compose_service())
    (project / "Dockerfile").write_text(DOCKERFILE)
    assert findings(capsys, "--memory-limit", "2GiB", "Dockerfile") == []
    (project / "Dockerfile").write_text("# dfmemlint: memory-limit=2GiB\n" + DOCKERFILE)
    assert findings(capsys, "Dockerfile") == []


def test_several_services_use_the_smallest_limit(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app").mkdir()
    (project / "app" / "Dockerfile").write_text(DOCKERFILE.replace("512MiB", "450MiB"))
    (project / "compose.yaml").write_text(
        "services:\n"
        "  big:\n    build: app\n    mem_limit: 2g\n"
        "  small:\n    build: {context: ., dockerfile: app/Dockerfile}\n    mem_limit: 460m\n"
        "  other:\n    build: other\n    mem_limit: 1m\n"
        "  none:\n    build: app\n"
    )
    code, out, err = run(capsys, "app/Dockerfile")
    assert code == 1
    assert "DFM007 [warning]" in out  # 450 MiB is over 95 % of 460 MiB, not of 2 GiB
    assert "service small, compose.yaml:7" in out
    assert "2 Compose services build this Dockerfile" in err


def test_project_above_and_override_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "svc").mkdir()
    (project / "svc" / "Dockerfile").write_text(DOCKERFILE)
    (project / "docker-compose.yml").write_text(compose_service(build="./svc", mem_limit="4g"))
    (project / "docker-compose.override.yml").write_text(
        compose_service(build=None, mem_limit="${LIMIT:-512m}")
    )
    [finding] = findings(capsys, "svc")
    assert finding["code"] == "DFM007"
    (project / ".env").write_text("LIMIT=4g\n")
    assert findings(capsys, "svc") == []


def test_unreadable_compose_file_is_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text("services: [\n")
    (project / "Dockerfile").write_text(DOCKERFILE)
    code, _, err = run(capsys, "Dockerfile")
    assert code == 0
    assert "compose.yaml:2: not valid YAML" in err
    assert "not linked" in err


def test_inspect_shows_where_the_limit_came_from(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    build: .\n    mem_limit: 512m\n"
        "    environment: [GOMEMLIMIT=400MiB]\n  bare:\n    build: .\n"
    )
    (project / "Dockerfile").write_text(DOCKERFILE)
    assert main(["inspect", "Dockerfile"]) == 0
    out = capsys.readouterr().out
    assert (
        "built by Compose service api (compose.yaml:2): memory limit 536,870,912 bytes "
        "(512 MiB) from compose.yaml:4 mem_limit: 512m; sets its own GOMEMLIMIT, which "
        "replaces the image's ENV GOMEMLIMIT" in out
    )
    assert "built by Compose service bare (compose.yaml:6): no memory limit" in out
    assert main(["inspect", "--format", "json", "Dockerfile"]) == 0
    [info] = json.loads(capsys.readouterr().out)
    assert info["compose_services"][0] == {
        "service": "api",
        "file": "compose.yaml",
        "line": 2,
        "memory_limit": 536870912,
        "memory_limit_from": "compose.yaml:4 mem_limit: 512m",
        "gomemlimit": "400MiB",
        "sets_gomemlimit": True,
        "limit_applies": False,
    }


def test_stdin_filename_links_too(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    (project / "compose.yaml").write_text(compose_service())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DOCKERFILE.encode())))
    [finding] = findings(capsys, "--stdin-filename", "Dockerfile", "-")
    assert finding["code"] == "DFM007"


# A service's own GOMEMLIMIT (environment or env_file) replaces the image's ENV GOMEMLIMIT in its
# containers (moby daemon/commit.go merge), so the Dockerfile's value is not judged against it.


def test_overriding_service_does_not_judge_the_dockerfile_value(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        compose_service("    environment: {GOMEMLIMIT: 400MiB}\n")
    )
    (project / "Dockerfile").write_text(DOCKERFILE.replace("512MiB", "1GiB"))
    assert findings(capsys, ".") == []
    assert findings(capsys, "Dockerfile") == []
    # Without the service's own value, the same Dockerfile is out of range for 512 MiB.
    (project / "compose.yaml").write_text(compose_service())
    [finding] = findings(capsys, "Dockerfile")
    assert (finding["code"], finding["line"], finding["column"]) == ("DFM007", 8, 16)


def test_overriding_service_by_env_file_counts_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(compose_service("    env_file: app.env\n"))
    (project / "app.env").write_text("GOMEMLIMIT=400MiB\n")
    (project / "Dockerfile").write_text(DOCKERFILE.replace("512MiB", "1GiB"))
    assert findings(capsys, "Dockerfile") == []


def test_two_services_one_overriding_judged_against_the_other(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        "services:\n"
        "  small:\n    build: .\n    mem_limit: 256m\n"
        "    environment: [GOMEMLIMIT=200MiB]\n"
        "  worker:\n    build: .\n    mem_limit: 1g\n"
    )
    (project / "Dockerfile").write_text(DOCKERFILE.replace("512MiB", "1000MiB"))
    code, out, err = run(capsys, "Dockerfile")
    assert code == 1
    # 1000 MiB is over 95 % of worker's 1 GiB; small's 256 MiB would have made it an error.
    [line] = [line for line in out.splitlines() if "DFM007" in line]
    assert line.startswith("Dockerfile:8:16: DFM007 [warning]")
    assert (
        "Set GOMEMLIMIT=819MiB (0.8 of the declared 1GiB memory limit of service worker, "
        "compose.yaml:8)." in line
    )
    assert "small" not in line
    assert "Compose services build this Dockerfile" not in err
    [finding] = findings(capsys, "Dockerfile")
    assert (finding["code"], finding["line"], finding["column"]) == ("DFM007", 8, 16)
    assert main(["inspect", "Dockerfile"]) == 0
    out = capsys.readouterr().out
    assert (
        "built by Compose service small (compose.yaml:2): memory limit 268,435,456 bytes "
        "(256 MiB) from compose.yaml:4 mem_limit: 256m; sets its own GOMEMLIMIT, which "
        "replaces the image's ENV GOMEMLIMIT" in out
    )
    assert (
        "built by Compose service worker (compose.yaml:6): memory limit 1,073,741,824 bytes "
        "(1,024 MiB) from compose.yaml:8 mem_limit: 1g; the limit linked to this Dockerfile" in out
    )


def test_all_services_overriding_means_no_service_limit(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(
        "services:\n"
        "  a:\n    build: .\n    mem_limit: 256m\n    environment: [GOMEMLIMIT=200MiB]\n"
        "  b:\n    build: .\n    mem_limit: 300m\n    environment: {GOMEMLIMIT: 250MiB}\n"
    )
    (project / "Dockerfile").write_text(DOCKERFILE.replace("512MiB", "1GiB"))
    assert findings(capsys, "Dockerfile") == []
    # A limit given on the command line still applies as usual.
    [finding] = findings(capsys, "--memory-limit", "512MiB", "Dockerfile")
    assert (finding["code"], finding["line"]) == ("DFM007", 8)
    assert "service" not in str(finding["message"])
    assert main(["inspect", "--format", "json", "Dockerfile"]) == 0
    [info] = json.loads(capsys.readouterr().out)
    assert [(s["service"], s["sets_gomemlimit"], s["limit_applies"])
            for s in info["compose_services"]] == [("a", True, False), ("b", True, False)]


@pytest.mark.parametrize(
    "environment",
    ["[GOMEMLIMIT]", "{GOMEMLIMIT: '${UNSET_IN_THIS_TEST}'}", "[GOMEMLIMIT=$UNSET_IN_THIS_TEST]"],
)
def test_unknown_value_still_overrides(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: str,
) -> None:
    monkeypatch.delenv("GOMEMLIMIT", raising=False)
    monkeypatch.delenv("UNSET_IN_THIS_TEST", raising=False)
    (project / "compose.yaml").write_text(compose_service(f"    environment: {environment}\n"))
    (project / "Dockerfile").write_text(DOCKERFILE.replace("512MiB", "1GiB"))
    assert [f for f in findings(capsys, "Dockerfile") if f["code"] == "DFM007"] == []
    assert main(["inspect", "--format", "json", "Dockerfile"]) == 0
    [info] = json.loads(capsys.readouterr().out)
    [service] = info["compose_services"]
    assert (service["gomemlimit"], service["sets_gomemlimit"]) == (None, True)
