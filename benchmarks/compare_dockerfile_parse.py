"""dockerfile-parse beside dfmemlint's reader, both judged by BuildKit's own parse of the corpus.

    pip install -e '.[bench]'
    python benchmarks/compare_dockerfile_parse.py [--corpus DIR] [--write FILE]

Why dfmemlint reads Dockerfiles itself instead of using the PyPI package ``dockerfile-parse``
(a benchmark-only dependency: the ``bench`` extra). Every file of ``../shared/corpus``
(``realworld/files`` with ``realworld/buildkit/<name>.json``, ``buildkit-edge/*/`` and ``cases/*/``
with ``buildkit.json``) is read by both; BuildKit's answer in the JSON is the judge. Prints a
Markdown table (and writes it with ``--write``; ``benchmarks/dockerfile-parse.md`` is the committed
one); says "skipped" and exits 0 when the corpus or dockerfile-parse is absent.

What "read structurally right" means for dockerfile-parse. Its ``DockerfileParser.structure`` is a
list of ``{instruction, startline, endline, content, value}``. Representation differences are
mapped to BuildKit's (``nodes`` of ``buildkit.json``), not counted as errors:

* ``instruction`` is upper case: BuildKit's ``cmd`` is compared in upper case.
* ``startline``/``endline`` are 0-based: 1 is added before comparing with ``start_line`` /
  ``end_line`` (BuildKit's are 1-based and inclusive).
* Entries with ``instruction == "COMMENT"`` (comments and parser directives, which BuildKit keeps
  out of its nodes) are dropped.
* ``value`` is the logical line after the keyword, continuation characters removed and the
  physical lines joined; it does not split arguments. Its counterpart is BuildKit's ``original``
  (the joined logical line) without the keyword: ``original`` is split once on
  ``[\\t\\v\\f\\r ]+`` after trimming, as moby/buildkit
  ``frontend/dockerfile/parser/split_command.go`` ``splitCommand`` does
  (``tokenWhitespace.Split(strings.TrimSpace(line), 2)``), and both sides are compared with
  surrounding whitespace stripped (dockerfile-parse strips trailing blanks of each line;
  ``splitCommand`` trims the arguments too). Flags, JSON form and the per-instruction argument
  split are not asked of dockerfile-parse at all.

A file is right when the mapped list equals BuildKit's node for node: the same number of
instructions, each with the same keyword, start and end line and argument text. dfmemlint's reader
is held to more: keyword, lines, flags, every value of BuildKit's split, JSON form, heredoc names
and contents, ONBUILD's inner instruction, and the escape character (the comparison of
``tests/test_corpus_parity.py``, with bytes that are not UTF-8 shown as U+FFFD as in BuildKit's
JSON). A file BuildKit rejects counts as rejected by dockerfile-parse when ``structure`` raises,
and by dfmemlint when its reader reports an error.

"Raises" counts files BuildKit accepts on which one of dockerfile-parse's readers raises:
``structure``, ``envs``, ``args``, ``labels``, ``parent_images``, ``context_structure``.

The rows by feature count files BuildKit accepts that have: a heredoc (a node with ``heredocs``);
a comment line or a blank line inside a continued instruction (a line starting with optional
blanks and ``#``, or holding only blanks, between ``start_line`` and ``end_line`` of a node without
heredocs); a ``# escape=`` line (any line matching ``^\\s*#\\s*escape\\s*=``, case-insensitive).

The setter row. For every file BuildKit accepts whose final stage sets GOMEMLIMIT with its own
``ENV`` (per dfmemlint's stage model; dockerfile-parse's setters act on the final stage only),
``parser.envs = {**parser.envs, "GOMEMLIMIT": "409MiB"}`` is run on an in-memory copy. The
minimal byte edit replaces only the bytes of the effective (last) GOMEMLIMIT value of that stage,
inside its quotes when it is quoted. The result is "byte-exact" when it equals the minimal edit;
otherwise both are read by BuildKit's parser (``../shared/tools/bkparse/bkparse``): "same
instructions" when BuildKit reads the same keywords, flags, values and heredocs in both, ENV, ARG
and LABEL words compared after quote removal (``GOMEMLIMIT="409MiB"`` and ``GOMEMLIMIT=409MiB``
mean the same; BuildKit's word lexer, ``dfmemlint.dockerfile.shellwords``), so only formatting
was lost (continuations, comments, line endings, spacing, quotes); "different instructions" when
it does not, or when a setter raises. dfmemlint's column applies its own edit (the value
token's byte span from the reader, spliced with the fixer's ``splice``) and is checked the same way.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from dfmemlint.dockerfile import model, reader, shellwords
from dfmemlint.fix.fixer import splice
from dfmemlint.types import Edit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
COMMAND = "python benchmarks/compare_dockerfile_parse.py --write benchmarks/dockerfile-parse.md"
NEW_VALUE = "409MiB"

_BK_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_ESCAPE_LINE = re.compile(rb"^[ \t]*#[ \t]*escape[ \t]*=", re.I | re.M)
_SURROGATE = re.compile("[\ud800-\udfff]")
_DP_READERS = ("structure", "envs", "args", "labels", "parent_images", "context_structure")


class CorpusFile(NamedTuple):
    rel: str  # path below the corpus folder
    data: bytes
    oracle: dict[str, Any]  # BuildKit's parse (buildkit.json)


def corpus_files(corpus: Path) -> list[CorpusFile]:
    """Every corpus Dockerfile that has BuildKit's answer, in a stable order."""
    pairs: list[tuple[Path, Path]] = []
    realworld = corpus / "realworld"
    for path in sorted((realworld / "files").iterdir()):
        pairs.append((path, realworld / "buildkit" / f"{path.name}.json"))
    for group in ("buildkit-edge", "cases"):
        for folder in sorted((corpus / group).iterdir()):
            pairs.append((folder / "Dockerfile", folder / "buildkit.json"))
    return [
        CorpusFile(
            path.relative_to(corpus).as_posix(),
            path.read_bytes(),
            json.loads(oracle.read_text(encoding="utf-8")),
        )
        for path, oracle in pairs
        if path.is_file() and oracle.is_file()
    ]


