"""The Compose services that build a Dockerfile, and the memory limit it then runs under.

A service's ``build`` names the Dockerfile it builds (:mod:`dfmemlint.compose.project`). When that
Dockerfile is linted, the Compose projects of its directory and of every directory above it are
read (the files ``docker compose`` itself would pick there: :func:`names.project_files`), and
each service whose Dockerfile is this file declares the container's memory limit. A Compose file
named on the command line under another name (``dfmemlint stack.yml Dockerfile``, as
``docker compose -f stack.yml`` reads it: :func:`dfmemlint.compose.names.project_of`) is read
too (:meth:`Linker.add_compose_files`), so the Dockerfiles its services build are judged against
their limits wherever the Dockerfile lies. With several
such services the smallest limit is used: a GOMEMLIMIT out of range for any of them is out of
range for the smallest, and a fix computed from it fits every one.

A service whose own ``environment``/``env_file`` sets GOMEMLIMIT (even to a value unknown here:
``${VAR}`` unresolved, a bare ``KEY``) replaces the image's ``ENV GOMEMLIMIT``, so no container of
that service runs with the Dockerfile's value, and its limit is not the one that value is judged
against (the service's own value is judged in the Compose file). The engine builds a container's
environment from the one docker compose sends (docker/compose ``pkg/compose/convert.go``
``ToMobyEnv``: ``KEY=value``, or a bare ``KEY`` when the value is unset) and adds the image's
``ENV`` entries only for names the container config does not already have (moby
``daemon/commit.go`` ``merge``, called by ``daemon/create.go``: the image's entry is appended only
when no user entry has the same key, the part before ``=``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from dfmemlint.compose.names import project_files
from dfmemlint.engine import LintOptions
from dfmemlint.golang.units import describe_bytes
from dfmemlint.records import Record
from dfmemlint.rules.base import DeploymentEnv

if TYPE_CHECKING:
    from dfmemlint.compose.model import Project, Service


class LinkedService(Record):
    """A service that builds the Dockerfile, with its project."""

    service: Service
    project: Project

    def describe(self) -> str:
        """``service api, compose.yaml:9`` (where its memory limit is written)."""
        limit = self.service.memory_limit
        origin = self.service.origin if limit is None else limit.origin
        return f"service {self.service.name}, {origin.path}:{origin.line}"


def sets_gomemlimit(link: LinkedService) -> bool:
    """Whether the service's environment or command line sets GOMEMLIMIT (to any value, known
    or not), which replaces the image's ``ENV GOMEMLIMIT`` in its containers."""
    return link.service.runtime_value("GOMEMLIMIT") is not None


