"""``dfmemlint [OPTIONS] PATH...``: lint (and fix) Dockerfiles, Kubernetes manifests and Compose
files."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from dfmemlint.commands.options import (
    FORMATS,
    LintCommand,
    error,
    lint_options,
    warn,
)
from dfmemlint.commands.output import (
    OutputError,
    emit_diff,
    emit_report,
    give_up_stdout,
    open_output,
    use_color,
    write_stdout,
)
from dfmemlint.compose.names import has_project_above
from dfmemlint.config import (
    Config,
    ConfigError,
    ConfigSource,
    invalid_value,
    parse_codes,
    parse_fail_on,
    parse_ratio,
    selected_rules,
)
from dfmemlint.engine import LintOptions, UnknownTarget
from dfmemlint.files import (
    DEFAULT_EXCLUDE,
    TEMPLATE_REASON,
    Exclusion,
    InputError,
    Skipped,
    Source,
    excluded_by,
    expand_paths,
    read_source,
)
from dfmemlint.formats import Format, detect, lint
from dfmemlint.golang.container_limit import parse_container_limit
from dfmemlint.golang.units import LimitError
from dfmemlint.records import Record
from dfmemlint.reporters import InputProblem, Report, printable
from dfmemlint.types import Finding, Severity

if TYPE_CHECKING:
    from dfmemlint.compose.link import Linker
    from dfmemlint.formats import Result

__all__ = ["FORMATS", "STATISTICS_FORMATS", "check", "use_color"]

# The formats --statistics can be written in: a table for people, or JSON entries as ruff's
# `--statistics --output-format json` (ruff refuses the others: "Unsupported serialization
# format for statistics", crates/ruff/src/printer.rs).
STATISTICS_FORMATS = ("text", "json")


class Flags:
    """What was given on the command line (see ``commands.options`` for each option's help).

    A plain class, not a dataclass: building a 28-field dataclass costs start-up time on every
    run, and click already checked each value."""

    paths: tuple[str, ...]
    fix: bool
    unsafe_fixes: bool
    diff: bool
    show_fixes: bool
    fix_style: str
    select: tuple[str, ...]
    extend_select: tuple[str, ...]
    ignore: tuple[str, ...]
    memory_limit: str | None
    ratio: str | None
    build_args: dict[str, str]
    target: str | None
    config_file: str | None
    isolated: bool
    exclude: tuple[str, ...]
    extend_exclude: tuple[str, ...]
    force_exclude: bool
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
    context_dir: str | None = None

    def __init__(self, **given: Any) -> None:
        unknown = set(given) - set(self.__annotations__)
        missing = set(self.__annotations__) - set(given)
        if unknown or missing:
            raise TypeError(f"Flags: unknown {sorted(unknown)}, missing {sorted(missing)}")
        self.__dict__.update(given)


class _Settings(Record):
    """The flags read once for all files: limit and ratio parsed, rule codes checked."""

    select: frozenset[str] | None
    extend_select: frozenset[str]
    ignore: frozenset[str]
    memory_limit: int | None
    ratio: float | None
    fail_on: int | None


def _read_flags(flags: Flags) -> _Settings:
    settings = _parse_flags(flags)
    if settings.memory_limit is not None and settings.ratio is not None:
        # Both given: a ratio that leaves under 1 MiB of that limit is refused now, as
        # `dfmemlint budget` refuses it, not met later as a fix that cannot be computed.
        from dfmemlint.golang.units import compute_gomemlimit

        try:
            compute_gomemlimit(settings.memory_limit, settings.ratio)
        except LimitError as exc:
            raise ConfigError(f"{invalid_value('--ratio')}: {exc}") from None
    return settings


def _parse_flags(flags: Flags) -> _Settings:
    return _Settings(
        select=_codes(flags.select, "--select") if flags.select else None,
        extend_select=_codes(flags.extend_select, "--extend-select"),
        ignore=_codes(flags.ignore, "--ignore"),
        memory_limit=(
            _memory_limit_flag(flags.memory_limit) if flags.memory_limit is not None else None
        ),
        ratio=(
            parse_ratio(flags.ratio, invalid_value("--ratio")) if flags.ratio is not None else None
        ),
        fail_on=(
            parse_fail_on(flags.fail_on, invalid_value("--fail-on"))
            if flags.fail_on is not None
            else None
        ),
    )


def _codes(given: tuple[str, ...], option: str) -> frozenset[str]:
    """Every occurrence of a rule-code option, each comma-separated (options.codes_option)."""
    return parse_codes(",".join(given), invalid_value(option)) if given else frozenset()


def _memory_limit_flag(text: str) -> int:
    try:
        return parse_container_limit(text)
    except LimitError as exc:
        raise ConfigError(f"{invalid_value('--memory-limit')}: {exc}") from None


def _options(config: Config, settings: _Settings, flags: Flags) -> LintOptions:
    """One file's options: its configuration, then the command line on top (config.py)."""
    # ruff's order on one level: the selection (configured, or --select), plus --extend-select,
    # less --ignore.
    rules = selected_rules(
        [(config.select, config.ignore), (settings.select, settings.ignore)]
    )
    if settings.extend_select:
        rules = (rules | settings.extend_select) - settings.ignore
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


# A search's other files, counted: they are none of the formats dfmemlint reads.
_NOT_LINTED = {
    True: "that is not a Dockerfile, Kubernetes manifest or Compose file",
    False: "that are not Dockerfiles, Kubernetes manifests or Compose files",
}


def _report_skipped(skipped: list[Skipped], *, each: bool) -> None:
    """What a directory search passed over: each entry with ``each``, then the counts."""
    if not skipped:
        return
    if each:
        for entry in skipped:
            click.echo(printable(f"Skipped {entry.path}: {entry.reason}"), err=True)
    excluded = sum(1 for entry in skipped if entry.reason.startswith("excluded"))
    templates = _templates(skipped)
    others = len(skipped) - excluded - templates
    parts = []
    if others:
        parts.append(f"{others} file{'s' if others != 1 else ''} {_NOT_LINTED[others == 1]}")
    if templates:
        parts.append(f"{templates} Helm chart template{'s' if templates != 1 else ''}")
    if excluded:
        parts.append(f"{excluded} excluded path{'s' if excluded != 1 else ''}")
    hint = "" if each else " (--verbose lists them)"
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    click.echo(f"Skipped {listed}{hint}.", err=True)


def _templates(skipped: list[Skipped]) -> int:
    return sum(1 for entry in skipped if entry.reason == TEMPLATE_REASON)


def _show_files(files: list[str], skipped: list[Skipped], flags: Flags) -> None:
    """``--show-files``: the files that would be linted. A file named on the command line whose
    content makes the run skip it (a Helm chart template, YAML of no format dfmemlint reads)
    is counted with the skipped, as the run counts it, not listed as linted."""
    from dfmemlint.formats import content_skip_reason, is_yaml_name, read_head

    for path in files:
        reason = None
        if path != "-" and (is_yaml_name(path) or path.endswith(".tpl")):
            try:
                reason = content_skip_reason(path, read_head(path))
            except OSError:  # said when the run reads it
                reason = None
        if reason is None:
            click.echo(printable(path))
        else:
            skipped.append(Skipped(path, reason))
    _report_skipped(skipped, each=flags.verbose)


def _check_targets(
    sources: list[Source], flags: Flags, path_error: Callable[[InputError], None]
) -> list[Source]:
    """The sources that have the ``--target`` stage: a Dockerfile without it is an input error
    of that file (``docker build`` of it fails), said before anything is linted or written, and
    the other files are still linted."""
    from dfmemlint.dockerfile import model, reader

    kept = []
    for source in sources:
        if detect(source.path, source.data) is not Format.DOCKERFILE:
            kept.append(source)  # a manifest, a Compose or env file, a script: no stages
            continue
        df = reader.read(source.data)
        graph = model.build(df, build_args=flags.build_args, target=flags.target)
        if graph.target_missing is not None and df.error is None:
            names = [stage.name for stage in graph.stages if stage.name]
            missing = UnknownTarget(source.path, graph.target_missing, names)
            path_error(InputError.at(source.path, missing.reason))
            continue
        kept.append(source)
    return kept


@click.command(
    cls=LintCommand,
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Lint Dockerfiles, Kubernetes manifests and Compose files (the default command).",
)
@lint_options
def check(**given: Any) -> int:
    """Lint Go memory settings (GOMEMLIMIT, GOGC) in Dockerfiles, Kubernetes manifests and
    Compose files."""
    alias = given.pop("output_alias")
    if alias is not None and given["output"] not in (None, alias):
        raise click.BadParameter(
            f"given as both {given['output']!r} and {alias!r} (--output): give it once",
            param_hint="'-o' / '--output-file'",
        )
    given["output"] = given["output"] or alias
    return run(Flags(**given))


# Flags that ask for two things the run cannot both do, refused as ruff's clap definitions
# refuse them (crates/ruff/src/args.rs: --exit-zero conflicts_with --exit-non-zero-on-fix,
# --show-files with --statistics, -q/-v are one "verbosity" group), and --show-files, which
# lints nothing, with what only a lint does.
_CONFLICTS = (
    ("exit_zero", "--exit-zero", "exit_non_zero_on_fix", "--exit-non-zero-on-fix"),
    ("quiet", "--quiet", "verbose", "--verbose"),
    ("show_files", "--show-files", "statistics", "--statistics"),
    ("show_files", "--show-files", "fix", "--fix"),
    ("show_files", "--show-files", "unsafe_fixes", "--unsafe-fixes"),
    ("show_files", "--show-files", "diff", "--diff"),
    # ruff refuses these two together (one names a configuration, the other ignores them all).
    ("config_file", "--config", "isolated", "--isolated"),
)


def _refuse_conflicts(flags: Flags) -> None:
    for one, one_name, other, other_name in _CONFLICTS:
        if getattr(flags, one) and getattr(flags, other):
            raise click.UsageError(
                f"{one_name} cannot be combined with {other_name}",
                ctx=click.get_current_context(silent=True),
            )


def run(flags: Flags) -> int:
    """One lint (or fix) run; the exit code: 0 clean, 1 findings at or above each file's
    ``fail-on``, 2 usage, configuration or input error (or a fix that had to be reverted)."""
    if flags.diff and (flags.output_format != "text" or flags.statistics):
        other = "--statistics" if flags.statistics else f"--format {flags.output_format}"
        raise click.UsageError(
            f"--diff prints a unified diff, so it cannot be combined with {other}",
            ctx=click.get_current_context(silent=True),
        )
    if flags.statistics and flags.output_format not in STATISTICS_FORMATS:
        raise click.UsageError(
            f"--statistics cannot be written as --format {flags.output_format}, which holds "
            "findings, not counts per rule; use --format text or json",
            ctx=click.get_current_context(silent=True),
        )
    _refuse_conflicts(flags)
    color = use_color("never" if flags.no_color else flags.color, flags.output)
    try:
        settings = _read_flags(flags)
        configs = ConfigSource(flags.config_file, flags.isolated)
        skipped: list[Skipped] = []
        unreadable: list[InputProblem] = []

        def path_error(exc: InputError) -> None:
            # One path that cannot be read does not stop the others: said now, reported in
            # every format, exit 2 at the end.
            unreadable.append(InputProblem(exc.path or "-", exc.reason))
            error(str(exc))

        exclusion = _exclusion(flags, configs)
        files = expand_paths(
            flags.paths, warn=warn, excluded=exclusion, skipped=skipped, error=path_error,
            force_exclude=flags.force_exclude,
        )
        if flags.show_files:
            _show_files(files, skipped, flags)
            return 2 if unreadable else 0  # a path that cannot be read is an input error
        if flags.verbose:
            _report_skipped(skipped, each=True)
        sources: list[Source] = []
        for path in files:
            try:
                sources.append(read_source(path, flags.stdin_filename))
            except InputError as exc:
                path_error(exc)
        if flags.target is not None:
            sources = _check_targets(sources, flags, path_error)
        # Standard input is configured like the file it stands for (--stdin-filename).
        stdin_path = os.path.abspath(flags.stdin_filename) if flags.stdin_filename else os.getcwd()
        file_configs = [configs.for_path(s.real_path or stdin_path) for s in sources]
    except (ConfigError, InputError, LimitError, UnknownTarget) as exc:
        error(str(exc))
        return 2
    # No file read (every path named was an error): the report still says so, in its format.
    applying = flags.fix or flags.unsafe_fixes or flags.diff
    stdout_needed = flags.output is None or (applying and any(s.real_path is None for s in sources))
    try:
        if stdout_needed and sys.stdout is None:
            raise OutputError("standard output is closed; nothing was changed (use -o FILE)")
        output = open_output(flags.output, sources)
    except OutputError as exc:
        error(str(exc))
        return 2
    with output or contextlib.nullcontext():
        code = _lint_all(
            flags, settings, sources, file_configs, color, output, tuple(unreadable),
            _templates(skipped),
        )
    return 2 if unreadable else code


def _lint_all(
    flags: Flags,
    settings: _Settings,
    sources: list[Source],
    configs: list[Config],
    color: bool,
    output: BinaryIO | None,
    unreadable: tuple[InputProblem, ...] = (),
    walk_templates: int = 0,
) -> int:
    """Lint (and fix) every file, then print: standard output first (a diff, or a fixed
    standard input), then the report, which carries the paths that could not be read
    (``unreadable``). Files are fixed before the report is written; a report that then cannot
    be written says which files were changed. ``walk_templates`` counts the Helm chart templates
    the directory searches passed over; a file named here that the run skips (a template, YAML
    of no format dfmemlint reads) is counted with them, not among the files linted."""
    applying = flags.fix or flags.unsafe_fixes or flags.diff
    findings: list[Finding] = []
    # The files the run lints itself: a finding another file reports in one of them (an
    # entrypoint script a Dockerfile copies) is that file's own lint's to report, with its fix.
    named = {os.path.realpath(s.real_path) for s in sources if s.real_path is not None}
    shown_sources: dict[str, bytes] = {}
    fixed_count = 0
    failed = False
    failing = False  # a finding at or above its file's fail-on
    diffs: list[bytes] = []
    changed_paths: list[str] = []
    # Compose files named under any name build Dockerfiles too (``docker compose -f stack.yml``).
    on_disk = [(s.path, s.data) for s in sources if s.real_path is not None]
    compose_files = tuple(p for p, data in on_disk if detect(p, data) is Format.COMPOSE)
    links = _Links(list(compose_files))
    # ConfigMaps one manifest's containers read from another (standard input stands alone); a
    # run with fewer than two manifests has nothing to index, and does not load the module.
    manifests = None
    if sum(detect(path, data) is Format.KUBERNETES for path, data in on_disk) > 1:
        from dfmemlint.kubernetes.configmaps import run_index

        manifests = run_index(on_disk)
    fix_problems: list[InputProblem] = []  # fixes reverted or not written, for every format
    templates = walk_templates  # Helm chart templates skipped (not YAML until rendered)
    passed_over = 0  # named files skipped for their content: not linted, not counted so
    notes = _Notes(flags.quiet)
    own_limits = 0  # Compose files, manifests and env files: --memory-limit is not theirs
    for source, config in zip(sources, configs, strict=True):
        options = _service_limit(links, source, _options(config, settings, flags), flags, notes)
        context_dir = flags.context_dir or (
            os.path.dirname(source.real_path) if source.real_path is not None else None
        )
        options = options._replace(
            context_dir=context_dir,
            manifests=manifests if source.real_path is not None else None,
            compose_files=compose_files,
        )
        if applying:
            from dfmemlint.commands import fixing  # only a run that fixes loads the fixer

            applied = fixing.fix_source(
                source, options, unsafe=flags.unsafe_fixes, diff=flags.diff,
                show_notes=lambda result: _show_notes(result, flags, notes),
            )
            outcome = applied.outcome
            assert outcome.result is not None
            failed = failed or applied.failed
            if applied.problem is not None:
                fix_problems.append(applied.problem)
            fixed_count += len(outcome.fixed) if applied.done else 0
            if applied.diff:
                diffs.append(applied.diff)
                if flags.diff:
                    fixing.note_runtime_override(source.path, outcome)
            if applied.done and not flags.diff and source.real_path is not None:
                changed_paths.append(source.path)
            if flags.show_fixes and applied.done:
                fixing.show_fixes(source.path, outcome, diff=flags.diff)
            found = outcome.result.findings
            shown_sources[source.path] = outcome.data
            templates += outcome.result.template
            own_limits += _declares_own_limits(source, outcome.result)
            passed_over += _skipped_for_content(outcome.result)
        else:
            result = lint(source.path, source.data, options)
            _show_notes(result, flags, notes)
            found = result.findings
            shown_sources[source.path] = source.data
            templates += result.template
            own_limits += _declares_own_limits(source, result)
            passed_over += _skipped_for_content(result)
        found = _not_named(found, source.path, named)
        findings.extend(found)
        threshold = _threshold(settings.fail_on, config)
        failing = failing or any(f.severity >= threshold for f in found)
    notes.flush(links.notes())
    if settings.memory_limit is not None and own_limits:
        notes.say(_limit_flag_note(own_limits))
    if templates and not flags.quiet:
        warn(
            f"{templates} Helm chart template{'s' if templates != 1 else ''} skipped ('{{{{ }}}}' "
            "is not YAML until rendered): lint `helm template` output instead"
        )
    report = Report(
        tuple(findings), shown_sources, len(sources) - passed_over,
        (*unreadable, *fix_problems),
        passed_over + walk_templates,
    )
    try:
        if flags.diff:
            emit_diff(flags, b"".join(diffs), fixed_count, report, color, output)
        else:
            if diffs:  # the fixed standard input
                write_stdout(b"".join(diffs))
            emit_report(flags, report, applying, fixed_count, color, sources, output)
    except OSError as exc:
        where = "standard output" if output is None else f"the report to {flags.output}"
        if output is None:
            give_up_stdout()
        done = (
            f"the fixes were written to {', '.join(changed_paths)}" if changed_paths
            else "no file was changed"
        )
        error(f"cannot write {where} ({exc.strerror or exc}); {done}")
        return 2
    if failed:
        return 2
    if flags.exit_zero:
        return 0
    if flags.diff:  # ruff's --diff: 1 when there is a change to make
        return 1 if fixed_count else 0
    if flags.exit_non_zero_on_fix and fixed_count:
        return 1
    return 1 if failing else 0


def _not_named(found: list[Finding], path: str, named: set[str]) -> list[Finding]:
    """``found`` without the findings in another file that the run lints itself."""
    return [f for f in found if f.path == path or os.path.realpath(f.path) not in named]


class _Links:
    """The run's Compose projects (compose/link.py), loaded only once a Compose file is named
    or found above a linted file: most runs meet none, and load no Compose code."""

    def __init__(self, compose_files: list[str]) -> None:
        self._linker: Linker | None = None
        self._searched: dict[str, bool] = {}  # directory -> has a Compose project above
        if compose_files:
            self.linker().add_compose_files(compose_files)

    def linker(self) -> Linker:
        if self._linker is None:
            from dfmemlint.compose.link import Linker

            self._linker = Linker()
        return self._linker

    def building(self, path: str) -> Linker | None:
        """The linker, if a Compose project can build ``path``."""
        if self._linker is None and not has_project_above(path, self._searched):
            return None
        return self.linker()

    def notes(self) -> list[str]:
        return [] if self._linker is None else self._linker.notes


def _service_limit(
    links: _Links, source: Source, options: LintOptions, flags: Flags, notes: _Notes
) -> LintOptions:
    """A Dockerfile's memory limit from the Compose services that build it (compose/link.py)."""
    stdin = os.path.abspath(flags.stdin_filename) if flags.stdin_filename else None
    path = source.real_path or stdin
    if path is None or options.memory_limit_from_cli:
        return options
    linker = links.building(path)
    if linker is None:
        return options
    from dfmemlint.compose.link import with_service_limit

    options, note = with_service_limit(options, linker.services_building(path))
    if note is not None:
        notes.say(f"{source.path}: {note}")
    return options


def _skipped_for_content(result: Result) -> bool:
    """The run read the file and checked nothing in it, so counts it as skipped, not linted: a
    Helm chart template, YAML of no format dfmemlint reads, or an env file that no Compose
    project reads (its note says so: compose/envfile.py)."""
    if result.template or result.unread:
        return True
    if getattr(result, "project", False) is not None or result.findings:
        return False  # only an env file's result has no Compose project and no finding
    from dfmemlint.compose.envfile import not_read_note

    return not_read_note(result.path) in result.notes


def _show_notes(result: Result, flags: Flags, notes: _Notes) -> None:
    """A file's notes on standard error, linted or fixed alike: none with ``--quiet``; those of
    a YAML file that is neither a manifest nor a Compose file only with ``--verbose`` (the
    pre-commit hooks pass every staged YAML file)."""
    error = getattr(result, "error", None)  # a Compose file that cannot be read
    if error is not None and any(f.code == "DFM015" for f in result.findings):
        notes.reported.add(error)
    if result.unread and not flags.verbose:
        return
    for note in result.notes:
        notes.say(note)


def _declares_own_limits(source: Source, result: Result) -> bool:
    """A Compose file, manifest or env file that was linted (not a chart template, not a YAML
    file of no format dfmemlint reads): its containers' limits are the ones it declares."""
    if result.template or result.unread:
        return False
    return detect(source.path, source.data) not in (None, Format.DOCKERFILE)


def _limit_flag_note(count: int) -> str:
    """--memory-limit is the limit of the container a Dockerfile's image runs in; a Compose
    service or Kubernetes container declares its own (or has none), and is judged against
    that, so the flag is said to have done nothing for these files."""
    files, whose = ("file was", "its") if count == 1 else ("files were", "their")
    return (
        f"--memory-limit applies to Dockerfiles only: {count} Compose, Kubernetes or env "
        f"{files} judged against the memory limits {whose} services and containers declare"
    )


class _Notes:
    """What the run says on standard error besides its findings, each cause once: a Compose
    project is read by the lint of each of its files, by the Dockerfiles it builds and by the
    env files it reads, and each pass meets the same refused size or unreadable file. A note is
    said the first time only; a note about a file that cannot be read (a ``compose.model.Note``
    with its cause) waits for the end of the run, is dropped when that file's own lint reports
    the cause as a finding, and is said once with every pass's consequence."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.said: set[str] = set()
        self.reported: set[str] = set()  # causes a DFM015 finding states
        self._pending: dict[str, list[str]] = {}  # cause -> consequences, in order

    def say(self, note: str) -> None:
        cause = getattr(note, "cause", None)
        if cause is not None:
            self._pending.setdefault(cause, []).append(getattr(note, "consequence", ""))
            return
        if note not in self.said:
            self.said.add(note)
            if not self.quiet:
                warn(note)

    def flush(self, more: list[str]) -> None:
        """Say the notes that waited, and ``more`` (the Compose linking's)."""
        for note in more:
            self.say(note)
        for cause, consequences in self._pending.items():
            if cause not in self.reported:
                self.say("; ".join((cause, *dict.fromkeys(consequences))))
        self._pending.clear()


def _threshold(option: int | None, config: Config) -> int:
    """The lowest severity that fails this file: --fail-on, else its configuration's, else
    warning (``none`` is NEVER_FAIL, above every severity)."""
    if option is not None:
        return option
    return config.fail_on if config.fail_on is not None else Severity.WARNING


