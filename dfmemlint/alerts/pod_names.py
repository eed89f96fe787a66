"""The names Kubernetes gives the pods of a workload, as a regular expression for PromQL ``=~``.

cAdvisor's series carry the pod's name (label ``pod``), not its workload's, so an alert for one
workload selects its pods by name. Each pattern below is the set of names the controller can
produce, no more, so that a workload named ``api`` does not also catch the pods of ``api-admin``.
Prometheus anchors ``=~`` regular expressions at both ends (RE2 syntax; the patterns use only
literals, character classes, counted repetition and alternation, which RE2 and Python's ``re``
read alike).

How the names are made (kubernetes/kubernetes unless noted):

* ``Pod``: ``metadata.name`` as written; with only ``metadata.generateName``, that prefix plus
  five random characters (below).
* Random suffixes: the API server's ``SimpleNameGenerator.GenerateName``
  (kubernetes/apiserver ``pkg/storage/names/generate.go``) cuts the prefix to
  ``MaxGeneratedNameLength`` = 63 - 5 = 58 characters and appends
  ``utilrand.String(5)``: five characters of ``alphanums`` = ``bcdfghjklmnpqrstvwxz2456789``
  (kubernetes/apimachinery ``pkg/util/rand/rand.go``).
* ``ReplicaSet``, ``ReplicationController``, ``DaemonSet`` and a Job's pods: the controller asks
  for ``GenerateName`` = ``<controller name>-`` (``pkg/controller/controller_utils.go``
  ``GetPodFromTemplate`` / ``getPodsPrefix``; the dash is dropped only when ``<name>-`` would
  not be a valid name, longer than 253 characters, which the cut at 58 makes irrelevant).
* ``Deployment``: its ReplicaSet is ``<deployment>-<pod-template-hash>``
  (``pkg/controller/deployment/sync.go`` ``getNewReplicaSet``); the hash is
  ``ComputeHash`` = ``rand.SafeEncodeString(fmt.Sprint(fnv32a.Sum32()))``
  (``pkg/controller/controller_utils.go``): the 1 to 10 decimal digits of a uint32, each mapped
  to ``alphanums[digit's byte % 27]``, which leaves the ten characters of :data:`HASH_CHARS`.
  Its pods then get ``<replicaset>-`` plus five random characters, cut as above.
* ``StatefulSet``: ``<statefulset>-<ordinal>`` (``pkg/controller/statefulset/stateful_set_utils.go``
  ``getPodName``: ``fmt.Sprintf("%s-%d", set.Name, ordinal)``), no random part.
* ``Job``: non-indexed pods as for a ReplicaSet; an ``Indexed`` Job's pods are generated from
  ``podGenerateNameWithIndex`` (``pkg/controller/job/indexed_job_utils.go``):
  ``<job>-<index>-``, and when that is over 58 characters the job's name is cut so that
  ``-<index>-`` survives. The index is below ``completions`` (an int32): 1 to 10 digits.
* ``CronJob``: its Jobs are ``<cronjob>-<minutes>`` (``pkg/controller/cronjob/utils.go``
  ``getJobName``: ``scheduledTime.Unix() / 60``, 8 digits today and at most 10 until the year
  21000), and their pods are named as a Job's.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfmemlint.records import Record

#: kubernetes/apimachinery pkg/util/rand ``alphanums``: random suffixes and encoded hashes.
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
#: The characters ``SafeEncodeString`` maps the decimal digits of a pod-template-hash to.
HASH_CHARS = "".join(sorted({ALPHANUMS[ord(digit) % len(ALPHANUMS)] for digit in "0123456789"}))
#: ``MaxGeneratedNameLength``: a generated name's prefix is cut to this many characters.
MAX_GENERATED_PREFIX = 63 - 5
RANDOM_SUFFIX_LENGTH = 5
#: Digits of an int32 (a Job's completion index) and of minutes since 1970 until the year 21000.
MAX_INDEX_DIGITS = 10
MAX_MINUTE_DIGITS = 10

_RANDOM = f"[{ALPHANUMS}]{{{RANDOM_SUFFIX_LENGTH}}}"


class Repeat(Record):
    """A run of ``low`` to ``high`` characters of the class ``chars`` (regex, no brackets)."""

    chars: str
    low: int
    high: int

    def regex(self, low: int, high: int) -> str:
        count = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
        return f"[{self.chars}]{count}"


Part = str | Repeat


def escape(name: str) -> str:
    """``name`` as a literal in a regular expression (a Kubernetes name: ``[a-z0-9.-]``)."""
    return "".join("\\" + c if not (c.isalnum() or c in "-_") else c for c in name)


def _alternatives(options: Sequence[str]) -> str:
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def _cut(parts: Sequence[Part], n: int) -> str:
    """A regex for every ``"".join(parts)[:n]``: literals, at most one Repeat, literals."""
    out: list[str] = []
    for i, part in enumerate(parts):
        if n <= 0:
            break
        if isinstance(part, str):
            out.append(escape(part[:n]))
            n -= len(part)
            continue
        rest = parts[i + 1 :]
        if any(isinstance(p, Repeat) for p in rest):
            raise ValueError("only one variable run per name")
        tail = "".join(str(p) for p in rest)
        if not tail:
            out.append(part.regex(min(part.low, n), min(part.high, n)))
            break
        options: list[str] = []
        whole = min(part.high, n - len(tail))  # the run and the whole tail fit
        if whole >= part.low:
            options.append(part.regex(part.low, whole) + escape(tail))
        for k in range(max(part.low, whole + 1), min(part.high, n - 1) + 1):  # the tail is cut
            options.append(part.regex(k, k) + escape(tail[: n - k]))
        if part.high >= n:  # the run itself is cut
            options.append(part.regex(n, n))
        out.append(_alternatives(options))
        break
    return "".join(out)


def generated(prefix: Sequence[Part]) -> str:
    """Names from ``GenerateName`` = ``prefix``: cut to 58 characters, then 5 random ones."""
    return _cut(prefix, MAX_GENERATED_PREFIX) + _RANDOM


def _indexed_job_pods(job: Sequence[Part]) -> str:
    """``podGenerateNameWithIndex``: ``<job>-<index>-`` with the job's name cut to fit 58."""
    groups: list[tuple[str, int, int]] = []  # (the job's name, fewest and most index digits)
    for digits in range(1, MAX_INDEX_DIGITS + 1):
        name = _cut(job, MAX_GENERATED_PREFIX - digits - 2)
        if groups and groups[-1][0] == name:
            groups[-1] = (name, groups[-1][1], digits)
        else:
            groups.append((name, digits, digits))
    index = Repeat("0-9", 1, MAX_INDEX_DIGITS)
    options = [f"{name}-{index.regex(low, high)}-" for name, low, high in groups]
    return _alternatives(options) + _RANDOM


