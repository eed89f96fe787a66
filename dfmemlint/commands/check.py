"""``dfmemlint [OPTIONS] PATH...``: lint (and fix) Dockerfiles."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from dfmemlint.commands.options import (
    FORMATS,
    LintCommand,
    error,
    lint_options,
    warn,
)
from dfmemlint.config import (
    Config,
    ConfigError,
    ConfigSource,
    parse_codes,
    parse_fail_on,
    parse_ratio,
    selected_rules,
)
from dfmemlint.engine import LintOptions, UnknownTarget, lint
from dfmemlint.files import (
    DEFAULT_EXCLUDE,
    Exclusion,
    InputError,
    Skipped,
    Source,
    excluded_by,
    expand_paths,
    read_source,
)
from dfmemlint.golang.units import LimitError, parse_container_limit
from dfmemlint.reporters import Report, printable
from dfmemlint.types import Finding, Severity

if TYPE_CHECKING:
    from dfmemlint.fix.fixer import FixOutcome

__all__ = ["FORMATS", "check", "use_color", "write_atomic"]


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


def use_color(choice: str, output: str | None) -> bool:
    """``--color``: ``always``/``never`` as said; ``auto`` colours a terminal, not a file or a
    pipe, unless ``NO_COLOR`` is set (no-color.org); ``FORCE_COLOR`` colours a pipe too
    (force-color.org). ``NO_COLOR`` wins over ``FORCE_COLOR``; both count only when not empty."""
    if choice != "auto":
        return choice == "always"
    if output is not None or os.environ.get("NO_COLOR"):
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


def _note_runtime_override(path: str, outcome: FixOutcome) -> None:
    """--diff's summary names a fix that overrides the operator's runtime GOMEMLIMIT."""
    from dfmemlint.fix.rewrite import RUNTIME_VALUE_IGNORED

    for applied in outcome.applied:
        fix = applied.finding.fix
        if fix is not None and RUNTIME_VALUE_IGNORED in fix.title:
            warn(f"{path}:{applied.line}: with this fix, {RUNTIME_VALUE_IGNORED}")


def _fix_source(source: Source, options: LintOptions, *, unsafe: bool, diff: bool) -> _Applied:
    """Fix one file; write it (``-``: print it to stdout), or with ``diff`` only describe it."""
    from dfmemlint.fix.fixer import fix_file  # only a run that fixes needs the fixer

    outcome = fix_file(source.path, source.data, options, unsafe=unsafe)
    assert outcome.result is not None
    for note in outcome.result.notes:
        warn(note)
    to_stdout = source.real_path is None and not diff
    if outcome.error is not None:
        error(f"{source.path}: {outcome.error}")
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
        error(f"cannot write {message}")
        from dfmemlint.fix.fixer import FixOutcome

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
            printable(
                f"  {path}:{applied.line}:{applied.column}: {applied.finding.code} "
                f"{fix.title} ({fix.applicability.label})"
            ),
            err=True,
        )


@dataclass(frozen=True)
class Flags:
    """What was given on the command line (see ``commands.options`` for each option's help)."""

    paths: tuple[str, ...]
    fix: bool
    unsafe_fixes: bool
    diff: bool
    show_fixes: bool
    fix_style: str
    select: str | None
    ignore: str | None
    memory_limit: str | None
    ratio: str | None
    build_args: dict[str, str]
    target: str | None
    config_file: str | None
    isolated: bool
    exclude: tuple[str, ...]
    extend_exclude: tuple[str, ...]
    show_files: bool
    verbose: bool
    stdin_filename: str | None
    output_format: str
    output: str | None
    statistics: bool
    color: str
    no_color: bool
    quiet: bool
    fail_on: str | None
    exit_zero: bool
    exit_non_zero_on_fix: bool


class _Settings(NamedTuple):
    """The flags read once for all files: limit and ratio parsed, rule codes checked."""

    select: frozenset[str] | None
    ignore: frozenset[str]
    memory_limit: int | None
    ratio: float | None
    fail_on: int | None


def _read_flags(flags: Flags) -> _Settings:
    return _Settings(
        select=parse_codes(flags.select, "--select") if flags.select is not None else None,
        ignore=parse_codes(flags.ignore, "--ignore") if flags.ignore else frozenset(),
        memory_limit=(
            parse_container_limit(flags.memory_limit) if flags.memory_limit is not None else None
        ),
        ratio=parse_ratio(flags.ratio, "--ratio") if flags.ratio is not None else None,
        fail_on=parse_fail_on(flags.fail_on, "--fail-on") if flags.fail_on is not None else None,
    )


def _options(config: Config, settings: _Settings, flags: Flags) -> LintOptions:
    """One file's options: its configuration, then the command line on top (config.py)."""
    rules = selected_rules(
        [(config.select, config.ignore), (settings.select, settings.ignore)]
    )
    from_cli = settings.memory_limit is not None
    return LintOptions(
        select=rules,
        severity=config.severity,
        memory_limit=settings.memory_limit if from_cli else config.memory_limit,
        memory_limit_source="--memory-limit" if from_cli else (config.path or ""),
        memory_limit_from_cli=from_cli,
        ratio=settings.ratio if settings.ratio is not None else (config.ratio or 0.8),
        build_args=flags.build_args,
        target=flags.target,
        fix_style=flags.fix_style,
    )


def _exclusion(flags: Flags, configs: ConfigSource) -> Exclusion:
    """Why a path found in a directory search is skipped: ``--exclude`` (or else the
    configuration's ``exclude``, or else the defaults), plus the configuration's and the command
    line's ``extend-exclude``. Configured patterns with a ``/`` are relative to the configuration
    file's directory, command-line ones to the current directory."""
    here = os.getcwd()

    def excluded(path: str, is_dir: bool) -> str | None:
        config = configs.for_path(path if is_dir else os.path.dirname(path) or ".")
        base = config.directory or here
        if flags.exclude:
            reason = excluded_by(path, flags.exclude, here)
        else:
            patterns = config.exclude if config.exclude is not None else DEFAULT_EXCLUDE
            reason = excluded_by(path, patterns, base)
        return (
            reason
            or excluded_by(path, config.extend_exclude, base)
            or excluded_by(path, flags.extend_exclude, here)
        )

    return excluded


def _report_skipped(skipped: list[Skipped], *, each: bool) -> None:
    """What a directory search passed over: each entry with ``each``, then the counts."""
    if not skipped:
        return
    if each:
        for entry in skipped:
            click.echo(printable(f"Skipped {entry.path}: {entry.reason}"), err=True)
    excluded = sum(1 for entry in skipped if entry.reason.startswith("excluded"))
    others = len(skipped) - excluded
    parts = []
    if others:
        parts.append(f"{others} file{'s' if others != 1 else ''} not named like a Dockerfile")
    if excluded:
        parts.append(f"{excluded} excluded path{'s' if excluded != 1 else ''}")
    hint = "" if each else " (--verbose lists them)"
    click.echo(f"Skipped {' and '.join(parts)}{hint}.", err=True)


def _check_targets(sources: list[Source], flags: Flags) -> None:
    """Refuse a ``--target`` that a file lacks before anything is linted or written."""
    from dfmemlint.dockerfile import model, reader

    for source in sources:
        df = reader.read(source.data)
        graph = model.build(df, build_args=flags.build_args, target=flags.target)
        if graph.target_missing is not None and df.error is None:
            names = [stage.name for stage in graph.stages if stage.name]
            raise UnknownTarget(source.path, graph.target_missing, names)


@click.command(
    cls=LintCommand,
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Lint Dockerfiles (the default command).",
)
@lint_options
def check(**given: Any) -> int:
    """Lint Dockerfiles for Go memory settings (GOMEMLIMIT, GOGC)."""
    alias = given.pop("output_alias")
    given["output"] = given["output"] or alias
    return run(Flags(**given))


def run(flags: Flags) -> int:
    """One lint (or fix) run; the exit code: 0 clean, 1 findings at or above each file's
    ``fail-on``, 2 usage, configuration or input error (or a fix that had to be reverted)."""
    if flags.diff and (flags.output_format != "text" or flags.statistics):
        other = "--statistics" if flags.statistics else f"--format {flags.output_format}"
        raise click.UsageError(
            f"--diff prints a unified diff, so it cannot be combined with {other}",
            ctx=click.get_current_context(silent=True),
        )
    color = use_color("never" if flags.no_color else flags.color, flags.output)
    try:
        settings = _read_flags(flags)
        configs = ConfigSource(flags.config_file, flags.isolated)
        skipped: list[Skipped] = []
        files = expand_paths(
            flags.paths, warn=warn, excluded=_exclusion(flags, configs), skipped=skipped
        )
        if flags.show_files:
            for path in files:
                click.echo(printable(path))
            _report_skipped(skipped, each=flags.verbose)
            return 0
        if flags.verbose:
            _report_skipped(skipped, each=True)
        sources = [read_source(path, flags.stdin_filename) for path in files]
        if flags.target is not None:
            _check_targets(sources, flags)
        # Standard input is configured like the file it stands for (--stdin-filename).
        stdin_path = os.path.abspath(flags.stdin_filename) if flags.stdin_filename else os.getcwd()
        file_configs = [configs.for_path(s.real_path or stdin_path) for s in sources]
    except (ConfigError, InputError, LimitError, UnknownTarget) as exc:
        error(str(exc))
        return 2
    return _lint_all(flags, settings, sources, file_configs, color)


def _lint_all(
    flags: Flags,
    settings: _Settings,
    sources: list[Source],
    configs: list[Config],
    color: bool,
) -> int:
    applying = flags.fix or flags.unsafe_fixes or flags.diff
    findings: list[Finding] = []
    shown_sources: dict[str, bytes] = {}
    fixed_count = 0
    failed = False
    failing = False  # a finding at or above its file's fail-on
    diffs: list[bytes] = []
    for source, config in zip(sources, configs, strict=True):
        options = _options(config, settings, flags)
        if applying:
            applied = _fix_source(source, options, unsafe=flags.unsafe_fixes, diff=flags.diff)
            outcome = applied.outcome
            assert outcome.result is not None
            failed = failed or applied.failed
            fixed_count += len(outcome.fixed) if applied.done else 0
            if applied.diff:
                diffs.append(applied.diff)
                _note_runtime_override(source.path, outcome)
            if flags.show_fixes and applied.done:
                _show_fixes(source.path, outcome, diff=flags.diff)
            found = outcome.result.findings
            shown_sources[source.path] = outcome.data
        else:
            result = lint(source.path, source.data, options)
            if not flags.quiet:
                for note in result.notes:
                    warn(note)
            found = result.findings
            shown_sources[source.path] = source.data
        findings.extend(found)
        threshold = _threshold(settings.fail_on, config)
        failing = failing or any(f.severity >= threshold for f in found)
    report = Report(tuple(findings), shown_sources, len(sources))
    if flags.diff:
        _emit_diff(flags, b"".join(diffs), fixed_count, report, color)
    else:
        _emit_report(flags, report, applying, fixed_count, color, sources)
    if failed:
        return 2
    if flags.exit_zero:
        return 0
    if flags.diff:  # ruff's --diff: 1 when there is a change to make
        return 1 if fixed_count else 0
    if flags.exit_non_zero_on_fix and fixed_count:
        return 1
    return 1 if failing else 0


def _threshold(option: int | None, config: Config) -> int:
    """The lowest severity that fails this file: --fail-on, else its configuration's, else
    warning (``none`` is NEVER_FAIL, above every severity)."""
    if option is not None:
        return option
    return config.fail_on if config.fail_on is not None else Severity.WARNING


def _emit_report(
    flags: Flags,
    report: Report,
    applying: bool,
    fixed_count: int,
    color: bool,
    sources: list[Source],
) -> None:
    from dfmemlint.reporters import text

    if flags.statistics:
        rendered = text.render_statistics(report, color=color, quiet=flags.quiet)
    elif flags.output_format == "text":
        rendered = text.render(report, color=color, quiet=flags.quiet)
    else:
        rendered = _render(flags.output_format, report, color)
    stdout_taken = applying and any(s.real_path is None for s in sources)
    if flags.output is not None:
        _write_output(flags.output, rendered)
    elif stdout_taken:
        click.echo(rendered, err=True, nl=not rendered.endswith("\n"), color=color)
    elif rendered:
        click.echo(rendered, nl=not rendered.endswith("\n"), color=color)
    if applying and not flags.quiet:
        remaining = len(report.findings)
        click.echo(
            f"Fixed {fixed_count} finding{'s' if fixed_count != 1 else ''} "
            f"({remaining} remaining).",
            err=True,
        )


def _write_output(path: str, rendered: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        ending = "" if rendered.endswith("\n") or not rendered else "\n"
        handle.write(rendered + ending)


def _emit_diff(
    flags: Flags, diff: bytes, fixed_count: int, report: Report, color: bool
) -> None:
    """The diff to stdout or ``-o FILE`` (coloured, controls made visible, on a terminal), then
    what it fixes and what would remain."""
    if flags.output is not None:
        with open(flags.output, "wb") as handle:
            handle.write(diff)
    elif diff:
        if color:
            from dfmemlint.reporters.text import color_diff

            click.echo(color_diff(diff.decode("utf-8", "replace")), nl=False, color=True)
        else:
            _write_stdout(diff)
    if flags.quiet:
        return
    from dfmemlint.reporters.text import fixable_counts

    remaining = len(report.findings)
    message = f"Would fix {fixed_count} finding{'s' if fixed_count != 1 else ''}"
    if remaining:
        unsafe = fixable_counts(report.findings)[1] if not flags.unsafe_fixes else 0
        more = f"; {unsafe} fixable with --unsafe-fixes" if unsafe else ""
        message += f"; {remaining} would remain (run without --diff to list them{more})"
    click.echo(message + ".", err=True)


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
