"""RayService and RayJob: a KubeRay object around a cluster spec."""

from __future__ import annotations

import json
from typing import Any

from generator.fieldpath import FieldPath
from generator.kuberay.kinds import (
    JOB_CLUSTER,
    JOB_TEMPLATE,
    RAY_CRON_JOB,
    RAY_JOB,
    RAY_SERVICE,
    SERVICE_CLUSTER,
)
from generator.kuberay.vocabulary import RAY_CLUSTER_LABEL
from generator.models.parse import Spec
from generator.models.workloads import RayCronJob, RayJob, RayJobSpec, RayService
from generator.render.base import Context, Generated, Origins, Rendered, metadata
from generator.render.emit import dump
from generator.render.kueue import queued
from generator.render.labels import object_labels
from generator.render.monitoring import pod_monitors
from generator.render.raycluster import cluster_spec, generated_configmaps


def render_rayservice(spec: Spec, ctx: Context) -> list[Rendered | Generated]:
    model: RayService = spec.model
    body = model.spec
    origins = Origins()
    origins.add(("metadata",), ("metadata",))
    annotations = dict(model.metadata.annotations)
    upgrade = body.upgrade_strategy
    strategy: dict[str, Any] = {"type": upgrade.type}
    options = {
        "maxSurgePercent": upgrade.max_surge_percent,
        "stepSizePercent": upgrade.step_size_percent,
        "intervalSeconds": upgrade.interval_seconds,
        "gatewayClassName": upgrade.gateway_class_name,
    }
    options = {k: v for k, v in options.items() if v is not None}
    if options:
        strategy["clusterUpgradeOptions"] = options
    out: dict[str, Any] = {} if upgrade.type == "OperatorDefault" else {
        "upgradeStrategy": strategy}
    origins.add(("spec", "upgradeStrategy"), ("spec", "upgradeStrategy"))
    origins.add(("spec", "upgradeStrategy", "clusterUpgradeOptions"), ("spec", "upgradeStrategy"))
    if body.serve_service is not None:
        out["serveService"] = body.serve_service
        origins.add(("spec", "serveService"), ("spec", "serveService"))
    if body.ray_cluster_deletion_delay_seconds is not None:
        out["rayClusterDeletionDelaySeconds"] = body.ray_cluster_deletion_delay_seconds
    if body.exclude_head_pod_from_serve_svc is not None:
        out["excludeHeadPodFromServeSvc"] = body.exclude_head_pod_from_serve_svc
    out["serveConfigV2"] = serve_config_text(spec, ctx)
    # the Serve config's own paths go on below serveConfigV2: a finding inside it is at
    # its line, in the spec or in the Serve config file
    if body.serve_config is not None:
        origins.add(("spec", "serveConfigV2"), ("spec", "serveConfig"))
    else:
        origins.add(("spec", "serveConfigV2"), ("spec", "serveConfigFile"), keep=False)
        origins.documents[("spec", "serveConfigV2")] = ctx.index.serve_config(
            spec, body.serve_config_file)
    out[SERVICE_CLUSTER] = cluster_spec(
        body.cluster, spec, ctx, origins, at=("spec", SERVICE_CLUSTER),
        spec_at=("spec", "cluster"), owner_annotations=annotations,
    )
    # no app.kubernetes.io/instance: KubeRay copies a RayService's labels onto the
    # RayCluster it creates, and Argo CD's label tracking would then prune that child
    labels = object_labels(spec.app, spec.name, "ray-service", model.metadata.labels,
                           instance=False)
    obj = {"apiVersion": "ray.io/v1", "kind": RAY_SERVICE,
           "metadata": metadata(spec.name, spec.namespace, labels, annotations), "spec": out}
    return [Rendered(queued(obj, body.queue), spec, origins),
            *generated_configmaps(body.cluster, spec, ctx), *pod_monitors(spec)]


def serve_config_text(spec: Spec, ctx: Context) -> str:
    """serveConfigV2: the Serve config as a YAML string, keys in the order written."""
    body = spec.model.spec
    config = body.serve_config
    if config is None:
        config = ctx.index.serve_config(spec, body.serve_config_file).data
    return dump(config)


def render_rayjob(spec: Spec, ctx: Context) -> list[Rendered | Generated]:
    model: RayJob = spec.model
    origins = Origins()
    origins.add(("metadata",), ("metadata",))
    annotations = dict(model.metadata.annotations)
    out = job_spec(model.spec, spec, ctx, origins, ("spec",), ("spec",), annotations)
    labels = object_labels(spec.app, spec.name, "ray-job", model.metadata.labels, instance=False)
    obj = {"apiVersion": "ray.io/v1", "kind": RAY_JOB,
           "metadata": metadata(spec.name, spec.namespace, labels, annotations), "spec": out}
    return [Rendered(queued(obj, model.spec.queue), spec, origins),
            *_configmaps(model.spec, spec, ctx), *pod_monitors(spec)]


