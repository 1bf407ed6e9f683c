"""Argo CD's Lua health checks on a real Lua 5.1 (lupa: Argo CD runs gopher-lua, 5.1) and
Flux's CEL health expressions on the CEL implementation ray-gitops runs the CRDs' rules
with, on status objects for each state, written from KubeRay's status types (v1.7.0)."""

from __future__ import annotations

from typing import Any

import lupa.lua51 as lua51  # a real Lua 5.1: a test dependency, never skipped
import pytest

from generator.render.health import CEL, KINDS, LUA, flux_health
from generator.schemas.cel import engine


def cond(kind: str, status: str = "True", reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": status, "reason": reason, "message": message}


def obj(kind: str, status: dict[str, Any] | None, spec: dict[str, Any] | None = None,
        generation: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": "ray.io/v1", "kind": kind,
                           "metadata": {"name": "x", "generation": generation},
                           "spec": spec or {}}
    if status is not None:
        out["status"] = status
    return out


def apps(**statuses: str) -> dict[str, Any]:
    return {"rayClusterName": "x-abcde",
            "applicationStatuses": {name: {"status": s, "message": f"{name} says {s}"}
                                    for name, s in statuses.items()}}


READY_CLUSTER = {"state": "ready", "observedGeneration": 1, "readyWorkerReplicas": 2,
                 "desiredWorkerReplicas": 2,
                 "conditions": [cond("RayClusterProvisioned"), cond("HeadPodReady")]}
# (object, Argo CD status, Flux status)
CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "cluster without status": (obj("RayCluster", None), "Progressing", "inProgress"),
    "cluster starting": (obj("RayCluster", {"conditions": [cond("HeadPodReady", "False")]}),
                         "Progressing", "inProgress"),
    "cluster ready": (obj("RayCluster", READY_CLUSTER), "Healthy", "current"),
    "cluster change not seen": (obj("RayCluster", READY_CLUSTER, generation=2),
                                "Progressing", "inProgress"),
    "cluster replica failure": (obj("RayCluster", {**READY_CLUSTER, "conditions": [
        cond("RayClusterProvisioned"), cond("HeadPodReady"),
        cond("ReplicaFailure", message="pods is forbidden: exceeded quota")]}), "Degraded", "failed"),
    "cluster lost its head": (obj("RayCluster", {**READY_CLUSTER, "conditions": [
        cond("RayClusterProvisioned"), cond("HeadPodReady", "False")]}), "Degraded", "failed"),
    "cluster suspending": (obj("RayCluster", {"conditions": [cond("RayClusterSuspending")]}),
                           "Progressing", "inProgress"),
    "cluster suspended": (obj("RayCluster", {"state": "suspended", "conditions": [
        cond("RayClusterSuspended")]}, {"suspend": True}), "Suspended", "current"),
    # every release: with suspend lifted, the operator sets RayClusterSuspended False at
    # once, but state stays suspended until all pods run (updateRayClusterStatus)
    "cluster resuming": (obj("RayCluster", {"state": "suspended", "observedGeneration": 2,
                                            "conditions": [cond("RayClusterSuspended", "False"),
                                                           cond("HeadPodReady")]},
                             {"suspend": False}, generation=2), "Progressing", "inProgress"),
    "cluster resuming without status conditions": (
        obj("RayCluster", {"state": "suspended", "observedGeneration": 2}, {}, generation=2),
        "Progressing", "inProgress"),
    # every release: an invalid RayCluster gets an event, and status is not written
    "cluster edit refused": (obj("RayCluster", READY_CLUSTER, generation=2),
                             "Progressing", "inProgress"),
    "service serving": (obj("RayService", {"observedGeneration": 1, "numServeEndpoints": 2,
                                           "activeServiceStatus": apps(fruit="RUNNING"),
                                           "conditions": [cond("Ready", reason="NonZeroServeEndpoints"),
                                                          cond("UpgradeInProgress", "False")]}),
                        "Healthy", "current"),
    "service starting": (obj("RayService", {"pendingServiceStatus": apps(fruit="DEPLOYING"),
                                            "conditions": [cond("Ready", "False", "Initializing")]}),
                         "Progressing", "inProgress"),
    "service upgrading": (obj("RayService", {"activeServiceStatus": apps(fruit="RUNNING"),
                                             "pendingServiceStatus": apps(fruit="DEPLOYING"),
                                             "conditions": [cond("Ready"),
                                                            cond("UpgradeInProgress")]}),
                          "Progressing", "inProgress"),
    "service upgrade stalled": (obj("RayService", {
        "activeServiceStatus": apps(fruit="RUNNING"),
        "pendingServiceStatus": apps(fruit="DEPLOY_FAILED"),
        "conditions": [cond("Ready"), cond("UpgradeInProgress")]}), "Degraded", "failed"),
    "service application unhealthy": (obj("RayService", {
        "activeServiceStatus": apps(fruit="UNHEALTHY"), "conditions": [cond("Ready")]}),
        "Degraded", "failed"),
    "service initializing timed out": (obj("RayService", {"conditions": [
        cond("Ready", "False", "InitializingTimeout", "not ready after 30m")]}), "Degraded", "failed"),
    # 1.6 and 1.7: validateRayService fails, Ready False ValidationFailed is written and
    # observedGeneration is left behind
    "service edit refused (1.6, 1.7)": (obj("RayService", {
        "observedGeneration": 1, "numServeEndpoints": 2, "activeServiceStatus": apps(fruit="RUNNING"),
        "conditions": [cond("Ready", "False", "ValidationFailed", "spec.upgradeStrategy is invalid"),
                       cond("UpgradeInProgress", "False")]}, generation=2), "Degraded", "failed"),
    # 1.5: an event only; the status stays as it was, serving the old spec
    "service edit refused (1.5)": (obj("RayService", {
        "observedGeneration": 1, "numServeEndpoints": 2, "activeServiceStatus": apps(fruit="RUNNING"),
        "conditions": [cond("Ready", reason="NonZeroServeEndpoints"),
                       cond("UpgradeInProgress", "False")]}, generation=2), "Progressing", "inProgress"),
    # the spec fixed and taken: the old ValidationFailed stays until endpoints come up
    "service fixed after a refusal": (obj("RayService", {
        "observedGeneration": 3, "conditions": [cond("Ready", "False", "ValidationFailed", "old"),
                                                cond("UpgradeInProgress", "False")]}, generation=3),
        "Progressing", "inProgress"),
    # every release: calculateConditions, Ready True before and no endpoint now
    "service endpoints dropped to zero": (obj("RayService", {
        "observedGeneration": 1, "numServeEndpoints": 0, "activeServiceStatus": apps(fruit="RUNNING"),
        "conditions": [cond("Ready", "False", "ZeroServeEndpoints"),
                       cond("UpgradeInProgress", "False")]}), "Degraded", "failed"),
    "service suspended": (obj("RayService", {"conditions": [cond("Ready", "False", "SuspendInProgress"),
                                                            cond("Suspended")]}),
                          "Suspended", "current"),
    "job new": (obj("RayJob", {}), "Progressing", "inProgress"),
    "job initializing": (obj("RayJob", {"jobDeploymentStatus": "Initializing"}),
                         "Progressing", "inProgress"),
    "job running": (obj("RayJob", {"jobDeploymentStatus": "Running", "jobStatus": "RUNNING"}),
                    "Progressing", "current"),
    "job succeeded": (obj("RayJob", {"jobDeploymentStatus": "Complete", "jobStatus": "SUCCEEDED"}),
                      "Healthy", "current"),
    "job failed in Ray": (obj("RayJob", {"jobDeploymentStatus": "Complete", "jobStatus": "FAILED",
                                         "message": "exit code 1"}), "Degraded", "failed"),
    "job past its deadline": (obj("RayJob", {"jobDeploymentStatus": "Failed",
                                             "reason": "DeadlineExceeded"}), "Degraded", "failed"),
    "job invalid": (obj("RayJob", {"jobDeploymentStatus": "ValidationFailed",
                                   "reason": "ValidationFailed"}), "Degraded", "failed"),
    "job queued by Kueue": (obj("RayJob", {"jobDeploymentStatus": "Suspended"}, {"suspend": True}),
                            "Suspended", "current"),
    "cron job scheduling": (obj("RayCronJob", {"lastScheduleTime": "2026-12-03T00:00:00Z"}),
                            "Healthy", "current"),
    "cron job suspended": (obj("RayCronJob", None, {"suspend": True}), "Suspended", "current"),
}


