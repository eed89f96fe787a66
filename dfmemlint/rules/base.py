"""What every rule sees (``Context``) and what it yields (``Problem``)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from dfmemlint.dockerfile import settings as settings_mod
from dfmemlint.dockerfile import shell, startup
from dfmemlint.dockerfile.model import Stage, StageGraph
from dfmemlint.dockerfile.reader import Dockerfile, Instruction, Token
from dfmemlint.golang.units import (
    LimitError,
    compute_gomemlimit,
    format_fraction,
    format_size,
    ratio_fraction,
)
from dfmemlint.types import Fix, Severity

MIB = 1 << 20
GO_MEMLIMIT_MIN_VERSION = (1, 19)
GO_GET_STOPPED_BUILDING = (1, 18)  # from Go 1.18 on, ``go get`` only edits go.mod

_GOLANG_REPOSITORIES = frozenset(
    {
        "golang",
        "library/golang",
        "docker.io/golang",
        "docker.io/library/golang",
        "index.docker.io/library/golang",
        "registry-1.docker.io/library/golang",
        "mirror.gcr.io/library/golang",
        "public.ecr.aws/docker/library/golang",
    }
)
_GO_TAG_VERSION = re.compile(r"^(\d+(?:\.\d+){0,2}(?:(?:rc|beta)\d+)?)")

# Commands that compile Go with the stage's toolchain, by program: the subcommands that do.
_GO_COMMAND_BUILDS = frozenset({"build", "install", "run", "get", "test"})
_GO_BUILDERS: dict[str, frozenset[str]] = {
    "go": _GO_COMMAND_BUILDS,
    "xx-go": _GO_COMMAND_BUILDS,  # tonistiigi/xx's cross-compiling wrapper around go
    "garble": _GO_COMMAND_BUILDS,
    "goreleaser": frozenset({"", "build", "release"}),
    "ko": frozenset({"build", "publish", "resolve", "apply", "create"}),
}
# Files a stage copies that are never the program: certificates, time zones, users, licences,
# configuration, scripts and web assets.
_DATA_DIRECTORIES = ("etc/", "usr/share/", "usr/local/go/lib/time/")
_DATA_SUFFIXES = (
    ".crt", ".pem", ".cer", ".key", ".txt", ".md", ".json", ".yaml", ".yml", ".toml", ".conf",
    ".cfg", ".ini", ".env", ".html", ".htm", ".css", ".js", ".map", ".sh", ".zip", ".sql",
)
_DATA_NAME = re.compile(r"_?(?:licen[cs]es?|notice|credits|readme|copying|authors)(?:\.\w+)?")
_LICENCE_DIRECTORY = re.compile(r"_?licen[cs]es?")
_INIT_WRAPPERS = frozenset({"tini", "tini-static", "dumb-init", "catatonit"})
# In a golang image, these build the project's Go programs (through its Makefile or magefile).
_BUILD_TOOLS = frozenset({"make", "mage"})


class Problem(NamedTuple):
    """A rule's finding before the engine stamps code, path and severity on it."""

    start: int  # byte span of the offending text
    end: int
    message: str
    fix: Fix | None = None
    severity: Severity | None = None  # None: the rule's default


class DeploymentEnv(NamedTuple):
    """The runtime variables a deployment sets for the container that runs this image (a
    Compose service that builds the Dockerfile): ``where`` names it (``service api,
    compose.yaml:6``), ``env`` maps each variable it sets to its value (None: unknown)."""

    where: str
    env: Mapping[str, str | None]


class GoImage(NamedTuple):
    repository: str
    tag: str | None
    version: Version | None  # None: no pinned version (latest, alpine, a digest only, …)


def parse_golang_image(reference: str) -> GoImage | None:
    """``golang:1.18-alpine`` and its registry spellings; ``None`` for other images."""
    ref = reference.strip()
    if not ref or "$" in ref:
        return None
    name, _, _digest = ref.partition("@")
    tag: str | None = None
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name, _, tag = name.rpartition(":")
    if name.lower() not in _GOLANG_REPOSITORIES:
        return None
    version = None
    if tag:
        match = _GO_TAG_VERSION.match(tag)
        if match is not None:
            text = match.group(1)
            # "1" or "1-alpine" means the newest 1.x release: not a pin to an old one.
            if "." in text:
                try:
                    version = Version(text)
                except InvalidVersion:  # pragma: no cover - the pattern only admits valid ones
                    version = None
    return GoImage(name, tag, version)


