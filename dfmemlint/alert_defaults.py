"""What an alerting rule is written with unless told otherwise: the cAdvisor series it compares
with the threshold (the ``--metric`` choices), its ``for:`` and its ``severity`` label.

Shared by the commands that write rules (``budget --format prometheus``, ``alerts``: their
options and defaults) and by :mod:`dfmemlint.alerts.rules`, which writes them. It imports
nothing, so ``dfmemlint budget`` shows its options without loading the alert-writing code.
The series are cAdvisor's (google/cadvisor ``lib/metrics/prometheus.go``; see
:mod:`dfmemlint.alerts.rules` for what each one counts).
"""

from __future__ import annotations

from dfmemlint.records import Record


class Metric(Record):
    """A cAdvisor memory series the alert compares with the threshold."""

    key: str  # the --metric choice
    series: str
    words: str  # in annotations: "RSS"
    alert: str  # the alert's name
    threshold_annotation: str  # the annotation with the threshold in bytes


METRICS = {
    "rss": Metric(
        "rss", "container_memory_rss", "RSS", "GoContainerRSSAboveBudget", "rss_threshold_bytes"
    ),
    "working-set": Metric(
        "working-set",
        "container_memory_working_set_bytes",
        "working set",
        "GoContainerWorkingSetAboveBudget",
        "working_set_threshold_bytes",
    ),
}
DEFAULT_METRIC = "rss"
DEFAULT_FOR = "5m"  # a Prometheus duration (dfmemlint.alerts.promql.parse_duration)
DEFAULT_SEVERITY = "warning"