def to_lua(runtime: Any, value: Any) -> Any:
    if isinstance(value, dict):
        return runtime.table_from({k: to_lua(runtime, v) for k, v in value.items()})
    if isinstance(value, list):
        return runtime.table_from([to_lua(runtime, v) for v in value])
    return value


def argocd(manifest: dict[str, Any]) -> dict[str, str]:
    runtime = lua51.LuaRuntime(unpack_returned_tuples=True)
    runtime.globals().obj = to_lua(runtime, manifest)
    result = runtime.execute(LUA[manifest["kind"]])
    return {"status": result["status"], "message": result["message"]}


def flux(manifest: dict[str, Any]) -> str:
    """kustomize-controller's order: inProgress, failed, current; none holds, or an
    expression fails to evaluate (a field not there yet): still in progress."""
    exprs = next(e for e in flux_health() if e["kind"] == manifest["kind"])
    for name in ("inProgress", "failed", "current"):
        if name not in exprs:
            continue
        try:
            if engine().compile(exprs[name]).execute(manifest) is True:
                return name
        except Exception:  # noqa: BLE001 - an evaluation error keeps Flux waiting
            return "inProgress"
    return "inProgress"


@pytest.mark.parametrize("case", sorted(CASES))
def test_health(case: str) -> None:
    manifest, argo, expected = CASES[case]
    found = argocd(manifest)
    assert found["status"] == argo, found
    assert found["message"]
    assert flux(manifest) == expected


def test_every_kind_has_both() -> None:
    assert set(LUA) == set(CEL) == set(KINDS)
    assert {kind for kind in KINDS} == {m["kind"] for m, _, _ in CASES.values()}


def test_the_degraded_message_names_what_failed() -> None:
    manifest = CASES["service upgrade stalled"][0]
    assert argocd(manifest)["message"] == (
        "Serve application fruit is DEPLOY_FAILED on x-abcde: fruit says DEPLOY_FAILED")