def render_raycronjob(spec: Spec, ctx: Context) -> list[Rendered | Generated]:
    model: RayCronJob = spec.model
    body = model.spec
    origins = Origins()
    origins.add(("metadata",), ("metadata",))
    origins.add(("spec",), ("spec",))
    annotations = dict(model.metadata.annotations)
    out: dict[str, Any] = {"schedule": body.schedule}
    if body.time_zone is not None:
        out["timeZone"] = body.time_zone
    if body.suspend is not None:
        out["suspend"] = body.suspend
    out[JOB_TEMPLATE] = job_spec(body.job, spec, ctx, origins, ("spec", JOB_TEMPLATE),
                                 ("spec", "job"), annotations)
    labels = object_labels(spec.app, spec.name, "ray-cron-job", model.metadata.labels,
                           instance=False)
    obj = {"apiVersion": "ray.io/v1", "kind": RAY_CRON_JOB,
           "metadata": metadata(spec.name, spec.namespace, labels, annotations), "spec": out}
    return [Rendered(obj, spec, origins), *_configmaps(body.job, spec, ctx), *pod_monitors(spec)]


def _configmaps(body: RayJobSpec, spec: Spec, ctx: Context) -> list[Generated]:
    return generated_configmaps(body.cluster, spec, ctx) if body.cluster is not None else []


def job_spec(body: RayJobSpec, spec: Spec, ctx: Context, origins: Origins, at: FieldPath,
             spec_at: FieldPath, annotations: dict[str, str]) -> dict[str, Any]:
    """A KubeRay RayJobSpec (a RayJob's spec, or a RayCronJob's job template) at ``at``."""
    origins.add(at, spec_at)
    out: dict[str, Any] = {"entrypoint": body.entrypoint} if body.entrypoint else {}
    if body.runtime_env is not None:
        out["runtimeEnvYAML"] = dump(body.runtime_env)
        origins.add((*at, "runtimeEnvYAML"), (*spec_at, "runtimeEnv"), keep=False)
    scalars = {
        # Kueue's webhook: "a kueue managed job should delete the cluster after finishing"
        "shutdownAfterJobFinishes": True if body.queue and body.shutdown_after_job_finishes
        is None else body.shutdown_after_job_finishes,
        "ttlSecondsAfterFinished": body.ttl_seconds_after_finished,
        "activeDeadlineSeconds": body.active_deadline_seconds,
        "backoffLimit": body.backoff_limit,
        "submissionMode": body.submission_mode,
        "suspend": body.suspend,
        "jobId": body.job_id,
    }
    out.update({k: v for k, v in scalars.items() if v is not None})
    if body.metadata:
        out["metadata"] = dict(sorted(body.metadata.items()))
    if body.deletion_strategy is not None:
        out["deletionStrategy"] = body.deletion_strategy
        origins.add((*at, "deletionStrategy"), (*spec_at, "deletionStrategy"))
    for key, value in (("submitterPodTemplate", body.submitter_pod_template),
                       ("submitterConfig", body.submitter_config)):
        if value is not None:
            out[key] = value
            origins.add((*at, key), (*spec_at, key))
    resources = body.entrypoint_resources
    if resources is not None:
        if resources.num_cpus is not None:
            out["entrypointNumCpus"] = resources.num_cpus
        if resources.num_gpus is not None:
            out["entrypointNumGpus"] = resources.num_gpus
        if resources.resources:
            # KubeRay takes custom entrypoint resources as a JSON string
            out["entrypointResources"] = json.dumps(resources.resources, sort_keys=True)
        origins.add((*at, "entrypointNumCpus"), (*spec_at, "entrypointResources", "numCpus"))
        origins.add((*at, "entrypointNumGpus"), (*spec_at, "entrypointResources", "numGpus"))
        origins.add((*at, "entrypointResources"), (*spec_at, "entrypointResources"), keep=False)
    if body.cluster_selector:
        out["clusterSelector"] = {RAY_CLUSTER_LABEL: body.cluster_selector}
    if body.cluster is not None:
        out[JOB_CLUSTER] = cluster_spec(
            body.cluster, spec, ctx, origins, at=(*at, JOB_CLUSTER),
            spec_at=(*spec_at, "cluster"), owner_annotations=annotations,
        )
    return out

RENDERERS = {RAY_SERVICE: render_rayservice, RAY_JOB: render_rayjob,
             RAY_CRON_JOB: render_raycronjob}
