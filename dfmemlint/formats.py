"""Which format a file is, and the engine that lints it: the one entry point for "lint this text
as this path" (the command line, the fixer and the language server all come through here).

* Dockerfiles by name (``Dockerfile``, ``Containerfile``, ``Dockerfile.prod``, ``x.dockerfile``),
  and any file given by path whose name is not YAML (as before manifests were read);
* Compose files by name (``compose.yaml``, ``docker-compose.yml``, ``docker-compose.prod.yml``);
* Kubernetes manifests: ``*.yaml``/``*.yml`` with a top-level ``apiVersion:`` and ``kind:``;
* a YAML file given by path (or ``--stdin-filename``) under any other name is a Compose file
  when its top-level ``services:`` holds a mapping, as ``docker compose -f stack.yml`` reads
  a file of any name, its paths relative to that file's directory (docker/compose,
  docs/reference/compose.md, "Use ``-f`` to specify name and path of one or more Compose files");
* a file given by path whose name is neither a Dockerfile's nor YAML, and standard input without
  ``--stdin-filename``, is read by what it holds (:func:`detect_unnamed`): an env file
  (``.env``, ``.env.local``, ``app.env``, or a first statement ``KEY=value``) goes to
  :mod:`dfmemlint.compose.envfile`; a first statement that is a YAML key (``services:``,
  ``apiVersion: v1``, ``---``) makes it a manifest or a Compose file as above, as
  ``kubectl apply -f -`` and ``docker compose -f -`` read standard input (compose-go
  ``cli/options.go``: ``-`` is read from standard input and the project directory is then the
  working directory, ``GetWorkingDir``); a ``*.sh`` name or a first line ``#!`` naming a shell
  is a shell script (an entrypoint script: :mod:`dfmemlint.shellscript.lint`); a manifest whose
  first statement is a template action (``{{- … }}``) is a Helm chart template, skipped; anything
  else is a Dockerfile, whose first statement is always an instruction, a word followed by a
  blank.

Deciding costs a look at the name and, for YAML names only, one regular-expression search of the
bytes: the directory walk parses nothing it passes (a chart's ``values.yaml`` is never read as a
manifest), and a Dockerfile is never read twice. The walk picks Compose files by name only, as
Compose's own search does (a ``.gitlab-ci.yml`` also has a top-level ``services:``).
"""

from __future__ import annotations

import enum
import os
import re
from typing import TYPE_CHECKING

from dfmemlint.engine import EditableRanges, LintOptions
from dfmemlint.files import NOT_A_DOCKERFILE, TEMPLATE_REASON, is_dockerfile_name
from dfmemlint.types import Finding

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Protocol

    from dfmemlint.positions import TextPositions

YAML_SUFFIXES = (".yaml", ".yml")
# Helm's partial templates (_helpers.tpl, _pod.tpl): never YAML, always skipped as templates.
TEMPLATE_SUFFIXES = (".tpl",)
# The patterns below are compiled on first use (re's cache): linting a Dockerfile needs none.
_COMPOSE_NAME = r"(?i)(?:docker-)?compose(?:\.[^/]*)?\.ya?ml"
# Each key may open the file after a UTF-8 byte order mark (YAML allows one).
_API_VERSION = rb"(?m)(?:^|\A\xef\xbb\xbf)apiVersion:[ \t]*[^\s#]"
_KIND = rb"(?m)(?:^|\A\xef\xbb\xbf)kind:[ \t]*[^\s#]"
# A top-level ``services:`` whose value is a mapping: a flow mapping, or an indented block whose
# first line is a key, not a ``-`` sequence item (GitLab CI's ``services:`` is a list of images).
_SERVICES = (
    rb"(?m)(?:^|\A\xef\xbb\xbf)[\"']?services[\"']?[ \t]*:[ \t]*"
    rb"(?:\{|(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]+[^\s#-])"
)
_SNIFF_LIMIT = 1 << 24  # bytes of a YAML file the walk looks at
# The names kustomize reads a kustomization from (api/konfig/general.go,
# RecognizedKustomizationFileNames), and a YAML list of JSON 6902 operations (a patch file).
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_OPERATIONS = (
    rb"(?m)(?:^|\A\xef\xbb\xbf)-[ \t]+"
    rb"(?:op:[ \t]*[\"']?(?:add|replace|remove|move|copy|test)\b|path:[ \t]*[\"']?/)"
)


class Format(str, enum.Enum):
    DOCKERFILE = "dockerfile"
    KUBERNETES = "kubernetes"
    COMPOSE = "compose"
    ENV_FILE = "env-file"  # KEY=value lines that Compose reads (.env, env_file)
    SHELL_SCRIPT = "shell-script"  # an entrypoint script named on the command line


