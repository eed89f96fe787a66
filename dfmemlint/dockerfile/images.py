"""What a base image offers the command that starts a container: ``/bin/sh`` and ``env``.

One table, read by the GOMEMLIMIT rewrite: an exec-form ``CMD ["env", "GOMEMLIMIT=…", "/app"]``
needs ``env`` on the image's PATH, a shell-form command needs ``/bin/sh``. An image that is not in
the table counts as having neither: a wrong "no" costs an ``ENV`` line, a wrong "yes" stops the
container from starting.
"""

from __future__ import annotations

import re

from dfmemlint.records import Record


class ImageTools(Record):
    shell: bool  # /bin/sh runs shell-form commands
    env: bool  # `env` is on the PATH
    # The image has an ENTRYPOINT of its own, so a Dockerfile's CMD is its arguments, not the
    # command that starts the program.
    entrypoint: bool
    known: bool  # False: not in the table (treated as having neither)


NONE = ImageTools(shell=False, env=False, entrypoint=False, known=True)
UNKNOWN = ImageTools(shell=False, env=False, entrypoint=False, known=False)
SHELL_AND_ENV = ImageTools(shell=True, env=True, entrypoint=False, known=True)
# distroless :debug images (busybox in /busybox, on the PATH; ENTRYPOINT /busybox/sh) and
# Chainguard's -dev variants (a shell added to an image whose ENTRYPOINT is its program).
SHELL_AND_ENTRYPOINT = ImageTools(shell=True, env=True, entrypoint=True, known=True)

# Registry prefixes under which Docker Hub's official images are also published.
_HUB_PREFIXES = (
    "docker.io/library/",
    "index.docker.io/library/",
    "registry-1.docker.io/library/",
    "mirror.gcr.io/library/",
    "public.ecr.aws/docker/library/",
    "docker.io/",
    "index.docker.io/",
    "registry-1.docker.io/",
    "library/",
)

# Repositories (after the prefixes above are cut) whose images have /bin/sh and `env` and no
# ENTRYPOINT of their own.
_WITH_SHELL: frozenset[str] = frozenset(
    {
        # Distributions.
        "alpine",
        "debian",
        "ubuntu",
        "busybox",
        "fedora",
        "centos",
        "rockylinux",
        "rockylinux/rockylinux",
        "almalinux",
        "amazonlinux",
        "archlinux",
        "archlinux/archlinux",
        "oraclelinux",
        "photon",
        "clearlinux",
        "mageia",
        "opensuse/leap",
        "opensuse/tumbleweed",
        "registry.suse.com/bci/bci-base",
        "quay.io/centos/centos",
        "quay.io/fedora/fedora",
        "registry.fedoraproject.org/fedora",
        "gcr.io/google-containers/busybox",
        "registry.k8s.io/build-image/debian-base",
        "cgr.dev/chainguard/wolfi-base",
        "cgr.dev/chainguard/busybox",
        # Language images built on the distributions above, with no ENTRYPOINT (node, php, bash
        # and eclipse-temurin have one and are left out).
        "golang",
        "python",
        "ruby",
        "rust",
        "perl",
        "openjdk",
        "buildpack-deps",
    }
)
# Red Hat Universal Base Images: registry.access.redhat.com/ubi9, …/ubi9/ubi, …/ubi9-minimal,
# …/ubi9/ubi-minimal, redhat/ubi9 on Docker Hub. ubi-micro is left out: it ships no package
# manager and its contents have changed between releases.
_UBI = (
    r"^(?:registry\.access\.redhat\.com/|registry\.redhat\.io/|redhat/)"
    r"ubi\d+(?:-minimal|-init)?(?:/ubi(?:-minimal|-init)?)?$"
)
# Images known to have neither a shell nor `env`.
_WITHOUT_SHELL: frozenset[str] = frozenset({"scratch", "cgr.dev/chainguard/static"})
_DISTROLESS = "gcr.io/distroless/"
_CHAINGUARD = "cgr.dev/chainguard/"
_WINDOWS_TAG = r"(?i)windowsservercore|nanoserver"


def split_reference(reference: str) -> tuple[str, str]:
    """(repository, tag) of an image reference, registry aliases of Docker Hub removed, in
    lower case; the tag is ``""`` when absent (a digest is dropped)."""
    name = reference.strip().partition("@")[0].lower()
    tag = ""
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, _, tag = name.rpartition(":")
    for prefix in _HUB_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return name, tag


def image_tools(reference: str) -> ImageTools:
    """What the image ``reference`` (as written after ``FROM``, ARGs expanded) offers."""
    if not reference.strip() or "$" in reference:
        return UNKNOWN
    repository, tag = split_reference(reference)
    if re.search(_WINDOWS_TAG, tag):
        return NONE
    if repository in _WITHOUT_SHELL:
        return NONE
    if repository.startswith(_DISTROLESS):
        return SHELL_AND_ENTRYPOINT if "debug" in tag else NONE
    if repository.startswith(_CHAINGUARD) and repository not in _WITH_SHELL:
        return SHELL_AND_ENTRYPOINT if tag.endswith("-dev") else UNKNOWN
    if repository.endswith("-static"):
        return NONE
    if repository in _WITH_SHELL or re.match(_UBI, repository):
        return SHELL_AND_ENV
    return UNKNOWN
