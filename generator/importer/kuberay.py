"""``ray.io/v1`` RayCluster, RayService and RayJob manifests -> specs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.errors import Unsupported
from generator.importer.common import (
    Imported,
    document,
    embedded_yaml,
    legacy_fault_tolerance,
    metadata,
    quantity,
)
from generator.importer.pod import env_map, import_group, ray_container
from generator.kuberay.kinds import (
    API_VERSION,
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
    INT32_MAX,
    RAY_CLUSTER_LABEL,
)
from generator.render.labels import RESTART_ANNOTATION


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
        raise Unsupported(f"{source}: ray.io {kind} is not a kind ray-gitops imports")
    where = f"{source}: {kind} {meta['name']}"
    if doc.get("apiVersion") != API_VERSION:
        out.notes.append(f"{where}: {doc.get('apiVersion')} is imported as {API_VERSION} "
                         "(the fields are the same; v1alpha1 is deprecated)")
    if not (doc.get("metadata") or {}).get("name"):
        out.notes.append(f"{where}: generateName becomes the name {meta['name']!r}: a "
                         "GitOps object needs a name to be kept in sync")
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    body = found(Source(meta, doc.get("spec") or {}, where, annotations), out)
    out.specs.append(document(str(kind), meta, body))


def _raycluster(src: Source, out: Imported) -> dict[str, Any]:
    body = _cluster(src.spec, out, src.meta["name"], src.where, src.annotations)
    # none written: the operator's None (a spec's own default is Recreate)
    body["upgradeStrategy"] = (src.spec.get("upgradeStrategy") or {}).get("type") or "None"
    return body


def _rayservice(src: Source, out: Imported) -> dict[str, Any]:
    spec = src.spec
    service: dict[str, Any] = {}
    strategy = spec.get("upgradeStrategy") or {}
    # none written: the operator's default (its ENABLE_ZERO_DOWNTIME), not a spec's NewCluster
    service["upgradeStrategy"] = {"type": strategy.get("type", "OperatorDefault"),
                                  **(strategy.get("clusterUpgradeOptions") or {})}
    for key in ("excludeHeadPodFromServeSvc", "rayClusterDeletionDelaySeconds", "serveService"):
        if key in spec:
            service[key] = spec[key]
    for key in ("serviceUnhealthySecondThreshold", "deploymentUnhealthySecondThreshold"):
        if key in spec:
            out.notes.append(f"{src.where}: {key} is left out: deprecated, and no operator "
                             "reads it (kuberay#1685)")
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
    for key in ("deletionStrategy", "submitterPodTemplate", "submitterConfig"):
        if spec.get(key):
            job[key] = spec[key]
    return job


def _cluster(spec: dict[str, Any], out: Imported, name: str, where: str,
             annotations: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if spec.get("rayVersion"):
        body["rayVersion"] = str(spec["rayVersion"])
    head = spec.get("headGroupSpec") or {}
    groups = [head, *(spec.get("workerGroupSpecs") or [])]
    images = {ray_container(g).get("image") for g in groups}
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
    head_out = _group_fields(head, out, f"{name}-head", where + " head", shared_image, "head")
    if "ports" not in head_out and not ray_container(head).get("ports"):
        head_out["ports"] = []  # none: not the operator's defaults written out
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
    workers = [_worker(group, out, name, where, shared_image, bool(spec.get(
        "enableInTreeAutoscaling"))) for group in spec.get("workerGroupSpecs") or []]
    if workers:
        body["workerGroups"] = workers
    if spec.get("authOptions"):
        body["authOptions"] = spec["authOptions"]
    return body


def _worker(group: dict[str, Any], out: Imported, name: str, where: str,
            shared_image: str | None, autoscaling: bool) -> dict[str, Any]:
    label = str(group.get("groupName", "workers"))
    worker: dict[str, Any] = {"name": label}
    # the CRD's defaults where the manifest has none: 0 replicas, bounds 0 and 2^31-1
    worker["replicas"] = group.get("replicas", 0)
    worker["minReplicas"] = group.get("minReplicas", 0)
    worker["maxReplicas"] = group.get("maxReplicas", INT32_MAX)
    if "maxReplicas" not in group and autoscaling:
        out.notes.append(f"{where} group {label}: no maxReplicas: the autoscaler may add up to "
                         f"{INT32_MAX} pods (the CRD's default), as the spec now says")
    for key in ("numOfHosts", "idleTimeoutSeconds"):
        if key in group:
            worker[key] = group[key]
    worker.update(_group_fields(group, out, f"{name}-{label}", f"{where} group {label}",
                                shared_image, "worker"))
    return worker


def _group_fields(group: dict[str, Any], out: Imported, hint: str, where: str,
                  shared_image: str | None, component: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if group.get("rayStartParams"):
        result["rayStartParams"] = dict(group["rayStartParams"])
    if group.get("resources"):
        result["rayResources"] = group["resources"]
    if group.get("labels"):
        result["rayLabels"] = group["labels"]
    result.update(import_group(group, out, hint, where, shared_image, component))
    return result


def _ft_options(ft: dict[str, Any], where: str, out: Imported) -> dict[str, Any]:
    if ft.get("backend") == "rocksdb":
        out.drop(f"{where}: the rocksdb GCS backend has no spec field: the spec names an "
                 "external Redis instead")
    secret = ((ft.get("redisPassword") or {}).get("valueFrom") or {}).get("secretKeyRef")
    external: dict[str, Any] = {"address": ft.get("redisAddress", "redis:6379")}
    if secret:
        external["passwordSecret"] = {"name": secret["name"], "key": secret["key"]}
    elif ft.get("redisPassword"):
        external["passwordSecret"] = {"name": "redis-password-secret", "key": "password"}
        out.drop(f"{where}: the Redis password is not a Secret reference; the spec "
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
    resources = options.get("resources") or {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    if limits == requests and set(limits) <= {"cpu", "memory"} and set(resources) <= {
            "limits", "requests"}:
        for key in ("cpu", "memory"):
            if key in limits:
                out[key] = quantity(limits[key])
    elif resources:
        out["resources"] = resources
    env = env_map(options.get("env"))
    if env:
        out["env"] = env
    for key in carried:
        if key in options:
            out[key] = options[key]
    return out or {"enabled": True}
