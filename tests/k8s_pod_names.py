"""Pod names made the way Kubernetes makes them, step by step, to test the patterns against.

Written from the controllers' code (cited in ``dfmemlint.alerts.pod_names``), independently of the
regular expressions: names are generated, then matched.
"""

from __future__ import annotations

import random

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand
MAX_GENERATED_NAME_LENGTH = 63 - 5  # k8s.io/apiserver/pkg/storage/names


def rand_string(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHANUMS) for _ in range(n))


def generate_name(rng: random.Random, base: str) -> str:
    """``SimpleNameGenerator.GenerateName``."""
    if len(base) > MAX_GENERATED_NAME_LENGTH:
        base = base[:MAX_GENERATED_NAME_LENGTH]
    return base + rand_string(rng, 5)


def safe_encode_string(s: str) -> str:
    return "".join(ALPHANUMS[ord(c) % len(ALPHANUMS)] for c in s)


def compute_hash(rng: random.Random) -> str:
    """``controller.ComputeHash``: SafeEncodeString of a decimal uint32 (the FNV-32a sum)."""
    return safe_encode_string(str(rng.randrange(1 << 32)))


def pods_prefix(controller_name: str) -> str:
    """``getPodsPrefix``: ``name-`` unless that is not a valid pod name (over 253 characters)."""
    prefix = controller_name + "-"
    return controller_name if len(prefix) > 253 else prefix


def replicaset_pod(rng: random.Random, replicaset: str) -> str:
    return generate_name(rng, pods_prefix(replicaset))


def deployment_pod(rng: random.Random, deployment: str) -> str:
    return replicaset_pod(rng, f"{deployment}-{compute_hash(rng)}")


def statefulset_pod(rng: random.Random, statefulset: str) -> str:
    return f"{statefulset}-{rng.randrange(1000)}"


def pod_generate_name_with_index(job: str, index: int) -> str:
    append_index = f"-{index}-"
    prefix = job + append_index
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[: MAX_GENERATED_NAME_LENGTH - len(append_index)] + append_index
    return prefix


def job_pod(rng: random.Random, job: str, indexed: bool) -> str:
    if indexed:
        index = rng.choice([0, 1, 9, 10, 99, 12345, rng.randrange(1 << 31)])
        return generate_name(rng, pod_generate_name_with_index(job, index))
    return generate_name(rng, pods_prefix(job))


def cronjob_job(rng: random.Random, cronjob: str) -> str:
    """``getJobName``: ``<cronjob>-<scheduledTime.Unix() / 60>``."""
    minutes = rng.choice([29_000_000, rng.randrange(10**7, 10**8), rng.randrange(1, 10**10)])
    return f"{cronjob}-{minutes}"
