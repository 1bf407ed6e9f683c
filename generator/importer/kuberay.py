"""``ray.io/v1`` RayCluster, RayService and RayJob manifests -> specs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.errors import Unsupported
from generator.importer.common import (
    CONTAINER_KEYS,
    POD_KEYS,
    Imported,
    document,
    embedded_yaml,
    legacy_fault_tolerance,
    metadata,
    quantity,
    version_from_image,
)
from generator.kuberay.kinds import (
    JOB_CLUSTER,
    JOB_TEMPLATE,
    KINDS,
    RAY_CLUSTER,
    RAY_CRON_JOB,
    RAY_JOB,
    RAY_SERVICE,
    SERVICE_CLUSTER,
)
from generator.kuberay.vocabulary import (
    EXTERNAL_STORAGE_NAMESPACE,
    FT_ENABLED,
    GCS_FT_DELETION_TIMEOUT,
    HEAD_PORTS,
    RAY_CLUSTER_LABEL,
    SERVE_PORT,
)
from generator.render.labels import RESTART_ANNOTATION, TEMPLATE_ANNOTATION

WELL_KNOWN_PORTS = {port for _, port in (*HEAD_PORTS, SERVE_PORT)}  # the operator's own


@dataclass(frozen=True)
class Source:
    """One manifest being imported: its metadata as a spec has it, its spec, and where it is
    (for notes)."""

    meta: dict[str, Any]
    spec: dict[str, Any]
    where: str
    annotations: dict[str, Any]


def import_kuberay(doc: dict[str, Any], out: Imported, source: str) -> None:
    kind = doc.get("kind")
    meta = metadata(doc.get("metadata") or {})
    found = IMPORTERS.get(str(kind))
    if found is None:
        raise Unsupported(f"{source}: ray.io/v1 {kind} is not a kind ray-gitops imports")
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    body = found(Source(meta, doc.get("spec") or {}, f"{source}: {kind} {meta['name']}",
                        annotations), out)
    out.specs.append(document(str(kind), meta, body))


def _raycluster(src: Source, out: Imported) -> dict[str, Any]:
    body = _cluster(src.spec, out, src.meta["name"], src.where, src.annotations)
    strategy = (src.spec.get("upgradeStrategy") or {}).get("type")
    if strategy:
        body["upgradeStrategy"] = strategy
    return body


def _rayservice(src: Source, out: Imported) -> dict[str, Any]:
    spec = src.spec
    service: dict[str, Any] = {}
    strategy = spec.get("upgradeStrategy") or {}
    if strategy:
        service["upgradeStrategy"] = {"type": strategy.get("type", "NewCluster"),
                                      **(strategy.get("clusterUpgradeOptions") or {})}
    for key in ("excludeHeadPodFromServeSvc", "rayClusterDeletionDelaySeconds"):
        if key in spec:
            service[key] = spec[key]
    service["serveConfig"] = embedded_yaml(spec.get("serveConfigV2") or "applications: []", src.where)
    service["cluster"] = _cluster(spec.get(SERVICE_CLUSTER) or {}, out, src.meta["name"], src.where,
                                  src.annotations)
    return service


def _rayjob(src: Source, out: Imported) -> dict[str, Any]:
    return _job(src.spec, out, src.meta["name"], src.where, src.annotations)


def _raycronjob(src: Source, out: Imported) -> dict[str, Any]:
    cron: dict[str, Any] = {key: src.spec[key] for key in ("schedule", "timeZone", "suspend")
                            if key in src.spec}
    cron["job"] = _job(src.spec.get(JOB_TEMPLATE) or {}, out, src.meta["name"], src.where,
                       src.annotations)
    return cron


# each KubeRay kind's importer: its spec's body from the manifest
IMPORTERS: dict[str, Callable[[Source, Imported], dict[str, Any]]] = {
    RAY_CLUSTER: _raycluster, RAY_SERVICE: _rayservice, RAY_JOB: _rayjob,
    RAY_CRON_JOB: _raycronjob}
assert set(IMPORTERS) == set(KINDS), "every KubeRay kind has its importer"


def _job(spec: dict[str, Any], out: Imported, name: str, where: str,
         annotations: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = {"entrypoint": spec["entrypoint"]} if spec.get("entrypoint") else {}
    if spec.get("runtimeEnvYAML"):
        job["runtimeEnv"] = embedded_yaml(spec["runtimeEnvYAML"], where)
    for key in ("shutdownAfterJobFinishes", "ttlSecondsAfterFinished", "activeDeadlineSeconds",
                "backoffLimit", "submissionMode", "suspend", "jobId", "metadata"):
        if key in spec:
            job[key] = spec[key]
    resources = {k: v for k, v in (("numCpus", spec.get("entrypointNumCpus")),
                                   ("numGpus", spec.get("entrypointNumGpus"))) if v is not None}
    if spec.get("entrypointResources"):
        resources["resources"] = json.loads(spec["entrypointResources"])
    if resources:
        job["entrypointResources"] = resources
    selector = (spec.get("clusterSelector") or {}).get(RAY_CLUSTER_LABEL)
    if selector:
        job["clusterSelector"] = selector
    if spec.get(JOB_CLUSTER):
        job["cluster"] = _cluster(spec[JOB_CLUSTER], out, name, where, annotations)
    if spec.get("deletionStrategy"):
        job["deletionStrategy"] = spec["deletionStrategy"]
    for key in ("submitterPodTemplate", "submitterConfig", "managedBy"):
        if key in spec:
            out.drop(f"{where}: spec.{key} has no spec field: dropped")
    return job


def _cluster(spec: dict[str, Any], out: Imported, name: str, where: str,
             annotations: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if spec.get("rayVersion"):
        body["rayVersion"] = str(spec["rayVersion"])
    head = spec.get("headGroupSpec") or {}
    groups = [head, *(spec.get("workerGroupSpecs") or [])]
    images = {_container(g).get("image") for g in groups} - {None}
    shared_image = images.pop() if len(images) == 1 else None
    if shared_image:
        body["image"] = shared_image
    if spec.get("enableInTreeAutoscaling"):
        body["autoscaling"] = _autoscaling(spec.get("autoscalerOptions") or {}, out, where)
    if head.get("serviceType"):
        body["headServiceType"] = head["serviceType"]
    if head.get("headService"):
        body["headService"] = head["headService"]
    if spec.get("headServiceAnnotations"):
        body["headServiceAnnotations"] = spec["headServiceAnnotations"]
    if "suspend" in spec:
        body["suspend"] = spec["suspend"]
    restart = ((head.get("template") or {}).get("metadata") or {}).get("annotations", {}).get(
        RESTART_ANNOTATION)
    if restart is not None:
        body["restartGeneration"] = int(restart)
    ft = spec.get("gcsFaultToleranceOptions")
    head_out = _group(head, out, f"{name}-head", where + " head", shared_image)
    if ft:
        body["faultTolerance"] = _ft_options(ft, where, out)
    elif str(annotations.get(FT_ENABLED, "")).lower() == "true":
        body["faultTolerance"] = legacy_fault_tolerance(head_out, out, where)
        if annotations.get(EXTERNAL_STORAGE_NAMESPACE):
            body["faultTolerance"]["externalStorageNamespace"] = annotations[
                EXTERNAL_STORAGE_NAMESPACE]
    timeout = annotations.get(GCS_FT_DELETION_TIMEOUT)
    if timeout is not None and "faultTolerance" in body:
        body["faultTolerance"]["deletionTimeoutSeconds"] = int(timeout)
    body["head"] = head_out
    workers = []
    for group in spec.get("workerGroupSpecs") or []:
        label = str(group.get("groupName", "workers"))
        worker = {"name": label}
        # KubeRay's default is 0 replicas; a spec's is 1: say what the manifest meant
        worker["replicas"] = group.get("replicas", 0)
        for key in ("minReplicas", "maxReplicas", "numOfHosts", "idleTimeoutSeconds"):
            if key in group:
                worker[key] = group[key]
        worker.update(_group(group, out, f"{name}-{label}", f"{where} group {label}",
                             shared_image))
        workers.append(worker)
    if workers:
        body["workerGroups"] = workers
    version_from_image(body)
    if spec.get("authOptions"):
        body["authOptions"] = spec["authOptions"]
    for key in ("networkPolicy", "tlsOptions", "historyServerOptions",
                "managedBy"):
        if key in spec:
            out.drop(f"{where}: spec.{key} has no spec field: dropped")
    return body


def _ft_options(ft: dict[str, Any], where: str, out: Imported) -> dict[str, Any]:
    if ft.get("backend") == "rocksdb":
        out.drop(f"{where}: the rocksdb GCS backend has no spec field: the spec names an "
                 "external Redis instead")
    secret = ((ft.get("redisPassword") or {}).get("valueFrom") or {}).get("secretKeyRef")
    external: dict[str, Any] = {"address": ft.get("redisAddress", "redis:6379")}
    if secret:
        external["passwordSecret"] = {"name": secret["name"], "key": secret["key"]}
    else:
        external["passwordSecret"] = {"name": "redis-password-secret", "key": "password"}
        out.notes.append(f"{where}: the Redis password is not a Secret reference; the spec "
                         "names redis-password-secret/password: create that Secret")
    user = ((ft.get("redisUsername") or {}).get("valueFrom") or {}).get("secretKeyRef")
    if user:
        external["usernameSecret"] = {"name": user["name"], "key": user["key"]}
    result: dict[str, Any] = {"external": external}
    if ft.get("externalStorageNamespace"):
        result["externalStorageNamespace"] = ft["externalStorageNamespace"]
    return result


def _autoscaling(options: dict[str, Any], imported: Imported | None = None,
                 where: str = "") -> dict[str, Any]:
    carried = ("imagePullPolicy", "securityContext", "envFrom", "command", "args", "volumeMounts")
    extra = sorted(set(options) - {"version", "idleTimeoutSeconds", "upscalingMode", "image",
                                   "resources", "env", *carried})
    if extra and imported is not None:
        imported.drop(f"{where}: autoscalerOptions {', '.join(extra)} have no spec field: dropped")
    out: dict[str, Any] = {}
    for key in ("version", "idleTimeoutSeconds", "upscalingMode", "image"):
        if key in options:
            out[key] = options[key]
    amounts = {**((options.get("resources") or {}).get("requests") or {}),
               **((options.get("resources") or {}).get("limits") or {})}
    for key in ("cpu", "memory"):
        if key in amounts:
            out[key] = quantity(amounts[key])
    if options.get("env"):
        out["env"] = _env(options["env"])
    for key in carried:
        if key in options:
            out[key] = options[key]
    return out or {"enabled": True}


def _container(group: dict[str, Any]) -> dict[str, Any]:
    containers = ((group.get("template") or {}).get("spec") or {}).get("containers") or [{}]
    first: dict[str, Any] = containers[0]
    return first


def _group(group: dict[str, Any], out: Imported, hint: str, where: str,
           shared_image: str | None) -> dict[str, Any]:
    template = group.get("template") or {}
    pod = template.get("spec") or {}
    container = _container(group)
    result: dict[str, Any] = {
        "computeTemplate": out.template_for(container.get("resources") or {},
                                          _template_name(template) or hint, where)}
    if container.get("image") and container.get("image") != shared_image:
        result["image"] = container["image"]
    if container.get("imagePullPolicy"):
        result["imagePullPolicy"] = container["imagePullPolicy"]
    if group.get("rayStartParams"):
        result["rayStartParams"] = dict(group["rayStartParams"])
    if group.get("resources"):
        result["rayResources"] = group["resources"]
    if group.get("labels"):
        result["rayLabels"] = group["labels"]
    if container.get("env"):
        result["env"] = _env(container["env"])
    volumes = _volumes(pod.get("volumes") or [], container.get("volumeMounts") or [], out, where)
    if volumes:
        result["volumes"] = volumes
    meta = metadata({"name": "-", **(template.get("metadata") or {})})
    for key in ("labels", "annotations"):
        if meta.get(key):
            result[key] = meta[key]
    for key in ("serviceAccountName", "nodeSelector", "tolerations"):
        if pod.get(key):
            result[key] = pod[key]
    dropped = sorted(set(pod) - POD_KEYS - {"restartPolicy"})
    if pod.get("restartPolicy") not in (None, "Always"):
        dropped.append(f"restartPolicy {pod['restartPolicy']}")
    extra = [{k: p[k] for k in ("name", "containerPort", "protocol") if k in p}
             for p in container.get("ports") or []
             if isinstance(p, dict) and p.get("containerPort") not in WELL_KNOWN_PORTS]
    if extra:
        result["ports"] = extra
    unmounted = {v.get("name") for v in pod.get("volumes") or [] if isinstance(v, dict)} - {
        m.get("name") for m in container.get("volumeMounts") or [] if isinstance(m, dict)}
    if unmounted:
        dropped.append(f"volumes {', '.join(sorted(map(str, unmounted)))} (not mounted in "
                       "the Ray container)")
    dropped += [f"containers[0].{k}" for k in sorted(set(container) - CONTAINER_KEYS)]
    if len(pod.get("containers") or []) > 1:
        dropped.append("containers[1:]")
    if dropped:
        out.drop(f"{where}: no spec field for {', '.join(dropped)}: dropped")
    return result


def _template_name(template: dict[str, Any]) -> str | None:
    """The compute template a pod was rendered from, when ray-gitops rendered it."""
    name = ((template.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_ANNOTATION)
    return str(name) if name else None


def _env(entries: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries:
        name = str(entry.get("name"))
        if "value" in entry:
            out[name] = entry["value"]
            continue
        source = entry.get("valueFrom") or {}
        if "fieldRef" in source:
            out[name] = {"fieldRef": source["fieldRef"].get("fieldPath")}
        elif source:
            out[name] = source
        else:
            out[name] = ""
    return out


def _volumes(volumes: list[dict[str, Any]], mounts: list[dict[str, Any]], out: Imported,
             where: str) -> list[dict[str, Any]]:
    by_name = {v.get("name"): v for v in volumes}
    result = []
    for mount in mounts:
        volume = by_name.get(mount.get("name"), {})
        item: dict[str, Any] = {"name": mount.get("name"), "mountPath": mount.get("mountPath")}
        for key in ("readOnly", "subPath", "mountPropagation"):
            if key in mount:
                item[key] = mount[key]
        source = _volume_source(volume)
        if source is None:
            out.drop(f"{where}: volume {mount.get('name')!r}: its source has no spec "
                             "field: dropped")
            continue
        item.update(source)
        result.append(item)
    return result


def _volume_source(volume: dict[str, Any]) -> dict[str, Any] | None:
    if "persistentVolumeClaim" in volume:
        return {"persistentVolumeClaim": volume["persistentVolumeClaim"]["claimName"]}
    for key, name_key in (("configMap", "name"), ("secret", "secretName")):
        if key in volume:
            source = volume[key]
            out: dict[str, Any] = {"name": source.get(name_key)}
            if source.get("items"):
                out["items"] = {i["key"]: i["path"] for i in source["items"]}
            if "defaultMode" in source:
                out["defaultMode"] = source["defaultMode"]
            return {key: out}
    if "hostPath" in volume:
        return {"hostPath": {k: v for k, v in volume["hostPath"].items() if v}}
    if "emptyDir" in volume:
        return {"emptyDir": volume["emptyDir"] or {}}
    if "ephemeral" in volume:
        claim = (volume["ephemeral"].get("volumeClaimTemplate") or {}).get("spec") or {}
        ephemeral: dict[str, Any] = {
            "size": ((claim.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")}
        if claim.get("storageClassName"):
            ephemeral["storageClassName"] = claim["storageClassName"]
        if claim.get("accessModes"):
            ephemeral["accessMode"] = claim["accessModes"][0]
        return {"ephemeral": ephemeral}
    return None
