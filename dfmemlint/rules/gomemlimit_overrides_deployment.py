"""DFM016 gomemlimit-overrides-deployment: a GOMEMLIMIT written into the start command hides the
one the deployment sets.

A Compose service's ``environment`` (and ``env_file``) becomes the container's environment, the
way ``docker run -e`` does; ``ENV`` in the image is only the default under it. A GOMEMLIMIT set on
the command that starts the program (``CMD ["env", "GOMEMLIMIT=…", "/app"]``, a shell-form
``GOMEMLIMIT=… exec /app``, an ``export`` in the start script) is applied after that, by the
command itself, so the program never sees the service's value. A value that defers to the
environment (``GOMEMLIMIT=${GOMEMLIMIT:-409MiB}``) does not hide it.

A Kubernetes container is the same (:func:`check_manifest`): its ``env`` (and ``envFrom``) is the
environment the kubelet starts the command with, and a GOMEMLIMIT the container's ``command`` and
``args`` set (``[env, GOMEMLIMIT=…, /app]``, ``[sh, -c, "GOMEMLIMIT=… exec /app"]``, read by
:mod:`dfmemlint.start_command` as a Dockerfile's JSON ``CMD`` is, from the command line
:func:`dfmemlint.kubernetes.environment.command_line` says the container runs) replaces it for
the program. The kubelet expands ``$(VAR)`` in both from the container's environment
(``pkg/kubelet/container/helpers.go`` ``ExpandContainerCommandAndArgs``; ``$$(VAR)`` stays
literal), so ``GOMEMLIMIT=$(GOMEMLIMIT)`` defers to it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Severity, shown

if TYPE_CHECKING:
    from dfmemlint.kubernetes.environment import ManifestContext, Resolved
    from dfmemlint.rules.values import ValueProblem

CODE = "DFM016"
_REFERS_TO_ITSELF = r"\$\{?GOMEMLIMIT\b"


def check(ctx: Context) -> Iterator[Problem]:
    setting = ctx.runtime_settings.get("GOMEMLIMIT")
    if setting is None or setting.kind not in ("cmd", "entrypoint"):
        return
    if re.search(_REFERS_TO_ITSELF, setting.value):
        return
    # A deployment that replaces the instruction never runs it (dfmemlint.compose.command).
    deployments = [
        d for d in ctx.deployments_setting("GOMEMLIMIT") if setting.kind not in d.replaces
    ]
    if not deployments:
        return
    theirs = "; ".join(
        f"{d.where} sets GOMEMLIMIT="
        + ("(a value only the shell knows)" if d.env["GOMEMLIMIT"] is None else
           str(d.env["GOMEMLIMIT"]))
        for d in deployments
    )
    instruction = setting.instruction.cmd
    yield Problem(
        setting.start,
        setting.end,
        override_message(setting.value, instruction, theirs)
        + " Remove it from the start command and keep the default "
        f"in the image with ENV GOMEMLIMIT={shown(setting.value)} (the deployment's value then "
        "wins), "
        f"or, in shell form, write GOMEMLIMIT=${{GOMEMLIMIT:-{setting.value}}}.",
        None,
        Severity.WARNING,
    )


def command_line_message(value: str, field: str, container: str, theirs: str) -> str:
    """That ``value`` set on the ``field`` (``command``, ``args``, ``entrypoint``) of a manifest's
    container or a Compose service hides the value its environment sets (``theirs``). It opens
    with the field, not the value, so that it names the same finding after a fix respells the
    value."""
    return (
        f"The {field} of {container} sets GOMEMLIMIT={value} over the GOMEMLIMIT the deployment "
        f"gives the container ({theirs}): the program never sees that value, so changing it "
        "there does nothing."
    )


def override_message(value: str, where: str, theirs: str) -> str:
    """That ``value`` set on ``where`` (a start command) hides the deployment's (``theirs``)."""
    return (
        f"GOMEMLIMIT={shown(value)} on the {where} overrides the GOMEMLIMIT the deployment gives "
        f"the container ({theirs}): the program never sees that value, so changing it there does "
        "nothing."
    )


def check_manifest(ctx: ManifestContext) -> Iterator[ValueProblem]:
    """DFM016 for each Kubernetes container whose ``env``/``envFrom`` sets GOMEMLIMIT and whose
    ``command`` + ``args`` set it again for the program, at that value (inside its YAML string;
    the whole string when escapes make the value's bytes differ from its text)."""
    for resolved in ctx.resolved:
        theirs = _deployment_value(ctx, resolved)
        if theirs is not None:
            yield from _container_overrides(ctx, resolved, theirs)


def _deployment_value(ctx: ManifestContext, resolved: Resolved) -> str | None:
    """The GOMEMLIMIT a container's ``env``/``envFrom`` sets, and its line, for the message;
    None when it sets none (or an entry without a value, which sets the empty string)."""
    data = ctx.manifest.stream.data
    setting = resolved.environment.get("GOMEMLIMIT")
    if setting is not None:
        if setting.value == "":
            return None
        value = "a value the files do not show" if setting.value is None else setting.value
        if setting.place.path != ctx.manifest.path:  # a ConfigMap in another linted file
            return f"{setting.origin} GOMEMLIMIT={shown(value)}, in {setting.place.path}"
        line = data.count(b"\n", 0, setting.place.start) + 1
        return f"{setting.origin} GOMEMLIMIT={shown(value)}, line {line}"
    entries = resolved.entries.get("GOMEMLIMIT")
    if not entries:
        return None
    # The last entry wins, and its value is in a Secret or a ConfigMap not among the files.
    start = ctx.manifest.stream.span(entries[-1].name_node)[0]
    line = data.count(b"\n", 0, start) + 1
    return f"env GOMEMLIMIT from a value the files do not show, line {line}"


def _container_overrides(
    ctx: ManifestContext, resolved: Resolved, their_side: str
) -> Iterator[ValueProblem]:
    from dfmemlint.rules.values import ValueProblem

    found = resolved.command.get("GOMEMLIMIT")
    if found is None or found.defers:
        return
    value = found.value
    if value is None:  # a reference the kubelet or a shell expands: shown as written
        value = ctx.manifest.stream.data[found.place.start : found.place.end].decode(
            "utf-8", "surrogateescape"
        )
    container = resolved.settings.container.describe()
    yield ValueProblem(
        CODE,
        found.place,
        command_line_message(value, found.field, container, their_side)
        + f" Remove it from the {found.field} (the env value then applies), or in a shell "
        f"command write GOMEMLIMIT=${{GOMEMLIMIT:-{value}}}.",
        Severity.WARNING,
    )
