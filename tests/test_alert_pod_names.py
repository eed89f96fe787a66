"""The pod-name patterns match every name Kubernetes gives a workload's pods, and no other's."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from k8s_pod_names import (
    cronjob_job,
    deployment_pod,
    job_pod,
    replicaset_pod,
    statefulset_pod,
)

from dfmemlint.alerts.pod_names import HASH_CHARS, Repeat, _cut, escape, pod_name_pattern

# DNS-1123 names: lowercase alphanumerics, '-' and '.', starting and ending alphanumeric.
_EDGE = "abcdefghijklmnopqrstuvwxyz0123456789"
names = st.builds(
    lambda first, middle, last: first + middle + last,
    st.sampled_from(_EDGE),
    st.text(alphabet=_EDGE + "-.", max_size=78),
    st.sampled_from(_EDGE),
)
cronjob_names = st.builds(
    lambda first, middle: first + middle, st.sampled_from(_EDGE), st.text(_EDGE + "-", max_size=51)
)
seeds = st.integers(0, 2**32)


def matches(pattern: str | None, name: str) -> bool:
    assert pattern is not None
    return re.fullmatch(pattern, name) is not None


def test_hash_chars_are_what_safe_encoding_maps_digits_to() -> None:
    # "0".."9" are bytes 48..57; 48 % 27 = 21 -> alphanums[21] = "4" ... 57 % 27 = 3 -> "f".
    assert sorted(HASH_CHARS) == sorted("456789bcdf")


@given(names, seeds)
def test_deployment_pods(name: str, seed: int) -> None:
    rng = random.Random(seed)
    pattern = pod_name_pattern("Deployment", name)
    for _ in range(20):
        pod = deployment_pod(rng, name)
        assert len(pod) <= 63
        assert matches(pattern, pod), (name, pod, pattern)


@given(names, seeds)
@pytest.mark.parametrize("kind", ["ReplicaSet", "ReplicationController", "DaemonSet"])
def test_generated_name_pods(kind: str, name: str, seed: int) -> None:
    rng = random.Random(seed)
    pattern = pod_name_pattern(kind, name)
    for _ in range(5):
        assert matches(pattern, replicaset_pod(rng, name))


@given(names, seeds)
def test_statefulset_pods(name: str, seed: int) -> None:
    pod = statefulset_pod(random.Random(seed), name)
    assert matches(pod_name_pattern("StatefulSet", name), pod)


@given(names, seeds, st.booleans())
def test_job_pods(name: str, seed: int, indexed: bool) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        pod = job_pod(rng, name, indexed)
        assert len(pod) <= 63
        assert matches(pod_name_pattern("Job", name, indexed=indexed), pod), (name, pod)
        assert matches(pod_name_pattern("Job", name), pod)  # completion mode not known
        assert not matches(pod_name_pattern("Job", name, indexed=not indexed), pod) or (
            len(name) >= 56  # cut so short that both forms coincide
            or re.fullmatch(r".*-[0-9]+", name)  # "<job>-7" + random reads as index 7
        )


@given(cronjob_names, seeds, st.booleans())
def test_cronjob_pods(name: str, seed: int, indexed: bool) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        pod = job_pod(rng, cronjob_job(rng, name), indexed)
        assert matches(pod_name_pattern("CronJob", name, indexed=indexed), pod), (name, pod)
        assert matches(pod_name_pattern("CronJob", name), pod)


def test_pods_by_name() -> None:
    assert matches(pod_name_pattern("Pod", "api.v2"), "api.v2")
    assert not matches(pod_name_pattern("Pod", "api.v2"), "apixv2")
    rng = random.Random(1)
    generated = pod_name_pattern("Pod", "worker-", generate_name=True)
    assert matches(generated, replicaset_pod(rng, "worker"))
    assert pod_name_pattern("Rollout", "api") is None


@given(names, st.text(alphabet=_EDGE, min_size=1, max_size=8), seeds)
def test_no_pods_of_a_longer_name(name: str, suffix: str, seed: int) -> None:
    """``api`` does not catch ``api-admin``'s pods, while neither name is cut to 58 characters."""
    other = f"{name}-{suffix}"
    if len(other) + 12 > 58:  # Deployment: "<name>-<hash of up to 10>-" must stay whole
        return
    rng = random.Random(seed)
    for kind, make in [
        ("Deployment", deployment_pod),
        ("DaemonSet", replicaset_pod),
        ("StatefulSet", statefulset_pod),
    ]:
        pattern = pod_name_pattern(kind, name)
        for _ in range(5):
            pod = make(rng, other)
            if kind == "StatefulSet" and suffix.isdigit():
                continue  # "web-1" is pod 1 of StatefulSet "web" as much as a set's name
            assert not matches(pattern, pod), (kind, name, pod)


def test_statefulset_does_not_catch_a_deployment_of_the_same_name() -> None:
    rng = random.Random(7)
    for _ in range(50):
        assert not matches(pod_name_pattern("StatefulSet", "db"), deployment_pod(rng, "db"))
        assert not matches(pod_name_pattern("Deployment", "db"), statefulset_pod(rng, "db"))


@pytest.mark.parametrize(
    ("parts", "n", "expected"),
    [
        (["abc"], 2, "ab"),
        (["ab-", Repeat("0-9", 1, 3), "-"], 58, "ab-[0-9]{1,3}-"),
        # "ab-" then up to 3 digits then "-", cut at 6: whole, tail cut, run cut.
        (["ab-", Repeat("0-9", 1, 3), "-"], 6, "ab-(?:[0-9]{1,2}-|[0-9]{3})"),
        (["ab-", Repeat("0-9", 1, 3), "-"], 3, "ab-"),
        (["ab-", Repeat("0-9", 2, 3)], 4, "ab-[0-9]{1}"),
        (["ab-", Repeat("0-9", 1, 3), "-x"], 6, "ab-(?:[0-9]{1}-x|[0-9]{2}-|[0-9]{3})"),
        # Too little room for the shortest run and the tail: only a cut run is left.
        (["ab-", Repeat("0-9", 3, 4), "-"], 6, "ab-[0-9]{3}"),
    ],
)
def test_cut(parts: list[str | Repeat], n: int, expected: str) -> None:
    assert _cut(parts, n) == expected


def test_cut_takes_one_run() -> None:
    with pytest.raises(ValueError, match="one variable run"):
        _cut([Repeat("a", 1, 2), "-", Repeat("b", 1, 2)], 10)


def test_escape() -> None:
    assert escape("a.b-c_d") == r"a\.b-c_d"
