"""``dfmemlint [OPTIONS] PATH...``: lint (and fix) Dockerfiles."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NamedTuple

import click

from dfmemlint.commands.options import (
    build_arg_option,
    format_option,
    stdin_filename_option,
    warn,
)
from dfmemlint.config import Config, ConfigError, find_config, parse_codes, parse_ratio
from dfmemlint.engine import LintOptions, lint
from dfmemlint.files import InputError, Source, expand_paths, read_source
from dfmemlint.fix.fixer import FixOutcome, fix_file
from dfmemlint.fix.rewrite import FIX_STYLES
from dfmemlint.golang.units import LimitError, parse_memory_limit
from dfmemlint.reporters import Report
from dfmemlint.types import Finding, Severity

FORMATS = ("text", "json", "github", "sarif")


def _render(output_format: str, report: Report, color: bool) -> str:
    if output_format == "json":
        from dfmemlint.reporters import json as reporter
    elif output_format == "github":
        from dfmemlint.reporters import github as reporter  # type: ignore[no-redef]
    elif output_format == "sarif":
        from dfmemlint.reporters import sarif as reporter  # type: ignore[no-redef]
    else:
        from dfmemlint.reporters import text as reporter  # type: ignore[no-redef]
    return reporter.render(report, color=color)


def use_color(no_color: bool, output: str | None) -> bool:
    if no_color or output is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


class WriteError(OSError):
    """A fixed file could not be written; the file is as it was."""


def write_atomic(path: str, data: bytes) -> None:
    """Write through a temporary file in the same directory, then rename; keep the mode (and,
    where allowed, the owner). A symbolic link's target is written and the link stays. A file
    without write permission is refused, also for root, who could rename over it."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    info = os.stat(target)
    mode = info.st_mode & 0o7777
    if not os.access(target, os.W_OK) or not mode & 0o222:
        raise WriteError(f"{path}: the file is read-only; nothing was changed")
    try:
        import tempfile  # only a fix that writes needs it

        fd, tmp = tempfile.mkstemp(prefix=".dfmemlint-", dir=directory)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise WriteError(
            f"{path}: cannot create a file in {directory} ({reason}); nothing was changed"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(tmp):
            with contextlib.suppress(OSError):
                os.chown(tmp, info.st_uid, info.st_gid)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


class _Applied(NamedTuple):
    outcome: FixOutcome
    done: bool  # the fixes were written (or printed as a diff, or to stdout)
    failed: bool
    diff: bytes


def _fix_source(source: Source, options: LintOptions, *, unsafe: bool, diff: bool) -> _Applied:
    """Fix one file; write it (``-``: print it to stdout), or with ``diff`` only describe it."""
    outcome = fix_file(source.path, source.data, options, unsafe=unsafe)
    assert outcome.result is not None
    for note in outcome.result.notes:
        warn(note)
    to_stdout = source.real_path is None and not diff
    if outcome.error is not None:
        click.echo(f"error: {source.path}: {outcome.error}", err=True)
        if to_stdout:
            _write_stdout(source.data)
        return _Applied(outcome, False, True, b"")
    changed = outcome.changed and outcome.data != source.data
    if diff:
        text = _unified_diff(source.path, source.data, outcome.data) if changed else b""
        return _Applied(outcome, changed, False, text)
    if to_stdout:
        _write_stdout(outcome.data)
        return _Applied(outcome, changed, False, b"")
    if not changed:
        return _Applied(outcome, False, False, b"")
    try:
        write_atomic(source.path, outcome.data)
    except OSError as exc:
        message = str(exc) if isinstance(exc, WriteError) else f"{source.path}: {exc}"
        click.echo(f"error: cannot write {message}", err=True)
        return _Applied(FixOutcome(source.data, result=lint(source.path, source.data, options)),
                        False, True, b"")
    return _Applied(outcome, True, False, b"")


def _write_stdout(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _show_fixes(path: str, outcome: FixOutcome, *, diff: bool) -> None:
    """The fixes applied to one file, at their places in the file as it was."""
    count = len(outcome.applied)
    verb = "Would fix" if diff else "Fixed"
    click.echo(f"{verb} {count} finding{'s' if count != 1 else ''} in {path}:", err=True)
    for applied in sorted(outcome.applied, key=lambda a: (a.start, a.finding.code)):
        fix = applied.finding.fix
        assert fix is not None
        click.echo(
            f"  {path}:{applied.line}:{applied.column}: {applied.finding.code} "
            f"{fix.title} ({fix.applicability.label})",
            err=True,
        )


def _options(
    config: Config,
    select: str | None,
    ignore: str | None,
    memory_limit: int | None,
    ratio: float | None,
    build_args: dict[str, str],
    target: str | None,
    fix_style: str = "auto",
) -> LintOptions:
    chosen_select = parse_codes(select, "--select") if select else config.select
    chosen_ignore = config.ignore | (parse_codes(ignore, "--ignore") if ignore else frozenset())
    limit = memory_limit if memory_limit is not None else config.memory_limit
    source = "--memory-limit" if memory_limit is not None else (config.path or "")
    return LintOptions(
        select=chosen_select,
        ignore=chosen_ignore,
        severity=config.severity,
        memory_limit=limit,
        memory_limit_source=source,
        memory_limit_from_cli=memory_limit is not None,
        ratio=ratio if ratio is not None else (config.ratio or 0.8),
        build_args=build_args,
        target=target,
        fix_style=fix_style,
    )


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--fix", is_flag=True,
              help="Apply safe fixes and write the files (with -, the fixed file goes to stdout).")
@click.option("--unsafe-fixes", is_flag=True,
              help="Also apply fixes that may change behaviour (implies --fix).")
@click.option("--diff", is_flag=True,
              help="Print the fixes as a unified diff; write nothing (exit 1 if there are any).")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied.")
@click.option("--select", default=None, metavar="CODES", help="Only these rules (comma-separated).")
@click.option("--ignore", default=None, metavar="CODES", help="Skip these rules (comma-separated).")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
    help="Lowest severity that makes the exit code 1 [default: warning].",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--exit-non-zero-on-fix", is_flag=True,
              help="Exit 1 when a fix was applied, even if no finding remains.")
