"""The kinds, in one table every layer reads.

``KINDS``: KubeRay's kinds, each with where it keeps its RayClusterSpec and its RayJobSpec,
its longest name, the release that added it and the gate that runs its controller,
whether Kueue queues it, and how its status reads (``health``).

``SPEC_KINDS``: the spec kinds of ray-gitops.yaml's own API, each with the kinds it
renders and where its cluster body sits. Models, renderers and importers are registered
beside their code, by these names (``models/kinds.py``, ``render/kinds.py``).

Adding a kind: a model, a renderer, its rules, and its entries here.
Sources: ray-operator's ``utils/validation.go`` and the CRDs in ``ray-operator/config/crd``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.fieldpath import FieldPath
from generator.kuberay import health
from generator.kuberay.health import Health

# the kinds' names, spelled once: elsewhere a misspelled kind is a NameError, not a silent miss
RAY_CLUSTER = "RayCluster"
RAY_SERVICE = "RayService"
RAY_JOB = "RayJob"
RAY_CRON_JOB = "RayCronJob"
COMPUTE_TEMPLATE = "ComputeTemplate"
REDIS_SPEC = "Redis"  # the spec kind (the objects it renders are a StatefulSet and others)
VOLUME_SPEC = "PersistentVolume"  # the spec kind, named after the Kubernetes kind it renders

API_VERSION = "ray.io/v1"
API_VERSIONS = ("ray.io/v1", "ray.io/v1alpha1")  # both served; v1alpha1 deprecated in 1.7
GROUP = "ray.io"
SERVICE_CLUSTER = "rayClusterConfig"
JOB_CLUSTER = "rayClusterSpec"
JOB_TEMPLATE = "jobTemplate"


@dataclass(frozen=True)
class Kind:
    """A KubeRay kind."""

    name: str
    cluster: FieldPath | None  # its RayClusterSpec below `spec`; () when the spec is the cluster
    max_name: int  # 53 for a RayCluster; its owners leave room for their children's suffixes
    health: Health
    job: FieldPath | None = None  # its RayJobSpec below `spec`
    children: str = ""  # what the operator names after it, when that bounds its name
    since: str = "1.5"  # the release whose CRDs first serve it
    # the release whose validation bounds its name by max_name (before it: a label value's 63,
    # as the operator puts the name in a label of what it creates)
    named_since: str = "1.5"
    gate: str | None = None  # the feature gate that runs its controller, off by default
    queued: bool = True  # Kueue queues it (and owns its spec.suspend)
    alpha: bool = True  # its CRD serves ray.io/v1alpha1 too (deprecated in 1.7)
    created: str = ""  # what the operator does with a new one
    upgrades: bool = False  # a change to its cluster brings up a new cluster beside the old

    @property
    def scheduled(self) -> bool:
        """A schedule of RayJobs: its job template is not a job until it runs."""
        return self.job is not None and len(self.job) > 0


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind(RAY_CLUSTER, (), 53, health.RAYCLUSTER,
         created="a new Ray cluster: head and worker pods are created"),
    Kind(RAY_SERVICE, (SERVICE_CLUSTER,), 47, health.RAYSERVICE,
         children=" (its clusters are <name>-<5 characters>)",
         created="a new RayService: its cluster is created, then the Serve applications",
         upgrades=True),
    Kind(RAY_JOB, (JOB_CLUSTER,), 47, health.RAYJOB, job=(),
         created="a new RayJob: the job is submitted (with its own cluster, if it has one)"),
    Kind(RAY_CRON_JOB, (JOB_TEMPLATE, JOB_CLUSTER), 36, health.RAYCRONJOB, job=(JOB_TEMPLATE,),
         children=" (its RayJobs are <name>-<unix minute>)", since="1.6", gate=RAY_CRON_JOB,
         named_since="1.7",
         queued=False, alpha=False, created="a new RayCronJob"),
)}
JOB_KINDS = tuple(kind.name for kind in KINDS.values() if kind.job is not None)
SCHEDULED_KINDS = tuple(kind.name for kind in KINDS.values() if kind.scheduled)
QUEUED_KINDS = tuple(kind.name for kind in KINDS.values() if kind.queued)
ALPHA_KINDS = tuple(kind.name for kind in KINDS.values() if kind.alpha)
UPGRADED_KINDS = tuple(kind.name for kind in KINDS.values() if kind.upgrades)


def job_path(kind: str) -> FieldPath | None:
    """Where a kind keeps its RayJobSpec; None for kinds without one."""
    found = KINDS.get(kind)
    return None if found is None or found.job is None else ("spec", *found.job)


def cluster_path(kind: str) -> FieldPath | None:
    """Where a kind keeps its RayClusterSpec; None for kinds without one."""
    found = KINDS.get(kind)
    return None if found is None or found.cluster is None else ("spec", *found.cluster)


def cluster_of(obj: dict[str, Any]) -> tuple[FieldPath, dict[str, Any]] | None:
    """An object's RayClusterSpec and its path, if it has one (a RayJob on an existing
    cluster has none)."""
    at = cluster_path(str(obj.get("kind")))
    if at is None:
        return None
    node = obj.get("spec")
    for part in at[1:]:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return at, node if isinstance(node, dict) else {}


def template_paths(kind: str) -> tuple[str, ...]:
    """The pod templates of a kind's groups, as kustomize field specs name them."""
    at = "/".join(str(p) for p in cluster_path(kind) or ())
    return (f"{at}/headGroupSpec/template", f"{at}/workerGroupSpecs/template")