def compiles_go(words: Sequence[str], *, go_get_builds: bool = False) -> bool:
    """``words`` (a command from its program on) compile Go: ``go build``, ``go install``,
    ``go run``, ``go test -c``, ``goreleaser``, ``ko build``, …, and ``go get`` (without ``-d``)
    where ``go_get_builds`` says the toolchain still builds with it (before Go 1.18)."""
    if not words:
        return False
    subcommands = _GO_BUILDERS.get(shell.program_name(words[0]))
    if subcommands is None:
        return False
    args = list(words[1:])
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag == "-C" and args:  # go -C dir build
            args.pop(0)
    sub = args[0] if args else ""
    if sub not in subcommands:
        return False
    if sub == "test":
        return "-c" in args
    if sub == "get":
        return go_get_builds and "-d" not in args
    return True


def run_commands(ins: Instruction) -> Iterator[tuple[str, ...]]:
    """The commands a ``RUN`` instruction runs (and its heredoc scripts), as words."""
    if ins.json:
        words = [shell.Word(v.value, 0, 0, ()) for v in ins.values]
        for command in shell.command_words(words):
            yield tuple(w.text for w in command)
        return
    script = ins.args.value
    for command in shell.commands(script):
        yield tuple(w.text for w in command)
    if not ins.heredocs:
        return  # most RUNs: no need to lex the command again to place heredocs
    scripts = settings_mod.heredoc_runs_as_script(script)
    for doc, is_script in zip(ins.heredocs, scripts, strict=False):
        if is_script:
            for command in shell.commands(doc.content):
                yield tuple(w.text for w in command)


def is_data_path(path: str) -> bool:
    """A path that a ``COPY --from`` takes that cannot be a program (certificates, time zones,
    ``/etc/passwd``, licences, configuration, scripts)."""
    lowered = re.sub(r"^(?:\./|/)+", "", path.strip().lower())
    if lowered.startswith(_DATA_DIRECTORIES):
        return True
    parts = [part for part in lowered.split("/") if part]
    if not parts:
        return False
    if any(_LICENCE_DIRECTORY.fullmatch(part) for part in parts[:-1]):
        return True
    return bool(_DATA_NAME.fullmatch(parts[-1])) or parts[-1].endswith(_DATA_SUFFIXES)


def copy_sources(ins: Instruction) -> list[str]:
    values = [v.value for v in ins.values]
    return values[:-1] if len(values) >= 2 else values


def copy_destination(ins: Instruction) -> str | None:
    values = [v.value for v in ins.values]
    return values[-1] if len(values) >= 2 else None


def copies_program(ins: Instruction) -> bool:
    """A ``COPY --from`` whose sources may include a program (not only data files)."""
    sources = copy_sources(ins)
    return not sources or not all(is_data_path(source) for source in sources)


def _normal(path: str) -> str:
    path = path.strip()
    if path.endswith("/*"):
        path = path[:-2]
    return "/" + path.strip("/")


def _overlaps(destination: str | None, sources: Sequence[str]) -> bool:
    """An absolute ``destination`` lies inside one of ``sources`` or holds one of them."""
    if destination is None or not destination.startswith("/"):
        return False
    dest = _normal(destination)
    for source in sources:
        if not source.startswith("/"):
            continue
        src = _normal(source)
        if src == "/" or dest == src or dest.startswith(src + "/") or src.startswith(dest + "/"):
            return True
    return False


def start_argv(graph: StageGraph) -> list[str] | None:
    """The command line the final image starts with (ENTRYPOINT then CMD, as Docker joins
    them; a shell-form one as the first command of its script), or ``None`` without either."""
    entry, cmd = settings_mod.effective_start(graph)
    if entry is None and cmd is None:
        return None
    argv: list[str] = []
    for ins in (entry, cmd):
        if ins is None:
            continue
        if ins.json:
            argv.extend(v.value for v in ins.values)
        else:
            first = next(shell.commands(ins.args.value), ())
            argv.extend(w.text for w in first)
            if ins is entry:
                break  # a shell-form ENTRYPOINT ignores CMD
    return argv


def starts_interactive_shell(argv: Sequence[str]) -> bool:
    """``["/bin/bash"]``, ``CMD sh``, ``["tini", "--", "bash", "-l"]``: a shell with no script,
    the start command of a development or toolbox image."""
    words = list(argv)
    while words and (
        shell.program_name(words[0]) in _INIT_WRAPPERS or words[0] == "--"
        or (words[0].startswith("-") and len(words) < len(argv))
    ):
        words.pop(0)
    if not words or shell.program_name(words[0]) not in shell.SHELLS:
        return False
    return all(w.startswith("-") and w not in ("-c", "-s") for w in words[1:])


def go_too_old(image: GoImage) -> bool:
    if image.version is None:
        return False
    return tuple(image.version.release[:2]) < GO_MEMLIMIT_MIN_VERSION