def _job_pods(job: Sequence[Part], indexed: bool | None) -> str:
    plain = generated([*job, "-"])
    if indexed is None:
        return _alternatives([plain, _indexed_job_pods(job)])
    return _indexed_job_pods(job) if indexed else plain


#: Workload kinds whose pod names this module knows.
KINDS = (
    "Pod",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
)


def pod_name_pattern(
    kind: str, name: str, *, generate_name: bool = False, indexed: bool | None = None
) -> str | None:
    """The regular expression for the names of the pods ``kind``/``name`` creates.

    ``generate_name``: for a Pod, ``name`` is its ``metadata.generateName``. ``indexed``: for a
    Job or CronJob, whether its Job's ``completionMode`` is ``Indexed`` (None: not known, both
    forms match). Returns None for a kind not in :data:`KINDS` (a custom resource's controller
    names its pods as it likes).
    """
    if kind == "Pod":
        return generated([name]) if generate_name else escape(name)
    if kind == "Deployment":
        return generated([f"{name}-", Repeat(HASH_CHARS, 1, 10), "-"])
    if kind in ("ReplicaSet", "ReplicationController", "DaemonSet"):
        return generated([f"{name}-"])
    if kind == "StatefulSet":
        return f"{escape(name)}-[0-9]+"
    if kind == "Job":
        return _job_pods([name], indexed)
    if kind == "CronJob":
        return _job_pods([f"{name}-", Repeat("0-9", 1, MAX_MINUTE_DIGITS)], indexed)
    return None
