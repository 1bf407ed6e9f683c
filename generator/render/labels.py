"""The labels every rendered object carries, and the pod labels ray-gitops adds."""

from __future__ import annotations

MANAGED_BY = "ray-gitops"
# On pod templates: lets a NetworkPolicy select the pods of a RayService or RayJob
# cluster, whose RayCluster name (and so ray.io/cluster) is random.
CLUSTER_LABEL = "ray-gitops.io/cluster"
RESTART_ANNOTATION = "ray-gitops.io/restart-generation"
TEMPLATE_ANNOTATION = "ray-gitops.io/compute-template"


def object_labels(
    app: str, name: str, component: str, user: dict[str, str], *, instance: bool = True
) -> dict[str, str]:
    """Kubernetes' recommended labels, then the user's, sorted.

    ``instance=False`` leaves out app.kubernetes.io/instance, for RayServices:
    KubeRay copies a RayService's labels onto the RayCluster it creates, and
    with Argo CD's label tracking that label makes Argo CD prune the child.
    """
    labels = {
        "app.kubernetes.io/name": "ray" if component != "redis" else "redis",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": app,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    if instance:
        labels["app.kubernetes.io/instance"] = name
    labels.update(user)  # the user's own never give way
    return dict(sorted(labels.items()))