if TYPE_CHECKING:  # typing only: a Protocol costs as much to declare as a module to import

    class Result(Protocol):
        """What linting one file gives, whatever its format (``engine.LintResult`` for
        Dockerfiles, ``kubernetes.lint.ManifestResult`` for manifests,
        ``compose.lint.ComposeResult``)."""

        path: str
        findings: list[Finding]
        notes: list[str]

        @property
        def template(self) -> bool:
            """A Helm chart template: skipped, not linted (counted in the run's summary)."""

        @property
        def unread(self) -> bool:
            """A YAML file that is neither a manifest nor a Compose file: its note shows only
            with ``--verbose``."""

        @property
        def source(self) -> TextPositions: ...

        @property
        def syntax_error(self) -> str | None: ...

        def editable_ranges(self) -> EditableRanges: ...

    Engine = Callable[[str, bytes, LintOptions], Result]


def is_yaml_name(name: str) -> bool:
    return name.lower().endswith(YAML_SUFFIXES)


def is_compose_name(name: str) -> bool:
    return re.fullmatch(_COMPOSE_NAME, name) is not None


def looks_like_kubernetes(data: bytes) -> bool:
    """A top-level ``apiVersion:`` and ``kind:`` (cheap: no YAML is parsed, and a file without
    the word ``apiVersion:`` is passed by a substring search, several times faster than the
    line-anchored expression on a big data file)."""
    if b"apiVersion:" not in data or b"kind:" not in data:
        return False
    return re.search(_API_VERSION, data) is not None and re.search(_KIND, data) is not None


def looks_like_compose(data: bytes) -> bool:
    """A top-level ``services:`` key holding a mapping (cheap: no YAML is parsed). A file that
    also has a top-level ``apiVersion:`` and ``kind:`` is a manifest (:func:`detect` asks
    :func:`looks_like_kubernetes` first)."""
    return b"services" in data and re.search(_SERVICES, data) is not None


# Kept as text: ``re`` compiles them on first use, and a Dockerfile by name never needs them.
# An env file's name: ``.env``, ``.env.local``, ``app.env`` (``Dockerfile.env`` is a Dockerfile).
_ENV_NAME = r"\.env(?:\.[^/]+)?|[^/]+\.env"
# The first statement of an env file (compose-go dotenv/parser.go: an optional ``export``, a key
# of letters, digits and ``_.-``, then ``=``) and of a YAML file (a key and a colon, a document
# marker or a directive); a Dockerfile's is an instruction, a word and a blank.
_ENV_STATEMENT = rb"(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.-]*[ \t]*="
_YAML_STATEMENT = rb"---|%|[\"']?[A-Za-z_][A-Za-z0-9_.-]*[\"']?[ \t]*:(?:[ \t]|\r?$)"


def is_env_name(name: str) -> bool:
    """A name Compose env files go by (``.env``, ``.env.production``, ``app.env``)."""
    return re.fullmatch(_ENV_NAME, name, re.IGNORECASE) is not None


def first_statement(data: bytes) -> bytes:
    """The first line that is neither blank nor a ``#`` comment (a UTF-8 byte order mark
    skipped), without its line break; empty when there is none."""
    at = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while at < len(data):
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        line = data[at:end].strip()
        if line and not line.startswith(b"#"):
            return line
        at = end + 1
    return b""


def detect_unnamed(name: str, data: bytes) -> Format:
    """The format of a file whose name is neither a Dockerfile's nor YAML (standard input
    without ``--stdin-filename`` is ``-``): an env file by name or by its first statement, a
    manifest or Compose file when its first statement is a YAML key and it sniffs as one,
    otherwise a Dockerfile (see the module docstring)."""
    first = first_statement(data)
    if not is_env_name(name) and (name.endswith((".sh", ".bash")) or data.startswith(b"#!")):
        from dfmemlint.shellscript.lint import is_shell_script

        if is_shell_script(name, data):
            return Format.SHELL_SCRIPT
    if Format.ENV_FILE in ENGINES and (
        is_env_name(name) or re.match(_ENV_STATEMENT, first) is not None
    ):
        return Format.ENV_FILE
    if first.startswith(b"{{") and looks_like_kubernetes(data):
        # A Helm chart template that opens with a template action (``{{- $x := … }}``): read
        # only to be skipped and counted as one, as a template under its usual name is.
        return Format.KUBERNETES
    if re.match(_YAML_STATEMENT, first) is not None:
        if looks_like_kubernetes(data) or looks_like_operations(data):
            return Format.KUBERNETES
        if looks_like_compose(data) and Format.COMPOSE in ENGINES:
            return Format.COMPOSE
    return Format.DOCKERFILE


def is_kustomization_name(name: str) -> bool:
    return name in KUSTOMIZATION_NAMES


def looks_like_operations(data: bytes) -> bool:
    """A YAML list whose items start with ``op:`` or ``path: /``: a kustomize JSON 6902 patch
    file (dfmemlint.kubernetes.kustomize)."""
    return b"op:" in data and re.search(_OPERATIONS, data) is not None


def detect(path: str, data: bytes) -> Format | None:
    """The format of a file given by path (or ``--stdin-filename``); None for a YAML file that
    is neither a manifest nor a Compose file (nothing to lint). A YAML file not named like a
    Compose file is one when its content says so (:func:`looks_like_compose`) and it is not a
    manifest."""
    name = os.path.basename(path)
    if name.lower().endswith(TEMPLATE_SUFFIXES) and b"{{" in data:
        return Format.KUBERNETES  # read only to be skipped and counted as a chart template
    if is_kustomization_name(name):
        return Format.KUBERNETES
    if is_dockerfile_name(name):
        return Format.DOCKERFILE
    if not is_yaml_name(name):
        return detect_unnamed(name, data)
    if is_compose_name(name) and Format.COMPOSE in ENGINES:
        return Format.COMPOSE
    return sniff_yaml(data)


