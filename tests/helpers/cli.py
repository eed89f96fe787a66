"""Running dfmemlint in-process, as the tests of the command line do."""

from __future__ import annotations

import pytest

from dfmemlint.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of ``dfmemlint ARGS`` run in-process; a
    traceback in either stream fails the test (errors are one clear line)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
