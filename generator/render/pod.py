"""Pod templates for Ray nodes: the Ray container first, requests equal to limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.fieldpath import FieldPath
from generator.models.cluster import EnvSource, NodeGroup, Port, Volume
from generator.models.compute import ComputeTemplateSpec
from generator.render.base import Origins
from generator.render.labels import RESTART_ANNOTATION, TEMPLATE_ANNOTATION, pod_labels


@dataclass(frozen=True)
class PodParams:
    app: str
    cluster: str
    component: str  # head | worker
    image: str
    restart_generation: int | None
    ports: tuple[tuple[str, int], ...] = ()
    image_at: FieldPath = ()  # where the cluster's image comes from in the spec


def pod_template(
    group: NodeGroup, template: ComputeTemplateSpec, params: PodParams,
    origins: Origins, at: FieldPath, spec_at: FieldPath,
) -> dict[str, Any]:
    """The pod template of one group; ``at`` is its rendered path, ``spec_at`` its spec path."""
    container: dict[str, Any] = {
        "name": f"ray-{params.component}",
        "image": group.image or params.image,
    }
    if group.image_pull_policy:
        container["imagePullPolicy"] = group.image_pull_policy
    if group.env:
        container["env"] = env_list(group.env)
    ports = container_ports(params.ports, group.ports)
    if ports:
        container["ports"] = ports
    resources = template.resources()
    container["resources"] = {"limits": dict(resources), "requests": dict(resources)}
    if group.volumes:
        container["volumeMounts"] = [volume_mount(v) for v in group.volumes]

    pod: dict[str, Any] = {}
    if group.service_account_name:
        pod["serviceAccountName"] = group.service_account_name
    pod["containers"] = [container]
    node_selector = {**template.node_selector, **group.node_selector}
    if node_selector:
        pod["nodeSelector"] = dict(sorted(node_selector.items()))
    tolerations = [*template.tolerations, *group.tolerations]
    if tolerations:
        pod["tolerations"] = [t.model_dump(by_alias=True, exclude_none=True) for t in tolerations]
    if group.volumes:
        pod["volumes"] = [pod_volume(v) for v in group.volumes]

    annotations = {TEMPLATE_ANNOTATION: group.compute_template, **group.annotations}
    if params.restart_generation is not None:
        # Changes the pod template, so the operator's Recreate strategy rolls the pods.
        annotations[RESTART_ANNOTATION] = str(params.restart_generation)
    meta = {
        "labels": pod_labels(params.app, params.cluster, params.component, group.labels),
        "annotations": dict(sorted(annotations.items())),
    }
    ray = (*at, "spec", "containers", 0)
    origins.add(at, spec_at, keep=False)
    origins.add((*at, "metadata", "labels"), (*spec_at, "labels"), keep=False)
    origins.add((*at, "metadata", "annotations"), (*spec_at, "annotations"), keep=False)
    origins.add((*ray, "env"), (*spec_at, "env"), keep=False)
    for i, name in enumerate(group.env):
        origins.add((*ray, "env", i), (*spec_at, "env", name), keep=False)
    # the image a group sets, else the cluster's (its `image`, or the one its rayVersion names)
    origins.add((*ray, "image"), (*spec_at, "image") if group.image else params.image_at,
                keep=False)
    origins.add((*ray, "resources"), (*spec_at, "computeTemplate"), keep=False)
    origins.add((*ray, "volumeMounts"), (*spec_at, "volumes"))
    origins.add((*ray, "ports"), (*spec_at, "ports"), keep=False)
    origins.add((*at, "spec", "volumes"), (*spec_at, "volumes"), keep=False)
    return {"metadata": meta, "spec": pod}


def container_ports(defaults: tuple[tuple[str, int], ...], ports: list[Port]) -> list[dict[str, Any]]:
    """The well-known ports, then the spec's; a spec port that takes a well-known port's name
    or number replaces it (a pod repeating either is refused by the API server)."""
    names = {port.name for port in ports}
    numbers = {port.container_port for port in ports if (port.protocol or "TCP") == "TCP"}
    out = [{"containerPort": number, "name": name} for name, number in defaults
           if name not in names and number not in numbers]
    return out + [port.model_dump(by_alias=True, exclude_none=True) for port in ports]


def env_list(env: dict[str, Any]) -> list[dict[str, Any]]:
    """The env entries in the order written: Kubernetes expands ``$(NAME)`` in a value only
    from entries above it."""
    out = []
    for name in env:
        value = env[name]
        if isinstance(value, EnvSource):
            out.append({"name": name, "valueFrom": env_source(value)})
        else:
            out.append({"name": name, "value": value})
    return out


def env_source(source: EnvSource) -> dict[str, Any]:
    if source.secret_key_ref:
        return {"secretKeyRef": source.secret_key_ref.model_dump(exclude_none=True)}
    if source.config_map_key_ref:
        return {"configMapKeyRef": source.config_map_key_ref.model_dump(exclude_none=True)}
    if source.field_ref:
        return {"fieldRef": {"fieldPath": source.field_ref}}
    assert source.resource_field_ref is not None
    return {"resourceFieldRef": source.resource_field_ref.model_dump(by_alias=True, exclude_none=True)}


def volume_mount(volume: Volume) -> dict[str, Any]:
    mount: dict[str, Any] = {"name": volume.name, "mountPath": volume.mount_path}
    if volume.read_only:
        mount["readOnly"] = True
    if volume.sub_path:
        mount["subPath"] = volume.sub_path
    if volume.mount_propagation:
        mount["mountPropagation"] = volume.mount_propagation
    return mount


def pod_volume(volume: Volume) -> dict[str, Any]:
    """The APIServer's volume types, as it converts them (apiserver/pkg/util/cluster.go)."""
    out: dict[str, Any] = {"name": volume.name}
    if volume.persistent_volume_claim:
        claim: dict[str, Any] = {"claimName": volume.persistent_volume_claim}
        if volume.read_only:
            claim["readOnly"] = True
        out["persistentVolumeClaim"] = claim
    elif volume.config_map:
        source = volume.config_map
        out["configMap"] = _projected("name", source.name, source.items, source.default_mode)
    elif volume.secret:
        source_ = volume.secret
        out["secret"] = _projected("secretName", source_.name, source_.items, source_.default_mode)
    elif volume.host_path:
        out["hostPath"] = {"path": volume.host_path.path, "type": volume.host_path.type}
    elif volume.empty_dir:
        out["emptyDir"] = volume.empty_dir.model_dump(by_alias=True, exclude_none=True)
    elif volume.ephemeral:
        eph = volume.ephemeral
        claim_spec: dict[str, Any] = {"accessModes": [eph.access_mode]}
        if eph.storage_class_name:
            claim_spec["storageClassName"] = eph.storage_class_name
        claim_spec["resources"] = {"requests": {"storage": eph.size}}
        out["ephemeral"] = {"volumeClaimTemplate": {"spec": claim_spec}}
    return out


def _projected(key: str, name: str, items: dict[str, str], mode: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {key: name}
    if items:
        out["items"] = [{"key": k, "path": items[k]} for k in sorted(items)]
    if mode is not None:
        out["defaultMode"] = mode
    return out
