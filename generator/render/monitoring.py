"""A PodMonitor (prometheus-operator, monitoring.coreos.com/v1) for a Ray cluster's metrics.

It scrapes what KubeRay's own PodMonitors (config/prometheus/podMonitor.yaml) scrape, by
port number, so that no container needs to declare the port:

- every Ray pod on the port its ``ray start`` exports metrics on: ``metrics-export-port``
  of its group's rayStartParams, else 8080, which the operator passes when none is given
  (common/pod.go, setMissingRayStartParams); groups that differ get an endpoint each,
  kept to their pods by their ``ray.io/group`` label;
- the head's dashboard metrics (Ray's ``DASHBOARD_METRIC_PORT``, 44227, or the head
  container's env of that name) and, with the autoscaler, its metrics
  (``AUTOSCALER_METRIC_PORT``, 44217, or the autoscaler's env of that name), kept to the
  head by ``ray.io/node-type``.

It selects the cluster's pods by the ``ray-gitops.io/cluster`` label of their templates,
which stays the same across the clusters a RayService creates, and copies the
``ray.io/cluster``, ``ray.io/node-type`` and ``ray.io/group`` pod labels onto the series as
``ray_io_cluster``, ``ray_io_node_type`` and ``ray_io_group`` (the names Ray's Grafana
dashboards filter on).
"""

from __future__ import annotations

from typing import Any

from generator.fieldpath import FieldPath
from generator.models.cluster import ClusterBody, WorkerGroup
from generator.models.parse import Spec
from generator.render.base import Origins, Rendered, metadata
from generator.render.labels import CLUSTER_LABEL, object_labels

_COPIED = (("ray.io/cluster", "ray_io_cluster"), ("ray.io/node-type", "ray_io_node_type"),
           ("ray.io/group", "ray_io_group"))


def pod_monitors(spec: Spec) -> list[Rendered]:
    """One PodMonitor for each cluster of ``spec`` that asks for monitoring."""
    out = []
    for at, body in spec.model.clusters():
        if body.monitoring is not None and body.monitoring.enabled:
            out.append(_pod_monitor(spec, body, at))
    return out


METRICS_PORT = 8080  # the operator's metrics-export-port when a group gives none
DASHBOARD_METRICS = ("DASHBOARD_METRIC_PORT", 44227)  # ray/dashboard/consts.py
AUTOSCALER_METRICS = ("AUTOSCALER_METRIC_PORT", 44217)  # ray/autoscaler/_private/constants.py
HEAD_GROUP = "headgroup"  # the ray.io/group label of the head's pods


def _pod_monitor(spec: Spec, body: ClusterBody, at: FieldPath) -> Rendered:
    monitoring = body.monitoring
    assert monitoring is not None
    by_port: dict[int, list[str]] = {}
    for _, group in body.groups():
        name = group.name if isinstance(group, WorkerGroup) else HEAD_GROUP
        by_port.setdefault(_port(group.ray_start_params.get("metrics-export-port"),
                                 METRICS_PORT), []).append(name)
    endpoints = [_endpoint(port, monitoring.interval,
                           None if len(by_port) == 1 else ("ray.io/group", groups))
                 for port, groups in sorted(by_port.items())]
    endpoints.append(_endpoint(_port(body.head.env.get(DASHBOARD_METRICS[0]),
                                     DASHBOARD_METRICS[1]),
                               monitoring.interval, ("ray.io/node-type", ["head"])))
    if body.autoscaling_enabled:
        assert body.autoscaling is not None
        endpoints.append(_endpoint(_port(body.autoscaling.env.get(AUTOSCALER_METRICS[0]),
                                         AUTOSCALER_METRICS[1]),
                                   monitoring.interval, ("ray.io/node-type", ["head"])))
    labels = object_labels(spec.app, spec.name, "monitoring", {**monitoring.labels},
                           instance=False)
    obj = {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
        "metadata": metadata(f"{spec.name}-ray", spec.namespace, labels, {}),
        "spec": {
            "selector": {"matchLabels": {CLUSTER_LABEL: spec.name}},
            "podMetricsEndpoints": endpoints,
        },
    }
    origins = Origins()
    origins.add((), (*at, "monitoring"), keep=False)
    return Rendered(obj, spec, origins)


def _port(value: Any, default: int) -> int:
    """A port written as a string (rayStartParams, env); the default when it is none."""
    text = value if isinstance(value, str) else None
    return int(text) if text is not None and text.isdigit() and 0 < int(text) < 65536 \
        else default


def _endpoint(port: int, interval: str | None,
              only: tuple[str, list[str]] | None) -> dict[str, Any]:
    endpoint: dict[str, Any] = {"portNumber": port, "path": "/metrics"}
    if interval:
        endpoint["interval"] = interval
    relabelings: list[dict[str, Any]] = []
    if only is not None:
        label, values = only
        relabelings.append({"action": "keep",
                            "sourceLabels": [f"__meta_kubernetes_pod_label_{_meta(label)}"],
                            "regex": "|".join(sorted(values))})
    relabelings += [
        {"action": "replace", "sourceLabels": [f"__meta_kubernetes_pod_label_{_meta(label)}"],
         "targetLabel": target} for label, target in _COPIED]
    endpoint["relabelings"] = relabelings
    return endpoint


def _meta(label: str) -> str:
    """A pod label as Prometheus's Kubernetes discovery names it."""
    return "".join(c if c.isalnum() else "_" for c in label)
