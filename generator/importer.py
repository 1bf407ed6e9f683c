"""``ray-gitops import``: KubeRay manifests, APIServer payloads and legacy clusters -> specs.

Three inputs, one output (spec documents, compute templates first):
- ``ray.io/v1`` RayCluster, RayService and RayJob manifests;
- KubeRay APIServer V1 JSON payloads (seed 003): compute templates and clusters;
- legacy ``cluster.ray.io/v1`` RayClusters of the old Ray operator (seed 002).

Pod resources become compute templates (requests equal limits, as the
APIServer has them). What a spec cannot say (a second container, probes,
affinity, ...) is named in a note, never dropped silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .render.labels import CLUSTER_LABEL, RESTART_ANNOTATION, TEMPLATE_ANNOTATION
from .spec.models.base import API_VERSION

# what ray-gitops itself puts on rendered objects: not carried back into specs
OWN_LABELS = ("app.kubernetes.io/", CLUSTER_LABEL)
OWN_ANNOTATIONS = (TEMPLATE_ANNOTATION, RESTART_ANNOTATION, "argocd.argoproj.io/sync-wave",
                   "ray.io/ft-enabled", "ray.io/external-storage-namespace",
                   "ray.io/gcs-ft-deletion-timeout")
CONTAINER_KEYS = {"name", "image", "imagePullPolicy", "env", "ports", "resources", "volumeMounts"}
POD_KEYS = {"containers", "volumes", "serviceAccountName", "nodeSelector", "tolerations"}
VOLUME_TYPES = {0: "PERSISTENT_VOLUME_CLAIM", 1: "HOST_PATH", 2: "EPHEMERAL", 3: "CONFIGMAP",
                4: "SECRET", 5: "EMPTY_DIR"}
ACCESS_MODES = {"RWO": "ReadWriteOnce", "ROX": "ReadOnlyMany", "RWX": "ReadWriteMany",
                0: "ReadWriteOnce", 1: "ReadOnlyMany", 2: "ReadWriteMany"}


class ImportError_(ValueError):
    """An input ray-gitops cannot read as any of the three formats."""


@dataclass
class Imported:
    specs: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> spec
    notes: list[str] = field(default_factory=list)

    def template_for(self, resources: dict[str, Any], hint: str, where: str) -> str:
        """The compute template with these resources, made once and shared."""
        limits = resources.get("limits") or {}
        requests = resources.get("requests") or {}
        if limits and requests and limits != requests:
            self.notes.append(f"{where}: requests differ from limits; the compute template "
                              "uses the limits (ray-gitops sets requests equal to limits)")
        amounts = {**requests, **limits}
        spec: dict[str, Any] = {"cpu": _quantity(amounts.pop("cpu", "1")),
                                "memory": _quantity(amounts.pop("memory", "1Gi"))}
        gpus = {k: v for k, v in amounts.items() if k.endswith("/gpu")}
        for name, count in gpus.items():
            spec["gpu"] = int(float(str(count)))
            if name != "nvidia.com/gpu":
                spec["gpuAccelerator"] = name
            amounts.pop(name)
        if amounts:
            spec["extendedResources"] = {k: _quantity(v) for k, v in sorted(amounts.items())}
        return self.add_template(spec, hint)

    def add_template(self, spec: dict[str, Any], hint: str) -> str:
        for name, existing in self.templates.items():
            if existing == spec:
                return name
        name = _dns(hint)
        while name in self.templates:
            name = _dns(name + "-x")
        self.templates[name] = spec
        return name

    def lift_image(self, body: dict[str, Any]) -> None:
        """One image on every group becomes the cluster's image."""
        groups = [body.get("head", {}), *body.get("workerGroups", [])]
        images = {g.get("image") for g in groups}
        if len(images) == 1 and None not in images:
            body["image"] = images.pop()
            for group in groups:
                group.pop("image")

    def documents(self) -> list[dict[str, Any]]:
        templates = [_doc("ComputeTemplate", {"name": name}, spec)
                     for name, spec in self.templates.items()]
        return [*templates, *self.specs]


