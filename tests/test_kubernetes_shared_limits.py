"""A ConfigMap value that containers with different memory limits read: it is judged, and its
advice and fix computed, against the smallest of their limits, the message names every
container that reads it, and the fix that a lint advertises is the one ``--fix`` applies (the
counts of the lint and of the fix agree, and a second run finds nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.manifests import workload

from dfmemlint.cli import main
from dfmemlint.golang.units import MIB, compute_gomemlimit, format_size

CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: go\ndata:\n  GOMEMLIMIT: "{}"\n'
# Each workload's container reads the ConfigMap; {limit} is its memory limit.
READS_GO = (
    "          envFrom:\n            - configMapRef:\n                name: go\n"
    "          resources:\n            limits:\n              memory: {limit}\n"
)
BIG = workload(READS_GO.format(limit="1Gi"), kind="Deployment", name="big", image="app")
SMALL = workload(READS_GO.format(limit="512Mi"), kind="StatefulSet", name="small", image="app")
SMALL_LIMIT = 512 * MIB
# What the fix must write: 0.8 (the default ratio) of the smaller limit.
FROM_SMALLEST = format_size(compute_gomemlimit(SMALL_LIMIT, 0.8))


def _folder(root: Path, value: str, *, one_file: bool) -> Path:
    folder = root / "k"
    folder.mkdir()
    if one_file:
        text = "---\n".join((CONFIG_MAP.format(value), BIG, SMALL))
        (folder / "all.yaml").write_text(text, encoding="utf-8")
    else:
        (folder / "cm.yaml").write_text(CONFIG_MAP.format(value), encoding="utf-8")
        (folder / "big.yaml").write_text(BIG, encoding="utf-8")
        (folder / "small.yaml").write_text(SMALL, encoding="utf-8")
    return folder


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and standard output (then standard error, where ``Fixed …`` is written)."""
    capsys.readouterr()
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _config_map(folder: Path) -> Path:
    return folder / ("all.yaml" if (folder / "all.yaml").exists() else "cm.yaml")


def _written(folder: Path) -> str:
    text = _config_map(folder).read_text(encoding="utf-8")
    return text.split('GOMEMLIMIT: "', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("one_file", [False, True], ids=["across-files", "same-file"])
@pytest.mark.parametrize("unsafe", [False, True], ids=["fix", "unsafe-fixes"])
def test_malformed_value_is_fixed_for_the_smallest_limit(
    one_file: bool, unsafe: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, "1Gi", one_file=one_file)
    code, out = _run(["--format", "json", "--quiet", str(folder)], capsys)
    assert code == 1
    [finding] = json.loads(out)
    assert finding["code"] == "DFM004"
    message = finding["message"]
    assert "container 'small' of StatefulSet/small" in message
    assert "Also read by container 'big' of Deployment/big" in message
    assert "(memory limit 1GiB)" in message
    assert "judged against the smallest memory limit" in message
    assert f"Use {FROM_SMALLEST} (0.8 of the container's 512MiB memory limit; 1GiB would " \
        "exceed the container's 512MiB memory limit)" in message
    fix = finding["fix"]
    assert fix["applicability"] == "safe"
    [edit] = fix["edits"]
    advertised = edit["replacement"]
    assert advertised == FROM_SMALLEST

    _code, text = _run([str(folder)], capsys)
    assert "1 fixable with --fix." in text

    flags = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    code, text = _run([*flags, str(folder)], capsys)
    assert code == 0
    assert "Fixed 1 finding (0 remaining)." in text
    assert _written(folder) == advertised  # advertised == applied

    before = _config_map(folder).read_bytes()
    code, text = _run([str(folder)], capsys)
    assert code == 0
    assert "All checks passed" in text
    _run([*flags, str(folder)], capsys)
    assert _config_map(folder).read_bytes() == before  # idempotent


@pytest.mark.parametrize("one_file", [False, True], ids=["across-files", "same-file"])
def test_out_of_range_for_one_reader_names_every_reader(
    one_file: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 900MiB fits big's 1GiB (under 95 %) but not small's 512MiB: the finding names both, and
    # says that the advice (which cuts big too) comes from the smallest limit.
    folder = _folder(tmp_path, "900MiB", one_file=one_file)
    code, out = _run(["--format", "json", "--quiet", str(folder)], capsys)
    assert code == 1
    [finding] = json.loads(out)
    assert (finding["code"], finding["severity"]) == ("DFM007", "error")
    message = finding["message"]
    assert "container 'small' of StatefulSet/small" in message
    assert "Also read by container 'big' of Deployment/big" in message
    assert "(memory limit 1GiB)" in message
    assert "judged against the smallest memory limit" in message
    assert finding["fix"]["applicability"] == "unsafe"
    [edit] = finding["fix"]["edits"]
    assert edit["replacement"] == FROM_SMALLEST

    code, text = _run(["--fix", str(folder)], capsys)
    assert code == 1
    assert "Fixed 0 findings (1 remaining)." in text
    code, text = _run(["--fix", "--unsafe-fixes", str(folder)], capsys)
    assert code == 0
    assert "Fixed 1 finding (0 remaining)." in text
    assert _written(folder) == edit["replacement"]
    code, _text = _run([str(folder)], capsys)
    assert code == 0


def test_equal_limits_need_no_note_about_the_smallest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, "1Gi", one_file=False)
    (folder / "big.yaml").write_text(BIG.replace("1Gi", "512Mi"), encoding="utf-8")
    _code, out = _run(["--format", "json", "--quiet", str(folder)], capsys)
    [finding] = json.loads(out)
    assert "Also read by container " in finding["message"]
    assert "(memory limit 512MiB)" in finding["message"]
    assert "smallest" not in finding["message"]


def test_a_reader_without_a_limit_is_named_and_not_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, "900MiB", one_file=False)
    unlimited = BIG.replace("          resources:\n            limits:\n"
                            "              memory: 1Gi\n", "")
    (folder / "big.yaml").write_text(unlimited, encoding="utf-8")
    _code, out = _run(["--format", "json", "--quiet", str(folder)], capsys)
    [finding] = json.loads(out)
    assert finding["code"] == "DFM007"
    assert "container 'small' of StatefulSet/small" in finding["message"]
    assert "container 'big' of Deployment/big in " in finding["message"]
    assert "(no memory limit)" in finding["message"]
