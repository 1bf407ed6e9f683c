"""Specs queued with Kueue: what the Kueue release of ``kueueVersion`` refuses, or would
not queue (``generator.kuberay.kueue`` holds what differs between releases).

Kueue ``pkg/controller/jobs/raycluster/common.go`` (``ValidateCreate``) and the RayCluster,
RayJob and RayService webhooks: autoscaling only with workload slices (and, from 0.19.1, not
in-tree for an elastic RayCluster run through MultiKueue), at most the release's pod sets
(the head and each worker group), no worker group named ``head``; a queued RayJob deletes
its cluster when it finishes and brings its own cluster (one on an existing cluster is not
managed by Kueue at all); a RayService is queued from 0.17. ``suspend`` belongs to Kueue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import RAY_CLUSTER, RAY_JOB, RAY_SERVICE, SCHEDULED_KINDS
from generator.kuberay.kueue import KueueRelease
from generator.models.cluster import ClusterBody
from generator.models.parse import Spec
from generator.models.references import SpecIndex
from generator.render.kueue import HEAD_POD_SET
from generator.rules.registry import spec_rule


def _cluster(body: ClusterBody, at: FieldPath, queue: FieldPath,
             kueue: KueueRelease) -> Iterator[Finding]:
    if body.suspend is not None:
        yield Finding((*at, "suspend"), "RG120",
                      "suspend belongs to Kueue when the spec has a queue: Kueue suspends it on "
                      "creation and admits it by lifting suspend (remove suspend here)")
    if body.autoscaling_enabled:
        yield Finding((*queue,), "RG123",
                      "a queued cluster that autoscales needs Kueue's workload slices: set "
                      "queue.elastic: true (and Kueue's ElasticJobsViaWorkloadSlices gate); Kueue "
                      "refuses it otherwise", key=False)
    if len(body.worker_groups) > kueue.max_worker_groups:
        yield Finding((*at, "workerGroups"), "RG124",
                      f"{len(body.worker_groups)} worker groups: Kueue {kueue.version} takes at "
                      f"most {kueue.max_worker_groups} (a workload has at most "
                      f"{kueue.max_pod_sets} pod sets: the head and one per group)")
    for i, group in enumerate(body.worker_groups):
        if group.name == HEAD_POD_SET:
            yield Finding((*at, "workerGroups", i, "name"), "RG124",
                          f"{HEAD_POD_SET!r} is Kueue's name for the head's pod set: rename the group")


def _elastic_ok(queue: Any, body: ClusterBody) -> bool:
    return queue.elastic or not body.autoscaling_enabled


@spec_rule(RAY_CLUSTER, RAY_SERVICE)
def queued_cluster(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    queue, kueue = spec.model.spec.queue, index.kueue
    if queue is None:
        return
    if spec.kind == RAY_SERVICE and not kueue.queues_rayservice:
        yield Finding(("spec", "queue"), "RG121",
                      f"Kueue {kueue.version} does not queue RayServices (from 0.17 it does): "
                      f"the service would run unqueued. Drop queue, or raise kueueVersion")
        return
    for at, body in spec.model.clusters():
        found = list(_cluster(body, at, ("spec", "queue"), kueue))
        yield from (f for f in found if f.code != "RG123" or not _elastic_ok(queue, body))
        if spec.kind == RAY_CLUSTER and queue.elastic and queue.multi_kueue \
                and body.autoscaling_enabled and kueue.multikueue_refuses_autoscaling:
            yield Finding(("spec", "queue"), "RG123",
                          f"Kueue {kueue.version} refuses in-tree autoscaling for an elastic "
                          f"RayCluster run through MultiKueue (its manager scales the workers): "
                          f"drop autoscaling or multiKueue", key=False)


@spec_rule(RAY_JOB)
def queued_job(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    body = spec.model.spec
    if body.queue is None:
        return
    if body.cluster_selector:
        yield Finding(("spec", "queue"), "RG121",
                      "Kueue does not manage a RayJob on an existing cluster (clusterSelector): "
                      "the job would not be queued. Give it a cluster of its own, or drop queue")
    if body.suspend is not None:
        yield Finding(("spec", "suspend"), "RG120",
                      "suspend belongs to Kueue when the job has a queue: Kueue suspends it on "
                      "creation and starts it by lifting suspend (remove suspend here)")
    if body.shutdown_after_job_finishes is False:
        yield Finding(("spec", "shutdownAfterJobFinishes"), "RG122",
                      "a queued job must delete its cluster when it finishes (Kueue refuses "
                      "false: the cluster would hold the queue's quota)")
    if body.cluster is not None:
        for finding in _cluster(body.cluster.model_copy(update={"suspend": None}),
                                ("spec", "cluster"), ("spec", "queue"), index.kueue):
            if finding.code != "RG123" or not _elastic_ok(body.queue, body.cluster):
                yield finding
        if body.queue.elastic and body.cluster.autoscaling_enabled \
                and not index.kueue.elastic_rayjob:
            yield Finding(("spec", "queue"), "RG123",
                          f"Kueue {index.kueue.version} has no elastic RayJobs (from 0.16 it "
                          f"does): it refuses a queued RayJob that autoscales. Drop autoscaling, "
                          f"or raise kueueVersion", key=False)


@spec_rule(*SCHEDULED_KINDS)
def queued_cron_job(spec: Spec, index: SpecIndex) -> Iterator[Finding]:
    if spec.model.spec.job.queue is not None:
        yield Finding(("spec", "job", "queue"), "RG121",
                      "Kueue has no RayCronJob integration, and KubeRay does not carry a queue "
                      "label onto the RayJobs a RayCronJob creates: queue RayJobs instead")
