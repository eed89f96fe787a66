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


def format_option(choices: Sequence[str]) -> Callable[[F], F]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
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
stdin_filename_option = click.option(
    "--stdin-filename", default=None, metavar="PATH",
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
    click.option(
        "--fix-style", type=click.Choice(FIX_STYLES), default=DEFAULT_FIX_STYLE,
        show_default=True,
        help="Where a fix adds GOMEMLIMIT: 'env' an ENV line just before CMD/ENTRYPOINT (a value "
        "set at run time still wins); 'inline' on the start command, as "
        "GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec … where a shell runs it, else through env (then a "
        "runtime GOMEMLIMIT no longer applies, and an image without env fails to start).",
    ),
    # rules and limits
    click.option("--select", default=None, metavar="CODES",
                 help="Only these rules (comma-separated); replaces the configured selection."),
    click.option("--ignore", default=None, metavar="CODES",
                 help="Skip these rules (comma-separated), on top of the configuration."),
    click.option("--memory-limit", default=None, metavar="SIZE",
                 help="The memory limit of the container a Dockerfile's image runs in "
                      "(512MiB, 1Gi, 512m), 4 MiB to 16 TiB. Dockerfiles only: Compose files "
                      "and manifests are judged against the limits they declare."),
    click.option("--ratio", default=None, metavar="R",
                 help="GOMEMLIMIT as a share of the memory limit [default: 0.8]."),
    click.option("--build-arg", "build_args", multiple=True, metavar="NAME=VALUE",
                 callback=_build_args, help="Override an ARG default, as docker build does."),
    click.option("--target", default=None, metavar="STAGE",
                 help="Lint as if building this stage (an error if no stage has that name)."),
    click.option("--context", "context_dir", default=None, metavar="DIR",
                 callback=_existing_directory,
                 help="The build context, read (bounded, never run) for entrypoint scripts and "
                 "a Go program that sets its own memory limit [default: the Dockerfile's "
                 "folder; none for standard input]."),
    # configuration and files
    click.option("--config", "config_file", default=None, metavar="FILE",
                 help="Use this configuration file for every file (no search)."),
    click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
    click.option("--exclude", "exclude", multiple=True, metavar="PATTERN",
                 help="Skip these files and directories in a directory search; replaces the "
                 "configured and default excludes (repeatable)."),
    click.option("--extend-exclude", "extend_exclude", multiple=True, metavar="PATTERN",
                 help="Skip these too, on top of the excludes in force (repeatable)."),
    click.option("--show-files", is_flag=True,
                 help="List the files that would be linted, and what was skipped; lint nothing."),
    click.option("-v", "--verbose", is_flag=True,
                 help="Also say which files a directory search skipped, and why."),
    stdin_filename_option,
    # output
    format_option(FORMATS),
    click.option("-o", "--output-file", "output", default=None, metavar="FILE",
                 help="Write the report (or the diff) to FILE."),
    click.option("--output", "output_alias", default=None, hidden=True,
                 help="The former name of --output-file."),
    click.option("--statistics", is_flag=True,
                 help="Count findings per rule instead of listing them."),
    click.option("--color", "color", type=click.Choice(COLOR_CHOICES), default="auto",
                 show_default=True,
                 help="Colour: auto = on a terminal unless NO_COLOR is set or FORCE_COLOR is "
                 "set."),
    click.option("--no-color", is_flag=True, hidden=True, help="Same as --color never."),
    click.option("-q", "--quiet", is_flag=True,
                 help="Print the findings (or the diff) and errors, nothing else."),
    # exit code
    click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default=None,
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