@click.option("--memory-limit", default=None, metavar="SIZE",
              help="The container's memory limit (512MiB, 1Gi, 512m, bytes).")
@click.option("--ratio", default=None, metavar="R",
              help="GOMEMLIMIT as a share of the memory limit [default: 0.8].")
@click.option(
    "--fix-style", type=click.Choice(FIX_STYLES), default="auto", show_default=True,
    help="Where a fix adds GOMEMLIMIT: 'auto' inline on the start command when the image has "
    "env (exec form) or /bin/sh (shell form), else an ENV line before CMD/ENTRYPOINT; 'env' "
    "always the ENV line; 'inline' on the start command even when dfmemlint cannot tell that the "
    "image has env or a shell (scratch, distroless, unknown images): such a container then fails "
    "to start.",
)
@format_option(FORMATS)
@click.option("--output", default=None, metavar="FILE", help="Write the report to FILE.")
@click.option("--statistics", is_flag=True, help="Count findings per rule.")
@click.option("--no-color", is_flag=True, help="No colour (also: NO_COLOR set, or not a terminal).")
@build_arg_option
@click.option("--target", default=None, help="Lint as if building this stage.")
@stdin_filename_option
def check(
    paths: tuple[str, ...],
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    select: str | None,
    ignore: str | None,
    fail_on: str | None,
    exit_zero: bool,
    exit_non_zero_on_fix: bool,
    memory_limit: str | None,
    ratio: str | None,
    fix_style: str,
    output_format: str,
    output: str | None,
    statistics: bool,
    no_color: bool,
    build_args: dict[str, str],
    target: str | None,
    stdin_filename: str | None,
) -> int:
    """Lint Dockerfiles for Go memory settings (GOMEMLIMIT, GOGC)."""
    if not paths:
        click.echo("Error: no PATH given (a Dockerfile, a directory, or - for stdin)", err=True)
        return 2
    try:
        limit = parse_memory_limit(memory_limit) if memory_limit is not None else None
        ratio_value = parse_ratio(ratio, "--ratio") if ratio is not None else None
        files = expand_paths(paths, warn=warn)
        sources = [read_source(path, stdin_filename) for path in files]
        # Standard input is configured like the file it stands for (--stdin-filename).
        stdin_path = os.path.abspath(stdin_filename) if stdin_filename else os.getcwd()
        configs = [find_config(s.real_path or stdin_path) for s in sources]
        options_list = [
            _options(c, select, ignore, limit, ratio_value, build_args, target, fix_style)
            for c in configs
        ]
    except (ConfigError, InputError, LimitError) as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2
    applying = fix or unsafe_fixes or diff
    findings: list[Finding] = []
    shown_sources: dict[str, bytes] = {}
    fixed_count = 0
    failed = False
    diffs: list[bytes] = []
    for source, options in zip(sources, options_list, strict=True):
        if applying:
            applied = _fix_source(source, options, unsafe=unsafe_fixes, diff=diff)
            outcome = applied.outcome
            assert outcome.result is not None
            failed = failed or applied.failed
            fixed_count += len(outcome.fixed) if applied.done else 0
            if applied.diff:
                diffs.append(applied.diff)
            if show_fixes and applied.done:
                _show_fixes(source.path, outcome, diff=diff)
            findings.extend(outcome.result.findings)
            shown_sources[source.path] = outcome.data
        else:
            result = lint(source.path, source.data, options)
            for note in result.notes:
                warn(note)
            findings.extend(result.findings)
            shown_sources[source.path] = source.data
    report = Report(tuple(findings), shown_sources, len(sources))
    color = use_color(no_color, output)
    if diff:
        if diffs:
            _write_stdout(b"".join(diffs))
        click.echo(
            f"Would fix {fixed_count} finding{'s' if fixed_count != 1 else ''}.", err=True
        )
    else:
        stdout_taken = applying and any(s.real_path is None for s in sources)
        rendered = (
            _statistics(report, color) if statistics else _render(output_format, report, color)
        )
        if output is not None:
            with open(output, "w", encoding="utf-8") as handle:
                ending = "" if rendered.endswith("\n") or not rendered else "\n"
                handle.write(rendered + ending)
        elif stdout_taken:
            click.echo(rendered, err=True, nl=not rendered.endswith("\n"))
        elif rendered:
            click.echo(rendered, nl=not rendered.endswith("\n"))
        if applying:
            remaining = len(findings)
            click.echo(
                f"Fixed {fixed_count} finding{'s' if fixed_count != 1 else ''} "
                f"({remaining} remaining).",
                err=True,
            )
    if failed:
        return 2
    if diff:
        return 1 if fixed_count else 0
    if exit_zero:
        return 0
    if exit_non_zero_on_fix and fixed_count:
        return 1
    threshold = _fail_on(fail_on, configs)
    return 1 if any(f.severity >= threshold for f in findings) else 0


def _fail_on(option: str | None, configs: Sequence[Config]) -> Severity:
    if option is not None:
        return Severity.parse(option)
    for config in configs:
        if config.fail_on is not None:
            return config.fail_on
    return Severity.WARNING


def _statistics(report: Report, color: bool) -> str:
    from dfmemlint.reporters import text

    return text.render_statistics(report, color=color)


def _diff_lines(data: bytes) -> list[str]:
    """Lines split at LF only (a CR, form feed or U+2028 inside a line stays in it)."""
    parts = data.decode("utf-8", "surrogateescape").split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _unified_diff(path: str, before: bytes, after: bytes) -> bytes:
    """A unified diff of the file's bytes (undecodable bytes come out as they were)."""
    # git's a/ b/ prefixes for a relative path (`git apply`, `patch -p1`); none for an absolute one.
    before_name, after_name = (path, path) if os.path.isabs(path) else (f"a/{path}", f"b/{path}")
    import difflib  # only --diff needs it

    lines = difflib.unified_diff(
        _diff_lines(before), _diff_lines(after), fromfile=before_name, tofile=after_name
    )
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in lines
    )
    return text.encode("utf-8", "surrogateescape")
