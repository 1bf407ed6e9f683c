"""RayCluster, and the cluster spec that RayService and RayJob embed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from generator.fieldpath import FieldPath
from generator.kuberay.kinds import RAY_CLUSTER, REDIS_SPEC, VOLUME_SPEC
from generator.kuberay.vocabulary import (
    EXTERNAL_STORAGE_NAMESPACE,
    FT_ENABLED,
    GCS_FT_DELETION_TIMEOUT,
    HEAD_PORTS,
    RAY_REDIS_ADDRESS,
    REDIS_PASSWORD,
    REDIS_PORT,
    SERVE_PORT,
)
from generator.models.base import KeyRef, SecretKeyRef
from generator.models.cluster import (
    ClusterBody,
    EnvSource,
    FaultTolerance,
    NodeGroup,
    RayCluster,
    WorkerGroup,
)
from generator.models.parse import Spec
from generator.render.base import Context, Generated, Origins, Rendered, metadata
from generator.render.kueue import queued
from generator.render.labels import object_labels
from generator.render.monitoring import pod_monitors
from generator.render.pod import PodParams, env_list, pod_template
from generator.render.waves import CONFIG, wave

G = TypeVar("G", bound=NodeGroup)
AUTOSCALER_CPU = "500m"  # the APIServer's defaults for the autoscaler container
AUTOSCALER_MEMORY = "512Mi"


def render_raycluster(spec: Spec, ctx: Context) -> list[Rendered | Generated]:
    model: RayCluster = spec.model
    origins = Origins()
    origins.add(("metadata",), ("metadata",))
    annotations = dict(model.metadata.annotations)
    body = cluster_spec(model.spec, spec, ctx, origins, at=("spec",), spec_at=("spec",),
                        owner_annotations=annotations)
    # upgradeStrategy is new in KubeRay 1.6: before it, only one written on purpose is
    # rendered (and then refused, at the spec's line, as a field that release lacks).
    # None is what the operator does without the field: none is rendered.
    strategy = model.spec.upgrade_strategy
    if strategy == "Recreate" and (ctx.settings.target.since("1.6")
                                   or "upgrade_strategy" in model.spec.model_fields_set):
        body["upgradeStrategy"] = {"type": strategy}
    origins.add(("spec", "upgradeStrategy"), ("spec", "upgradeStrategy"), keep=False)
    labels = object_labels(spec.app, spec.name, "ray-cluster", model.metadata.labels)
    obj = {
        "apiVersion": "ray.io/v1",
        "kind": RAY_CLUSTER,
        "metadata": metadata(spec.name, spec.namespace, labels, annotations),
        "spec": body,
    }
    return [Rendered(queued(obj, model.spec.queue), spec, origins),
            *generated_configmaps(model.spec, spec, ctx), *pod_monitors(spec)]


def generated_configmaps(body: ClusterBody, spec: Spec, ctx: Context) -> list[Generated]:
    """ConfigMaps built from files in the repository (``configMap.files``)."""
    out: dict[str, Generated] = {}
    for _, group in body.groups():
        for volume in group.volumes:
            source = volume.config_map
            if source is None or not source.files or source.name in out:
                continue
            files = {Path(name).name: ctx.index.file(spec, name) for name in source.files}
            labels = object_labels(spec.app, source.name, "config", {})
            out[source.name] = Generated(source.name, files, labels, wave({}, CONFIG), spec)
    return list(out.values())


def cluster_spec(
    body: ClusterBody, spec: Spec, ctx: Context, origins: Origins, *,
    at: FieldPath, spec_at: FieldPath, owner_annotations: dict[str, str],
    head_ports: tuple[tuple[str, int], ...] = (*HEAD_PORTS, SERVE_PORT),
) -> dict[str, Any]:
    """A KubeRay RayClusterSpec from a cluster body.

    ``owner_annotations`` (of the RayCluster, or of the RayService or RayJob that
    creates one) receive what the legacy fault-tolerance method puts there."""
    ray_version = body.ray_version or ctx.settings.ray_version
    image = body.image or f"rayproject/ray:{ray_version}"
    origins.add(at, spec_at)
    origins.add((*at, "rayVersion"), (*spec_at, "rayVersion"), keep=False)

    image_at = (*spec_at, "image") if body.image else (
        (*spec_at, "rayVersion") if body.ray_version else ())

    # the pods carry the cluster's label when something selects them by it
    labelled = bool(body.monitoring and body.monitoring.enabled) or bool(
        body.fault_tolerance and body.fault_tolerance.redis) or ctx.index.admitted(spec.name)

    def params(component: str, ports: tuple[tuple[str, int], ...] = ()) -> PodParams:
        return PodParams(spec.app, spec.name, component, image, body.restart_generation, ports,
                         image_at, labelled)

    # rayVersion as written; unwritten, the settings' when it names an image in use
    out: dict[str, Any] = {}
    if body.ray_version or (not body.image and any(g.image is None for _, g in body.groups())):
        out["rayVersion"] = ray_version
    _cluster_options(out, body, origins, at, spec_at)
    out["headGroupSpec"] = _head_group(body, spec, ctx, out, owner_annotations, origins, at,
                                       spec_at, params("head", head_ports))

    if body.worker_groups:
        out["workerGroupSpecs"] = [
            worker_group(group, i, body, ctx, spec, origins, at, spec_at, params("worker"))
            for i, group in enumerate(body.worker_groups)
        ]
    return out


def _cluster_options(out: dict[str, Any], body: ClusterBody, origins: Origins, at: FieldPath,
                     spec_at: FieldPath) -> None:
    """The cluster's own fields: autoscaling, the head service's annotations, suspend, auth."""
    if body.autoscaling_enabled:
        out["enableInTreeAutoscaling"] = True
        out["autoscalerOptions"] = autoscaler_options(body)
        origins.add((*at, "autoscalerOptions"), (*spec_at, "autoscaling"))
        origins.add((*at, "enableInTreeAutoscaling"), (*spec_at, "autoscaling"), keep=False)
    if body.head_service_annotations:
        out["headServiceAnnotations"] = dict(sorted(body.head_service_annotations.items()))
    if body.suspend is not None:
        out["suspend"] = body.suspend
    if body.auth_options is not None:
        out["authOptions"] = body.auth_options.model_dump(by_alias=True, exclude_none=True)
        origins.add((*at, "authOptions"), (*spec_at, "authOptions"))


def _head_group(body: ClusterBody, spec: Spec, ctx: Context, out: dict[str, Any],
                owner_annotations: dict[str, str], origins: Origins, at: FieldPath,
                spec_at: FieldPath, params: PodParams) -> dict[str, Any]:
    """The headGroupSpec; fault tolerance also sets the cluster's options in ``out`` and the
    owner's annotations."""
    head_at = (*at, "headGroupSpec")
    head_spec_at = (*spec_at, "head")
    head = with_claims(body.head, spec, ctx)
    if body.fault_tolerance:
        head = fault_tolerance(body.fault_tolerance, head, out, owner_annotations, spec, ctx)
        ft_at = (*spec_at, "faultTolerance")
        origins.add((*at, "gcsFaultToleranceOptions"), ft_at, keep=False)
        for name in FT_ENV:
            if name in head.env:
                index = list(head.env).index(name)
                env_at = (*head_at, "template", "spec", "containers", 0, "env", index)
                origins.add(env_at, ft_at, keep=False)
    head_out: dict[str, Any] = {}
    if body.head_service_type:
        head_out["serviceType"] = body.head_service_type
        origins.add((*head_at, "serviceType"), (*spec_at, "headServiceType"))
    if body.head_service is not None:
        head_out["headService"] = body.head_service
        origins.add((*head_at, "headService"), (*spec_at, "headService"))
    _ray_fields(head_out, head.ray_start_params, head.ray_resources, head.ray_labels)
    template = ctx.compute_template(head.compute_template, spec.namespace)
    head_out["template"] = pod_template(
        head, template, params, origins, (*head_at, "template"), head_spec_at
    )
    _group_origins(origins, head_at, head_spec_at)
    if body.fault_tolerance and body.fault_tolerance.method == "legacy":
        origins.add((*head_at, "rayStartParams", "redis-password"), (*spec_at, "faultTolerance"),
                    keep=False)
    return head_out


