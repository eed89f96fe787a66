"""Which files are Compose files, and which ones ``docker compose`` reads in a directory.

compose-spec/compose-go ``cli/options.go``: ``DefaultFileNames`` (``compose.yaml``,
``compose.yml``, ``docker-compose.yml``, ``docker-compose.yaml``, in that order of preference)
and ``DefaultOverrideFileNames`` (``compose.override.yml``, ``compose.override.yaml``,
``docker-compose.override.yml``, ``docker-compose.override.yaml``). ``WithDefaultConfigPath``
takes the first base file found and the first override file found beside it; the project's
``.env`` file is the one in the same directory (``WithDotEnv``).
"""

from __future__ import annotations

import os

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILE_NAMES = (
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
)
DOTENV_NAME = ".env"


def is_compose_name(name: str) -> bool:
    """A file name ``docker compose`` finds on its own (a base or an override file)."""
    return name in COMPOSE_FILE_NAMES or name in OVERRIDE_FILE_NAMES


def project_files(directory: str) -> list[str]:
    """The files ``docker compose`` reads in ``directory`` with no ``-f``: the first base file
    and the first override file beside it; empty when there is no base file."""
    base = [n for n in COMPOSE_FILE_NAMES if os.path.isfile(os.path.join(directory, n))]
    if not base:
        return []
    found = [os.path.normpath(os.path.join(directory, base[0]))]
    overrides = [n for n in OVERRIDE_FILE_NAMES if os.path.isfile(os.path.join(directory, n))]
    if overrides:
        found.append(os.path.normpath(os.path.join(directory, overrides[0])))
    return found


def has_project_above(path: str, searched: dict[str, bool]) -> bool:
    """Whether the directory of ``path`` or one above it holds a Compose project
    (:func:`project_files`); ``searched`` keeps each directory's answer for the run."""
    directory = os.path.dirname(os.path.abspath(path))
    while True:
        found = searched.get(directory)
        if found is None:
            found = searched[directory] = bool(project_files(directory))
        if found:
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


def project_of(path: str) -> list[str]:
    """The files read together with the Compose file ``path``: for a default-named base or
    override file, the directory's project (``path`` included); otherwise ``path`` alone, as
    with ``docker compose -f path``."""
    directory, name = os.path.split(path)
    if is_compose_name(name):
        files = project_files(directory or ".")
        normal = [os.path.normpath(f) for f in files]
        if os.path.normpath(path) in normal:
            return files
    return [path]
