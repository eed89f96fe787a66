"""Lint a generated stream of Kubernetes documents beside PyYAML loading the same stream.

``python benchmarks/manifests.py [--documents N] [--write FILE]`` generates ``helm template``-like
output (a Deployment and a Service per release, ``# Source:`` comments, one GOMEMLIMIT in ten
in Kubernetes units so the rules have something to find), then times, in one process and
alternating, ``yaml.load_all`` with PyYAML's C loader (what "loading it" costs) and dfmemlint's
whole lint of the same bytes (reading with positions, resolving every container's environment,
all rules). Each time is the best of ``--repeat`` runs, at N/4, N/2 and N documents, so the
report shows both the ratio to PyYAML (target: at most 3x) and whether the time grows linearly.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

import yaml

from dfmemlint.engine import LintOptions
from dfmemlint.kubernetes.lint import lint_manifest

TEMPLATE = """\
---
# Source: chart/templates/deployment-{i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-{i}
  namespace: team-{ns}
  labels: {{app: api-{i}, tier: backend}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: api-{i}}}
  template:
    metadata:
      labels: {{app: api-{i}}}
    spec:
      containers:
        - name: api
          image: "example.com/api:{i}"
          ports: [{{containerPort: 8080}}]
          env:
            - name: GOMEMLIMIT
              value: "{gomemlimit}"
            - name: GOGC
              value: "100"
            - name: LOG_LEVEL
              value: info
          resources:
            requests: {{cpu: 100m, memory: 256Mi}}
            limits: {{memory: 512Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: api-{i}
spec:
  selector: {{app: api-{i}}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


def stream(documents: int) -> bytes:
    parts = []
    for i in range(documents // 2):
        gomemlimit = "409MiB" if i % 10 else "512Mi"
        parts.append(TEMPLATE.format(i=i, ns=i % 7, gomemlimit=gomemlimit))
    return "".join(parts).encode()


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(documents: int, repeat: int = 3) -> tuple[float, float, int]:
    """(PyYAML load seconds, dfmemlint lint seconds, findings) for a stream of ``documents``."""
    data = stream(documents)
    text = data.decode()
    load = best(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)), repeat)
    result = None

    def run() -> None:
        nonlocal result
        result = lint_manifest("stream.yaml", data, LintOptions())

    lint = best(run, repeat)
    assert result is not None
    return load, lint, len(result.findings)


def report(documents: int, repeat: int) -> str:
    lines = [
        "# Linting a manifest stream beside PyYAML loading it",
        "",
        f"`python benchmarks/manifests.py --documents {documents}` on "
        f"{platform.python_implementation()} {platform.python_version()}, PyYAML "
        f"{yaml.__version__} (C loader), {platform.machine()}, load average "
        f"{os.getloadavg()[0]:.1f} at the start; best of {repeat} runs each.",
        "",
        "| documents | PyYAML `load_all` | dfmemlint lint | ratio | findings |",
        "|---:|---:|---:|---:|---:|",
    ]
    ratios = []
    for n in (documents // 4, documents // 2, documents):
        load, lint, found = measure(n, repeat)
        ratios.append(lint / load)
        lines.append(f"| {n:,} | {load:.2f} s | {lint:.2f} s | {lint / load:.2f}x | {found} |")
    verdict = "met" if max(ratios) <= TARGET else "not met"
    lines += ["", f"Target: at most {TARGET:g}x PyYAML's load time at every size: {verdict}."]
    return "\n".join(lines) + "\n"


TARGET = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", metavar="FILE", help="also save the report to FILE")
    args = parser.parse_args(argv)
    text = report(args.documents, args.repeat)
    sys.stdout.write(text)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as handle:
            handle.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
