"""The stage model (stages, where files come from, what is built, the runtime environment) and the
word expansion it uses for ARG, ENV and FROM."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from dfmemlint.dockerfile import model, reader
from dfmemlint.dockerfile.expand import expand


def graph(
    text: str, build_args: Mapping[str, str] | None = None, target: str | None = None
) -> model.StageGraph:
    df = reader.read(text.encode())
    assert df.error is None, df.error
    return model.build(df, build_args=build_args, target=target)


def env(text: str, **kwargs: str) -> dict[str, tuple[str, int]]:
    """The runtime environment: name -> (value, line of the ENV that set it)."""
    return {
        name: (setting.value, setting.instruction.start_line)
        for name, setting in graph(text, build_args=kwargs).runtime_env().items()
    }


# --- stages ---------------------------------------------------------------------------------------


def test_stage_names_and_indexes() -> None:
    g = graph("FROM golang:1.22 AS Build\nRUN go build\nFROM scratch\nFROM alpine as final\n")
    assert [(s.index, s.name, s.base, s.label) for s in g.stages] == [
        (0, "build", "golang:1.22", "build"),
        (1, None, "scratch", "1"),
        (2, "final", "alpine", "final"),
    ]
    assert [s.from_instruction.start_line for s in g.stages] == [1, 3, 4]
    assert [len(s.instructions) for s in g.stages] == [1, 0, 0]
    assert g.final == 2
    assert g.final_stage is g.stages[2]
    assert [i.cmd for i in g.instructions_in(0)] == ["FROM", "RUN"]


def test_no_stage() -> None:
    g = model.build(reader.read(b"ARG A=1\n"))
    assert (g.stages, g.final, g.final_stage, g.built) == ([], None, None, frozenset())
    assert g.runtime_env() == {}
    assert g.inherits(0) == frozenset()
    assert g.global_args["A"].default == "1"


@pytest.mark.parametrize(
    ("text", "parents"),
    [
        pytest.param("FROM a AS base\nFROM base\n", [None, 0], id="by-name"),
        pytest.param(
            "FROM a AS Base\nFROM BASE AS next\nFROM next\n", [None, 0, 1], id="case-insensitive"
        ),
        pytest.param("FROM a\nFROM 0\n", [None, None], id="index-is-an-image"),
        pytest.param("FROM base\nFROM a AS base\n", [None, None], id="later-name-is-an-image"),
        pytest.param("ARG B=base\nFROM a AS base\nFROM $B\n", [None, 0], id="expanded-name"),
    ],
)
def test_from_stage(text: str, parents: list[int | None]) -> None:
    assert [s.parent for s in graph(text).stages] == parents


def test_from_stage_inherits_env() -> None:
    g = graph("FROM a AS base\nENV A=1 B=2\nFROM base AS mid\nENV B=3\nFROM mid\n")
    assert [s.index for s in g.lineage(2)] == [2, 1, 0]
    assert g.inherits(2) == frozenset({0, 1, 2})
    final = g.stages[2]
    assert {k: (v.value, v.instruction.start_line, v.stage) for k, v in final.env.items()} == {
        "A": ("1", 2, 0),
        "B": ("3", 4, 1),
    }
    assert final.own_env == []
    assert [s.name for s in g.stages[1].own_env] == ["B"]


@pytest.mark.parametrize(
    ("line", "stage", "image", "via"),
    [
        pytest.param("COPY --from=0 /x /y", 0, None, "copy", id="index"),
        pytest.param("COPY --from=builder /x /y", 1, None, "copy", id="name"),
        pytest.param("ADD --from=BUILDER /x /y", 1, None, "copy", id="name-any-case"),
        pytest.param("COPY --from=nginx:latest /x /y", None, "nginx:latest", "copy", id="image"),
        pytest.param("COPY --from=$SRC /x /y", 1, None, "copy", id="arg"),
        pytest.param("COPY --from=9 /x /y", None, "9", "copy", id="index-not-before"),
        # Flags are read byte by byte, as BuildKit does (Latin-1 view of the UTF-8 bytes).
        pytest.param("COPY --from=\u00e9 /x /y", None, "\u00c3\u00a9", "copy", id="non-ascii"),
        pytest.param(
            "RUN --mount=type=cache,from=builder,target=/go go build",
            1,
            None,
            "mount",
            id="mount-stage",
        ),
        pytest.param(
            "RUN --mount=type=bind,from=0,target=/src ls", 0, None, "mount", id="mount-index"
        ),
        pytest.param(
            "RUN --mount=type=bind,source=/x,from=busybox,target=/y ls",
            None,
            "busybox",
            "mount",
            id="mount-image",
        ),
    ],
)
def test_copies_from(line: str, stage: int | None, image: str | None, via: str) -> None:
    g = graph(f"FROM a\nFROM b AS builder\nFROM c\nARG SRC=builder\n{line}\n")
    (source,) = g.stages[2].copies_from
    assert (source.stage, source.image, source.via, source.instruction.start_line) == (
        stage,
        image,
        via,
        5,
    )


@pytest.mark.parametrize(
    "line", ["COPY /x /y", "RUN --mount=type=cache,target=/x go build", "RUN --network=none true"]
)
def test_no_copy_source(line: str) -> None:
    assert graph(f"FROM a\n{line}\n").stages[0].copies_from == []


@pytest.mark.parametrize(
    ("text", "target", "final", "built", "missing"),
    [
        pytest.param("FROM a\nFROM b\n", None, 1, {1}, None, id="last-stage"),
        pytest.param("FROM a AS x\nFROM x AS y\nFROM c\n", None, 2, {2}, None, id="unused-stages"),
        pytest.param("FROM a AS x\nFROM x AS y\nFROM c\n", "y", 1, {0, 1}, None, id="target"),
        pytest.param(
            "FROM a AS x\nFROM x AS y\nFROM c\n", "Y", 1, {0, 1}, None, id="target-any-case"
        ),
        pytest.param("FROM a AS x\nFROM c\n", "nope", 1, {1}, "nope", id="target-missing"),
        pytest.param(
            "FROM a AS lib\nFROM b AS tool\nFROM c AS builder\nCOPY --from=lib / /\nFROM d\n"
            "COPY --from=builder /app /app\n",
            None,
            3,
            {0, 2, 3},
            None,
            id="through-copies",
        ),
        pytest.param(
            "FROM a AS cache\nFROM b\nRUN --mount=from=cache,target=/c true\n",
            None,
            1,
            {0, 1},
            None,
            id="through-mounts",
        ),
    ],
)
def test_built_stages(
    text: str, target: str | None, final: int, built: set[int], missing: str | None
) -> None:
    g = graph(text, target=target)
    assert (g.final, set(g.built), g.target_missing) == (final, built, missing)


# --- ARG ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "base"),
    [
        pytest.param("golang:$V", "golang:1.22.3", id="plain"),
        pytest.param("golang:${V}", "golang:1.22.3", id="braces"),
        pytest.param("$IMG:${V}-alpine", "golang:1.22.3-alpine", id="two"),
        pytest.param("${UNSET:-golang}", "golang", id="default"),
        pytest.param("${EMPTY:-golang}", "golang", id="default-empty"),
        pytest.param("x${EMPTY-golang}", "x", id="default-set-empty"),
        pytest.param("${UNSET-golang}", "golang", id="default-unset"),
        pytest.param("a${V:+-b}", "a-b", id="alternative"),
        pytest.param("a${EMPTY:+-b}", "a", id="alternative-empty"),
        pytest.param("a${EMPTY+-b}", "a-b", id="alternative-set"),
        pytest.param("golang:${V#*.}", "golang:22.3", id="short-prefix"),
        pytest.param("golang:${V##*.}", "golang:3", id="long-prefix"),
        pytest.param("golang:${V%.*}", "golang:1.22", id="short-suffix"),
        pytest.param("golang:${V%%.*}", "golang:1", id="long-suffix"),
        pytest.param("golang:${V/./-}", "golang:1-22.3", id="replace"),
        pytest.param("golang:${V//./-}", "golang:1-22-3", id="replace-all"),
        pytest.param("\"golang\":'$V'", "golang:$V", id="quotes"),
        pytest.param("golang:$UNSET", "golang:", id="unset"),
    ],
)
def test_from_expands_global_args(image: str, base: str) -> None:
    g = graph(f"ARG V=1.22.3\nARG IMG=golang\nARG EMPTY=\nFROM {image}\n")
    assert g.stages[0].base == base


def test_copy_from_an_arg_holding_a_non_ascii_digit() -> None:
    g = graph("FROM a\nARG D=\u00b2\nCOPY --from=$D /x /y\n")
    assert [(c.stage, c.image) for c in g.stages[0].copies_from] == [(None, "\u00b2")]


def test_args_of_one_instruction_see_the_scope_before_it() -> None:
    g = graph("FROM a\nARG M=1 L=$M\nENV X=$L\n")
    assert g.runtime_env()["X"].value == ""


def test_undeclared_build_arg_is_ignored() -> None:
    assert graph("FROM a:$V\n", build_args={"V": "1"}).stages[0].base == "a:"


def test_from_build_arg_overrides() -> None:
    text = "ARG V=1.22\nARG IMG P\nFROM ${IMG:-golang}:$V AS build\nFROM --platform=$P build\n"
    assert graph(text).stages[0].base == "golang:1.22"
    g = graph(text, build_args={"V": "1.23", "IMG": "go", "P": "linux/arm64"})
    assert g.stages[0].base == "go:1.23"
    assert g.stages[1].platform == "linux/arm64"
    assert g.stages[1].parent == 0


def test_global_arg_visible_in_stage_only_after_redeclaration() -> None:
    text = "ARG M=512MiB\nFROM a\nENV A=$M\nARG M\nENV B=$M\nFROM b\nENV C=$M\n"
    g = graph(text)
    assert {k: v.value for k, v in g.stages[0].env.items()} == {"A": "", "B": "512MiB"}
    assert g.runtime_env()["C"].value == ""
    assert g.stages[0].args["M"].default == "512MiB"
    assert graph(text, build_args={"M": "1GiB"}).stages[0].env["B"].value == "1GiB"


def test_stage_arg_with_default() -> None:
    g = graph("FROM a\nARG M=256MiB\nARG L=$M\nENV GOMEMLIMIT=$L\n", build_args={})
    setting = g.runtime_env()["GOMEMLIMIT"]
    assert (setting.value, setting.args_used) == ("256MiB", ("L",))
    decl = g.stages[0].args["M"]
    assert decl.token is not None
    assert g.dockerfile.data[decl.token.start : decl.token.end] == b"256MiB"
    assert (
        graph("FROM a\nARG M=256MiB\nENV X=$M\n", build_args={"M": "1"}).runtime_env()["X"].value
        == "1"
    )


# --- ENV ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("FROM a\nENV GOMEMLIMIT=1GiB\n", {"GOMEMLIMIT": ("1GiB", 2)}, id="one"),
        pytest.param("FROM a\nENV GOGC 50\n", {"GOGC": ("50", 2)}, id="legacy"),
        pytest.param(
            "FROM a\nENV A=\"x y\" B='$A'\n", {"A": ("x y", 2), "B": ("$A", 2)}, id="quotes"
        ),
        pytest.param(
            "FROM a\nENV A=1\nENV A=2 B=$A\n", {"A": ("2", 3), "B": ("1", 3)}, id="sees-old-value"
        ),
        pytest.param(
            "FROM a\nENV A=1 B=$A\n", {"A": ("1", 2), "B": ("", 2)}, id="same-instruction"
        ),
        pytest.param("FROM a\nENV A=1\nENV A=$A:2\n", {"A": ("1:2", 3)}, id="extend"),
        pytest.param(
            'FROM a\nENV "GOMEMLIMIT"=1GiB\n', {"GOMEMLIMIT": ("1GiB", 2)}, id="quoted-key"
        ),
        pytest.param(
            "FROM a AS base\nENV GOMEMLIMIT=1GiB\nFROM base\nENV GOGC=50\n",
            {"GOMEMLIMIT": ("1GiB", 2), "GOGC": ("50", 4)},
            id="inherited",
        ),
        pytest.param(
            "FROM a AS build\nENV GOMEMLIMIT=1GiB\nFROM scratch\nENV GOGC=50\n",
            {"GOGC": ("50", 4)},
            id="not-inherited",
        ),
        pytest.param(
            "FROM a\nARG X=1\nENV X=2\nENV Y=$X\n",
            {"X": ("2", 3), "Y": ("2", 4)},
            id="env-over-arg",
        ),
    ],
)
def test_runtime_env(text: str, expected: dict[str, tuple[str, int]]) -> None:
    assert env(text) == expected


def test_env_setting_tokens() -> None:
    g = graph('FROM a\nENV GOMEMLIMIT="1GiB" GOGC=50\n')
    data = g.dockerfile.data
    setting = g.runtime_env()["GOMEMLIMIT"]
    assert data[setting.key.start : setting.key.end] == b"GOMEMLIMIT"
    assert data[setting.token.start : setting.token.end] == b'"1GiB"'
    assert (setting.value, setting.stage) == ("1GiB", 0)


# --- expand.py ------------------------------------------------------------------------------------

ENV = {"V": "1.22.3", "E": "", "P": "a*b*c", "N": "x", "é": "accent", "1": "one"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$V", "1.22.3"),
        ("${V}", "1.22.3"),
        ("a$V-b", "a1.22.3-b"),
        ("$Vx", ""),
        ("${U:-d}", "d"),
        ("${E:-d}", "d"),
        ("${V:-d}", "1.22.3"),
        ("${U-d}", "d"),
        ("${E-d}", ""),
        ("${U:+a}", ""),
        ("${E:+a}", ""),
        ("${V:+a}", "a"),
        ("${U+a}", ""),
        ("${E+a}", "a"),
        ("${V?oops}", "1.22.3"),
        ("${V:?oops}", "1.22.3"),
        ("${V#*.}", "22.3"),
        ("${V##*.}", "3"),
        ("${V%.*}", "1.22"),
        ("${V%%.*}", "1"),
        ("${V#1?}", "22.3"),
        ("${V/./-}", "1-22.3"),
        ("${V//./-}", "1-22-3"),
        ("${V/2*/x}", "1.x"),
        ("${P%\\*c}", "a*b"),
        ("${P#a\\*}", "b*c"),
        ("${P/\\*/+}", "a+b*c"),
        ("${E//*/x}", "x"),
        ("${U:-${V}}", "1.22.3"),
        ("${U:-'}'}", "}"),
        ('${U:-"a b"}', "a b"),
        ("'$V'", "$V"),
        ('"$V"', "1.22.3"),
        ('"a\\"b"', 'a"b'),
        ('"a\\b"', "a\\b"),
        ("a\\$V", "a$V"),
        ("a\\", "a"),
        ("$1x", "onex"),
        ("$12", ""),
        ("$$", ""),
        ("a$", "a$"),
        ("$-", ""),
        ("$é", "accent"),
        ("${}", "${}"),
        ("${V", "${V"),
        ("${V.x}", "${V.x}"),
        ("${V/x}", "${V/x}"),
        ("${:-a}", "${:-a}"),
    ],
)
def test_expand(text: str, expected: str) -> None:
    assert expand(text, ENV).text == expected


def test_expand_reports_the_names_it_read() -> None:
    assert expand("${A:-$B}${C#x}$D", {}).used == frozenset({"A", "B", "C", "D"})
    assert expand("'$A'", {}).used == frozenset()


def test_expand_with_backtick_escape() -> None:
    assert expand("a`$V\\b", {"V": "x"}, escape="`").text == "a$V\\b"
    assert expand('"a`"b"', {}, escape="`").text == 'a"b'


def test_expand_nesting_is_bounded() -> None:
    deep = "${A:-" * 200 + "x" + "}" * 200
    assert expand(deep, {}).text.endswith("}")
