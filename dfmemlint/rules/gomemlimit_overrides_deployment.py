"""DFM016 gomemlimit-overrides-deployment: a GOMEMLIMIT written into the start command hides the
one the deployment sets.

A Compose service's ``environment`` (and ``env_file``) becomes the container's environment, the
way ``docker run -e`` does; ``ENV`` in the image is only the default under it. A GOMEMLIMIT set on
the command that starts the program (``CMD ["env", "GOMEMLIMIT=…", "/app"]``, a shell-form
``GOMEMLIMIT=… exec /app``, an ``export`` in the start script) is applied after that, by the
command itself, so the program never sees the service's value. A value that defers to the
environment (``GOMEMLIMIT=${GOMEMLIMIT:-409MiB}``) does not hide it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Severity

CODE = "DFM016"
_REFERS_TO_ITSELF = re.compile(r"\$\{?GOMEMLIMIT\b")


def check(ctx: Context) -> Iterator[Problem]:
    setting = ctx.runtime_settings.get("GOMEMLIMIT")
    if setting is None or setting.kind not in ("cmd", "entrypoint"):
        return
    if _REFERS_TO_ITSELF.search(setting.value):
        return
    deployments = ctx.deployments_setting("GOMEMLIMIT")
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
        f"GOMEMLIMIT={setting.value} on the {instruction} overrides the GOMEMLIMIT the "
        f"deployment gives the container ({theirs}): the program never sees that value, so "
        "changing it there does nothing. Remove it from the start command and keep the default "
        f"in the image with ENV GOMEMLIMIT={setting.value} (the deployment's value then wins), "
        f"or, in shell form, write GOMEMLIMIT=${{GOMEMLIMIT:-{setting.value}}}.",
        None,
        Severity.WARNING,
    )