def worker_group(
    group: WorkerGroup, index: int, body: ClusterBody, ctx: Context, spec: Spec,
    origins: Origins, at: FieldPath, spec_at: FieldPath, params: PodParams,
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
    group = with_claims(group, spec, ctx)
    template = ctx.compute_template(group.compute_template, spec.namespace)
    out["template"] = pod_template(
        group, template, params, origins, (*group_at, "template"), group_spec_at
    )
    _group_origins(origins, group_at, group_spec_at)
    origins.add((*group_at, "groupName"), (*group_spec_at, "name"), keep=False)
    return out


FT_ENV = (RAY_REDIS_ADDRESS, REDIS_PASSWORD)


def fault_tolerance(
    ft: FaultTolerance, head: G, out: dict[str, Any], owner_annotations: dict[str, str],
    spec: Spec, ctx: Context,
) -> G:
    """Wire GCS fault tolerance, by KubeRay's options field or the legacy way (common/pod.go,
    configureGCSFaultTolerance)."""
    if ft.redis:
        address = f"{ft.redis}:{REDIS_PORT}"  # namespace-relative: an overlay's namespace keeps it
        redis = ctx.index.get(REDIS_SPEC, ft.redis, spec.namespace)
        assert redis is not None
        password, username = redis.model.spec.password_secret, None
    else:
        assert ft.external is not None
        address = ft.external.address
        password, username = ft.external.password_secret, ft.external.username_secret
    if ft.deletion_timeout_seconds is not None:
        owner_annotations[GCS_FT_DELETION_TIMEOUT] = str(ft.deletion_timeout_seconds)
    if ft.method == "options":
        options: dict[str, Any] = {"redisAddress": address}
        if password:  # a Redis without a password (one in the head pod, on 127.0.0.1)
            options["redisPassword"] = {"valueFrom": _secret_ref(password)}
        if username:
            options["redisUsername"] = {"valueFrom": _secret_ref(username)}
        if ft.external_storage_namespace:
            options["externalStorageNamespace"] = ft.external_storage_namespace
        out["gcsFaultToleranceOptions"] = options
        return head
    # legacy: the annotation, RAY_REDIS_ADDRESS and redis-password (the APIServer V1 way)
    owner_annotations[FT_ENABLED] = "true"
    if ft.external_storage_namespace:
        owner_annotations[EXTERNAL_STORAGE_NAMESPACE] = ft.external_storage_namespace
    # first, so that the user's env may refer to them as $(RAY_REDIS_ADDRESS)
    env: dict[str, Any] = {RAY_REDIS_ADDRESS: address}
    params = dict(head.ray_start_params)
    if password:
        env[REDIS_PASSWORD] = EnvSource(secret_key_ref=KeyRef(name=password.name,
                                                              key=password.key))
        params["redis-password"] = "$REDIS_PASSWORD"
    env.update(head.env)
    return head.model_copy(update={"env": env, "ray_start_params": params})


def _secret_ref(ref: SecretKeyRef) -> dict[str, Any]:
    return {"secretKeyRef": {"name": ref.name, "key": ref.key}}


def with_claims(group: G, spec: Spec, ctx: Context) -> G:
    """Volumes on a PersistentVolume spec mount that volume's claim."""
    if not any(v.persistent_volume for v in group.volumes):
        return group
    volumes = []
    for volume in group.volumes:
        if volume.persistent_volume:
            found = ctx.index.get(VOLUME_SPEC, volume.persistent_volume, spec.namespace)
            assert found is not None and found.model.claim_name
            volume = volume.model_copy(
                update={"persistent_volume_claim": found.model.claim_name, "persistent_volume": None})
        volumes.append(volume)
    return group.model_copy(update={"volumes": volumes})


def _ray_fields(
    out: dict[str, Any], params: dict[str, str], resources: dict[str, str], labels: dict[str, str]
) -> None:
    if params:
        out["rayStartParams"] = dict(sorted(params.items()))
    if resources:
        out["resources"] = dict(sorted(resources.items()))
    if labels:
        out["labels"] = dict(sorted(labels.items()))


def _group_origins(origins: Origins, at: FieldPath, spec_at: FieldPath) -> None:
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
    if options.resources is not None:
        out["resources"] = options.resources
    elif options.cpu or options.memory:
        amounts = {
            "cpu": options.cpu or AUTOSCALER_CPU,
            "memory": options.memory or AUTOSCALER_MEMORY,
        }
        out["resources"] = {"limits": dict(amounts), "requests": dict(amounts)}
    if options.env:
        out["env"] = env_list(options.env)
    for key, value in (("imagePullPolicy", options.image_pull_policy),
                       ("securityContext", options.security_context), ("envFrom", options.env_from),
                       ("command", options.command), ("args", options.args),
                       ("volumeMounts", options.volume_mounts)):
        if value is not None:
            out[key] = value
    return out

RENDERERS = {RAY_CLUSTER: render_raycluster}
