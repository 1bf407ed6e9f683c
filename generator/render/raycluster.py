"""RayCluster, and the cluster spec that RayService and RayJob embed."""

from __future__ import annotations

from typing import Any

from ..spec.models.cluster import ClusterBody, RayCluster, WorkerGroup
from ..spec.parse import Spec
from ..spec.ref import Path_
from .base import Context, Origins, Rendered, metadata
from .labels import object_labels
from .pod import HEAD_PORTS, PodParams, env_list, pod_template

AUTOSCALER_CPU = "500m"  # the APIServer's defaults for the autoscaler container
AUTOSCALER_MEMORY = "512Mi"


def render_raycluster(spec: Spec, ctx: Context) -> list[Rendered]:
    model: RayCluster = spec.model
    origins = Origins()
    origins.add(("metadata",), ("metadata",))
    body = cluster_spec(model.spec, spec, ctx, origins, at=("spec",), spec_at=("spec",))
    body["upgradeStrategy"] = {"type": model.spec.upgrade_strategy}
    origins.add(("spec", "upgradeStrategy"), ("spec", "upgradeStrategy"), keep=False)
    labels = object_labels(spec.app, spec.name, "ray-cluster", model.metadata.labels)
    obj = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": metadata(spec.name, spec.namespace, labels, model.metadata.annotations),
        "spec": body,
    }
    return [Rendered(obj, spec, origins)]


def cluster_spec(
    body: ClusterBody, spec: Spec, ctx: Context, origins: Origins, *,
    at: Path_, spec_at: Path_, head_ports: tuple[tuple[str, int], ...] = HEAD_PORTS,
) -> dict[str, Any]:
    """A KubeRay RayClusterSpec from a cluster body."""
    ray_version = body.ray_version or ctx.settings.ray_version
    image = body.image or f"rayproject/ray:{ray_version}"
    autoscaling = body.autoscaling_enabled
    origins.add(at, spec_at)
    origins.add((*at, "rayVersion"), (*spec_at, "rayVersion"), keep=False)

    def params(component: str, ports: tuple[tuple[str, int], ...] = ()) -> PodParams:
        return PodParams(spec.app, spec.name, component, image, body.restart_generation, ports)

    out: dict[str, Any] = {"rayVersion": ray_version}
    if autoscaling:
        out["enableInTreeAutoscaling"] = True
        out["autoscalerOptions"] = autoscaler_options(body)
        origins.add((*at, "autoscalerOptions"), (*spec_at, "autoscaling"))
        origins.add((*at, "enableInTreeAutoscaling"), (*spec_at, "autoscaling"), keep=False)
    if body.head_service_annotations:
        out["headServiceAnnotations"] = dict(sorted(body.head_service_annotations.items()))
    if body.suspend is not None:
        out["suspend"] = body.suspend

    head_at = (*at, "headGroupSpec")
    head_spec_at = (*spec_at, "head")
    head = body.head
    head_out: dict[str, Any] = {}
    if body.head_service_type:
        head_out["serviceType"] = body.head_service_type
        origins.add((*head_at, "serviceType"), (*spec_at, "headServiceType"))
    _ray_fields(head_out, head.ray_start_params, head.ray_resources, head.ray_labels)
    template = ctx.compute_template(head.compute_template, spec.namespace)
    head_out["template"] = pod_template(
        head, template, params("head", head_ports), origins, (*head_at, "template"), head_spec_at
    )
    _group_origins(origins, head_at, head_spec_at)
    out["headGroupSpec"] = head_out

    if body.worker_groups:
        out["workerGroupSpecs"] = [
            worker_group(group, i, body, ctx, spec, origins, at, spec_at, params("worker"))
            for i, group in enumerate(body.worker_groups)
        ]
    return out


def worker_group(
    group: WorkerGroup, index: int, body: ClusterBody, ctx: Context, spec: Spec,
    origins: Origins, at: Path_, spec_at: Path_, params: PodParams,
) -> dict[str, Any]:
    low, high = group.bounds(body.autoscaling_enabled)
    out: dict[str, Any] = {
        "groupName": group.name,
        "replicas": group.replicas,
        "minReplicas": low,
        "maxReplicas": high,
    }
    if group.num_of_hosts != 1:
        out["numOfHosts"] = group.num_of_hosts
    if group.idle_timeout_seconds is not None:
        out["idleTimeoutSeconds"] = group.idle_timeout_seconds
    _ray_fields(out, group.ray_start_params, group.ray_resources, group.ray_labels)
    group_at = (*at, "workerGroupSpecs", index)
    group_spec_at = (*spec_at, "workerGroups", index)
    template = ctx.compute_template(group.compute_template, spec.namespace)
    out["template"] = pod_template(
        group, template, params, origins, (*group_at, "template"), group_spec_at
    )
    _group_origins(origins, group_at, group_spec_at)
    origins.add((*group_at, "groupName"), (*group_spec_at, "name"), keep=False)
    return out


def _ray_fields(
    out: dict[str, Any], params: dict[str, str], resources: dict[str, str], labels: dict[str, str]
) -> None:
    if params:
        out["rayStartParams"] = dict(sorted(params.items()))
    if resources:
        out["resources"] = dict(sorted(resources.items()))
    if labels:
        out["labels"] = dict(sorted(labels.items()))


def _group_origins(origins: Origins, at: Path_, spec_at: Path_) -> None:
    origins.add(at, spec_at)
    origins.add((*at, "resources"), (*spec_at, "rayResources"))
    origins.add((*at, "labels"), (*spec_at, "rayLabels"))


def autoscaler_options(body: ClusterBody) -> dict[str, Any]:
    options = body.autoscaling
    assert options is not None
    out: dict[str, Any] = {}
    if options.version:
        out["version"] = options.version
    if options.upscaling_mode:
        out["upscalingMode"] = options.upscaling_mode
    if options.idle_timeout_seconds is not None:
        out["idleTimeoutSeconds"] = options.idle_timeout_seconds
    if options.image:
        out["image"] = options.image
    if options.cpu or options.memory:
        amounts = {
            "cpu": options.cpu or AUTOSCALER_CPU,
            "memory": options.memory or AUTOSCALER_MEMORY,
        }
        out["resources"] = {"limits": dict(amounts), "requests": dict(amounts)}
    if options.env:
        out["env"] = env_list(options.env)
    return out
