"""Go builds in a Dockerfile: which stages compile the Go program the final image ships, with
which toolchain, and whether the final image runs it.

A stage builds Go when its toolchain (``dockerfile.toolchains``: a Go toolchain image, or Go
installed from an official tarball) compiles in a ``RUN`` command: ``go build``/``install``/
``run``, ``go test -c``, ``go get`` before Go 1.18, ``xx-go``, ``garble``, ``goreleaser``, ``ko``,
or the project's own build (``make``, ``mage``, ``./build-static.sh``). It is the Go build of
the image when the final image is that stage, is built FROM it, or copies a program (not only
data) from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

from dfmemlint.dockerfile import settings as settings_mod
from dfmemlint.dockerfile import shell, toolchains
from dfmemlint.dockerfile.model import Stage, StageGraph
from dfmemlint.dockerfile.reader import Instruction
from dfmemlint.records import Record

GO_MEMLIMIT_MIN_VERSION = (1, 19)
GO_GET_STOPPED_BUILDING = (1, 18)  # from Go 1.18 on, ``go get`` only edits go.mod

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
# A file named so (after one optional "_", before one optional extension) is documentation.
_LICENCE_NAMES = frozenset({"licence", "licences", "license", "licenses"})
_DATA_STEMS = _LICENCE_NAMES | {"notice", "credits", "readme", "copying", "authors"}
_INIT_WRAPPERS = frozenset({"tini", "tini-static", "dumb-init", "catatonit"})
# In a golang image, these build the project's Go programs (through its Makefile or magefile).
_BUILD_TOOLS = frozenset({"make", "mage"})


class GoImage(Record):
    """A Go toolchain image: its repository, tag and the Go version the tag names."""

    repository: str
    tag: str | None
    version: toolchains.GoVersion | None  # None: no pinned version (latest, alpine, digest only)


def parse_golang_image(reference: str) -> GoImage | None:
    """An image of the Go toolchain table (``golang:1.18-alpine`` and its registry spellings,
    ``ubi8/go-toolset:1.18``, …) with the Go version its tag names; ``None`` for other images."""
    if toolchains.image_row(reference) is None:
        return None
    parts = toolchains.split(reference)
    assert parts is not None
    repository, tag = parts
    return GoImage(repository, tag or None, toolchains.version_of(tag) if tag else None)


def runs_build_script(words: Sequence[str]) -> bool:
    """``./build-static.sh``, ``hack/build.sh``, ``bash scripts/build``, ``make``, ``mage``: a
    command that builds through the project's own script (in a Go toolchain stage, a Go build)."""
    if not words:
        return False
    program = words[0]
    if shell.program_name(program) in _BUILD_TOOLS:
        return True
    if shell.program_name(program) in shell.SHELLS:
        rest = [w for w in words[1:] if not w.startswith("-")]
        if "-c" in words[1:] or not rest:
            return False
        program = rest[0]
    return program.endswith(".sh") or (
        "/" in program and not program.startswith(("/bin/", "/usr/", "/sbin/", "/etc/"))
    )


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
        for command in shell.program_words(tuple(words)) if words else ():
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
    lowered = path.strip().lower()
    while lowered.startswith(("./", "/")):
        lowered = lowered[2:] if lowered.startswith("./") else lowered[1:]
    if lowered.startswith(_DATA_DIRECTORIES):
        return True
    parts = [part for part in lowered.split("/") if part]
    if not parts:
        return False
    if any(part.removeprefix("_") in _LICENCE_NAMES for part in parts[:-1]):
        return True
    stem, dot, extension = parts[-1].removeprefix("_").partition(".")
    documentation = stem in _DATA_STEMS and (
        not dot or (extension != "" and extension.replace("_", "a").isalnum())
    )
    return documentation or parts[-1].endswith(_DATA_SUFFIXES)


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


def go_too_old(image: GoImage | toolchains.Toolchain) -> bool:
    if image.version is None:
        return False
    return tuple(image.version.release[:2]) < GO_MEMLIMIT_MIN_VERSION


