"""The stage model: stages, what each is built from and copies from, which ones BuildKit builds
for the final image, and the environment that reaches the running container."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterator, Mapping

from dfmemlint.dockerfile.expand import expand
from dfmemlint.dockerfile.reader import Dockerfile, Instruction, Token
from dfmemlint.records import Record


class ArgDecl(Record):
    name: str
    default: str | None  # after expansion; None when declared without a value
    token: Token | None  # the default's raw bytes in the file (None without one)
    instruction: Instruction
    stage: int | None  # None for an ARG before the first FROM
    name_token: Token | None = None  # the name as written (``LIMIT`` of ``ARG LIMIT=1``)
    #: ``default`` is the value a ``--build-arg NAME=VALUE`` gave, not the one in the file
    #: (BuildKit: a build argument overrides the ARG's default, ``dispatchArg`` in
    #: ``frontend/dockerfile/dockerfile2llb/convert.go``).
    from_build_arg: bool = False


class EnvSetting(Record):
    name: str
    value: str  # as the container sees it: quotes removed, variables expanded
    key: Token
    token: Token  # the raw value in the file
    instruction: Instruction
    stage: int
    args_used: tuple[str, ...]  # ARG names the value read (in order of declaration)


class CopySource(Record):
    """Where an instruction takes files from: an earlier stage, or an image."""

    stage: int | None
    image: str | None
    instruction: Instruction
    via: str  # "copy" (COPY/ADD --from) or "mount" (RUN --mount=from=)


class Stage:
    """One ``FROM`` and the instructions under it. A plain class, not a dataclass (as
    :class:`StageGraph`): a dataclass generates and compiles its methods at import time, and every
    lint imports this module."""

    __slots__ = (
        "arg_history", "args", "base", "base_token", "copies_from", "env", "from_instruction",
        "index", "instructions", "name", "own_env", "parent", "platform",
    )

    def __init__(
        self,
        index: int,
        name: str | None,  # lower case, as BuildKit compares stage names
        from_instruction: Instruction,
        base: str,  # the image reference after ARG expansion (or the parent stage's name)
        base_token: Token | None,
        parent: int | None,  # index of the stage this one is built FROM
        platform: str | None,
    ) -> None:
        self.index = index
        self.name = name
        self.from_instruction = from_instruction
        self.base = base
        self.base_token = base_token
        self.parent = parent
        self.platform = platform
        self.instructions: list[Instruction] = []
        self.copies_from: list[CopySource] = []
        self.args: dict[str, ArgDecl] = {}
        # Every ARG declaration of this stage, in order (``args`` keeps only the last of each
        # name).
        self.arg_history: list[ArgDecl] = []
        # ENV set in this stage or inherited through FROM <stage>, by name, last one wins.
        self.env: dict[str, EnvSetting] = {}
        # Every ENV assignment made in this stage itself, in order.
        self.own_env: list[EnvSetting] = []

    def __repr__(self) -> str:
        return f"Stage(index={self.index}, name={self.name!r}, base={self.base!r})"

    @property
    def label(self) -> str:
        return self.name if self.name is not None else str(self.index)


class StageGraph:
    """The stages of a Dockerfile, the final one (``None`` when the file has no FROM), the stages
    BuildKit builds for it (indexes), and a ``--target`` that names no stage."""

    __slots__ = ("_roots", "built", "dockerfile", "final", "global_args", "stages",
                 "target_missing")

    def __init__(
        self,
        dockerfile: Dockerfile,
        global_args: dict[str, ArgDecl],
        stages: list[Stage],
        final: int | None,  # None when the file has no FROM
        built: frozenset[int],
        target_missing: str | None = None,
    ) -> None:
        self.dockerfile = dockerfile
        self.global_args = global_args
        self.stages = stages
        self.final = final
        self.built = built
        self.target_missing = target_missing
        self._roots: dict[int, Stage] = {}

    @property
    def final_stage(self) -> Stage | None:
        return None if self.final is None else self.stages[self.final]

    def lineage(self, index: int) -> list[Stage]:
        """The stage and the stages it is built FROM, nearest first."""
        chain: list[Stage] = []
        seen: set[int] = set()
        current: int | None = index
        while current is not None and current not in seen:
            seen.add(current)
            chain.append(self.stages[current])
            current = self.stages[current].parent
        return chain

    def root(self, index: int) -> Stage:
        """The first stage of ``index``'s lineage: the one built FROM an image. A stage's parent
        comes before it, so each root is its parent's root, found once."""
        path: list[int] = []
        current = index
        while current not in self._roots:
            path.append(current)
            parent = self.stages[current].parent
            if parent is None or parent >= current:
                self._roots[current] = self.stages[current]
                break
            current = parent
        found = self._roots[current]
        for member in path:
            self._roots[member] = found
        return found

    def runtime_env(self) -> dict[str, EnvSetting]:
        stage = self.final_stage
        return {} if stage is None else dict(stage.env)

    def inherits(self, index: int) -> frozenset[int]:
        """Stages whose environment the final image inherits (its FROM <stage> chain)."""
        if self.final is None:
            return frozenset()
        return frozenset(s.index for s in self.lineage(self.final))

    def instructions_in(self, index: int) -> Iterator[Instruction]:
        yield self.stages[index].from_instruction
        yield from self.stages[index].instructions