def sniff_yaml(data: bytes) -> Format | None:
    """The format of YAML text told by its content alone (a file whose name says nothing, an
    unsaved editor buffer): a manifest or a kustomize patch file, else a Compose file (a
    top-level ``services:`` mapping), else None."""
    if looks_like_kubernetes(data) or looks_like_operations(data):
        return Format.KUBERNETES
    if looks_like_compose(data) and Format.COMPOSE in ENGINES:
        return Format.COMPOSE
    return None


def wanted_in_walk(path: str) -> bool:
    """A file the directory walk lints: a Dockerfile name, a Compose name (when an engine reads
    Compose), or a YAML file that sniffs as a manifest (its bytes are read once, not parsed)
    and is not a Helm chart template."""
    return walk_verdict(path) is None


def walk_verdict(path: str) -> str | None:
    """None for a file the directory walk lints (:func:`wanted_in_walk`), else why it passes
    it over: not of a format dfmemlint reads, or a Helm chart template (which looks like a
    manifest but is not YAML until rendered: skipped, and counted as skipped only)."""
    name = os.path.basename(path)
    if is_dockerfile_name(name) or is_kustomization_name(name):
        return None
    if not is_yaml_name(name):
        return NOT_A_DOCKERFILE
    if is_compose_name(name) and Format.COMPOSE in ENGINES:
        return None
    try:
        data = read_head(path)
    except OSError:
        return NOT_A_DOCKERFILE
    if not (looks_like_kubernetes(data) or looks_like_operations(data)):
        return NOT_A_DOCKERFILE
    return content_skip_reason(path, data)


def content_skip_reason(path: str, data: bytes) -> str | None:
    """Why a file named to the run is skipped rather than linted, told by its content: a Helm
    chart template (:data:`TEMPLATE_REASON`), or a YAML file that is neither a manifest nor a
    Compose file; None for a file that is linted. Each file of a run is counted once, in one of
    these categories (linted, or skipped and why)."""
    if b"{{" in data:
        from dfmemlint.kubernetes.lint import is_chart_template  # only text with an action

        if detect(path, data) is Format.KUBERNETES and is_chart_template(data):
            return TEMPLATE_REASON
    if detect(path, data) is None:
        from dfmemlint.kubernetes.lint import NOT_READ_NOTE

        return NOT_READ_NOTE.removeprefix("skipped: ")
    return None


def read_head(path: str) -> bytes:
    """The first bytes of the file at ``path`` that deciding its format looks at (at most
    16 MiB). Raises OSError when it cannot be read."""
    with open(path, "rb", buffering=0) as handle:
        # One read of the file's size: read(16 MiB) would allocate 16 MiB for every small
        # file the walk passes (three times the cost of a sized read, measured).
        size = os.fstat(handle.fileno()).st_size
        return handle.read(min(size, _SNIFF_LIMIT)) if size else b""


def _lint_dockerfile(path: str, data: bytes, options: LintOptions) -> Result:
    from dfmemlint.engine import lint as lint_dockerfile

    return lint_dockerfile(path, data, options)


def _lint_kubernetes(path: str, data: bytes, options: LintOptions) -> Result:
    from dfmemlint.kubernetes.lint import lint_manifest

    return lint_manifest(path, data, options)


def _lint_compose(path: str, data: bytes, options: LintOptions) -> Result:
    from dfmemlint.compose.lint import lint_compose

    return lint_compose(path, data, options)


def _lint_env_file(path: str, data: bytes, options: LintOptions) -> Result:
    from dfmemlint.compose.envfile import lint_env_file

    return lint_env_file(path, data, options)


def _lint_shell_script(path: str, data: bytes, options: LintOptions) -> Result:
    from dfmemlint.shellscript.lint import lint_script

    return lint_script(path, data, options)


#: The engine of each format; another format registers its own here.
ENGINES: dict[Format, Engine] = {
    Format.DOCKERFILE: _lint_dockerfile,
    Format.KUBERNETES: _lint_kubernetes,
    Format.COMPOSE: _lint_compose,
    Format.ENV_FILE: _lint_env_file,
    Format.SHELL_SCRIPT: _lint_shell_script,
}


def lint(path: str, data: bytes, options: LintOptions, fmt: Format | None = None) -> Result:
    """Lint ``data`` as the file ``path`` (its format detected unless ``fmt`` says). A YAML file
    that is neither a manifest nor a Compose file (a chart's ``values.yaml``) has nothing to
    check: it gets an empty result, and is not parsed."""
    chosen = fmt or detect(path, data)
    if chosen is None:
        from dfmemlint.kubernetes.lint import not_a_manifest

        return not_a_manifest(path, data)
    return ENGINES[chosen](path, data, options)
