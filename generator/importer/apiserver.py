"""KubeRay APIServer V1 JSON payloads: compute templates and clusters -> specs."""

from __future__ import annotations

from typing import Any

from generator.errors import Unsupported
from generator.importer.common import (
    ACCESS_MODES,
    OWN_ANNOTATIONS,
    VOLUME_TYPES,
    Imported,
    dns_name,
    document,
    legacy_fault_tolerance,
    version_from_image,
)
from generator.kuberay.kinds import RAY_CLUSTER
from generator.kuberay.vocabulary import FT_ENABLED


def import_apiserver(doc: dict[str, Any], out: Imported, source: str) -> None:
    if "clusterSpec" in doc:
        _cluster(doc, out, source)
    else:
        _compute_template(doc, out, source)


def _compute_template(doc: dict[str, Any], out: Imported, source: str) -> None:
    spec = {"cpu": doc.get("cpu", 1), "memory": _memory(doc)}
    if doc.get("gpu"):
        spec["gpu"] = doc["gpu"]
    accelerator = doc.get("gpuAccelerator") or doc.get("gpu_accelerator")
    if accelerator:
        spec["gpuAccelerator"] = accelerator
    extended = doc.get("extendedResources") or doc.get("extended_resources")
    if extended:
        spec["extendedResources"] = extended
    if doc.get("tolerations"):
        spec["tolerations"] = doc["tolerations"]
    name = dns_name(doc.get("name", "template"))
    if out.templates.get(name, spec) != spec:
        raise Unsupported(f"{source}: two compute templates named {name!r}")
    out.templates[name] = spec


def _cluster(doc: dict[str, Any], out: Imported, source: str) -> None:
    where = f"{source}: cluster {doc.get('name')}"
    cluster = doc["clusterSpec"]
    meta: dict[str, Any] = {"name": dns_name(doc.get("name", "cluster"))}
    if doc.get("namespace"):
        meta["namespace"] = doc["namespace"]
    if doc.get("annotations"):
        annotations = {k: v for k, v in doc["annotations"].items() if k not in OWN_ANNOTATIONS}
        if annotations:
            meta["annotations"] = annotations
    labels = {k: dns_name(str(v)) for k, v in (("ray.io/user", doc.get("user")),
                                           ("ray.io/environment", doc.get("environment"))) if v}
    if labels:
        meta["labels"] = labels
    body: dict[str, Any] = {}
    if doc.get("version"):
        body["rayVersion"] = doc["version"]
    head = cluster.get("headGroupSpec") or {}
    if head.get("serviceType"):
        body["headServiceType"] = head["serviceType"]
    if cluster.get("enableInTreeAutoscaling"):
        options = cluster.get("autoscalerOptions") or {}
        body["autoscaling"] = {k: v for k, v in options.items()
                               if k in ("idleTimeoutSeconds", "upscalingMode", "cpu", "memory")}
    ft = (doc.get("annotations") or {}).get(FT_ENABLED) == "true"
    head_group = _apiserver_group(head, where + " head")
    if ft:
        body["faultTolerance"] = legacy_fault_tolerance(head_group, out, where)
    body["head"] = head_group
    workers = []
    for group in cluster.get("workerGroupSpec") or []:
        worker = {"name": group.get("groupName", "workers")}
        for key in ("replicas", "minReplicas", "maxReplicas"):
            if key in group:
                worker[key] = group[key]
        worker.update(_apiserver_group(group, where))
        workers.append(worker)
    if workers:
        body["workerGroups"] = workers
    out.lift_image(body)
    version_from_image(body)
    out.specs.append(document(RAY_CLUSTER, meta, body))


def _memory(doc: dict[str, Any]) -> Any:
    unit = doc.get("memoryUnit") or doc.get("memory_unit")
    memory = doc.get("memory", 1)
    return f"{memory}{unit}" if unit else memory  # a bare number is GiB, as in the APIServer


def _apiserver_group(group: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"computeTemplate": dns_name(group.get("computeTemplate", "template"))}
    if group.get("image"):
        out["image"] = group["image"]
    if group.get("rayStartParams"):
        out["rayStartParams"] = group["rayStartParams"]
    environment = group.get("environment") or {}
    env: dict[str, Any] = dict(environment.get("values") or {})
    sources = {0: "configMapKeyRef", 1: "secretKeyRef"}
    for name, ref in (environment.get("valuesFrom") or {}).items():
        kind = sources.get(ref.get("source", 0), "configMapKeyRef")
        env[name] = {kind: {"name": ref.get("name"), "key": ref.get("key")}}
    if env:
        out["env"] = env
    volumes = [_apiserver_volume(v) for v in group.get("volumes") or []]
    if volumes:
        out["volumes"] = volumes
    for key in ("serviceAccount", "labels", "annotations", "nodeSelector"):
        if group.get(key):
            out["serviceAccountName" if key == "serviceAccount" else key] = group[key]
    return out


def _apiserver_volume(volume: dict[str, Any]) -> dict[str, Any]:
    kind = volume.get("volumeType", 0)
    kind = VOLUME_TYPES.get(kind, kind) if isinstance(kind, int) else kind
    out: dict[str, Any] = {"name": volume.get("name"), "mountPath": volume.get("mountPath")}
    if volume.get("readOnly"):
        out["readOnly"] = True
    source = volume.get("source")
    items = volume.get("items") or {}
    if kind == "PERSISTENT_VOLUME_CLAIM":
        out["persistentVolumeClaim"] = source
    elif kind in ("CONFIGMAP", "SECRET"):
        key = "configMap" if kind == "CONFIGMAP" else "secret"
        out[key] = {"name": source, **({"items": items} if items else {})}
    elif kind == "HOST_PATH":
        path_type = "File" if volume.get("hostPathType") in ("FILE", 1) else "Directory"
        out["hostPath"] = {"path": source, "type": path_type}
    elif kind == "EMPTY_DIR":
        out["emptyDir"] = {"sizeLimit": volume["storage"]} if volume.get("storage") else {}
    elif kind == "EPHEMERAL":
        ephemeral = {"size": volume.get("storage", "1Gi")}
        if volume.get("storageClassName"):
            ephemeral["storageClassName"] = volume["storageClassName"]
        mode = volume.get("accessMode")
        if mode is not None:
            ephemeral["accessMode"] = ACCESS_MODES.get(mode, "ReadWriteOnce")
        out["ephemeral"] = ephemeral
    return out
