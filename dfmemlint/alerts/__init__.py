"""Prometheus alerting rules from the memory budget: one alert per Go container.

``pod_names`` (the names Kubernetes gives a workload's pods), ``promql`` (matchers, durations),
``rules`` (the rule for one container, rule files and PrometheusRule resources), ``yaml_text``
(the writer). Input is a format-neutral :class:`~dfmemlint.alerts.rules.AlertTarget`.
"""
