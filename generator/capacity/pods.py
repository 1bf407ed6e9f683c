"""The pods an object makes, as the scheduler sees them: requests, where they may run,
and how many there are at minReplicas, at replicas and at maxReplicas.

A pod's requests are the sum of its containers' (a container with limits alone requests
its limits, as the API server defaults it), or its largest init container if that is
more, plus its overhead. The operator adds containers the manifest does not show
(ray-operator ``common/pod.go`` and ``common/job.go``, v1.7.0):

- the autoscaler sidecar in the head pod, 500m CPU and 512Mi unless
  ``autoscalerOptions.resources`` says otherwise;
- the ``wait-gcs-ready`` init container of each worker pod, 200m CPU and 256Mi;
- the RayJob submitter (K8sJobMode: its own pod; SidecarMode: a container in the head
  pod), 500m CPU and 200Mi requested unless ``submitterPodTemplate`` says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator.capacity.shape import amount, hosts, is_gpu, replica_counts, summed
from generator.fieldpath import FieldPath, value_at
from generator.kuberay.kinds import cluster_of, job_path
from generator.kuberay.vocabulary import items, mapping

Requests = dict[str, Decimal]
AUTOSCALER = {"cpu": Decimal("0.5"), "memory": Decimal(512 * 2**20)}
WAIT_GCS = {"cpu": Decimal("0.2"), "memory": Decimal(256 * 2**20)}
SUBMITTER = {"cpu": Decimal("0.5"), "memory": Decimal(200 * 2**20)}


@dataclass(frozen=True)
class Pod:
    """One pod template of an object and its count."""

    name: str  # head, the worker group's name, submitter, redis...
    at: FieldPath  # the pod template's path in its object
    requests: Requests  # cpu in cores, memory in bytes, extended resources in units
    node_selector: dict[str, str] = field(default_factory=dict)
    affinity: dict[str, Any] = field(default_factory=dict)
    tolerations: tuple[dict[str, Any], ...] = ()
    low: int = 1
    initial: int = 1
    high: int = 1
    cluster: bool = True  # part of a Ray cluster (a RayService upgrade doubles it)

    @property
    def gpus(self) -> Decimal:
        return sum((v for k, v in self.requests.items() if is_gpu(k)), Decimal(0))


def container_requests(container: dict[str, Any]) -> Requests:
    resources = mapping(container.get("resources"))
    out: Requests = {}
    for name, value in mapping(resources.get("limits")).items():
        found = amount(value)
        if found is not None:
            out[str(name)] = found
    for name, value in mapping(resources.get("requests")).items():
        found = amount(value)
        if found is not None:
            out[str(name)] = found
    return out


def largest(a: Requests, b: Requests) -> Requests:
    return {name: max(a.get(name, Decimal(0)), b.get(name, Decimal(0))) for name in {*a, *b}}


def pod_requests(spec: dict[str, Any], extra: tuple[Requests, ...] = (),
                 init: tuple[Requests, ...] = ()) -> Requests:
    running = summed(*(container_requests(c) for _, c in items(spec.get("containers"))), *extra)
    for one in (*(container_requests(c) for _, c in items(spec.get("initContainers"))), *init):
        running = largest(running, one)
    overhead: Requests = {}
    for name, value in mapping(spec.get("overhead")).items():
        found = amount(value)
        if found is not None:
            overhead[str(name)] = found
    return {k: v for k, v in summed(running, overhead).items() if v}


def _pod(name: str, at: FieldPath, spec: dict[str, Any], requests: Requests,
         counts: tuple[int, int, int], cluster: bool = True) -> Pod:
    return Pod(name, at, requests, {str(k): str(v) for k, v in mapping(spec.get("nodeSelector")).items()},
               mapping(spec.get("affinity")),
               tuple(t for _, t in items(spec.get("tolerations"))), *counts, cluster=cluster)


def cluster_pods(cluster: dict[str, Any], at: FieldPath, sidecar: Requests | None = None) -> list[Pod]:
    """The head pod and each worker group's pods of a RayClusterSpec."""
    autoscaling = cluster.get("enableInTreeAutoscaling") is True
    head = mapping(cluster.get("headGroupSpec"))
    head_spec = mapping(mapping(head.get("template")).get("spec"))
    extra: list[Requests] = []
    if autoscaling:
        options = container_requests({"resources": mapping(mapping(
            cluster.get("autoscalerOptions")).get("resources"))})
        extra.append({**AUTOSCALER, **options})
    if sidecar:
        extra.append(sidecar)
    out = [_pod("head", (*at, "headGroupSpec", "template"), head_spec,
                pod_requests(head_spec, tuple(extra)), (1, 1, 1))]
    for i, group in items(cluster.get("workerGroupSpecs")):
        spec = mapping(mapping(group.get("template")).get("spec"))
        low, initial, high = replica_counts(group, autoscaling)
        n = hosts(group)
        out.append(_pod(str(group.get("groupName", f"group-{i}")),
                        (*at, "workerGroupSpecs", i, "template"), spec,
                        pod_requests(spec, init=(WAIT_GCS,)), (low * n, initial * n, high * n)))
    return out


def object_pods(obj: dict[str, Any]) -> list[Pod]:
    """Every pod an object makes: a Ray cluster's, a RayJob's submitter, and the pods of
    Kubernetes workloads (StatefulSet, Deployment, Job, Pod)."""
    kind = str(obj.get("kind"))
    spec = mapping(obj.get("spec"))
    job = job_path(kind)
    if job is not None:
        return _job_pods(obj, job)
    found = cluster_of(obj)
    if found is not None:
        return cluster_pods(found[1], found[0])
    if kind in ("StatefulSet", "Deployment", "ReplicaSet"):
        replicas = _replicas(spec.get("replicas"), 1)
        template = mapping(mapping(spec.get("template")).get("spec"))
        return [_pod(kind.lower(), ("spec", "template"), template, pod_requests(template),
                     (replicas, replicas, replicas), cluster=False)]
    if kind == "Job":
        template = mapping(mapping(spec.get("template")).get("spec"))
        parallel = _replicas(spec.get("parallelism"), 1)
        return [_pod("job", ("spec", "template"), template, pod_requests(template),
                     (parallel, parallel, parallel), cluster=False)]
    if kind == "Pod":
        return [_pod("pod", (), spec, pod_requests(spec), (1, 1, 1), cluster=False)]
    return []


def _replicas(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def _job_pods(obj: dict[str, Any], base: FieldPath) -> list[Pod]:
    job = mapping(value_at(obj, base))
    mode = job.get("submissionMode") or "K8sJobMode"
    template = mapping(job.get("submitterPodTemplate"))
    submitter = mapping(template.get("spec"))
    own = container_requests(next((c for _, c in items(submitter.get("containers"))), {}))
    requests = own or dict(SUBMITTER)
    cluster = mapping(job.get("rayClusterSpec"))
    out: list[Pod] = []
    if cluster:
        out = cluster_pods(cluster, (*base, "rayClusterSpec"),
                           sidecar=dict(SUBMITTER) if mode == "SidecarMode" else None)
    if mode == "K8sJobMode":
        spec = submitter or {}
        extra = () if own else (requests,)
        out.append(_pod("submitter", (*base, "submitterPodTemplate"), spec,
                        pod_requests(spec, extra), (1, 1, 1), cluster=False))
    return out
