"""The alert target of a Compose service (:class:`dfmemlint.compose.model.Service`), or why it
gets none. Its GOMEMLIMIT is the one its program starts with: its command line's, else its
environment's (``Service.runtime_value``).

A Compose service's containers run on a Docker host, where a standalone cAdvisor exports their
series with Compose's labels on them (:data:`dfmemlint.alerts.rules.COMPOSE_SERVICE_LABEL`); the
rule selects the service by that label and keeps each container's name. The project's name is
not in the files (it is the project directory's name unless ``name:``, ``-p`` or
``COMPOSE_PROJECT_NAME`` says otherwise), so a service of the same name in another project on
the same host matches too.
"""

from __future__ import annotations

from dfmemlint.alerts.rules import DOCKER_LABELS, AlertTarget, compose_labels, compose_matchers
from dfmemlint.alerts.targets import NOT_GO, NOT_SET, Skipped, SoftLimit, soft_limit
from dfmemlint.compose.model import Service


def compose_target(service: Service, *, include_all: bool = False) -> AlertTarget | Skipped:
    """The alert target of ``service``, or why it gets none. ``include_all``: also a service
    that sets neither GOMEMLIMIT nor GOGC (not known to run Go)."""
    title = f"Compose service {service.name}"
    limit = service.memory_limit
    if limit is None:
        return Skipped(title, "no memory limit (mem_limit or deploy.resources.limits.memory)")
    gogc = service.runtime_value("GOGC")
    setting = service.runtime_value("GOMEMLIMIT")
    if not include_all and setting is None and gogc is None:
        return Skipped(title, NOT_GO)
    notes: tuple[str, ...] = ()
    soft: SoftLimit | str = NOT_SET
    if setting is not None:
        if setting.value is None:
            shell = "the shell that runs docker compose"
            if setting.via.startswith(("command", "entrypoint")):
                shell = "a shell variable of the service's command line"
            return Skipped(
                title,
                f"GOMEMLIMIT comes from {shell} ({setting.via} at "
                f"{setting.origin.path}:{setting.origin.line}), which the files do not show",
            )
        where = f"{setting.via} at {setting.origin.path}:{setting.origin.line}"
        soft = soft_limit(setting.value, where)
        if setting.overridable:
            names = ", ".join(f"${{{name}}}" for name in setting.overridable)
            notes = (f"The shell that runs docker compose may change GOMEMLIMIT through {names}.",)
    if isinstance(soft, str):
        return Skipped(title, soft)
    origin = limit.origin
    return AlertTarget(
        title=title,
        matchers=compose_matchers(service.name, None),
        by=DOCKER_LABELS,
        labels=compose_labels(service.name, None),
        limit_bytes=limit.bytes,
        limit_text=limit.written,
        gomemlimit_bytes=soft.bytes,
        gomemlimit_text=soft.text,
        gomemlimit_origin=soft.origin,
        limit_origin=f"{limit.key} at {origin.path}:{origin.line}",
        notes=notes,
    )
