"""Kueue around a KubeRay object: what its jobframework reads (Kueue's
``pkg/controller/jobframework`` and ``pkg/controller/jobs/{rayjob,raycluster,rayservice}``).

- ``kueue.x-k8s.io/queue-name`` (the LocalQueue) and ``kueue.x-k8s.io/priority-class``
  (a WorkloadPriorityClass) as labels of the object;
- ``kueue.x-k8s.io/elastic-job: "true"``: the workload slices an autoscaling cluster needs
  under Kueue (``ValidateCreate``: "a kueue managed job should only use autoscaling when
  workload slicing is enabled");
- ``spec.managedBy: kueue.x-k8s.io/multikueue`` to run on a MultiKueue worker cluster.

``suspend`` is Kueue's: its webhook suspends the object when it is created
(``ApplyDefaultForSuspend``) and admission lifts it, so it is never rendered for a queued
object, and the delivery manifests leave it alone (``render/delivery.py``).
"""

from __future__ import annotations

from typing import Any

from generator.models.base import Queue

QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
PRIORITY_LABEL = "kueue.x-k8s.io/priority-class"
ELASTIC_ANNOTATION = "kueue.x-k8s.io/elastic-job"
MULTIKUEUE = "kueue.x-k8s.io/multikueue"
MAX_POD_SETS = 8  # jobframework.MaxPodSets: the head and at most seven worker groups
HEAD_POD_SET = "head"  # Kueue's name for the head's pod set: no worker group may take it


def queued(obj: dict[str, Any], queue: Queue | None) -> dict[str, Any]:
    """``obj`` with what Kueue reads of ``queue`` (nothing without one)."""
    if queue is None:
        return obj
    meta = obj["metadata"]
    labels = {**meta.get("labels", {}), QUEUE_LABEL: queue.name}
    if queue.priority_class:
        labels[PRIORITY_LABEL] = queue.priority_class
    meta["labels"] = dict(sorted(labels.items()))
    if queue.elastic:
        meta["annotations"] = dict(sorted({**meta.get("annotations", {}),
                                           ELASTIC_ANNOTATION: "true"}.items()))
    if queue.multi_kueue:
        obj["spec"] = {"managedBy": MULTIKUEUE, **obj["spec"]}
    return obj
