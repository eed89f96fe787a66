"""A Compose file under any name, when it is named on the command line or on standard input
(``docker compose -f stack.yml`` reads any name), is told by its top-level ``services:``; a YAML
file named there that is neither a manifest nor a Compose file says so instead of passing."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from helpers.compose_samples import ISSUE_API

from dfmemlint.cli import main
from dfmemlint.formats import Format, detect, looks_like_compose, wanted_in_walk

NEITHER = (
    "skipped: neither a Kubernetes manifest (top-level apiVersion: and kind:) nor a Compose "
    "file (top-level services:); nothing to lint"
)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[str, ...]]]:
    code, out, _ = _run(capsys, "--format", "json", *args)
    return code, [(f["path"], f["code"], f"{f['line']}:{f['column']}") for f in json.loads(out)]


@pytest.mark.parametrize("name", ["stack.yml", "deployment.yaml", "k8s/api.yaml", "x.YML"])
def test_a_compose_file_under_another_name_is_linted(
    project: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ISSUE_API)
    code, found = _findings(capsys, name)
    assert (code, found) == (1, [(name, "DFM004", "5:19")])
    code, out, _ = _run(capsys, name)
    assert code == 1
    assert "All checks passed" not in out


def test_a_compose_file_on_standard_input_under_another_name(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ISSUE_API.encode())))
    code, found = _findings(capsys, "--stdin-filename", "stack.yml", "-")
    assert (code, found) == (1, [("stack.yml", "DFM004", "5:19")])


def test_its_project_directory_is_its_own(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ``.env`` beside the file interpolates it, as with ``docker compose -f``."""
    (project / "deploy").mkdir()
    (project / "deploy" / ".env").write_text("LIMIT=512M\n")
    (project / ".env").write_text("LIMIT=4g\n")  # the working directory's: not read
    (project / "deploy" / "stack.yml").write_text(
        ISSUE_API.replace("GOMEMLIMIT: 512MB ", "GOMEMLIMIT: 900MiB").replace(
            "memory: 512M", "memory: ${LIMIT}"
        )
    )
    code, found = _findings(capsys, "deploy/stack.yml")
    assert (code, found) == (1, [("deploy/stack.yml", "DFM007", "5:19")])
    code, out, _ = _run(capsys, "inspect", "deploy/stack.yml")
    assert code == 0
    assert out.startswith("deploy/stack.yml  (Compose, read with deploy/stack.yml)\n")
    assert "service api: memory limit 512M = 536,870,912 bytes (512 MiB)" in out
    assert "deploy/.env:1" in out


def test_inspect_says_compose(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "stack.yml").write_text(ISSUE_API)
    code, out, _ = _run(capsys, "inspect", "stack.yml")
    assert code == 0
    assert out.startswith("stack.yml  (Compose, read with stack.yml)\n  service api:")
    assert "Kubernetes" not in out
    code, out, _ = _run(capsys, "inspect", "--format", "json", "stack.yml")
    [info] = json.loads(out)
    assert info["format"] == "compose"


def test_a_manifest_with_services_stays_a_manifest() -> None:
    data = b"apiVersion: v1\nkind: ConfigMap\nservices:\n  a: b\n"
    assert detect("stack.yml", data) is Format.KUBERNETES


@pytest.mark.parametrize(
    ("data", "compose"),
    [
        (b"services:\n  api:\n    image: x\n", True),
        (b"# a stack\nname: shop\nservices:  # all of them\n\n  # the api\n  api: {}\n", True),
        (b"services: {api: {image: x}}\n", True),
        (b'"services":\n  api: {}\n', True),
        (b"services:\r\n  api: {}\r\n", True),
        (b"services:\n  - docker:dind\n", False),  # GitLab CI: a list of images
        (b"services:\n- docker:dind\n", False),
        (b"services: 3\n", False),
        (b"spec:\n  services:\n    api: {}\n", False),  # not top-level
        (b"image: x\n", False),
    ],
)
def test_looks_like_compose(data: bytes, compose: bool) -> None:
    assert looks_like_compose(data) is compose
    assert (detect("stack.yml", data) is Format.COMPOSE) is compose


def test_the_walk_still_picks_compose_files_by_name(tmp_path: Path) -> None:
    (tmp_path / "stack.yml").write_text(ISSUE_API)
    (tmp_path / "compose.yaml").write_text(ISSUE_API)
    assert not wanted_in_walk(str(tmp_path / "stack.yml"))
    assert wanted_in_walk(str(tmp_path / "compose.yaml"))


def test_yaml_that_is_neither_says_so(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "values.yaml").write_text("replicaCount: 2\nservices:\n  - docker:dind\n")
    code, out, err = _run(capsys, "values.yaml")
    assert (code, err) == (0, "")  # the pre-commit hooks pass every staged YAML file
    code, out, err = _run(capsys, "-v", "values.yaml")
    assert code == 0
    assert err == f"Warning: values.yaml: {NEITHER}\n"
    code, out, err = _run(capsys, "-q", "values.yaml")
    assert (code, out, err) == (0, "", "")
    # The fixing hook passes the same files: fixing says as much as linting.
    for mode in ("--fix", "--diff"):
        code, out, err = _run(capsys, mode, "values.yaml")
        assert (code, f"Warning: values.yaml: {NEITHER}" in err) == (0, False)
        code, out, err = _run(capsys, "-v", mode, "values.yaml")
        assert (code, f"Warning: values.yaml: {NEITHER}" in err) == (0, True)
    code, out, err = _run(capsys, "inspect", "values.yaml")
    assert code == 0
    assert out == f"values.yaml  (not read)\n  {NEITHER}\n"
    code, out, _ = _run(capsys, "inspect", "--format", "json", "values.yaml")
    assert json.loads(out) == [{"path": "values.yaml", "format": None, "note": NEITHER}]


def test_a_search_counts_one_other_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "Dockerfile").write_text("FROM scratch\n")
    (project / "notes.txt").write_text("x\n")
    code, _, err = _run(capsys, "--show-files", ".")
    assert code == 0
    assert err == (
        "Skipped 1 file that is not a Dockerfile, Kubernetes manifest or Compose file "
        "(--verbose lists them).\n"
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xef\xbb\xbfapiVersion: v1\r\nkind: Pod\r\n", "kubernetes"),
        (b"\xef\xbb\xbfservices:\n  api:\n    image: x\n", "compose"),
        (b"\xef\xbb\xbf- op: add\n  path: /spec\n", "operations"),
        (b"\xef\xbb\xbfreplicaCount: 2\n", None),
    ],
)
def test_a_byte_order_mark_does_not_hide_the_first_key(data: bytes, kind: str | None) -> None:
    from dfmemlint.formats import looks_like_compose, looks_like_kubernetes, looks_like_operations

    found = {
        "kubernetes": looks_like_kubernetes(data),
        "compose": looks_like_compose(data),
        "operations": looks_like_operations(data),
    }
    assert found == {name: name == kind for name in found}
