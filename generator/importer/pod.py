"""A KubeRay group's pod template -> the spec fields of a head or worker group.

Each part goes to its spec field when the field can hold it as it is; what none can
(an unusual env, a container field without one, a second mount of a volume) goes to
the group's ``podTemplate`` patch, so that the group renders the pod it came from.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from generator.importer.common import Imported
from generator.models.pod import CONTAINER_FIELDS, POD_SPEC_FIELDS, PodFields, Volume
from generator.render.labels import RESTART_ANNOTATION, TEMPLATE_ANNOTATION
from generator.render.pod import pod_volume

RESERVED = "ray-gitops.io/"


@cache
def _adapter(field: str) -> TypeAdapter[Any]:
    annotation = PodFields.model_fields[field].annotation
    assert annotation is not None
    return TypeAdapter(annotation)


def fits(field: str, value: Any) -> bool:
    """Whether the spec field ``field`` holds ``value`` as written."""
    try:
        _adapter(field).validate_python(value)
    except ValidationError:
        return False
    return True


def ray_container(group: dict[str, Any]) -> dict[str, Any]:
    containers = ((group.get("template") or {}).get("spec") or {}).get("containers")
    first = containers[0] if isinstance(containers, list) and containers else {}
    return first if isinstance(first, dict) else {}


def import_group(group: dict[str, Any], out: Imported, hint: str, where: str,
                 shared_image: str | None, component: str) -> dict[str, Any]:
    template = copy.deepcopy(group.get("template") or {})
    pod: dict[str, Any] = template.get("spec") or {}
    containers = pod.pop("containers", None) or [{}]
    ray: dict[str, Any] = containers[0]
    patch_pod: dict[str, Any] = {}
    patch_ray: dict[str, Any] = {}
    resources = ray.pop("resources", None) or {}
    if isinstance(resources, dict) and set(resources) - {"limits", "requests"}:
        # claims (dynamic resource allocation) and the like: the patch adds them
        patch_ray["resources"] = {k: v for k, v in resources.items()
                                  if k not in ("limits", "requests")}
        resources = {k: v for k, v in resources.items() if k in ("limits", "requests")}
    result: dict[str, Any] = {
        "computeTemplate": out.template_for(resources, _template_name(template) or hint, where)}
    name = ray.pop("name", None)
    if name != f"ray-{component}":
        result["containerName"] = name
    image = ray.pop("image", None)
    if image is not None and image != shared_image:
        result["image"] = image
    _container_fields(ray, result)
    _volumes(pod, ray, result, patch_pod, patch_ray)
    _pod_fields(pod, result)
    if len(containers) > 1:
        result["sidecars"] = containers[1:]
    for key in ("labels", "annotations"):
        found = _meta(template, key)
        if found:
            result[key] = found
    meta = {k: v for k, v in (template.get("metadata") or {}).items()
            if k not in ("labels", "annotations")}
    patch_pod.update(pod)  # what no field holds
    if ray:
        patch_ray.update(ray)
    if patch_ray:
        patch_pod["containers"] = [{"name": name or f"ray-{component}", **patch_ray}]
    patch: dict[str, Any] = {}
    if meta:
        patch["metadata"] = meta
    if patch_pod:
        patch["spec"] = patch_pod
    if patch:
        result["podTemplate"] = patch
        out.notes.append(f"{where}: {', '.join(_shown(patch))} in podTemplate (no field of "
                         "its own)")
    return result


def _shown(patch: dict[str, Any]) -> list[str]:
    shown = [f"metadata.{k}" for k in patch.get("metadata", {})]
    for key, value in patch.get("spec", {}).items():
        if key == "containers":
            shown += [f"the Ray container's {k}" for k in value[0] if k != "name"]
        else:
            shown.append(key)
    return shown


def _container_fields(ray: dict[str, Any], result: dict[str, Any]) -> None:
    if "imagePullPolicy" in ray and fits("image_pull_policy", ray["imagePullPolicy"]):
        result["imagePullPolicy"] = ray.pop("imagePullPolicy")
    for field in CONTAINER_FIELDS:
        key = to_camel(field)
        if key in ray and fits(field, ray[key]):
            result[key] = ray.pop(key)
    if "env" in ray:
        env = env_map(ray["env"])
        if env is not None and fits("env", env):
            ray.pop("env")
            if env:
                result["env"] = env
    if "ports" in ray:
        ports = ray["ports"]
        if isinstance(ports, list) and fits("ports", ports):
            result["ports"] = ray.pop("ports")


def _pod_fields(pod: dict[str, Any], result: dict[str, Any]) -> None:
    for field in (*POD_SPEC_FIELDS, "node_selector", "tolerations"):
        key = to_camel(field)
        if key in pod and pod[key] is not None and fits(field, pod[key]):
            value = pod.pop(key)
            if value not in ({}, []):
                result[key] = value
    if "securityContext" in pod and fits("pod_security_context", pod["securityContext"]):
        result["podSecurityContext"] = pod.pop("securityContext")
    secrets = pod.get("imagePullSecrets")
    if isinstance(secrets, list) and all(isinstance(s, dict) and set(s) == {"name"}
                                         for s in secrets):
        names = [s["name"] for s in pod.pop("imagePullSecrets")]
        if names:
            result["imagePullSecrets"] = names
    if isinstance(pod.get("initContainers"), list) and pod["initContainers"]:
        result["initContainers"] = pod.pop("initContainers")


def _volumes(pod: dict[str, Any], ray: dict[str, Any], result: dict[str, Any],
             patch_pod: dict[str, Any], patch_ray: dict[str, Any]) -> None:
    """Volumes in the order of their mounts, then those the Ray container does not mount."""
    volumes = pod.get("volumes") or []
    mounts = ray.get("volumeMounts") or []
    if not isinstance(volumes, list) or not isinstance(mounts, list):
        return
    by_name = {v.get("name"): v for v in volumes if isinstance(v, dict)}
    counts: dict[Any, int] = {}
    for mount in mounts:
        if isinstance(mount, dict):
            counts[mount.get("name")] = counts.get(mount.get("name"), 0) + 1
    items: list[dict[str, Any]] = []
    extra_mounts = []
    for mount in mounts:
        volume = by_name.get(mount.get("name")) if isinstance(mount, dict) else None
        if volume is None or counts[mount.get("name")] > 1 or not set(mount) <= {
                "name", "mountPath", "readOnly", "subPath", "mountPropagation"}:
            extra_mounts.append(mount)
            continue
        items.append({**_volume(volume), **{k: v for k, v in mount.items() if k != "name"}})
    mounted = {item["name"] for item in items}
    items += [_volume(v) for v in volumes if isinstance(v, dict) and v.get("name") not in mounted
              and not any(isinstance(m, dict) and m.get("name") == v.get("name")
                          for m in extra_mounts)]
    kept = [v for v in volumes if isinstance(v, dict) and v.get("name") not in
            {i["name"] for i in items}]
    if not all(fits_volume(item) for item in items):
        return
    pod.pop("volumes", None)
    ray.pop("volumeMounts", None)
    if items:
        result["volumes"] = items
    if kept:
        patch_pod["volumes"] = kept
    if extra_mounts:
        patch_ray["volumeMounts"] = extra_mounts


def fits_volume(item: dict[str, Any]) -> bool:
    try:
        Volume.model_validate(item)
    except ValidationError:
        return False
    return True


def _volume(volume: dict[str, Any]) -> dict[str, Any]:
    """A pod volume as a spec volume: a typed source when it renders back the same, else
    the source as the pod has it."""
    sources = {k: v for k, v in volume.items() if k != "name"}
    for typed in _typed(sources):
        candidate = {"name": volume.get("name"), **typed}
        try:
            if pod_volume(Volume.model_validate(candidate)) == volume:
                return candidate
        except ValidationError:
            continue
    return {"name": volume.get("name"), "source": sources}


def _typed(sources: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if len(sources) != 1:
        return out
    (key, value), = sources.items()
    value = value if isinstance(value, dict) else {}
    if key == "persistentVolumeClaim" and set(value) == {"claimName"}:
        out.append({"persistentVolumeClaim": value["claimName"]})
    elif key in ("configMap", "secret"):
        name = value.get("name" if key == "configMap" else "secretName")
        typed: dict[str, Any] = {"name": name}
        if isinstance(value.get("items"), list):
            typed["items"] = {i.get("key"): i.get("path") for i in value["items"]
                              if isinstance(i, dict)}
        if "defaultMode" in value:
            typed["defaultMode"] = value["defaultMode"]
        out.append({key: typed})
    elif key == "hostPath":
        out.append({"hostPath": value})
    elif key == "emptyDir":
        out.append({"emptyDir": value})
    return out


def env_map(entries: Any) -> dict[str, Any] | None:
    """A container's env as a spec's env (name -> value or source), or None when the
    mapping would not render it back (a name twice, an entry of another shape)."""
    if not isinstance(entries, list):
        return None
    out: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or entry["name"] in out or not set(entry) <= {"name", "value", "valueFrom"}:
            return None
        name = entry["name"]
        if "valueFrom" in entry:
            source = entry["valueFrom"]
            if not isinstance(source, dict) or "value" in entry:
                return None
            if set(source) == {"fieldRef"} and isinstance(source["fieldRef"], dict) \
                    and set(source["fieldRef"]) == {"fieldPath"}:
                out[name] = {"fieldRef": source["fieldRef"]["fieldPath"]}
            else:
                out[name] = source
        elif isinstance(entry.get("value"), str):
            out[name] = entry["value"]
        else:
            return None  # no value: an empty string to Kubernetes, but written otherwise
    return out


def _meta(template: dict[str, Any], key: str) -> dict[str, Any]:
    found = (template.get("metadata") or {}).get(key) or {}
    if not isinstance(found, dict):
        return {}
    own = (TEMPLATE_ANNOTATION, RESTART_ANNOTATION)
    return {k: v for k, v in found.items() if not str(k).startswith(RESERVED) and k not in own}


def _template_name(template: dict[str, Any]) -> str | None:
    """The compute template a pod was rendered from, when ray-gitops rendered it."""
    name = ((template.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_ANNOTATION)
    return str(name) if name else None
