"""The ``dfmemlint`` console script (``[project.scripts]`` in pyproject.toml) and
``python -m dfmemlint``.

It imports nothing before it turns the cyclic garbage collector off. Importing click and the
command makes some hundred thousand objects and no garbage, and with the collector on, every few
hundred allocations would walk them again: about a fifth of what ``dfmemlint FILE`` executes over
``python -c 'import click'`` (callgrind, benchmarks/results.md). The collector is turned back on
once the command is loaded, with what was imported frozen out of its sight
(:meth:`dfmemlint.cli.DefaultGroup.get_command`); a run that loads no command (``--version``,
``--help``) ends with it off.
"""

from __future__ import annotations

import gc


def main() -> int:
    """Run the command line of this process (``sys.argv``); returns the exit code."""
    gc.disable()
    from dfmemlint.cli import main as run

    return run()
