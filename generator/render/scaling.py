"""What delivery must leave to other controllers among a spec file's objects: the replicas
of an autoscaling RayCluster's groups (the autoscaler's), and a queued object's suspend
(Kueue's). Made as each spec file renders, kept per file in the cache, read by delivery."""

from __future__ import annotations

from typing import Any

from generator.kuberay.kinds import QUEUED_KINDS, RAY_CLUSTER
from generator.render.base import Rendered
from generator.render.kueue import QUEUE_LABEL

# What delivery needs of the objects whose fields another controller owns:
# ["replicas", app, name, namespace, groups] for a RayCluster that autoscales,
# ["suspend", app, kind, name, namespace] for an object Kueue queues. Kept per spec file
# in the cache, so that delivery is rendered without rendering every object again.
Scaling = list[Any]


def scaling(objects: list[Rendered]) -> list[Scaling]:
    """What delivery must leave to the autoscaler and to Kueue among ``objects``."""
    out = []
    for item in objects:
        if item.spec is None or item.kind not in QUEUED_KINDS:
            continue
        spec, meta = item.obj["spec"], item.obj["metadata"]
        if item.kind == RAY_CLUSTER and spec.get("enableInTreeAutoscaling"):
            out.append(["replicas", item.spec.app, item.name, meta.get("namespace"),
                        len(spec.get("workerGroupSpecs", []))])
        if QUEUE_LABEL in meta.get("labels", {}):
            out.append(["suspend", item.spec.app, item.kind, item.name, meta.get("namespace")])
    return out