# ray-gitops's spec kinds

SPEC_API_VERSION = "ray-gitops/v1alpha1"


@dataclass(frozen=True)
class SpecKind:
    name: str
    outputs: tuple[str, ...]  # the kinds of the objects it renders (none: it renders nothing)
    cluster: FieldPath | None = None  # where its cluster body sits below `spec`

    @property
    def renders(self) -> bool:
        return bool(self.outputs)


def _ray(kind: Kind, cluster: FieldPath) -> SpecKind:
    """The spec kind of a KubeRay kind: the object, a ConfigMap of shipped files and a
    PodMonitor beside it."""
    return SpecKind(kind.name, (kind.name, "ConfigMap", "PodMonitor"), cluster)


SPEC_KINDS: dict[str, SpecKind] = {kind.name: kind for kind in (
    # a ComputeTemplate renders nothing: the groups that use one carry its resources
    SpecKind(COMPUTE_TEMPLATE, ()),
    _ray(KINDS[RAY_CLUSTER], ()),
    SpecKind(REDIS_SPEC, ("StatefulSet", "Service", "ConfigMap", "NetworkPolicy")),
    SpecKind(VOLUME_SPEC, ("PersistentVolume", "PersistentVolumeClaim")),
    _ray(KINDS[RAY_SERVICE], ("cluster",)),
    *(_ray(kind, (*(("job",) if kind.scheduled else ()), "cluster"))
      for kind in KINDS.values() if kind.job is not None),
)}
SPEC_NAMES = tuple(SPEC_KINDS)
CLUSTER_SPEC_KINDS = tuple(kind.name for kind in SPEC_KINDS.values() if kind.cluster is not None)


def renders(kind: str) -> bool:
    """Whether specs of ``kind`` render objects of their own."""
    return kind in SPEC_KINDS and SPEC_KINDS[kind].renders


def cluster_body(kind: str, data: Any) -> Any:
    """A spec document's cluster body (plain data), or None."""
    found = SPEC_KINDS.get(kind)
    if found is None or found.cluster is None or not isinstance(data, dict):
        return None
    body: Any = data.get("spec")
    for key in found.cluster:
        body = body.get(key) if isinstance(body, dict) else None
    return body if isinstance(body, dict) else None