@dataclass
class Context:
    path: str
    dockerfile: Dockerfile
    graph: StageGraph
    memory_limit: int | None = None  # bytes, when the user declared the container's limit
    memory_limit_source: str = ""
    ratio: float = 0.8
    fix_style: str = "env"  # how a fix adds GOMEMLIMIT: "env" or "inline"
    context_dir: str | None = None  # the build context (None: only the Dockerfile is read)
    notes: list[str] = field(default_factory=list)
    #: What the deployments that run this image set (see dfmemlint.compose.link).
    deployment_env: tuple[DeploymentEnv, ...] = ()
    _builds_go: dict[int, bool] = field(default_factory=dict, repr=False)

    @cached_property
    def settings(self) -> list[settings_mod.Setting]:
        return settings_mod.collect(self.graph)

    @cached_property
    def recommended_gomemlimit(self) -> int | None:
        """floor(limit * ratio) in whole MiB, in bytes, when a usable limit is declared."""
        if self.memory_limit is None:
            return None
        try:
            return compute_gomemlimit(self.memory_limit, self.ratio)
        except LimitError:
            return None

    def gomemlimit_advice(self) -> str:
        """What to set GOMEMLIMIT to, with the numbers computed: ``GOMEMLIMIT=409MiB (0.8 of the
        declared 512MiB limit)``, or a share of the container's limit when none is declared."""
        recommended = self.recommended_gomemlimit
        if recommended is not None and self.memory_limit is not None:
            # A limit a Compose service declares says which service: "service api, compose.yaml:9".
            of = f" of {self.memory_limit_source}" if self.memory_limit_from_service else ""
            return (
                f"GOMEMLIMIT={format_size(recommended)} ({self.ratio:g} of the declared "
                f"{format_size(self.memory_limit)} memory limit{of})"
            )
        try:
            percent = format_fraction(ratio_fraction(self.ratio) * 100)
        except LimitError:  # pragma: no cover - the ratio is validated where it is read
            percent = f"{self.ratio * 100:g}"
        return f"GOMEMLIMIT to about {percent}% of the container's memory limit"

    def deployments_setting(self, name: str) -> list[DeploymentEnv]:
        """The deployments of this image that set the runtime variable ``name``."""
        return [d for d in self.deployment_env if name in d.env]

    @property
    def memory_limit_from_service(self) -> bool:
        """The limit is the one a Compose service declares (see dfmemlint.compose.link)."""
        return self.memory_limit_source.startswith("service ")

    def settings_named(self, name: str) -> list[settings_mod.Setting]:
        return [s for s in self.settings if s.name == name]

    @cached_property
    def runtime_settings(self) -> dict[str, settings_mod.Setting]:
        """The setting of each variable that the running container sees (inline on the start
        command wins over ENV)."""
        found: dict[str, settings_mod.Setting] = {}
        for setting in self.settings:
            if setting.runtime and setting.kind == "env":
                found[setting.name] = setting
        for setting in self.settings:
            if setting.runtime and setting.kind in ("cmd", "entrypoint"):
                found[setting.name] = setting
        return found

    @cached_property
    def final_lineage(self) -> frozenset[int]:
        return self.graph.inherits(0)

    def root_image(self, stage: Stage) -> str:
        return self.graph.root(stage.index).base

    def golang_image(self, stage: Stage) -> tuple[GoImage, Stage] | None:
        root = self.graph.root(stage.index)
        image = parse_golang_image(root.base)
        return None if image is None else (image, root)

    def builds_go(self, stage: Stage) -> bool:
        """The stage (or one it is built FROM) compiles a Go program in a ``RUN`` command."""
        # Each stage's answer is its own RUN commands or its parent's answer: worked out once per
        # stage, so a long FROM <stage> chain costs linear time.
        path: list[Stage] = []
        answer = False
        current: int | None = stage.index
        while current is not None:
            known = self._builds_go.get(current)
            if known is not None:
                answer = known
                break
            member = self.graph.stages[current]
            path.append(member)
            parent = member.parent
            current = parent if parent is not None and parent < current else None
        for member in reversed(path):
            answer = answer or self._own_run_compiles_go(member)
            self._builds_go[member.index] = answer
        return answer

    def _own_run_compiles_go(self, stage: Stage) -> bool:
        found = self.golang_image(stage)
        version = None if found is None else found[0].version
        go_get_builds = version is not None and version.release[:2] < GO_GET_STOPPED_BUILDING
        return any(
            ins.cmd == "RUN"
            and any(
                compiles_go(c, go_get_builds=go_get_builds)
                or (found is not None and c and shell.program_name(c[0]) in _BUILD_TOOLS)
                for c in run_commands(ins)
            )
            for ins in stage.instructions
        )

    @cached_property
    def go_build_stages(self) -> list[Stage]:
        """Built, golang-based stages that compile the Go programs the final image ships: the
        final stage's own lineage, and the stages it copies files from (``COPY --from``) when
        what it copies may be a program, not only certificates, time zones or other data; and,
        one step further, the stages those copied the same files from (``golang`` builds
        ``/app/x``, ``assets`` copies it to ``/app/``, the final image copies ``/app``)."""
        if self.graph.final is None:
            return []
        candidates: list[int] = sorted(self.final_lineage)
        for index in sorted(self.final_lineage):
            for src in self.graph.stages[index].copies_from:
                if src.stage is None or src.via != "copy" or not copies_program(src.instruction):
                    continue
                candidates.append(src.stage)
                taken = [p for p in copy_sources(src.instruction) if not is_data_path(p)]
                for member in self.graph.lineage(src.stage):
                    candidates.extend(
                        inner.stage
                        for inner in member.copies_from
                        if inner.stage is not None
                        and inner.via == "copy"
                        and copies_program(inner.instruction)
                        and _overlaps(copy_destination(inner.instruction), taken)
                    )
        result: list[Stage] = []
        seen: set[int] = set()
        for index in candidates:
            if index in seen:
                continue
            seen.add(index)
            stage = self.graph.stages[index]
            if self.golang_image(stage) is not None and self.builds_go(stage):
                result.append(stage)
        return sorted(result, key=lambda s: s.index)

    @cached_property
    def old_go_builders(self) -> list[GoImage]:
        """The toolchain images older than Go 1.19 among ``go_build_stages``: a GOMEMLIMIT for
        the program they build does nothing."""
        found = (self.golang_image(stage) for stage in self.go_build_stages)
        return [pair[0] for pair in found if pair is not None and go_too_old(pair[0])]

    @cached_property
    def startup_limit(self) -> startup.StartupLimit | None:
        """GOMEMLIMIT set when the container starts (an entrypoint script, or the Go program
        itself), when no GOMEMLIMIT reaches the program from the Dockerfile."""
        if "GOMEMLIMIT" in self.runtime_settings:
            return None
        return startup.find(self.graph, self.start_argv, self.context_dir, go=self.runs_go)

    @cached_property
    def start_argv(self) -> list[str] | None:
        return start_argv(self.graph)

    @cached_property
    def runs_go(self) -> bool:
        """The final image ships a Go program built here and runs something when started.

        Not when it has no start command and is ``scratch`` (files exported with
        ``--output``) or a golang image (a toolchain or CI image), and not when it starts an
        interactive shell (a development image)."""
        if not self.go_build_stages or self.graph.final is None:
            return False
        argv = self.start_argv
        if argv is None:
            root = self.graph.lineage(self.graph.final)[-1]
            if root.base.lower() == "scratch" or parse_golang_image(root.base) is not None:
                return False
            return not self._runs_go_tool_at_build()
        return not starts_interactive_shell(argv)

    def _runs_go_tool_at_build(self) -> bool:
        """A ``RUN`` step of the final image runs a Go program it copied from a build stage
        (a generator or checker: the image is a build-time target, not something to run)."""
        builders = {s.index for s in self.go_build_stages}
        names: set[str] = set()
        lineage = self.graph.lineage(self.graph.final) if self.graph.final is not None else []
        for stage in lineage:
            for src in stage.copies_from:
                if src.stage in builders and src.via == "copy":
                    for source in copy_sources(src.instruction):
                        if not is_data_path(source):
                            names.add(shell.program_name(source.rstrip("/")))
        for stage in lineage:
            for ins in stage.instructions:
                if ins.cmd != "RUN":
                    continue
                for command in run_commands(ins):
                    if command and shell.program_name(command[0]) in names:
                        return True
        return False

    @cached_property
    def starts_program(self) -> bool:
        """The final image has a start command (ENTRYPOINT/CMD) or runs a Go program: its
        environment reaches a running process, not only the build's ``RUN`` steps."""
        return self.start_argv is not None or self.runs_go

    def token_of(self, instruction: Instruction) -> Token:
        end = instruction.start + len(instruction.keyword)
        return Token(instruction.keyword, instruction.start, end)

    def keyword_span(self, instruction: Instruction) -> tuple[int, int]:
        """Byte span of the instruction's keyword (for findings about a whole instruction)."""
        data = self.dockerfile.data
        start = instruction.start
        while start < instruction.end and data[start : start + 1] in (b" ", b"\t", b"\xef"):
            if data[start : start + 3] == b"\xef\xbb\xbf":
                start += 3
                continue
            if data[start : start + 1] == b"\xef":
                break
            start += 1
        return start, start + len(instruction.keyword.encode("utf-8", "surrogateescape"))

    def instruction_line_span(self, instruction: Instruction) -> tuple[int, int]:
        """Byte span of the instruction's whole first line (without its line ending)."""
        start, _ = self.keyword_span(instruction)
        data = self.dockerfile.data
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end > start and data[end - 1 : end] == b"\r":
            end -= 1
        return start, end
