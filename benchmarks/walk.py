"""The directory walk over the Dockerfile corpus, with and without YAML detection, in one run.

    python benchmarks/walk.py [--runs 5] [--dfmemlint PATH] [--write benchmarks/walk.md]

``bench.py`` runs the same measurement as its section (e). The target the issue set: reading
the new formats makes the Dockerfile corpus benchmark at most 10 % slower, so the walk must not
parse the YAML files it passes.

The tree: every corpus Dockerfile (``../shared/corpus/realworld/files``) as
``svcNNN/Dockerfile``, and beside each the YAML files a repository keeps there and that are not
Kubernetes manifests: a GitHub workflow (``.github/workflows/ci.yml``), a GitLab CI file and a
Helm chart's ``values.yaml`` (whose nested ``apiVersion:``/``kind:`` are not top-level), plus one
5 MB data file (``data/fixtures.yaml``). No manifest and no Compose file: both runs lint exactly
the same Dockerfiles (checked: their outputs are equal), so the only difference is what the walk
does with the YAML names it passes.

The two commands, whole processes alternating run by run (``bench.measure``):

* **YAML detection on** (the default): ``dfmemlint --exit-zero --format json DIR``; every YAML
  file is read and searched for a top-level ``apiVersion:``/``kind:``.
* **Dockerfiles only**: the same with ``--extend-exclude '*.yaml' --extend-exclude '*.yml'``: the
  YAML files are passed over by name, as the walk did before manifests were read.

The ratio of the medians (CPU time: the machine's load inflates wall times more) is the cost of
the new formats for a Dockerfile user; the target is at most 1.10.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench

RATIO_TARGET = 1.10
DATA_YAML_BYTES = 5 * 2**20
WORKFLOW = """\
name: ci
on:
  push: {branches: [main]}
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with: {go-version: "1.22"}
      - run: go test ./...
"""
GITLAB = """\
stages: [test, build]
variables:
  GOFLAGS: -mod=readonly
test:
  stage: test
  image: golang:1.22
  script: [go test ./...]
"""
VALUES = """\
replicaCount: 2
image: {repository: example/api, tag: "1.0.0", pullPolicy: IfNotPresent}
resources:
  limits: {memory: 512Mi}
env:
  - name: GOMEMLIMIT
    value: 400MiB
extraObjects:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: extra}
"""


def data_yaml(size: int) -> str:
    """A YAML list of records of about ``size`` bytes."""
    parts: list[str] = []
    total = 0
    number = 0
    while total < size:
        line = (f"- {{id: {number}, name: item-{number}, tags: [a, b, c], "
                f"weight: {number % 97}.5, active: true}}\n")
        parts.append(line)
        total += len(line)
        number += 1
    return "".join(parts)


def build_tree(root: Path, corpus: Path) -> tuple[int, int, int]:
    """The tree above; (Dockerfiles, YAML files, YAML bytes)."""
    dockerfiles = yaml_files = yaml_bytes = 0
    for number, source in enumerate(sorted(p for p in corpus.iterdir() if p.is_file())):
        service = root / f"svc{number:03d}"
        (service / ".github" / "workflows").mkdir(parents=True)
        (service / "chart").mkdir()
        shutil.copyfile(source, service / "Dockerfile")
        dockerfiles += 1
        for path, text in (
            (service / ".github" / "workflows" / "ci.yml", WORKFLOW),
            (service / ".gitlab-ci.yml", GITLAB),
            (service / "chart" / "values.yaml", VALUES),
        ):
            path.write_text(text, encoding="utf-8")
            yaml_files += 1
            yaml_bytes += len(text)
    (root / "data").mkdir()
    data = data_yaml(DATA_YAML_BYTES)
    (root / "data" / "fixtures.yaml").write_text(data, encoding="utf-8")
    return dockerfiles, yaml_files + 1, yaml_bytes + len(data)


def section(dfmemlint: str, env: dict[str, str], work: Path, corpus: Path, runs: int) -> list[str]:
    """Section (e) of the report, as Markdown lines."""
    root = work / "walk"
    root.mkdir()
    dockerfiles, yaml_files, yaml_bytes = build_tree(root, corpus)
    base = [dfmemlint, "--exit-zero", "--format", "json"]
    commands = {
        "YAML detection on": [*base, str(root)],
        "Dockerfiles only": [*base, "--extend-exclude", "*.yaml", "--extend-exclude", "*.yml",
                             str(root)],
    }
    outputs = {
        name: subprocess.run(command, env=env, capture_output=True, check=False).stdout
        for name, command in commands.items()
    }
    same = outputs["YAML detection on"] == outputs["Dockerfiles only"]
    load_before = os.getloadavg()[0]
    results = bench.measure(commands, env, str(work), runs, warmup=1)
    load_after = os.getloadavg()[0]
    on, only = results["YAML detection on"], results["Dockerfiles only"]
    cpu_ratio, wall_ratio = on.cpu / only.cpu, on.wall / only.wall
    lines = [
        "## (e) The directory walk: YAML detection on and off",
        "",
        f"`dfmemlint --exit-zero --format json DIR` on a tree of the {dockerfiles} corpus "
        f"Dockerfiles with {yaml_files} YAML files that are not manifests beside them "
        f"({yaml_bytes / 2**20:.1f} MiB: a CI workflow, a GitLab CI file and a chart's "
        "values.yaml per Dockerfile, and one 5 MB data file), against the same with "
        "`--extend-exclude '*.yaml' --extend-exclude '*.yml'` (the walk before manifests were "
        f"read); median of {runs} alternating runs, load average {load_before:.2f} / "
        f"{load_after:.2f} before / after (see benchmarks/walk.py).",
        "",
        "| walk | wall | CPU | peak memory |",
        "|---|---:|---:|---:|",
        bench.row("YAML detection on", on),
        bench.row("Dockerfiles only", only),
        "",
        f"* YAML detection on / Dockerfiles only: CPU time **{cpu_ratio:.3f}x**, wall time "
        f"{wall_ratio:.3f}x (target <= {RATIO_TARGET:.2f}x in CPU time: "
        f"{bench.verdict(cpu_ratio <= RATIO_TARGET)}).",
        f"* Both runs report the same findings: {'yes' if same else '**no**'}.",
        "",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs per case (default 5)")
    parser.add_argument("--corpus", type=Path, default=bench.DEFAULT_CORPUS)
    parser.add_argument("--dfmemlint", default=None, help="the dfmemlint executable")
    parser.add_argument("--write", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus at {args.corpus}")
    with tempfile.TemporaryDirectory(prefix="dfmemlint-walk-") as tmp:
        work = Path(tmp)
        if args.dfmemlint:
            dfmemlint = bench.find_executable("dfmemlint", args.dfmemlint) or args.dfmemlint
            installed = f"`{dfmemlint}` (given with --dfmemlint)"
        else:
            dfmemlint = bench.install_in_venv(work)
            installed = "`pip install .` into a fresh virtual environment"
        env = bench.child_env(work / "pycache")
        lines = [
            "# The directory walk with YAML detection",
            "",
            "Produced by `python benchmarks/walk.py --write benchmarks/walk.md`; `bench.py` "
            "measures the same as its section (e).",
            "",
            f"* CPU: {bench.cpu_model()}, {os.cpu_count()} cores; dfmemlint "
            f"{bench.version([dfmemlint], env)}, {installed}",
            "",
            *section(dfmemlint, env, work, args.corpus, args.runs),
        ]
    report = "\n".join(lines)
    print(report)
    if args.write is not None:
        args.write.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
