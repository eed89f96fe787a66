"""Options and helpers that several subcommands share, and the lint command's option surface.

Every message for people goes through :func:`error` or :func:`warn`: one style (``Error: …``,
``Warning: …``, as click prints its usage errors), control characters made visible.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from dfmemlint.cli import PlainHelp
from dfmemlint.reporters import printable

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json", "github", "sarif")
COLOR_CHOICES = ("auto", "always", "never")
FAIL_ON_CHOICES = ("error", "warning", "info", "none")
# dfmemlint.fix.rewrite.FIX_STYLES and DEFAULT_FIX_STYLE, without importing it
FIX_STYLES = ("env", "inline")
DEFAULT_FIX_STYLE = "env"


def error(message: str) -> None:
    click.echo(f"Error: {printable(message)}", err=True)


def warn(message: str) -> None:
    click.echo(f"Warning: {printable(message)}", err=True)


Callback = Callable[[click.Context, click.Parameter, Any], Any]


def once(
    *decls: str,
    default: Any = None,
    callback: Callback | None = None,
    **attrs: Any,
) -> Callable[[F], F]:
    """An option that takes one value, given at most once (the same value repeated is harmless,
    as when pre-commit's ``args`` repeat the hook's ``entry``). ruff's single-value options
    refuse a repeat (clap 4's ``ArgAction::Set``: "If the argument has previously been seen,
    it will result in a ArgumentConflict"); a repeat with another value is a usage error here
    too, never a silent "last one wins". ``callback`` then checks the one value (or
    ``default`` when the option was not given)."""

    def single(ctx: click.Context, param: click.Parameter, values: tuple[Any, ...]) -> Any:
        distinct = list(dict.fromkeys(values))
        if len(distinct) > 1:
            given = " and ".join(repr(value) for value in distinct)
            raise click.BadParameter(
                f"given more than once, as {given}: give it once", ctx=ctx, param=param
            )
        value = distinct[0] if distinct else default
        return value if callback is None else callback(ctx, param, value)

    # click shows a default given as the tuple of a multiple option as the plain value.
    return click.option(
        *decls, multiple=True, callback=single, default=() if default is None else (default,),
        show_default=default is not None, **attrs
    )


def codes_option(name: str, help: str) -> Callable[[F], F]:
    """A rule-code list: comma-separated and repeatable, every value counts (``--select DFM004
    --select DFM007`` is ``--select DFM004,DFM007``), as ruff's ``--select``, ``--ignore`` and
    ``--extend-select`` are (``Option<Vec<RuleSelector>>`` with ``value_delimiter = ','``, which
    clap appends to on each occurrence: ``ArgAction::Append``, crates/ruff/src/args.rs)."""
    return click.option(name, multiple=True, metavar="CODES", help=help)


def _comma_list(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Every occurrence of a repeatable list option, each split at commas, as ruff's
    ``--exclude`` and ``--extend-exclude`` (``value_delimiter = ','``)."""
    return tuple(part for value in values for part in value.split(",") if part)


def format_option(choices: Sequence[str]) -> Callable[[F], F]:
    return once(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        help="Output format.",
    )


def _build_args(
    ctx: click.Context, param: click.Parameter, items: tuple[str, ...]
) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", ctx=ctx, param=param)
        overrides[name] = value
    return overrides


build_arg_option = click.option(
    "--build-arg",
    "build_args",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_build_args,
    help="Override an ARG default, as docker build does.",
)
stdin_filename_option = once(
    "--stdin-filename", metavar="PATH",
    help="The name to show for standard input (and where to look for its configuration).",
)


def _existing_directory(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """``click.Path(file_okay=False, exists=True)``, with its messages, without building one:
    its constructor asks gettext for its name, and gettext searches the file system for a
    catalogue (and imports ``locale``) on every call, on every run."""
    if value is None:
        return None
    if not os.path.isdir(value):
        problem = "is a file" if os.path.exists(value) else "does not exist"
    elif not os.access(value, os.R_OK):
        problem = "is not readable"
    else:
        return value
    raise click.BadParameter(f"Directory {value!r} {problem}.", ctx=ctx, param=param)


class Command(PlainHelp, click.Command):
    """A subcommand whose usage errors always show its usage line and help hint (click leaves
    the context off some parser errors, such as an option missing its value)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if exc.ctx is None:
                exc.ctx = ctx
            raise


class LintContext(click.Context):
    """The lint command is the group's default: its usage and hints say ``dfmemlint``, the
    command people typed, not ``dfmemlint check``."""

    @property
    def command_path(self) -> str:
        return self.parent.command_path if self.parent is not None else super().command_path


class LintCommand(Command):
    context_class = LintContext


PATH_HELP = (
    "Dockerfiles, Kubernetes manifests, Compose files, directories (searched for all three) or -"
    " for standard input."
)

# The lint command's options, in the order --help lists them.
_LINT_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.argument("paths", nargs=-1, required=True, metavar="PATH..."),
    # fixing
    click.option("--fix", is_flag=True,
                 help="Apply safe fixes and write the files (with -, the fixed file goes to "
                 "stdout)."),
    click.option("--unsafe-fixes", is_flag=True,
                 help="Also apply fixes that may change behaviour (implies --fix)."),
    click.option("--diff", is_flag=True,
                 help="Print what --fix would change as a unified diff and write nothing; exit 1 "
                 "if there is a change."),
    click.option("--show-fixes", is_flag=True,
                 help="List each fix applied (with --diff: each fix the diff makes)."),
    once(
        "--fix-style", type=click.Choice(FIX_STYLES), default=DEFAULT_FIX_STYLE,
        help="Where a fix adds GOMEMLIMIT: 'env' an ENV line just before CMD/ENTRYPOINT (a value "
        "set at run time still wins); 'inline' on the start command, as "
        "GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec … where a shell runs it, else through env (then a "
        "runtime GOMEMLIMIT no longer applies, and an image without env fails to start).",
    ),
    # rules and limits
    codes_option("--select",
                 "Only these rules (comma-separated, repeatable); replaces the configured "
                 "selection."),
    codes_option("--extend-select",
                 "These rules too (comma-separated, repeatable), on top of the selection in "
                 "force."),
    codes_option("--ignore",
                 "Skip these rules (comma-separated, repeatable), on top of the configuration."),
    once("--memory-limit", metavar="SIZE",
         help="The memory limit of the container a Dockerfile's image runs in "
              "(512MiB, 1Gi, 512m), 4 MiB to 16 TiB. Dockerfiles only: Compose files "
              "and manifests are judged against the limits they declare."),
    once("--ratio", metavar="R", help="GOMEMLIMIT as a share of the memory limit [default: 0.8]."),
    click.option("--build-arg", "build_args", multiple=True, metavar="NAME=VALUE",
                 callback=_build_args, help="Override an ARG default, as docker build does."),
    once("--target", metavar="STAGE",
                 help="Lint as if building this stage (an error if no stage has that name)."),
    once("--context", "context_dir", metavar="DIR",
                 callback=_existing_directory,
                 help="The build context, read (bounded, never run) for entrypoint scripts and "
                 "a Go program that sets its own memory limit [default: the Dockerfile's "
                 "folder; none for standard input]."),
    # configuration and files
    once("--config", "config_file", metavar="FILE",
                 help="Use this configuration file for every file (no search)."),
    click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
    click.option("--exclude", "exclude", multiple=True, metavar="PATTERNS",
                 callback=_comma_list,
                 help="Skip these files and directories in a directory search; replaces the "
                 "configured and default excludes (comma-separated, repeatable)."),
    click.option("--extend-exclude", "extend_exclude", multiple=True, metavar="PATTERNS",
                 callback=_comma_list,
                 help="Skip these too, on top of the excludes in force (comma-separated, "
                 "repeatable)."),
    click.option("--force-exclude", is_flag=True,
                 help="Apply the excludes to files named on the command line too (the "
                 "pre-commit hooks pass it, as ruff's do)."),
    click.option("--show-files", is_flag=True,
                 help="List the files that would be linted, and what was skipped; lint nothing."),
    click.option("-v", "--verbose", is_flag=True,
                 help="Also say which files a directory search skipped, and why."),
    stdin_filename_option,
    # output
    format_option(FORMATS),
    once("-o", "--output-file", "output", metavar="FILE",
                 help="Write the report (or the diff) to FILE."),
    once("--output", "output_alias", hidden=True,
                 help="The former name of --output-file."),
    click.option("--statistics", is_flag=True,
                 help="Count findings per rule instead of listing them (as text, or JSON "
                 "with --format json)."),
    once("--color", "color", type=click.Choice(COLOR_CHOICES), default="auto",
                 help="Colour: auto = on a terminal; NO_COLOR turns it off, FORCE_COLOR on "
                 "(NO_COLOR wins)."),
    click.option("--no-color", is_flag=True, hidden=True, help="Same as --color never."),
    click.option("-q", "--quiet", is_flag=True,
                 help="Print the findings (or the diff) and errors, nothing else."),
    # exit code
    once("--fail-on", type=click.Choice(FAIL_ON_CHOICES),
                 help="Lowest severity that makes the exit code 1; none: findings never do "
                 "[default: warning, or the file's configuration]."),
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings."),
    click.option("--exit-non-zero-on-fix", is_flag=True,
                 help="Exit 1 when a fix was applied, even if no finding remains."),
)


def lint_options(function: F) -> F:
    """Every option of ``dfmemlint [OPTIONS] PATH...``, applied to the command function."""
    for decorator in reversed(_LINT_OPTIONS):
        function = decorator(function)
    return function