def _doc(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _dns(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name) or "imported"
    return name[:63].rstrip("-")


def _quantity(value: Any) -> Any:
    return value if isinstance(value, int | float) else str(value)


def _metadata(meta: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": meta.get("name", "imported")}
    if meta.get("namespace"):
        out["namespace"] = meta["namespace"]
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if not k.startswith(OWN_LABELS)}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k not in OWN_ANNOTATIONS}
    if labels:
        out["labels"] = labels
    if annotations:
        out["annotations"] = annotations
    return out


def import_documents(docs: list[Any], source: str) -> Imported:
    out = Imported()
    for doc in docs:
        if not isinstance(doc, dict):
            raise ImportError_(f"{source}: a document that is not a mapping")
        api = doc.get("apiVersion")
        if api == "ray.io/v1":
            _kuberay(doc, out, source)
        elif api == "cluster.ray.io/v1":
            _legacy(doc, out, source)
        elif "clusterSpec" in doc or "cpu" in doc:
            _apiserver(doc, out, source)
        elif api and doc.get("kind"):
            name = (doc.get("metadata") or {}).get("name")
            out.notes.append(f"{source}: {api} {doc['kind']} {name}: not a Ray object, not "
                             "imported (keep it as a manifest beside the rendered bases)")
        else:
            raise ImportError_(f"{source}: neither a ray.io/v1 manifest, an APIServer payload "
                               f"nor a cluster.ray.io/v1 RayCluster ({api or 'no apiVersion'})")
    return out


# --- ray.io/v1 -------------------------------------------------------------------------------

def _kuberay(doc: dict[str, Any], out: Imported, source: str) -> None:
    kind = doc.get("kind")
    meta = _metadata(doc.get("metadata") or {})
    spec = doc.get("spec") or {}
    where = f"{source}: {kind} {meta['name']}"
    annotations = (doc.get("metadata") or {}).get("annotations") or {}
    if kind == "RayCluster":
        body = _cluster(spec, out, meta["name"], where, annotations)
        strategy = (spec.get("upgradeStrategy") or {}).get("type")
        if strategy:
            body["upgradeStrategy"] = strategy
        out.specs.append(_doc("RayCluster", meta, body))
    elif kind == "RayService":
        service: dict[str, Any] = {}
        strategy = spec.get("upgradeStrategy") or {}
        if strategy:
            service["upgradeStrategy"] = {"type": strategy.get("type", "NewCluster"),
                                          **(strategy.get("clusterUpgradeOptions") or {})}
        for key in ("excludeHeadPodFromServeSvc", "rayClusterDeletionDelaySeconds"):
            if key in spec:
                service[key] = spec[key]
        service["serveConfig"] = _yaml(spec.get("serveConfigV2") or "applications: []", where)
        service["cluster"] = _cluster(spec.get("rayClusterConfig") or {}, out, meta["name"], where,
                                      annotations)
        out.specs.append(_doc("RayService", meta, service))
    elif kind == "RayJob":
        out.specs.append(_doc("RayJob", meta, _job(spec, out, meta["name"], where, annotations)))
    else:
        raise ImportError_(f"{source}: ray.io/v1 {kind} is not a kind ray-gitops imports")


def _job(spec: dict[str, Any], out: Imported, name: str, where: str,
         annotations: dict[str, Any]) -> dict[str, Any]:
    job: dict[str, Any] = {"entrypoint": spec.get("entrypoint", "")}
    if spec.get("runtimeEnvYAML"):
        job["runtimeEnv"] = _yaml(spec["runtimeEnvYAML"], where)
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
    selector = (spec.get("clusterSelector") or {}).get("ray.io/cluster")
    if selector:
        job["clusterSelector"] = selector
    if spec.get("rayClusterSpec"):
        job["cluster"] = _cluster(spec["rayClusterSpec"], out, name, where, annotations)
    for key in ("submitterPodTemplate", "submitterConfig", "deletionStrategy", "managedBy"):
        if key in spec:
            out.notes.append(f"{where}: spec.{key} has no spec field: dropped")
    return job


