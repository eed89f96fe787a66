"""``$(VAR)`` references in an env value, expanded as the kubelet expands them.

``makeEnvironmentVariables`` (kubernetes/kubernetes ``pkg/kubelet/kubelet_pods.go``) builds the
environment in order: the ``envFrom`` sources, then each ``env`` entry; a non-empty ``value`` is
first expanded with ``expansion.Expand(value, MappingFuncFor(tmpEnv, serviceEnv))``, where
``tmpEnv`` holds what ``envFrom`` and the *earlier* entries set (a reference to a later entry is
not resolved) and ``serviceEnv`` the Service variables of the pod's namespace.

``Expand`` (``third_party/forked/golang/expansion/expand.go``): ``$(NAME)`` is replaced by the
variable's value; ``$$`` is a literal ``$`` (so ``$$(NAME)`` stays ``$(NAME)``); a ``$``
followed by anything else, a ``$(`` with no closing ``)``, and a ``$`` at the very end are kept
as written; ``MappingFuncFor`` keeps a reference to a variable it does not know as written
(``syntaxWrap``: ``$(NAME)``), which then reaches the program literally.
"""

from __future__ import annotations

from collections.abc import Mapping

from dfmemlint.records import Record


class Expansion(Record):
    """An env value after expansion."""

    value: str | None  # None: a referenced variable's value is not known from the files
    references: tuple[str, ...]  # the variables referenced, in order
    undefined: tuple[str, ...]  # those not defined before the entry: kept as written
    alone: str | None  # the variable when the whole value is one reference ``$(NAME)``


def is_service_variable(name: str) -> bool:
    """Whether ``name`` may be one of the variables the kubelet makes for each Service of the
    pod's namespace (``pkg/kubelet/envvars/envvars.go`` ``FromServices``: ``X_SERVICE_HOST``,
    ``X_SERVICE_PORT``, ``X_SERVICE_PORT_P``, ``X_PORT``, ``X_PORT_80_TCP`` and its ``_PROTO``,
    ``_PORT``, ``_ADDR``): their values are not in the manifests."""
    return "_SERVICE_" in name or "_PORT" in name


def expand(
    text: str, variables: Mapping[str, str | None], *, open_ended: bool = False
) -> Expansion:
    """Expand ``text`` with ``variables`` (name -> value; None: defined, value unknown).

    A name not in ``variables`` is kept as written, unless it may be a Service variable or
    ``open_ended`` says that a source the files do not show (a Secret's ``envFrom``) may define
    any name: then the value is unknown."""
    out: list[str] = []
    references: list[str] = []
    undefined: list[str] = []
    known = True
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1 :]
            advance = 1
            if rest[0] == "$":
                out.append("$")
            elif rest[0] == "(" and ")" in rest:
                close = rest.index(")")
                name = rest[1:close]
                advance = close + 1
                references.append(name)
                if name in variables:
                    found = variables[name]
                    if found is None:
                        known = False
                    else:
                        out.append(found)
                elif open_ended or is_service_variable(name):
                    known = False
                else:
                    undefined.append(name)
                    out.append(f"$({name})")
            else:
                out.append("$" + rest[0])
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    out.append(text[checkpoint:])
    alone = references[0] if len(references) == 1 and text == f"$({references[0]})" else None
    return Expansion("".join(out) if known else None, tuple(references), tuple(undefined), alone)
