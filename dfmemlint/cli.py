"""The command line: one click group whose default command lints; subcommands load lazily."""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from dfmemlint import __version__

# name -> "module:attribute"; imported only when the subcommand runs, to keep start-up fast.
SUBCOMMANDS: dict[str, str] = {
    "check": "dfmemlint.commands.check:check",
    "inspect": "dfmemlint.commands.inspect:inspect",
    "budget": "dfmemlint.commands.budget:budget_command",
    "alerts": "dfmemlint.commands.alerts:alerts",
    "rule": "dfmemlint.commands.ruledoc:rule",
    "rules": "dfmemlint.commands.ruledoc:rules",
    "server": "dfmemlint.commands.server:server",
}
DEFAULT_COMMAND = "check"


HELP_TEXT = "Show this message and exit."


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"dfmemlint, version {__version__}")
        ctx.exit()


class PlainHelp:
    """Builds the ``-h/--help`` option with literal help text. click's own asks gettext for it,
    and gettext searches the file system for a catalogue on every call (none is ever found for
    click): that search was a sizeable part of the start-up of every run."""

    _plain_help: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = ctx.help_option_names
        if not names or not getattr(self, "add_help_option", True):
            return None
        if self._plain_help is None:

            def show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
                if value and not ctx.resilient_parsing:
                    click.echo(ctx.get_help(), color=ctx.color)
                    ctx.exit()

            self._plain_help = click.Option(
                names, is_flag=True, is_eager=True, expose_value=False, callback=show_help,
                help=HELP_TEXT,
            )
        return self._plain_help


class DefaultGroup(PlainHelp, click.Group):
    """``dfmemlint [OPTIONS] PATH...`` lints; ``dfmemlint inspect|budget|rule|rules …`` do the rest.

    A file literally named like a subcommand is reached as ``./inspect``.
    """

    # Set by main() for the process's own command line. What the process has imported by the
    # time its command is loaded (click, the command and everything it imports) lives until
    # exit, so it is moved out of the cyclic collector's sight (gc.freeze): later collections,
    # and the last one at exit, walk only what the run makes. That walk over click's and
    # dfmemlint's objects was about a tenth of the start-up of `dfmemlint FILE`
    # (benchmarks/results.md). Commands run in-process (tests, click's runner) are left alone:
    # freezing there would keep their garbage forever.
    freeze_imports = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in SUBCOMMANDS if name != DEFAULT_COMMAND]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        # Importing a command makes tens of thousands of objects and no garbage; the cyclic
        # collector would walk them again each few hundred allocations while they load.
        # The console script turned it off before importing click (dfmemlint.console): the
        # process's own run turns it on here, once what it imported is frozen.
        collecting = gc.isenabled() or self.freeze_imports
        gc.disable()
        try:
            module = importlib.import_module(module_name)
        finally:
            if self.freeze_imports:
                gc.freeze()
            if collecting:
                gc.enable()
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_only = {"--help", "-h", "--version", "-V"}
        if args and (args[0] in SUBCOMMANDS or args[0] in group_only):
            return super().parse_args(ctx, args)
        # Bare `dfmemlint` is the lint command without a PATH: a usage error (exit 2), as ruff.
        return super().parse_args(ctx, [DEFAULT_COMMAND, *args])

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] PATH...  |  COMMAND [ARGS]...")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help_text(ctx, formatter)
        check = self.get_command(ctx, DEFAULT_COMMAND)
        if check is None:  # pragma: no cover - the table always has it
            return
        from dfmemlint.commands.options import PATH_HELP

        with formatter.section("Lint options (dfmemlint [OPTIONS] PATH...)"):
            rows = [("PATH...", PATH_HELP)]
            help_option = check.get_help_option(ctx)
            for param in check.get_params(ctx):
                record = param.get_help_record(ctx)
                if (
                    record is not None
                    and param is not help_option
                    and not isinstance(param, click.Argument)
                ):
                    rows.append(record)
            formatter.write_dl(rows)


@click.group(
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_show_version,
    help="Show the version and exit.",  # not click.version_option: it asks gettext for this text
)
def cli() -> None:
    """Lint and fix Go memory settings (GOMEMLIMIT, GOGC) in Dockerfiles, Kubernetes manifests
    and Compose files.

    Run `dfmemlint .` to lint every one under this directory, `dfmemlint --fix Dockerfile` to
    repair one.
    """


def _tolerant_streams() -> None:
    """A terminal whose encoding cannot show a character gets a replacement, not a traceback."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: ``argv`` defaults to the process's own arguments (and only then are
    the imports frozen, see :attr:`DefaultGroup.freeze_imports`). Returns the exit code."""
    _tolerant_streams()
    DefaultGroup.freeze_imports = argv is None
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result: Any = cli.main(args=args, prog_name="dfmemlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. `dfmemlint … | head`
        return 1
    except OSError as exc:
        # Output that cannot be written (a full disk, /dev/full, an I/O error): one line, exit 2,
        # and standard output pointed at the null device so that the interpreter's own flush at
        # exit does not fail again.
        if exc.filename is not None:  # a file operation no command turned into a message
            click.echo(f"Error: {exc.filename}: {exc.strerror or exc}", err=True)
            return 2
        _discard_stdout()
        click.echo(f"Error: cannot write the output ({exc.strerror or exc})", err=True)
        return 2
    return int(result) if isinstance(result, int) else 0


def _discard_stdout() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