def _yaml(text: str, where: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportError_(f"{where}: an embedded YAML string does not parse: {exc}") from None


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
        body["autoscaling"] = _autoscaling(spec.get("autoscalerOptions") or {})
    if head.get("serviceType"):
        body["headServiceType"] = head["serviceType"]
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
    elif str(annotations.get("ray.io/ft-enabled", "")).lower() == "true":
        body["faultTolerance"] = _legacy_ft(head_out, out, where)
        if annotations.get("ray.io/external-storage-namespace"):
            body["faultTolerance"]["externalStorageNamespace"] = annotations[
                "ray.io/external-storage-namespace"]
    timeout = annotations.get("ray.io/gcs-ft-deletion-timeout")
    if timeout is not None and "faultTolerance" in body:
        body["faultTolerance"]["deletionTimeoutSeconds"] = int(timeout)
    body["head"] = head_out
    workers = []
    for group in spec.get("workerGroupSpecs") or []:
        label = str(group.get("groupName", "workers"))
        worker = {"name": label}
        for key in ("replicas", "minReplicas", "maxReplicas", "numOfHosts", "idleTimeoutSeconds"):
            if key in group:
                worker[key] = group[key]
        worker.update(_group(group, out, f"{name}-{label}", f"{where} group {label}",
                             shared_image))
        workers.append(worker)
    if workers:
        body["workerGroups"] = workers
    for key in ("authOptions", "networkPolicy", "tlsOptions", "historyServerOptions",
                "managedBy"):
        if key in spec:
            out.notes.append(f"{where}: spec.{key} has no spec field: dropped")
    return body


def _ft_options(ft: dict[str, Any], where: str, out: Imported) -> dict[str, Any]:
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


def _autoscaling(options: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("version", "idleTimeoutSeconds", "upscalingMode", "image"):
        if key in options:
            out[key] = options[key]
    amounts = {**((options.get("resources") or {}).get("requests") or {}),
               **((options.get("resources") or {}).get("limits") or {})}
    for key in ("cpu", "memory"):
        if key in amounts:
            out[key] = _quantity(amounts[key])
    if options.get("env"):
        out["env"] = _env(options["env"])
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
    meta = _metadata({"name": "-", **(template.get("metadata") or {})})
    for key in ("labels", "annotations"):
        if meta.get(key):
            result[key] = meta[key]
    for key in ("serviceAccountName", "nodeSelector", "tolerations"):
        if pod.get(key):
            result[key] = pod[key]
    dropped = sorted(set(pod) - POD_KEYS - {"restartPolicy"})
    dropped += [f"containers[0].{k}" for k in sorted(set(container) - CONTAINER_KEYS)]
    if len(pod.get("containers") or []) > 1:
        dropped.append("containers[1:]")
    if dropped:
        out.notes.append(f"{where}: no spec field for {', '.join(dropped)}: dropped")
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
            out.notes.append(f"{where}: volume {mount.get('name')!r}: its source has no spec "
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


# --- KubeRay APIServer V1 payloads (seed 003) ------------------------------------------------

def _apiserver(doc: dict[str, Any], out: Imported, source: str) -> None:
    if "clusterSpec" not in doc:  # a compute template
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
        name = _dns(doc.get("name", "template"))
        if out.templates.get(name, spec) != spec:
            raise ImportError_(f"{source}: two compute templates named {name!r}")
        out.templates[name] = spec
        return
    where = f"{source}: cluster {doc.get('name')}"
    cluster = doc["clusterSpec"]
    meta: dict[str, Any] = {"name": _dns(doc.get("name", "cluster"))}
    if doc.get("namespace"):
        meta["namespace"] = doc["namespace"]
    if doc.get("annotations"):
        annotations = {k: v for k, v in doc["annotations"].items() if k not in OWN_ANNOTATIONS}
        if annotations:
            meta["annotations"] = annotations
    labels = {k: _dns(str(v)) for k, v in (("ray.io/user", doc.get("user")),
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
    ft = (doc.get("annotations") or {}).get("ray.io/ft-enabled") == "true"
    head_group = _apiserver_group(head, where + " head")
    if ft:
        body["faultTolerance"] = _legacy_ft(head_group, out, where)
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
    out.specs.append(_doc("RayCluster", meta, body))


def _memory(doc: dict[str, Any]) -> Any:
    unit = doc.get("memoryUnit") or doc.get("memory_unit")
    memory = doc.get("memory", 1)
    return f"{memory}{unit}" if unit else memory  # a bare number is GiB, as in the APIServer


def _apiserver_group(group: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"computeTemplate": _dns(group.get("computeTemplate", "template"))}
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


def _legacy_ft(head: dict[str, Any], out: Imported, where: str) -> dict[str, Any]:
    """The legacy wiring (annotation, RAY_REDIS_ADDRESS, redis-password) -> faultTolerance."""
    env = head.get("env") or {}
    address = str(env.pop("RAY_REDIS_ADDRESS", "redis:6379"))
    password = env.pop("REDIS_PASSWORD", None)
    (head.get("rayStartParams") or {}).pop("redis-password", None)
    if not env:
        head.pop("env", None)
    secret = password.get("secretKeyRef") if isinstance(password, dict) else None
    if not secret:
        secret = {"name": "redis-password-secret", "key": "password"}
        out.notes.append(f"{where}: no Secret for the Redis password; the spec names "
                         "redis-password-secret/password: create that Secret")
    host, _, port = address.rpartition(":")
    short = host.split(".")[0] if host.endswith(".svc.cluster.local") or ".svc" in host else host
    if short != host:
        out.notes.append(f"{where}: {address} names a namespace; the spec uses "
                         f"{short}:{port}, which an overlay's namespace keeps working")
    return {"external": {"address": f"{short}:{port}",
                         "passwordSecret": {"name": secret["name"], "key": secret["key"]}},
            "method": "legacy"}


# --- legacy cluster.ray.io/v1 (seed 002) -------------------------------------------------------

def _legacy(doc: dict[str, Any], out: Imported, source: str) -> None:
    meta = _metadata(doc.get("metadata") or {})
    spec = doc.get("spec") or {}
    where = f"{source}: legacy RayCluster {meta['name']}"
    head_type = spec.get("headPodType")
    body: dict[str, Any] = {}
    if spec.get("idleTimeoutMinutes") is not None or any(
            p.get("maxWorkers", 0) != p.get("minWorkers", 0) for p in spec.get("podTypes") or []):
        autoscaling: dict[str, Any] = {}
        if spec.get("idleTimeoutMinutes") is not None:
            autoscaling["idleTimeoutSeconds"] = int(spec["idleTimeoutMinutes"]) * 60
        body["autoscaling"] = autoscaling or {"enabled": True}
        if "upscalingSpeed" in spec:
            out.notes.append(f"{where}: upscalingSpeed has no exact KubeRay equivalent "
                             "(autoscaling.upscalingMode): dropped")
    workers = []
    for pod_type in spec.get("podTypes") or []:
        pod = (pod_type.get("podConfig") or {}).get("spec") or {}
        container = (pod.get("containers") or [{}])[0]
        group_name = _dns(str(pod_type.get("name", "workers")))
        template = out.template_for(container.get("resources") or {},
                                    f"{meta['name']}-{group_name}", where)
        group: dict[str, Any] = {"computeTemplate": template}
        if container.get("image"):
            group["image"] = container["image"]
        if pod_type.get("rayResources"):
            group["rayResources"] = {k: str(v) for k, v in pod_type["rayResources"].items()}
        # the operator generates `ray start`: the old start commands and their
        # `sleep infinity` container command are not carried over
        if pod_type.get("name") == head_type:
            body["head"] = group
        else:
            low = pod_type.get("minWorkers", 0)
            workers.append({"name": group_name, "replicas": low, "minReplicas": low,
                            "maxReplicas": pod_type.get("maxWorkers", low), **group})
    if "head" not in body:
        raise ImportError_(f"{where}: headPodType {head_type!r} is not among its podTypes")
    if workers:
        body["workerGroups"] = workers
    if spec.get("maxWorkers") is not None:
        out.notes.append(f"{where}: the global maxWorkers has no KubeRay equivalent: dropped "
                         "(each group keeps its own maxReplicas)")
    out.notes.append(f"{where}: headStartRayCommands/workerStartRayCommands and the pods' "
                     "command/args are replaced by the operator's `ray start` (rayStartParams)")
    out.lift_image(body)
    out.specs.append(_doc("RayCluster", meta, body))