def _replaces_image_value(link: LinkedService) -> bool:
    """Whether the service replaces the start instruction on which the image sets GOMEMLIMIT
    (``CMD ["env", "GOMEMLIMIT=…", "/app"]`` under a service ``command:``): that value never
    reaches its containers, so it is not judged against the service's limit. Reads the
    Dockerfile only for a service that replaces an instruction."""
    replaces = link.service.replaces
    if not replaces or link.service.dockerfile is None:
        return False
    from dfmemlint.dockerfile import model, reader, settings

    try:
        with open(link.service.dockerfile, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    runtime = [
        s for s in settings.collect(model.build(reader.read(data)))
        if s.name == "GOMEMLIMIT" and s.runtime
    ]
    inline = [s for s in runtime if s.kind in ("cmd", "entrypoint")]
    return bool(inline) and inline[-1].kind in replaces


class Linker:
    """Finds, once per directory and run, the Compose projects above a Dockerfile."""

    def __init__(self) -> None:
        self._projects: dict[str, Project | None] = {}
        self._loaded: dict[tuple[str, ...], Project | None] = {}
        self._named: list[tuple[str, ...]] = []
        self.notes: list[str] = []

    def add_compose_files(self, paths: list[str]) -> None:
        """Compose files named on the command line: each is read as ``docker compose -f``
        reads it (a default name with its override file: ``names.project_of``), and its
        services build Dockerfiles wherever they lie."""
        from dfmemlint.compose.names import project_of

        for path in paths:
            files = tuple(project_of(path))
            if files not in self._named:
                self._named.append(files)

    def _load(self, files: list[str]) -> Project | None:
        """The project of ``files``, read once per run (keyed by their real paths)."""
        key = tuple(os.path.realpath(f) for f in files)
        if key not in self._loaded:
            # Only a run with a Compose file pays for importing the YAML reader.
            from dfmemlint.compose.model import ComposeError, Note
            from dfmemlint.compose.project import load_project

            project = None
            try:
                project = load_project([_shown(f) for f in files])
            except (ComposeError, OSError) as exc:
                self.notes.append(Note(str(exc), "its services are not linked to Dockerfiles"))
            else:
                self.notes.extend(project.notes)
            self._loaded[key] = project
        return self._loaded[key]

    def _project(self, directory: str) -> Project | None:
        if directory not in self._projects:
            files = project_files(directory)
            self._projects[directory] = self._load(files) if files else None
        return self._projects[directory]

    def services_building(self, dockerfile: str) -> list[LinkedService]:
        """Every service, in the projects of ``dockerfile``'s directory and those above it and
        in the Compose files named on the command line, whose build uses ``dockerfile``
        (compared as real paths); a project read both ways counts once."""
        target = os.path.realpath(dockerfile)
        projects: list[Project] = []
        directory = os.path.dirname(os.path.abspath(dockerfile))
        while True:
            project = self._project(directory)
            if project is not None:
                projects.append(project)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for files in self._named:
            project = self._load(list(files))
            if project is not None and all(project is not p for p in projects):
                projects.append(project)
        found: list[LinkedService] = []
        for project in projects:
            for service in project.services.values():
                built = service.dockerfile
                if built is not None and os.path.realpath(built) == target:
                    found.append(LinkedService(service, project))
        return found


def services_in(dockerfile: str, compose_files: list[str]) -> list[LinkedService]:
    """The services of the Compose project ``compose_files`` that build ``dockerfile``.
    Raises ComposeError for a file Compose cannot read."""
    from dfmemlint.compose.project import load_project

    project = load_project(compose_files)
    target = os.path.realpath(dockerfile)
    return [
        LinkedService(service, project)
        for service in project.services.values()
        if service.dockerfile is not None and os.path.realpath(service.dockerfile) == target
    ]


def _shown(path: str) -> str:
    """A path as short as it can be said: relative to the working directory when below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def limits_json(linked: list[LinkedService]) -> list[dict[str, object]]:
    """What ``inspect`` shows about the services that build a Dockerfile: each one's memory
    limit (bytes), the GOMEMLIMIT it sets (None: none or unknown), whether it sets one
    (``sets_gomemlimit``: then the image's ``ENV GOMEMLIMIT`` never reaches its containers) and
    whether its limit is the one the Dockerfile is checked against (``limit_applies``)."""
    applying = _applying(linked)
    shown: list[dict[str, object]] = []
    for link in linked:
        limit = link.service.memory_limit
        gomemlimit = link.service.runtime_value("GOMEMLIMIT")
        shown.append(
            {
                "service": link.service.name,
                "file": link.service.origin.path,
                "line": link.service.origin.line,
                "memory_limit": None if limit is None else limit.bytes,
                "memory_limit_from": None
                if limit is None
                else f"{limit.origin.path}:{limit.origin.line} {limit.key}: {limit.written}",
                "gomemlimit": None if gomemlimit is None else gomemlimit.value,
                "sets_gomemlimit": sets_gomemlimit(link),
                "limit_applies": applying is not None and link is applying,
            }
        )
    return shown


def with_service_limit(
    options: LintOptions, linked: list[LinkedService]
) -> tuple[LintOptions, str | None]:
    """``options`` for a Dockerfile that the ``linked`` services build: the smallest of their
    memory limits, unless the command line gave one (a ``# dfmemlint: memory-limit=`` comment in
    the Dockerfile still wins: the engine reads it after this), and the GOMEMLIMIT/GOGC each of
    them sets (for DFM016, and so that DFM006/DFM008 know the container gets a GOMEMLIMIT).
    Returns the options and a note naming the other services."""
    if not linked:
        return options, None
    deployment_env = tuple(_deployment_env(link) for link in linked)
    options = options._replace(deployment_env=deployment_env)
    limited = _limited(linked)
    if options.memory_limit_from_cli or not limited:
        return options, None
    smallest = limited[0]
    limit = smallest.service.memory_limit
    assert limit is not None
    note = None
    if len(limited) > 1:
        others = ", ".join(
            f"{link.describe()}: {describe_bytes(link.service.memory_limit.bytes)}"  # type: ignore[union-attr]
            for link in limited[1:]
        )
        note = (
            f"{len(limited)} Compose services build this Dockerfile; checked against the "
            f"smallest limit, {smallest.describe()}; the others: {others}"
        )
    return options._replace(memory_limit=limit.bytes, memory_limit_source=smallest.describe()), note


def _limited(linked: list[LinkedService]) -> list[LinkedService]:
    """The services whose containers run with the image's ``ENV GOMEMLIMIT`` (they do not set
    their own) and that have a memory limit, smallest limit first."""
    limited = [
        link
        for link in linked
        if link.service.memory_limit is not None
        and not sets_gomemlimit(link)
        and not _replaces_image_value(link)
    ]
    limited.sort(key=lambda link: link.service.memory_limit.bytes)  # type: ignore[union-attr]
    return limited


def _applying(linked: list[LinkedService]) -> LinkedService | None:
    """The service whose limit the Dockerfile is checked against, if any."""
    limited = _limited(linked)
    return limited[0] if limited else None


_RUNTIME_VARIABLES = ("GOMEMLIMIT", "GOGC")


def _deployment_env(link: LinkedService) -> DeploymentEnv:
    """The runtime variables a service sets, named by where its GOMEMLIMIT is written."""
    service = link.service
    values = {name: service.runtime_value(name) for name in _RUNTIME_VARIABLES}
    found = {name: value.value for name, value in values.items() if value is not None}
    gomemlimit = values["GOMEMLIMIT"]
    anchor = gomemlimit.origin if gomemlimit is not None else service.origin
    return DeploymentEnv(
        f"service {service.name}, {anchor.path}:{anchor.line}", found, service.replaces
    )
