"""What every rule sees (``Context``) and what it yields (``Problem``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from dfmemlint import settings as settings_mod
from dfmemlint.model import Stage, StageGraph
from dfmemlint.reader import Dockerfile, Instruction, Token
from dfmemlint.types import Fix, Severity

MIB = 1 << 20
GO_MEMLIMIT_MIN_VERSION = (1, 19)

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
_GO_BUILD = re.compile(r"\bgo\s+(?:build|install|run)\b|\bgoreleaser\b|\bko\s+build\b")


class Problem(NamedTuple):
    """A rule's finding before the engine stamps code, path and severity on it."""

    start: int  # byte span of the offending text
    end: int
    message: str
    fix: Fix | None = None
    severity: Severity | None = None  # None: the rule's default


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
    notes: list[str] = field(default_factory=list)

    @cached_property
    def settings(self) -> list[settings_mod.Setting]:
        return settings_mod.collect(self.graph)

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
        return self.graph.lineage(stage.index)[-1].base

    def golang_image(self, stage: Stage) -> tuple[GoImage, Stage] | None:
        root = self.graph.lineage(stage.index)[-1]
        image = parse_golang_image(root.base)
        return None if image is None else (image, root)

    def builds_go(self, stage: Stage) -> bool:
        """The stage (or one it is built FROM) compiles a Go program."""
        for member in self.graph.lineage(stage.index):
            for ins in member.instructions:
                if ins.cmd != "RUN":
                    continue
                if _GO_BUILD.search(ins.original) or any(
                    _GO_BUILD.search(doc.content) for doc in ins.heredocs
                ):
                    return True
        return False

    @cached_property
    def go_build_stages(self) -> list[Stage]:
        """Built, golang-based stages whose output the final image runs: the final stage's own
        lineage, or stages it copies files from, that compile Go."""
        if self.graph.final is None:
            return []
        candidates: list[int] = list(self.final_lineage)
        for index in self.final_lineage:
            candidates.extend(
                src.stage for src in self.graph.stages[index].copies_from if src.stage is not None
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
    def runs_go(self) -> bool:
        return bool(self.go_build_stages)

    def token_of(self, instruction: Instruction) -> Token:
        return Token(instruction.keyword, instruction.start, instruction.start + len(instruction.keyword))

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
