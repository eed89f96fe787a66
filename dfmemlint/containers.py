"""What a container runs with, whatever file said so: its memory limit and the Go runtime settings
that reach it, each with where it was written.

Every input format turns its files into these records (a Kubernetes container, a Compose service,
the final image of a Dockerfile), and the rules that judge a value (DFM004 malformed GOMEMLIMIT,
DFM007 out of range, DFM008 GOGC=off without a limit) read only these, so they judge a setting from
any format the same way. Alert rules and editors read them too.
"""

from __future__ import annotations

from dfmemlint.records import Record


class Place(Record):
    """Where a value is written: a byte span of one file (``path`` as shown to the user)."""

    path: str
    start: int  # byte offsets into that file's bytes; end exclusive
    end: int
    editable: bool  # the bytes are exactly the value, so an edit may replace them


class Workload(Record):
    """The object that runs the container: ``kind``/``name`` (``Deployment``/``api``), its
    namespace (None when the file does not say), the file (``source``: a Helm template named
    by a ``# Source:`` comment) it was rendered from, and ``path``, the linted file that defines
    it when a finding is reported in another file (a value it reads from a ConfigMap there)."""

    kind: str
    name: str
    namespace: str | None = None
    source: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        """``Deployment/api`` (Kubernetes' own spelling), or ``Compose project 'shop'``."""
        if self.kind == "project":
            return f"Compose project {self.name!r}"
        return f"{self.kind}/{self.name}"


class Container(Record):
    """One container (Kubernetes) or service (Compose) or final image (Dockerfile)."""

    name: str
    workload: Workload
    role: str = "container"  # "container", "initContainer", "service", "image"

    def describe(self) -> str:
        """``container 'api' of Deployment/api``, the file that defines it when that is not the
        file reported on (``in k8s/deployment.yaml``), and the Helm template it came from."""
        role = "init container" if self.role == "initContainer" else self.role
        where = f" in {self.workload.path}" if self.workload.path else ""
        source = f" (from {self.workload.source})" if self.workload.source else ""
        return f"{role} {self.name!r} of {self.workload}{where}{source}"


class MemoryLimit(Record):
    """The container's memory limit in bytes, as written at ``place`` (``text``), and the field
    that set it (``resources.limits.memory``, pod-level ``spec.resources.limits.memory``,
    ``mem_limit``, ``--memory-limit``)."""

    bytes: int
    text: str
    field: str
    place: Place | None  # None when it was not written in a file (the command line)


class GoSetting(Record):
    """One runtime variable (``GOMEMLIMIT``, ``GOGC``) as the Go program sees it.

    ``value`` is the string in the environment, or None when it cannot be known from the files
    (a Secret, a ConfigMap not among them, the downward API with no memory limit, which yields the
    node's allocatable memory). ``origin`` says how it got there (``env value``, ``ConfigMap cm key
    GOGC via envFrom``, ``resourceFieldRef limits.memory``), ``place`` where the value is written
    (a ConfigMap's value is reported where the ConfigMap holds it). For the downward API,
    ``divisor`` is the divisor in bytes and ``place`` the ``resource`` field."""

    name: str
    value: str | None
    origin: str
    place: Place
    container: Container
    divisor: int | None = None  # resourceFieldRef on limits.memory: the divisor in bytes
    from_limit: bool = False  # the value is computed from the container's memory limit


class ContainerSettings(Record):
    """Everything the value rules need about one container."""

    container: Container
    limit: MemoryLimit | None
    settings: dict[str, GoSetting]  # the effective setting of each variable that is set
    # Sources of variables the files do not show (a Secret, a ConfigMap not among them): a
    # variable not in ``settings`` may still come from one of these.
    opaque: tuple[str, ...] = ()

    def get(self, name: str) -> GoSetting | None:
        return self.settings.get(name)