def _split_from(ins: Instruction) -> tuple[Token | None, str | None]:
    values = ins.peek_values()
    image = values[0] if values else None
    name = None
    if len(values) >= 3 and values[1].value.lower() == "as":
        name = values[2].value.lower()
    return image, name


def _mount_from(value: str) -> str | None:
    for part in value.split(","):
        key, sep, val = part.partition("=")
        if sep and key.strip().lower() == "from":
            return val.strip()
    return None


def build(
    dockerfile: Dockerfile,
    *,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
) -> StageGraph:
    build_args = dict(build_args or {})
    escape = dockerfile.escape
    global_args: dict[str, ArgDecl] = {}
    stages: list[Stage] = []
    names: dict[str, int] = {}
    current: Stage | None = None
    env_values: dict[str, str] = {}
    # ARG values in scope, kept up to date as ARGs are read (rebuilding them for every
    # instruction would make a stage with thousands of ARGs quadratic).
    global_scope: dict[str, str] = {}
    arg_scope: dict[str, str] = {}
    arg_order: dict[str, int] = {}

    def declare(scope: dict[str, str], decl: ArgDecl) -> None:
        if decl.default is None:
            scope.pop(decl.name, None)
        else:
            scope[decl.name] = decl.default

    def resolve_stage(ref: str, before: int) -> int | None:
        key = ref.lower()
        if key in names and names[key] < before:
            return names[key]
        # A stage index below ``before``; checked by length first, as Python refuses to convert
        # over 4,300 digits to int.
        digits = ref.lstrip("0") or "0"
        short = len(digits) <= len(str(before))
        if ref.isascii() and ref.isdigit() and short and int(digits) < before:
            return int(digits)
        return None

    for ins in dockerfile.instructions:
        cmd = ins.cmd
        if cmd == "FROM":
            image_token, name = _split_from(ins)
            raw = image_token.value if image_token else ""
            base = expand(raw, global_scope, escape).text
            platform_flag = ins.flag("platform")
            platform = (
                expand(platform_flag.value, global_scope, escape).text
                if platform_flag
                else None
            )
            index = len(stages)
            parent = names.get(base.lower())
            current = Stage(
                index=index,
                name=name,
                from_instruction=ins,
                base=base,
                base_token=image_token,
                parent=parent,
                platform=platform,
            )
            if parent is not None:
                current.env = dict(stages[parent].env)
                current.args = {}
            stages.append(current)
            if name is not None and name not in names:
                names[name] = index
            env_values = {k: v.value for k, v in current.env.items()}
            arg_scope = {}
            arg_order = {}
            continue
        if current is None:
            if cmd == "ARG":
                for decl in list(_arg_decls(ins, None, global_scope, escape, build_args)):
                    global_args[decl.name] = decl
                    declare(global_scope, decl)
            continue
        current.instructions.append(ins)
        if cmd == "ARG":
            scope: Mapping[str, str] = ChainMap(arg_scope, env_values)
            # Every name of one ARG sees the scope from before that instruction.
            for decl in list(_arg_decls(ins, current.index, scope, escape, build_args)):
                if decl.default is None and decl.name in global_args:
                    glob = global_args[decl.name]
                    decl = decl._replace(
                        default=glob.default, token=glob.token,
                        from_build_arg=glob.from_build_arg,
                    )
                current.args[decl.name] = decl
                current.arg_history.append(decl)
                declare(arg_scope, decl)
                arg_order.setdefault(decl.name, len(arg_order))
        elif cmd == "ENV":
            scope = ChainMap(env_values, arg_scope)
            updates: dict[str, str] = {}
            values = ins.peek_values()
            for i in range(0, len(values) - 2, 3):
                key, val = values[i], values[i + 1]
                name = expand(key.value, scope, escape).text  # BuildKit expands keys too
                result = expand(val.value, scope, escape)
                used = tuple(
                    sorted(
                        (n for n in result.used if n in arg_order and n not in env_values),
                        key=arg_order.__getitem__,
                    )
                )
                setting = EnvSetting(name, result.text, key, val, ins, current.index, used)
                current.env[name] = setting
                current.own_env.append(setting)
                updates[name] = result.text
            env_values.update(updates)
        elif cmd in ("COPY", "ADD"):
            ref = ins.flag("from")
            if ref is not None:
                value = expand(ref.value, ChainMap(env_values, arg_scope), escape).text
                stage_ref = resolve_stage(value, current.index)
                current.copies_from.append(
                    CopySource(stage_ref, None if stage_ref is not None else value, ins, "copy")
                )
        elif cmd == "RUN":
            for flag in ins.flags:
                if not flag.value.startswith("--mount="):
                    continue
                ref_text = _mount_from(flag.value[len("--mount=") :])
                if ref_text is None:
                    continue
                value = expand(ref_text, ChainMap(env_values, arg_scope), escape).text
                stage_ref = resolve_stage(value, current.index)
                current.copies_from.append(
                    CopySource(stage_ref, None if stage_ref is not None else value, ins, "mount")
                )

    final: int | None = len(stages) - 1 if stages else None
    target_missing = None
    if target is not None and stages:
        found = names.get(target.lower())
        if found is None:
            target_missing = target
        else:
            final = found
    built: set[int] = set()
    todo = [] if final is None else [final]
    while todo:
        index = todo.pop()
        if index in built:
            continue
        built.add(index)
        stage = stages[index]
        if stage.parent is not None:
            todo.append(stage.parent)
        todo.extend(src.stage for src in stage.copies_from if src.stage is not None)
    return StageGraph(
        dockerfile=dockerfile,
        global_args=global_args,
        stages=stages,
        final=final,
        built=frozenset(built),
        target_missing=target_missing,
    )


def _arg_decls(
    ins: Instruction,
    stage: int | None,
    scope: Mapping[str, str],
    escape: str,
    build_args: Mapping[str, str],
) -> Iterator[ArgDecl]:
    for token in ins.peek_values():
        name, sep, raw = token.value.partition("=")
        given = name in build_args
        name_end = token.start + len(name.encode("utf-8", "surrogateescape"))
        name_token = Token(name, token.start, name_end if sep else token.end)
        if not sep:
            default = build_args.get(name)
            yield ArgDecl(name, default, None, ins, stage, name_token, given)
            continue
        value_token = Token(raw, name_end + 1, token.end)
        default = build_args.get(name, expand(raw, scope, escape).text)
        yield ArgDecl(name, default, value_token, ins, stage, name_token, given)
