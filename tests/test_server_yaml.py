"""The language server on YAML, in process: which documents it reads, ignore comments in YAML,
hover on a container's GOMEMLIMIT and memory limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from dfmemlint import formats
from dfmemlint.config import clear_cache
from dfmemlint.formats import Format
from dfmemlint.golang.units import MIB
from dfmemlint.positions import Lines
from dfmemlint.server import actions, hover, linting
from dfmemlint.server.diagnostics import LineIndex
from dfmemlint.server.linting import DocumentLint, document_kind, fix_all, lint_document, reads
from dfmemlint.server.settings import ClientSettings


@pytest.fixture(autouse=True)
def _fresh_config() -> None:
    clear_cache()


def deployment(env: str, resources: str = "", pod: str = "") -> str:
    """A Deployment of one container ``api`` with ``env`` (lines at the env entries' indent)
    and ``resources`` (lines under ``resources:``)."""
    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n"
        f"    spec:\n{pod}      containers:\n        - name: api\n          image: example/api\n"
        f"          env:\n{env}"
    )
    if resources:
        text += f"          resources:\n{resources}"
    return text


ENV = "            - name: GOMEMLIMIT\n              value: 512MB\n"
LIMIT = "            limits:\n              memory: 512Mi\n"


def lint(tmp_path: Path, text: str, name: str = "deploy.yaml") -> DocumentLint:
    return lint_document(str(tmp_path / name), text, ClientSettings(), language_id="yaml")


@pytest.mark.parametrize(
    ("path", "language", "text", "kind"),
    [
        ("/x/deploy.yaml", "yaml", deployment(ENV), Format.KUBERNETES),
        ("/x/deploy.YML", None, deployment(ENV), Format.KUBERNETES),
        ("/x/values.yaml", "yaml", "env:\n  GOMEMLIMIT: 512MB\n", None),
        ("untitled:Untitled-1", "yaml", deployment(ENV), Format.KUBERNETES),
        ("untitled:Untitled-2", "yaml", "a: 1\n", None),
        ("untitled:Untitled-3", "yaml", "services:\n  api: {image: x}\n", Format.COMPOSE),
        ("untitled:Untitled-4", "dockercompose", deployment(ENV), Format.COMPOSE),
        ("/x/notes.txt", "plaintext", deployment(ENV), None),
        ("/x/Dockerfile", "yaml", "FROM golang:1.22\n", Format.DOCKERFILE),
        ("/x/Kustomization", None, "resources: [a.yaml]\n", Format.KUBERNETES),
        ("/x/kustomization.yaml", "yaml", "resources: [a.yaml]\n", Format.KUBERNETES),
    ],
)
def test_document_kind_of_yaml(
    path: str, language: str | None, text: str, kind: Format | None
) -> None:
    assert document_kind(path, language, text.encode()) == kind


def test_a_compose_buffer_when_an_engine_reads_compose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(formats.ENGINES, Format.COMPOSE, raising=False)
    assert document_kind("untitled:Untitled-1", "dockercompose", b"services: {}\n") is None
    monkeypatch.setitem(formats.ENGINES, Format.COMPOSE, formats.ENGINES[Format.KUBERNETES])
    assert document_kind("untitled:Untitled-1", "dockercompose", b"services: {}\n") == (
        Format.COMPOSE
    )


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/x/values.yaml", None, True),
        ("untitled:Untitled-1", "yaml", True),
        ("untitled:Untitled-1", "dockercompose", True),
        ("/x/Dockerfile.dev", None, True),
        ("/x/Kustomization", None, True),
        ("/x/README.md", "markdown", False),
    ],
)
def test_reads(path: str, language: str | None, expected: bool) -> None:
    assert reads(path, language) is expected


def test_not_a_manifest_is_not_configured(tmp_path: Path) -> None:
    (tmp_path / ".dfmemlint.toml").write_text("select = [\n")
    document = lint(tmp_path, "env:\n  GOMEMLIMIT: 512MB\n", name="values.yaml")
    assert document.problem is None
    assert document.findings == ()
    assert document.result is None
    assert hover.hover_document(document, 10) is None
    index = LineIndex(document.data)
    assert actions.code_actions(document, index, "u", 1, index.range(0, 5)) == []
    # A manifest beside it gets the configuration error.
    broken = lint(tmp_path, deployment(ENV))
    assert broken.problem is not None
    assert "configuration error" in broken.problem


def test_a_large_yaml_file_that_is_not_a_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linting, "MAX_FILE_BYTES", 10)
    quiet = lint(tmp_path, "env:\n  GOMEMLIMIT: 512MB\n", name="values.yaml")
    assert quiet.problem is None  # nothing to say about a file dfmemlint does not read
    large = lint(tmp_path, deployment(ENV))
    assert large.problem is not None
    assert "not linted" in large.problem


def test_a_manifest_that_is_not_yaml(tmp_path: Path) -> None:
    document = lint(tmp_path, "apiVersion: v1\nkind: Pod\nspec: [\n")
    assert [located.finding.code for located in document.findings] == ["DFM015"]


def _ignored(tmp_path: Path, text: str, code: str = "DFM004") -> str:
    document = lint(tmp_path, text)
    assert document.result is not None
    located = next(f for f in document.findings if f.finding.code == code)
    index = LineIndex(document.data)
    found = actions.code_actions(
        document, index, "u", 1, index.range(located.start, located.end), ["quickfix"]
    )
    action = next(a for a in found if a.title == f"dfmemlint: ignore {code} on this line")
    assert action.edit is not None
    assert action.edit.document_changes is not None
    change = action.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    (edit,) = change.edits
    assert isinstance(edit, types.TextEdit)
    start, end = index.offset(edit.range.start), index.offset(edit.range.end)
    fixed = document.data[:start] + edit.new_text.encode() + document.data[end:]
    assert code not in {f.finding.code for f in lint(tmp_path, fixed.decode()).findings}
    return fixed.decode()


def test_ignore_comment_in_yaml_is_indented_like_the_line(tmp_path: Path) -> None:
    fixed = _ignored(tmp_path, deployment(ENV, LIMIT))
    assert "- name: GOMEMLIMIT\n              # dfmemlint: ignore=DFM004\n              value:" in (
        fixed
    )


def test_ignore_comment_in_yaml_merges_and_keeps_crlf(tmp_path: Path) -> None:
    env = (
        "            - name: GOMEMLIMIT\n              # why: a cap\n"
        "              # dfmemlint: ignore=DFM014  \n              # another\n"
        "              value: 512MB\n"
    )
    fixed = _ignored(tmp_path, deployment(env, LIMIT).replace("\n", "\r\n"))
    assert "# dfmemlint: ignore=DFM014, DFM004  \r\n" in fixed
    fresh = _ignored(tmp_path, deployment(ENV, LIMIT).replace("\n", "\r\n"))
    assert "              # dfmemlint: ignore=DFM004\r\n              value: 512MB\r\n" in fresh


def test_ignore_comment_after_a_bom(tmp_path: Path) -> None:
    text = "\ufeffapiVersion: v1\nkind: ConfigMap\nmetadata: {name: e}\ndata: {GOMEMLIMIT: 1MB}\n"
    text += "---\n" + deployment("            - name: x\n              value: y\n").replace(
        "          env:\n", "          envFrom: [{configMapRef: {name: e}}]\n          env:\n"
    )
    document = lint(tmp_path, text)
    located = next(f for f in document.findings if f.finding.code == "DFM004")
    assert located.finding.line == 4
    assert document.result is not None
    shifted = located._replace(finding=located.finding._replace(line=1))
    edit = actions.ignore_edit(document.result, shifted)
    assert edit is not None
    assert edit.start == len("\ufeff".encode())
    assert edit.replacement == b"# dfmemlint: ignore=DFM004\n"


def test_no_ignore_action_where_the_comment_would_not_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ignore comment is offered in YAML only when the text with it no longer has the
    finding (a format that does not read the comment, say, gets none)."""
    document = lint(tmp_path, deployment(ENV, LIMIT))
    real = formats.lint

    def ignoring_comments(
        path: str, data: bytes, options: object, fmt: Format | None = None
    ) -> formats.Result:
        return real(path, document.data, document.options, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr(formats, "lint", ignoring_comments)
    index = LineIndex(document.data)
    found = actions.code_actions(document, index, "u", 1, index.range(0, len(document.data)))
    assert [a.title for a in found if "ignore" in a.title] == []
    assert any(a.title.startswith("DFM004") for a in found)


COMPOSE_512MB = "services:\n  api:\n    image: example/api\n    environment: {GOMEMLIMIT: 512MB}\n"


@pytest.mark.parametrize(
    ("path", "language", "text", "kind", "fixed_part"),
    [
        # Unsaved buffers: no file name, the format told by the content or the editor.
        ("untitled:Untitled-1", "yaml", deployment(ENV, LIMIT), Format.KUBERNETES,
         b"value: 409MiB"),
        ("untitled:Untitled-1", "yaml", COMPOSE_512MB, Format.COMPOSE, b"GOMEMLIMIT: 512MiB"),
        ("untitled:Untitled-1", "dockercompose", COMPOSE_512MB, Format.COMPOSE,
         b"GOMEMLIMIT: 512MiB"),
        # Compose written as JSON is Compose because the editor says so: the fixer reads it so
        # too (it used to read it as a Dockerfile, by name and text, and offer no "fix all").
        ("untitled:Untitled-2", "dockercompose",
         '{"services": {"api": {"mem_limit": "1g", "environment": {"GOMEMLIMIT": "512MB"}}}}\n',
         Format.COMPOSE, b'"GOMEMLIMIT": "512MiB"'),
        # A name that says another format than the editor's language.
        ("{tmp}/build.yaml", "dockerfile",
         "FROM golang:1.22\nENV GOMEMLIMIT=512MB\nRUN go build -o /app .\n", Format.DOCKERFILE,
         b"GOMEMLIMIT=512MiB"),
        ("{tmp}/deploy.yaml", "yaml", deployment(ENV, LIMIT), Format.KUBERNETES,
         b"value: 409MiB"),
    ],
)
def test_fix_all_reads_as_the_document_was_linted(
    tmp_path: Path, path: str, language: str, text: str, kind: Format, fixed_part: bytes
) -> None:
    document = lint_document(
        path.format(tmp=tmp_path), text, ClientSettings(), language_id=language,
        config_start=str(tmp_path),
    )
    assert document.kind == kind
    assert [f.finding.code for f in document.findings] == ["DFM004"]
    fixed = fix_all(document)
    assert fixed is not None
    assert fixed_part in fixed
    again = lint_document(
        path.format(tmp=tmp_path), fixed.decode(), ClientSettings(), language_id=language,
        config_start=str(tmp_path),
    )
    assert again.findings == ()


def test_an_unsaved_buffer_of_other_yaml_is_not_read(tmp_path: Path) -> None:
    assert formats.sniff_yaml(b"a: 1\nservices: [x]\n") is None
    document = lint_document(
        "untitled:Untitled-1", "a: 1\n", ClientSettings(), language_id="yaml",
        config_start=str(tmp_path),
    )
    assert (document.kind, fix_all(document)) == (None, None)


# -- hover ------------------------------------------------------------------------------------


def _hover(tmp_path: Path, text: str, at: str, shift: int = 0) -> hover.HoverText:
    document = lint(tmp_path, text)
    found = hover.hover_document(document, document.data.index(at.encode()) + shift)
    assert found is not None
    assert document.data[found.start : found.end].decode() in at
    return found


def test_hover_on_a_manifest_value_without_a_limit(tmp_path: Path) -> None:
    env = "            - name: GOMEMLIMIT\n              value: \"off\"\n"
    markdown = _hover(tmp_path, deployment(env), "off").markdown
    assert "**GOMEMLIMIT=off**" in markdown
    assert "no soft memory limit" in markdown
    assert "no memory limit declared for this container" in markdown
    assert "budget" not in markdown


def test_hover_on_a_value_computed_from_the_limit(tmp_path: Path) -> None:
    env = (
        "            - name: GOMEMLIMIT\n              valueFrom:\n"
        "                resourceFieldRef: {resource: limits.memory, divisor: 1Mi}\n"
    )
    markdown = _hover(tmp_path, deployment(env, LIMIT), "limits.memory,").markdown
    assert "**GOMEMLIMIT=512**" in markdown  # ceil(limit / divisor), read by Go as bytes
    assert "resourceFieldRef limits.memory" in markdown
    assert "512 bytes" in markdown
    assert "0 % of the container's memory limit" in markdown  # 512 bytes of 512 MiB
    secret = (
        "            - name: GOMEMLIMIT\n              valueFrom:\n"
        "                resourceFieldRef: {resource: requests.cpu}\n"
    )
    unknown = _hover(tmp_path, deployment(secret, LIMIT), "requests.cpu").markdown
    assert "**GOMEMLIMIT**" in unknown
    assert "not in the linted files" in unknown


def test_hover_on_a_pod_limit_shared_by_containers(tmp_path: Path) -> None:
    pod = "      resources:\n        limits:\n          memory: 1Gi\n"
    text = deployment("            - name: GOMEMLIMIT\n              value: 256MiB\n", pod=pod)
    text += (
        "        - name: sidecar\n          image: example/sidecar\n"
        "        - name: proxy\n          image: example/proxy\n          env:\n"
        "            - name: GOMEMLIMIT\n              value: 1.5GiB\n"
    )
    found = _hover(tmp_path, text, "1Gi\n")
    markdown = found.markdown
    assert markdown.startswith("**pod-level spec.resources.limits.memory: 1Gi**")
    assert f"{1024 * MIB:,} bytes" in markdown
    assert "container 'api' of Deployment/api: GOMEMLIMIT=256MiB from env value, 25 %" in (
        markdown
    )
    assert "container 'sidecar' of Deployment/api: no GOMEMLIMIT reaches it" in markdown
    assert "container 'proxy' of Deployment/api: GOMEMLIMIT from env value" in markdown
    assert "`GOMEMLIMIT=819MiB`" in markdown  # floor(1024 x 0.8)
    on_value = _hover(tmp_path, text, "256MiB").markdown
    assert "`pod-level spec.resources.limits.memory: 1Gi` on line 9" in on_value


def test_hover_on_a_value_several_containers_share(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: e}\ndata: {GOMEMLIMIT: 400MiB}\n---\n"
    for name, limit in (("a", "512Mi"), ("b", "1Gi")):
        text += deployment(
            "            - name: X\n              value: y\n",
            f"            limits:\n              memory: {limit}\n",
        ).replace("{name: api}", f"{{name: {name}}}").replace(
            "          env:\n", "          envFrom: [{configMapRef: {name: e}}]\n          env:\n"
        ) + "---\n"
    markdown = _hover(tmp_path, text, "400MiB").markdown
    first, second = markdown.split("\n\n---\n\n")
    assert "Deployment/a" in first
    assert f"{round(400 * 1000 / 512) / 10} %" in first
    assert "Deployment/b" in second
    assert f"{round(400 * 1000 / 1024) / 10} %" in second


def test_no_hover_elsewhere_in_a_manifest(tmp_path: Path) -> None:
    document = lint(tmp_path, deployment(ENV, LIMIT))
    assert hover.hover_document(document, document.data.index(b"image")) is None


COMPOSE = (
    "services:\n  api:\n    image: example/api\n    mem_limit: 512m\n"
    "    environment: {GOMEMLIMIT: 400MiB}\n"
)


def test_hover_on_a_compose_service(tmp_path: Path) -> None:
    """Compose files come through the same engines as on the command line (formats.ENGINES),
    and their services are hovered like manifest containers."""
    document = lint_document(str(tmp_path / "compose.yaml"), COMPOSE, ClientSettings())
    assert document.kind == Format.COMPOSE
    data = document.data
    found = hover.hover_document(document, data.index(b"400"))
    assert found is not None
    assert "service 'api' of Compose project" in found.markdown
    assert "`mem_limit: 512m` on line 4" in found.markdown
    assert f"{round(400 * 1000 / 512) / 10} % of the container's memory limit" in found.markdown
    assert document.result is not None
    containers = hover.containers_of(document.result)
    assert len(containers) == 1
    dockerfile = lint_document(str(tmp_path / "Dockerfile"), "FROM alpine\n", ClientSettings())
    assert dockerfile.result is not None
    assert hover.containers_of(dockerfile.result) == []
    path = str(tmp_path / "compose.yaml")
    # A limit written in another file is named by that file, and not hovered here.
    limit = containers[0].limit
    assert limit is not None
    assert limit.place is not None
    elsewhere = limit._replace(place=limit.place._replace(path=str(tmp_path / "other.yaml")))
    moved = [containers[0]._replace(limit=elsewhere)]
    found = hover.hover_containers(moved, path, Lines(data), 0.8, data.index(b"400"))
    assert found is not None
    assert f"`mem_limit: 512m` in {tmp_path / 'other.yaml'}" in found.markdown
    assert hover.hover_containers(moved, path, Lines(data), 0.8, data.index(b"512m")) is None
    # A limit written in no file (given on the command line) says only its field.
    given = [containers[0]._replace(limit=limit._replace(place=None))]
    found = hover.hover_containers(given, path, Lines(data), 0.8, data.index(b"400"))
    assert found is not None
    assert "`mem_limit: 512m`\n" in found.markdown


def test_a_kustomization_patch(tmp_path: Path) -> None:
    """kustomize's patches are linted where they write the value, as on the command line
    (``Kustomization`` has no suffix: the editor may not call it YAML)."""
    text = (
        "resources: [deployment.yaml]\npatches:\n  - target: {kind: Deployment, name: api}\n"
        "    patch: |\n      - op: add\n        path: /spec/template/spec/containers/0/env/-\n"
        "        value:\n          name: GOMEMLIMIT\n          value: 300Mi\n"
    )
    document = lint_document(str(tmp_path / "Kustomization"), text, ClientSettings())
    assert [(f.finding.code, f.finding.line) for f in document.findings] == [("DFM004", 9)]
    located = document.findings[0]
    assert document.data[located.start : located.end] == b"300Mi"
