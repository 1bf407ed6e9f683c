"""A PodMonitor (prometheus-operator, monitoring.coreos.com/v1) for a Ray cluster's metrics.

The operator gives the Ray container of every head and worker pod a port named ``metrics``
(8080; ray-operator ``common/pod.go``, ``DefaultHeadPodTemplate`` and
``DefaultWorkerPodTemplate``), where Ray exports its metrics. The PodMonitor selects the
cluster's pods by the ``ray-gitops.io/cluster`` label of their templates, which stays the
same across the clusters a RayService creates, and copies the ``ray.io/cluster``,
``ray.io/node-type`` and ``ray.io/group`` pod labels onto the series as
``ray_io_cluster``, ``ray_io_node_type`` and ``ray_io_group`` (the names Ray's Grafana
dashboards filter on).
"""

from __future__ import annotations

from typing import Any

from generator.fieldpath import FieldPath
from generator.models.cluster import ClusterBody
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


def _pod_monitor(spec: Spec, body: ClusterBody, at: FieldPath) -> Rendered:
    monitoring = body.monitoring
    assert monitoring is not None
    endpoint: dict[str, Any] = {"port": "metrics", "path": "/metrics"}
    if monitoring.interval:
        endpoint["interval"] = monitoring.interval
    endpoint["relabelings"] = [
        {"action": "replace", "sourceLabels": [f"__meta_kubernetes_pod_label_{_meta(label)}"],
         "targetLabel": target} for label, target in _COPIED]
    labels = object_labels(spec.app, spec.name, "monitoring", {**monitoring.labels},
                           instance=False)
    obj = {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
        "metadata": metadata(f"{spec.name}-ray", spec.namespace, labels, {}),
        "spec": {
            "selector": {"matchLabels": {CLUSTER_LABEL: spec.name}},
            "podMetricsEndpoints": [endpoint],
        },
    }
    origins = Origins()
    origins.add((), (*at, "monitoring"), keep=False)
    return Rendered(obj, spec, origins)


def _meta(label: str) -> str:
    """A pod label as Prometheus's Kubernetes discovery names it."""
    return "".join(c if c.isalnum() else "_" for c in label)
