"""The alerting rules ``dfmemlint alerts`` writes for the manifests corpus, for review.

    python benchmarks/alerts_corpus.py --write

writes ``benchmarks/alerts-corpus.rules.yaml`` (exactly what
``dfmemlint alerts ../shared/corpus/manifests/files`` prints) and the generated part of
``benchmarks/alerts-corpus.md`` (between its ``<!-- generated -->`` markers): one row per rule
with its numbers, and the containers that got none, counted by reason. Without ``--write`` it
prints the tables. tests/test_alerts_corpus.py keeps both files true.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
from collections import Counter
from pathlib import Path

from dfmemlint.alerts.rules import AlertOptions, AlertRule
from dfmemlint.alerts.targets import Skipped
from dfmemlint.cli import main
from dfmemlint.commands.alerts import collect
from dfmemlint.golang.budget import mib_text

ROOT = Path(__file__).resolve().parents[1]
CORPUS = "../shared/corpus/manifests/files"  # as given on the command line, from ROOT
RULES = ROOT / "benchmarks" / "alerts-corpus.rules.yaml"
REPORT = ROOT / "benchmarks" / "alerts-corpus.md"
BEGIN, END = "<!-- generated: begin -->\n", "<!-- generated: end -->\n"

_REASONS = [
    ("no memory limit", r"^no memory limit"),
    ("neither GOMEMLIMIT nor GOGC set (not known to run Go)", r"^neither GOMEMLIMIT nor GOGC"),
    (
        "GOMEMLIMIT from the shell, a Secret or a ConfigMap not in the files",
        r"GOMEMLIMIT (may )?comes? from",
    ),
    ("GOMEMLIMIT under 1 MiB", r"under 1 MiB"),
    ("GOMEMLIMIT the Go runtime rejects or reads by version", r"has no threshold"),
    ("the same container has a rule from another file", r"already has a rule"),
]


def _bound(rule: AlertRule) -> str:
    return "limit * 0.9" if rule.basis == "limit" else "GOMEMLIMIT * 1.1"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def tables(rules: list[AlertRule], skipped: list[Skipped]) -> str:
    """The generated part of the report."""
    lines = [
        f"{len(rules)} rules; {len(skipped)} containers skipped.",
        "",
        "| workload, container | limit | GOMEMLIMIT | threshold | bound |",
        "|---|---:|---:|---:|---|",
    ]
    for rule in rules:
        target = rule.target
        gomemlimit = (
            f"{target.gomemlimit_text} (none)"
            if target.gomemlimit_bytes is None
            else f"{target.gomemlimit_text} = {mib_text(target.gomemlimit_bytes)}"
        )
        lines.append(
            f"| {_cell(target.title)} | {target.limit_text} = {mib_text(target.limit_bytes)} "
            f"| {gomemlimit} | {rule.threshold_bytes:,} bytes ({mib_text(rule.threshold_bytes)}) "
            f"| {_bound(rule)} |"
        )
    counts: Counter[str] = Counter()
    for item in skipped:
        label = next(
            (name for name, pattern in _REASONS if re.search(pattern, item.reason)), item.reason
        )
        counts[label] += 1
    lines += ["", "| skipped because | containers |", "|---|---:|"]
    lines += [f"| {_cell(label)} | {n} |" for label, n in counts.most_common()]
    return "\n".join(lines) + "\n"


def rules_text() -> str:
    """What ``dfmemlint alerts CORPUS`` prints (run from the repository root)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["alerts", CORPUS])
    if code != 0:
        raise SystemExit(f"dfmemlint alerts failed:\n{err.getvalue()}")
    return out.getvalue()


def report(current: str, generated: str) -> str:
    """``current`` with its generated part replaced."""
    start, end = current.index(BEGIN) + len(BEGIN), current.index(END)
    return current[:start] + generated + current[end:]


def build() -> tuple[str, str]:
    """(the rules file, the generated tables), from the repository root."""
    os.chdir(ROOT)
    with contextlib.redirect_stderr(io.StringIO()):
        rules, skipped = collect([CORPUS], AlertOptions())
    return rules_text(), tables(rules, skipped)


def main_script(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update the committed files")
    args = parser.parse_args(argv)
    if not (ROOT / CORPUS).is_dir():
        print(f"{CORPUS} is not present", file=sys.stderr)
        return 2
    text, generated = build()
    if args.write:
        RULES.write_text(text, encoding="utf-8")
        REPORT.write_text(report(REPORT.read_text(encoding="utf-8"), generated), encoding="utf-8")
    else:
        print(generated, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_script())