# --- dockerfile-parse --------------------------------------------------------------------------


def dp_parser(data: bytes) -> Any:
    """A ``DockerfileParser`` on an in-memory copy of ``data`` (the setters write into it)."""
    from dockerfile_parse import DockerfileParser

    return DockerfileParser(fileobj=io.BytesIO(data))


def dp_shape(data: bytes) -> list[tuple[str, int, int, str]]:
    """dockerfile-parse's structure mapped to BuildKit's terms (see the module docstring)."""
    return [
        (item["instruction"], item["startline"] + 1, item["endline"] + 1, item["value"].strip())
        for item in dp_parser(data).structure
        if item["instruction"] != "COMMENT"
    ]


def bk_shape(oracle: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    """BuildKit's nodes in the same terms: keyword, 1-based lines, argument text."""
    shape = []
    for node in oracle["nodes"]:
        parts = _BK_WHITESPACE.split(node["original"].strip(), maxsplit=1)
        rest = parts[1] if len(parts) == 2 else ""
        shape.append((node["cmd"].upper(), node["start_line"], node["end_line"], rest.strip()))
    return shape


def dp_raises(data: bytes) -> list[str]:
    """The dockerfile-parse readers that raise on ``data``."""
    failed = []
    for name in _DP_READERS:
        try:
            getattr(dp_parser(data), name)
        except Exception:
            failed.append(name)
    return failed


def dp_right(item: CorpusFile) -> bool:
    try:
        return dp_shape(item.data) == bk_shape(item.oracle)
    except Exception:
        return False


def dp_rejects(item: CorpusFile) -> bool:
    return "structure" in dp_raises(item.data)


# --- dfmemlint's reader ------------------------------------------------------------------------


def _json_text(text: str) -> str:
    """As BuildKit's JSON shows text: each byte that is not UTF-8 (a surrogate escape here)
    becomes U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _dfm_node(ins: reader.Instruction, *, top: bool = True) -> dict[str, Any]:
    node: dict[str, Any] = {
        "cmd": _json_text(ins.cmd),
        "flags": [_json_text(t.value) for t in ins.flags],
        "values": [_json_text(t.value) for t in ins.values],
        "json": ins.json,
    }
    if top:
        node["lines"] = (ins.start_line, ins.end_line)
        node["heredocs"] = [(_json_text(h.name), _json_text(h.content)) for h in ins.heredocs]
        node["sub"] = None if ins.sub is None else _dfm_node(ins.sub, top=False)
    return node


def _bk_node(node: dict[str, Any], *, top: bool = True) -> dict[str, Any]:
    shaped: dict[str, Any] = {
        "cmd": node["cmd"].upper(),
        "flags": node["flags"] or [],
        "values": node["values"] or [],
        "json": bool((node["attributes"] or {}).get("json")),
    }
    if top:
        shaped["lines"] = (node["start_line"], node["end_line"])
        shaped["heredocs"] = [(h["name"], h["content"]) for h in node["heredocs"] or []]
        sub = node["sub"]
        shaped["sub"] = None if not sub else _bk_node(sub, top=False)
    return shaped


def dfm_right(item: CorpusFile) -> bool:
    df = reader.read(item.data)
    if df.error is not None or df.escape != item.oracle["escape"]:
        return False
    return [_dfm_node(ins) for ins in df.instructions] == [
        _bk_node(node) for node in item.oracle["nodes"]
    ]


def dfm_rejects(item: CorpusFile) -> bool:
    return reader.read(item.data).error is not None


# --- features ----------------------------------------------------------------------------------


def has_heredoc(item: CorpusFile) -> bool:
    return any(node["heredocs"] for node in item.oracle["nodes"])


def _continued_lines(item: CorpusFile) -> list[bytes]:
    lines = item.data.split(b"\n")
    found = []
    for node in item.oracle["nodes"]:
        if not node["heredocs"]:
            found += lines[node["start_line"] : node["end_line"] - 1]
    return found


def has_comment_in_continuation(item: CorpusFile) -> bool:
    return any(line.lstrip(b" \t").startswith(b"#") for line in _continued_lines(item))


def has_blank_in_continuation(item: CorpusFile) -> bool:
    return any(not line.strip(b" \t\r") for line in _continued_lines(item))


def has_escape_directive(item: CorpusFile) -> bool:
    return _ESCAPE_LINE.search(item.data) is not None


# --- setting GOMEMLIMIT ------------------------------------------------------------------------


def gomemlimit_target(data: bytes) -> model.EnvSetting | None:
    """The effective GOMEMLIMIT assignment when the final stage sets it with its own ENV."""
    graph = model.build(reader.read(data))
    setting = graph.runtime_env().get("GOMEMLIMIT")
    if setting is None or setting.stage != graph.final:
        return None
    return setting


def minimal_edit(data: bytes, setting: model.EnvSetting) -> bytes:
    """``data`` with only the value's bytes replaced (inside its quotes when quoted)."""
    start, end = setting.token.start, setting.token.end
    raw = data[start:end]
    if len(raw) >= 2 and raw[:1] in (b'"', b"'") and raw[-1:] == raw[:1]:
        start, end = start + 1, end - 1
    return splice(data, [Edit(start, end, NEW_VALUE.encode())])


def dp_set_gomemlimit(data: bytes) -> bytes:
    """dockerfile-parse's ENV setter changing GOMEMLIMIT; the bytes it leaves behind."""
    parser = dp_parser(data)
    parser.envs = {**parser.envs, "GOMEMLIMIT": NEW_VALUE}
    return bytes(parser.fileobj.getvalue())


def bkparse_binary(corpus: Path) -> Path:
    return corpus.parent / "tools" / "bkparse" / "bkparse"


def buildkit_reads(binary: Path, data: bytes) -> Any:
    """What BuildKit reads from ``data``: each node's keyword, flags, values and heredocs, or
    its error."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Dockerfile"
        path.write_bytes(data)
        out = subprocess.run([str(binary), str(path)], capture_output=True, check=True).stdout
    parsed = json.loads(out)
    if "error" in parsed:
        return parsed["error"]
    return [
        (
            n["cmd"].upper(),
            n["flags"],
            [_unquoted(n["cmd"], v) for v in n["values"] or []],
            n["heredocs"] and [h["content"] for h in n["heredocs"]],
            n["sub"] and (n["sub"]["cmd"].upper(), n["sub"]["values"]),
        )
        for n in parsed["nodes"]
    ]


def _unquoted(cmd: str, value: str) -> Any:
    """An ENV, ARG or LABEL word with its quotes removed (as BuildKit does when it runs the
    instruction; variables stay as written); other values as they are."""
    if cmd.upper() in ("ENV", "ARG", "LABEL"):
        return shellwords.split(value, raw_quotes=False, raw_escapes=False)
    return value


def setter_outcome(
    binary: Path, data: bytes, expected: bytes, edit: Callable[[bytes], bytes]
) -> str:
    """``exact``, ``same`` (BuildKit reads the same instructions) or ``different``."""
    try:
        result = edit(data)
    except Exception:
        return "different"
    if result == expected:
        return "exact"
    if buildkit_reads(binary, result) == buildkit_reads(binary, expected):
        return "same"
    return "different"


# --- the table ---------------------------------------------------------------------------------


class Row(NamedTuple):
    label: str
    dockerfile_parse: str
    dfmemlint: str


def _count(items: Sequence[CorpusFile], judge: Callable[[CorpusFile], bool]) -> str:
    return f"{sum(1 for item in items if judge(item))}/{len(items)}"


class Report(NamedTuple):
    rows: list[Row]
    raising: dict[str, int]  # dockerfile-parse reader -> files BuildKit accepts where it raises
    counts: dict[str, tuple[int, int, int]]  # row key -> (dockerfile-parse, dfmemlint, files)


def measure(corpus: Path) -> Report:
    """The rows of the table (see the module docstring for what each counts)."""
    items = corpus_files(corpus)
    accepted = [item for item in items if "error" not in item.oracle]
    rejected = [item for item in items if "error" in item.oracle]
    counts: dict[str, tuple[int, int, int]] = {}
    rows: list[Row] = []

    def add(key: str, label: str, dp: int, dfm: int, total: int) -> None:
        counts[key] = (dp, dfm, total)
        rows.append(Row(label, f"{dp}/{total}", f"{dfm}/{total}"))

    def judged(key: str, label: str, subset: Sequence[CorpusFile]) -> None:
        dp = sum(1 for item in subset if dp_right(item))
        add(key, label, dp, sum(1 for item in subset if dfm_right(item)), len(subset))

    judged("right", "files BuildKit accepts: read structurally right", accepted)
    judged(
        "realworld",
        "… real-world files",
        [item for item in accepted if item.rel.startswith("realworld/")],
    )
    features = [
        ("heredoc", "… with a heredoc", has_heredoc),
        ("comment", "… with a comment line inside a continuation", has_comment_in_continuation),
        ("blank", "… with a blank line inside a continuation", has_blank_in_continuation),
        ("escape", "… with a `# escape=` line", has_escape_directive),
    ]
    for key, label, feature in features:
        judged(key, label, [item for item in accepted if feature(item)])

    raising: dict[str, int] = {}
    raised = 0
    for item in accepted:
        failed = dp_raises(item.data)
        raised += bool(failed)
        for name in failed:
            raising[name] = raising.get(name, 0) + 1
    dfm_failed = sum(1 for item in accepted if dfm_rejects(item))
    add("raises", "files BuildKit accepts: reading fails", raised, dfm_failed, len(accepted))
    add(
        "rejects",
        "files BuildKit rejects: rejected",
        sum(1 for item in rejected if dp_rejects(item)),
        sum(1 for item in rejected if dfm_rejects(item)),
        len(rejected),
    )

    binary = bkparse_binary(corpus)
    outcomes: dict[str, dict[str, int]] = {"dp": {}, "dfm": {}}
    targets = 0
    for item in accepted:
        setting = gomemlimit_target(item.data)
        if setting is None:
            continue
        targets += 1
        expected = minimal_edit(item.data, setting)

        def own_edit(data: bytes, setting: model.EnvSetting = setting) -> bytes:
            return minimal_edit(data, setting)

        for side, edit in (("dp", dp_set_gomemlimit), ("dfm", own_edit)):
            outcome = setter_outcome(binary, item.data, expected, edit)
            outcomes[side][outcome] = outcomes[side].get(outcome, 0) + 1
    for outcome, label in (
        ("exact", "byte-exact (the minimal edit)"),
        ("same", "other bytes changed, same instructions"),
        ("different", "different instructions, or it raises"),
    ):
        add(
            outcome,
            f"`ENV GOMEMLIMIT` set to {NEW_VALUE}: {label}",
            outcomes["dp"].get(outcome, 0),
            outcomes["dfm"].get(outcome, 0),
            targets,
        )
    return Report(rows, raising, counts)


def summary(report: Report) -> str:
    """The one line README.md gives (every number from ``report``)."""
    right, heredoc, rejects = (report.counts[k] for k in ("right", "heredoc", "rejects"))
    exact = report.counts["exact"]
    return (
        f"dockerfile-parse {dockerfile_parse_version()} reads {right[0]}/{right[2]} files as "
        f"BuildKit does ({heredoc[0]}/{heredoc[2]} with heredocs), rejects {rejects[0]}/"
        f"{rejects[2]} invalid ones, and its ENV setter is byte-exact on {exact[0]}/{exact[2]}; "
        f"dfmemlint's reader: {right[1]}/{right[2]}, {heredoc[1]}/{heredoc[2]}, "
        f"{rejects[1]}/{rejects[2]}, {exact[1]}/{exact[2]}."
    )


def dockerfile_parse_version() -> str:
    from importlib.metadata import version

    return version("dockerfile-parse")


def render(report: Report) -> str:
    """The Markdown report: the command, the table, which readers raise, the summary line."""
    rows = report.rows
    head = ("", f"dockerfile-parse {dockerfile_parse_version()}", "dfmemlint's reader")
    body = [head, *((r.label, r.dockerfile_parse, r.dfmemlint) for r in rows)]
    widths = [max(len(line[i]) for line in body) for i in range(3)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    table = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    table += [line(cells) for cells in body[1:]]
    return (
        "# dockerfile-parse beside dfmemlint's reader\n\n"
        f"`{COMMAND}`\n\n"
        "Every file of `../shared/corpus`, judged by BuildKit's own parse; what each row counts "
        "and how dockerfile-parse's answers are mapped to BuildKit's is in the script's "
        "docstring.\n\n" + "\n".join(table) + "\n\n"
        "dockerfile-parse readers that raise on files BuildKit accepts (files): "
        + (", ".join(f"`{name}` {n}" for name, n in report.raising.items()) or "none")
        + ".\n\n"
        + summary(report)
        + "\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    options = parser.parse_args(argv)
    if not (options.corpus / "realworld" / "files").is_dir():
        print(f"skipped: {options.corpus} is not present")
        return 0
    try:
        dockerfile_parse_version()
    except ImportError:
        print("skipped: dockerfile-parse is not installed (pip install -e '.[bench]')")
        return 0
    text = render(measure(options.corpus))
    print(text, end="")
    if options.write:
        options.write.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
