"""Pod templates for Ray nodes: the Ray container first, then its sidecars; the group's
``podTemplate`` patch last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic.alias_generators import to_camel

from generator.fieldpath import FieldPath
from generator.models.cluster import NodeGroup
from generator.models.compute import ComputeTemplateSpec
from generator.models.pod import CONTAINER_FIELDS, POD_SPEC_FIELDS, EnvSource, Port, Volume
from generator.render.base import Origins
from generator.render.labels import CLUSTER_LABEL, RESTART_ANNOTATION
from generator.render.patch import MERGE_KEYS, merge


@dataclass(frozen=True)
class PodParams:
    app: str
    cluster: str
    component: str  # head | worker
    image: str
    restart_generation: int | None
    ports: tuple[tuple[str, int], ...] = ()  # the ports of a group that writes none
    image_at: FieldPath = ()  # where the cluster's image comes from in the spec
    labelled: bool = False  # a PodMonitor or a NetworkPolicy selects the pods by cluster


def pod_template(
    group: NodeGroup, template: ComputeTemplateSpec, params: PodParams,
    origins: Origins, at: FieldPath, spec_at: FieldPath,
) -> dict[str, Any]:
    """The pod template of one group; ``at`` is its rendered path, ``spec_at`` its spec path."""
    ray = (*at, "spec", "containers", 0)
    pod = _pod_spec(group, template, _container(group, template, params, origins, ray, spec_at),
                    origins, (*at, "spec"), spec_at)
    labels = dict(group.labels)
    if params.labelled:
        labels[CLUSTER_LABEL] = params.cluster
    annotations = dict(group.annotations)
    if params.restart_generation is not None:
        # Changes the pod template, so the operator's Recreate strategy rolls the pods.
        annotations[RESTART_ANNOTATION] = str(params.restart_generation)
    meta = {key: value for key, value in (("labels", labels), ("annotations", annotations))
            if value}
    origins.add(at, spec_at, keep=False)
    origins.add((*at, "metadata", "labels"), (*spec_at, "labels"))
    origins.add((*at, "metadata", "annotations"), (*spec_at, "annotations"))
    out: dict[str, Any] = {"metadata": meta, "spec": pod} if meta else {"spec": pod}
    if group.pod_template is None:
        return out
    for key in group.pod_template:
        origins.add((*at, key), (*spec_at, "podTemplate", key), keep=False)
    for key in (group.pod_template.get("spec") or {}):
        origins.add((*at, "spec", key), (*spec_at, "podTemplate", "spec", key),
                    keep=key not in MERGE_KEYS)
    patched: dict[str, Any] = merge(out, group.pod_template)
    return patched


def _container(group: NodeGroup, template: ComputeTemplateSpec, params: PodParams,
               origins: Origins, ray: FieldPath, spec_at: FieldPath) -> dict[str, Any]:
    """The Ray container: first in the pod, as KubeRay requires."""
    container: dict[str, Any] = {
        "name": group.container_name or f"ray-{params.component}",
        "image": group.image or params.image,
    }
    if group.image_pull_policy:
        container["imagePullPolicy"] = group.image_pull_policy
    for name in ("command", "args"):
        if getattr(group, name) is not None:
            container[name] = getattr(group, name)
            origins.add((*ray, name), (*spec_at, name))
    if group.env:
        container["env"] = env_list(group.env)
    if group.env_from is not None:
        container["envFrom"] = group.env_from
        origins.add((*ray, "envFrom"), (*spec_at, "envFrom"))
    ports = container_ports(params.ports, group.ports)
    if ports:
        container["ports"] = ports
    resources = template.resources()
    if resources:
        container["resources"] = resources
    mounts = [volume_mount(v) for v in group.volumes if v.mount_path]
    if mounts:
        container["volumeMounts"] = mounts
    for name in CONTAINER_FIELDS[3:]:
        value = getattr(group, name)
        if value is not None:
            key = to_camel(name)
            container[key] = value
            origins.add((*ray, key), (*spec_at, key))
    origins.add((*ray, "env"), (*spec_at, "env"), keep=False)
    for i, name in enumerate(group.env):
        origins.add((*ray, "env", i), (*spec_at, "env", name), keep=False)
    # the image a group sets, else the cluster's (its `image`, or the one its rayVersion names)
    origins.add((*ray, "image"), (*spec_at, "image") if group.image else params.image_at,
                keep=False)
    origins.add((*ray, "name"), (*spec_at, "containerName"), keep=False)
    origins.add((*ray, "resources"), (*spec_at, "computeTemplate"), keep=False)
    origins.add((*ray, "volumeMounts"), (*spec_at, "volumes"), keep=False)
    origins.add((*ray, "ports"), (*spec_at, "ports"))
    return container


def _pod_spec(group: NodeGroup, template: ComputeTemplateSpec, container: dict[str, Any],
              origins: Origins, at: FieldPath, spec_at: FieldPath) -> dict[str, Any]:
    pod: dict[str, Any] = {}
    if group.init_containers:
        pod["initContainers"] = group.init_containers
        origins.add((*at, "initContainers"), (*spec_at, "initContainers"))
    pod["containers"] = [container, *group.sidecars]
    for i in range(len(group.sidecars)):
        origins.add((*at, "containers", i + 1), (*spec_at, "sidecars", i))
    node_selector = {**template.node_selector, **group.node_selector}
    if node_selector:
        pod["nodeSelector"] = dict(sorted(node_selector.items()))
    tolerations = [*template.tolerations, *group.tolerations]
    if tolerations:
        pod["tolerations"] = [t.model_dump(by_alias=True, exclude_none=True) for t in tolerations]
    for name in POD_SPEC_FIELDS:
        value = getattr(group, name)
        if value is not None:
            key = to_camel(name)
            pod[key] = value
            origins.add((*at, key), (*spec_at, key))
    if group.image_pull_secrets:
        pod["imagePullSecrets"] = [{"name": name} for name in group.image_pull_secrets]
        origins.add((*at, "imagePullSecrets"), (*spec_at, "imagePullSecrets"), keep=False)
    if group.pod_security_context is not None:
        pod["securityContext"] = group.pod_security_context
        origins.add((*at, "securityContext"), (*spec_at, "podSecurityContext"))
    if group.volumes:
        pod["volumes"] = [pod_volume(v) for v in group.volumes]
    origins.add((*at, "volumes"), (*spec_at, "volumes"), keep=False)
    return pod


def container_ports(defaults: tuple[tuple[str, int], ...],
                    ports: list[Port] | None) -> list[dict[str, Any]]:
    """The ports as written; none written: ``defaults`` (the operator's, for a head)."""
    if ports is None:
        return [{"containerPort": number, "name": name} for name, number in defaults]
    return [port.model_dump(by_alias=True, exclude_none=True) for port in ports]


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
    elif volume.source:
        out.update(volume.source)
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