class GoBuilds:
    """The Go builds of one stage graph, each answer worked out once."""

    def __init__(self, graph: StageGraph) -> None:
        self.graph = graph
        self._builds_go: dict[int, bool] = {}
        self._builds_go_scripts: dict[int, bool] = {}
        self._toolchains: dict[int, toolchains.Toolchain | None] = {}

    @cached_property
    def _final_lineage(self) -> frozenset[int]:
        return self.graph.inherits(0)

    def toolchain(self, stage: Stage) -> toolchains.Toolchain | None:
        """The Go a stage builds with: installed from a tarball in it or a stage it is built
        FROM (the nearest wins), else its root's toolchain image."""
        # Worked out once per stage along the FROM <stage> chain: linear time on long chains.
        path: list[Stage] = []
        found: toolchains.Toolchain | None = None
        current: int | None = stage.index
        while current is not None and current not in self._toolchains:
            member = self.graph.stages[current]
            path.append(member)
            parent = member.parent
            current = parent if parent is not None and parent < current else None
        if current is not None:
            found = self._toolchains[current]
        elif path:
            found = toolchains.from_image(path[-1])
        for member in reversed(path):
            found = toolchains.from_tarball(self.graph, member) or found
            self._toolchains[member.index] = found
        return found

    def builds_go(self, stage: Stage, *, scripts: bool = False) -> bool:
        """The stage (or one it is built FROM) compiles a Go program in a ``RUN`` command; with
        ``scripts``, also through the project's own build script (``./build-static.sh``), which
        counts for a stage whose output the final image copies."""
        # Each stage's answer is its own RUN commands or its parent's answer: worked out once per
        # stage, so a long FROM <stage> chain costs linear time.
        cache = self._builds_go_scripts if scripts else self._builds_go
        path: list[Stage] = []
        answer = False
        current: int | None = stage.index
        while current is not None:
            known = cache.get(current)
            if known is not None:
                answer = known
                break
            member = self.graph.stages[current]
            path.append(member)
            parent = member.parent
            current = parent if parent is not None and parent < current else None
        for member in reversed(path):
            answer = answer or self._own_run_compiles_go(member, scripts)
            cache[member.index] = answer
        return answer

    def _own_run_compiles_go(self, stage: Stage, scripts: bool) -> bool:
        found = self.toolchain(stage)
        version = None if found is None else found.version
        go_get_builds = version is not None and version.release[:2] < GO_GET_STOPPED_BUILDING
        return any(
            ins.cmd == "RUN"
            and any(
                compiles_go(c, go_get_builds=go_get_builds)
                or (
                    found is not None
                    and bool(c)
                    and (
                        shell.program_name(c[0]) in _BUILD_TOOLS
                        or (scripts and runs_build_script(c))
                    )
                )
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
        candidates: list[int] = sorted(self._final_lineage)
        copied: set[int] = set()
        for index in sorted(self._final_lineage):
            for src in self.graph.stages[index].copies_from:
                if src.stage is None or src.via != "copy" or not copies_program(src.instruction):
                    continue
                candidates.append(src.stage)
                copied.add(src.stage)
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
            scripts = index in copied
            if self.toolchain(stage) is not None and self.builds_go(stage, scripts=scripts):
                result.append(stage)
        return sorted(result, key=lambda s: s.index)

    @cached_property
    def old_go_builders(self) -> list[toolchains.Toolchain]:
        """The toolchains older than Go 1.19 among ``go_build_stages``: a GOMEMLIMIT for the
        program they build does nothing."""
        found = (self.toolchain(stage) for stage in self.go_build_stages)
        return [t for t in found if t is not None and go_too_old(t)]

    @cached_property
    def start_argv(self) -> list[str] | None:
        return start_argv(self.graph)

    @cached_property
    def runs_go(self) -> bool:
        """The final image ships a Go program built here and runs something when started.

        Not when it has no start command and is ``scratch`` (files exported with
        ``--output``) or a Go toolchain image or has Go installed from a tarball (a toolchain or
        CI image), and not when it starts an
        interactive shell (a development image)."""
        if not self.go_build_stages or self.graph.final is None:
            return False
        argv = self.start_argv
        if argv is None:
            root = self.graph.lineage(self.graph.final)[-1]
            if root.base.lower() == "scratch" or toolchains.image_row(root.base) is not None:
                return False
            lineage = self.graph.lineage(self.graph.final)
            if any(toolchains.from_tarball(self.graph, s) for s in lineage):
                # Go installed from a tarball and nothing to start: a toolchain image.
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
