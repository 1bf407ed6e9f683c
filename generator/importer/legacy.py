"""Legacy ``cluster.ray.io/v1`` RayClusters of the old Ray operator -> specs."""

from __future__ import annotations

from typing import Any

from generator.errors import Unsupported
from generator.importer.common import Imported, dns_name, document, metadata
from generator.kuberay.kinds import RAY_CLUSTER


def import_legacy(doc: dict[str, Any], out: Imported, source: str) -> None:
    meta = metadata(doc.get("metadata") or {})
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
            out.drop(f"{where}: upscalingSpeed has no exact KubeRay equivalent "
                             "(autoscaling.upscalingMode): dropped")
    workers = []
    for pod_type in spec.get("podTypes") or []:
        pod = (pod_type.get("podConfig") or {}).get("spec") or {}
        container = (pod.get("containers") or [{}])[0]
        group_name = dns_name(str(pod_type.get("name", "workers")))
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
        raise Unsupported(f"{where}: headPodType {head_type!r} is not among its podTypes")
    if workers:
        body["workerGroups"] = workers
    if spec.get("maxWorkers") is not None:
        out.drop(f"{where}: the global maxWorkers has no KubeRay equivalent: dropped "
                         "(each group keeps its own maxReplicas)")
    out.notes.append(f"{where}: headStartRayCommands/workerStartRayCommands and the pods' "
                     "command/args are replaced by the operator's `ray start` (rayStartParams)")
    out.lift_image(body)
    out.specs.append(document(RAY_CLUSTER, meta, body))
