"""What every rule sees (``Context``) and what it yields (``Problem``)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from dfmemlint.dockerfile import gobuild, startup, toolchains
from dfmemlint.dockerfile import settings as settings_mod
from dfmemlint.dockerfile.model import Stage, StageGraph
from dfmemlint.dockerfile.reader import Dockerfile, Instruction, Token
from dfmemlint.golang.units import LimitError, compute_gomemlimit, format_percent, format_size
from dfmemlint.records import Record
from dfmemlint.types import Fix, Severity

MIB = 1 << 20
GO_MEMLIMIT_MIN_VERSION = gobuild.GO_MEMLIMIT_MIN_VERSION


class Elsewhere(Record):
    """Where a finding in another file than the linted one is (an entrypoint script that a
    Dockerfile copies from its build context): that file's path as the run names it, and
    1-based line and column there (columns count code points, as for every finding)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


class Problem(Record):
    """A rule's finding before the engine stamps code, path and severity on it."""

    start: int  # byte span of the offending text
    end: int
    message: str
    fix: Fix | None = None
    severity: Severity | None = None  # None: the rule's default
    #: The finding is in another file, there; ``start``/``end`` are then where the linted file
    #: brings that file in (the ``COPY``), which its ignore comments apply to. Never with a fix.
    elsewhere: Elsewhere | None = None


class DeploymentEnv(Record):
    """The runtime variables a deployment sets for the container that runs this image (a
    Compose service that builds the Dockerfile): ``where`` names it (``service api,
    compose.yaml:6``), ``env`` maps each variable it sets to its value (None: unknown)."""

    where: str
    env: Mapping[str, str | None]
    #: The image's start instructions it replaces (``"entrypoint"``, ``"cmd"``: a Compose
    #: ``entrypoint:`` replaces both, ``command:`` the CMD): a value set on one never reaches it.
    replaces: frozenset[str] = frozenset()


class Context:
    """What the rules of one Dockerfile see: the file, its stage graph, the declared limit and
    ratio, and what is derived from them once (cached properties).

    A plain class, not a dataclass: a dataclass generates and compiles its methods at import time,
    and every lint imports this module.
    """

    def __init__(
        self,
        path: str,
        dockerfile: Dockerfile,
        graph: StageGraph,
        memory_limit: int | None = None,  # bytes, when the user declared the container's limit
        memory_limit_source: str = "",
        ratio: float = 0.8,
        fix_style: str = "env",  # how a fix adds GOMEMLIMIT: "env" or "inline"
        context_dir: str | None = None,  # the build context (None: only the Dockerfile is read)
        notes: list[str] | None = None,
        #: What the deployments that run this image set (see dfmemlint.compose.link).
        deployment_env: tuple[DeploymentEnv, ...] = (),
        #: What is wrong with the file's ``# dfmemlint:`` comments (``engine.read_pragmas``).
        comment_problems: tuple[Problem, ...] = (),
    ) -> None:
        self.path = path
        self.dockerfile = dockerfile
        self.graph = graph
        self.memory_limit = memory_limit
        self.memory_limit_source = memory_limit_source
        self.ratio = ratio
        self.fix_style = fix_style
        self.context_dir = context_dir
        self.notes: list[str] = [] if notes is None else notes
        self.deployment_env = deployment_env
        self.comment_problems = comment_problems

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
        return f"GOMEMLIMIT to about {format_percent(self.ratio)}% of the container's memory limit"

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

    @cached_property
    def go(self) -> gobuild.GoBuilds:
        return gobuild.GoBuilds(self.graph)

    def toolchain(self, stage: Stage) -> toolchains.Toolchain | None:
        return self.go.toolchain(stage)

    @property
    def go_build_stages(self) -> list[Stage]:
        return self.go.go_build_stages

    @property
    def old_go_builders(self) -> list[toolchains.Toolchain]:
        return self.go.old_go_builders

    @cached_property
    def startup_limit(self) -> startup.StartupLimit | None:
        """GOMEMLIMIT set when the container starts (an entrypoint script, or the Go program
        itself), when no GOMEMLIMIT reaches the program from the Dockerfile."""
        if "GOMEMLIMIT" in self.runtime_settings:
            return None
        return startup.find(self.graph, self.start_argv, self.context_dir, go=self.runs_go)

    @cached_property
    def script_settings(self) -> list[startup.ScriptSetting]:
        """The literal GOMEMLIMIT values the final image's entrypoint script assigns
        (:func:`startup.script_settings`), whatever the Dockerfile sets."""
        return startup.script_settings(self.graph, self.start_argv, self.context_dir)

    def script_place(self, found: startup.ScriptSetting) -> tuple[int, int, Elsewhere | None]:
        """Where a finding about a value an entrypoint script assigns points: the value in the
        Dockerfile for a heredoc script (start, end, None); for a build-context file, that file
        (:class:`Elsewhere`: its path joined to the build context, relative to the working
        directory when below it), with the span of the keyword of the COPY that copies it."""
        if found.file is None:
            return found.start, found.end, None
        import os

        from dfmemlint.positions import Lines

        assert self.context_dir is not None  # a file is read only from a build context
        target = os.path.join(self.context_dir, found.file.lstrip("/"))
        shown = os.path.relpath(target)
        if shown.startswith(os.pardir):
            shown = os.path.abspath(target)
        lines = Lines(found.data)
        start, end = self.keyword_span(found.instruction)
        return start, end, Elsewhere(
            shown, *lines.line_col(found.start), *lines.line_col(found.end)
        )

    @property
    def start_argv(self) -> list[str] | None:
        return self.go.start_argv

    @property
    def runs_go(self) -> bool:
        return self.go.runs_go

    @cached_property
    def starts_program(self) -> bool:
        """The final image has a start command (ENTRYPOINT/CMD) or runs a Go program: its
        environment reaches a running process, not only the build's ``RUN`` steps."""
        return self.start_argv is not None or self.runs_go or self._sets_go_runtime_variable

    @cached_property
    def _sets_go_runtime_variable(self) -> bool:
        """The final stage sets a Go runtime variable with ENV while its start command comes
        from the base image (a Go server's official image): evidence enough that Go runs there.
        Not in a Go toolchain image or one with Go installed from a tarball (the ENV tunes the
        build's RUN steps there), nor in scratch."""
        final = self.graph.final_stage
        if final is None:
            return False
        lineage = self.graph.lineage(final.index)
        root = lineage[-1]
        if root.base.lower() == "scratch" or toolchains.image_row(root.base) is not None:
            return False
        if any(toolchains.from_tarball(self.graph, stage) for stage in lineage):
            return False
        return any(
            env.name in settings_mod.TUNING_VARIABLES for stage in lineage for env in stage.own_env
        )

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
