"""How each KubeRay kind's status reads, for Argo CD (Lua) and Flux (CEL), from KubeRay's
status types; ``kinds.KINDS`` gives each kind its check, ``render/health.py`` renders them.

Argo CD has no health check for ``ray.io`` kinds, so a RayService whose new cluster never
comes up shows Healthy; Flux's ``wait`` has nothing to read. The states follow
``ray-operator/apis/ray/v1`` (v1.7.0):

- RayCluster: ``status.state`` (ready, suspended; failed is deprecated) and the conditions
  HeadPodReady, RayClusterProvisioned, ReplicaFailure, RayClusterSuspending and
  RayClusterSuspended (the RayClusterStatusConditions gate, on by default).
- RayService: the conditions Ready (reasons InitializingTimeout and ValidationFailed are
  failures), UpgradeInProgress, Suspending and Suspended, and each application's status
  (DEPLOY_FAILED and UNHEALTHY are Ray Serve's failures) on the active and the pending
  cluster: an upgrade whose new cluster cannot deploy is Degraded, not Progressing forever.
- RayJob: ``status.jobDeploymentStatus`` (Failed and ValidationFailed fail; Complete
  succeeds when ``jobStatus`` is SUCCEEDED) and Suspended.
- RayCronJob: ``spec.suspend``; otherwise it is a schedule and healthy.

Argo CD's health statuses are Healthy, Progressing, Degraded and Suspended; its scripts run in
gopher-lua (Lua 5.1) with ``obj`` set. Flux evaluates ``inProgress``, then ``failed``, then
``current`` against the object; a suspended object counts as current there (a RayJob that
Kueue holds back must not fail the Kustomization), a running RayJob as current too (it was
applied; whether it succeeds is the job's business, and it may run for days).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Health:
    """How a kind's status reads: an Argo CD Lua check, and Flux's CEL expressions."""

    lua: str
    cel: dict[str, str]  # inProgress, failed, current


_PRELUDE = """\
local hs = {status = "Progressing", message = "Waiting for the KubeRay operator"}
local function condition(kind)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind then return c end
    end
  end
  return nil
end
local function holds(kind)
  local c = condition(kind)
  return c ~= nil and c.status == "True"
end
local function set(status, message)
  hs.status = status
  hs.message = message
  return hs
end
"""

# no status yet, or a change the operator has not seen: still progressing. The operator
# refuses an invalid RayCluster (and, in 1.5, an invalid RayService) with an event alone and
# leaves observedGeneration behind, so the message says where to look.
_UNSEEN_LUA = """\
if obj.status == nil then return hs end
if obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  return set("Progressing", "The operator has not taken this change yet; if it stays so, " ..
    "the operator refused it: its events say why (kubectl describe)")
end
"""

_RAYCLUSTER = _UNSEEN_LUA + """\
local suspend = obj.spec ~= nil and obj.spec.suspend == true
local stopped = holds("RayClusterSuspended") or obj.status.state == "suspended"
if suspend and stopped then return set("Suspended", "Suspended: its pods are deleted") end
if holds("RayClusterSuspending") then return set("Progressing", "Suspending") end
if stopped then
  return set("Progressing", "Resuming: state stays suspended until all its pods run")
end
local failure = condition("ReplicaFailure")
if failure ~= nil and failure.status == "True" then
  return set("Degraded", "A pod could not be created or deleted: " .. (failure.message or ""))
end
if obj.status.state == "failed" then
  return set("Degraded", "Failed: " .. (obj.status.reason or ""))
end
if holds("HeadPodReady") and obj.status.state == "ready" then
  return set("Healthy", "Ready: " .. tostring(obj.status.readyWorkerReplicas or 0) ..
    " of " .. tostring(obj.status.desiredWorkerReplicas or 0) .. " worker pods ready")
end
if holds("RayClusterProvisioned") then
  return set("Degraded", "The head pod is not ready")
end
return set("Progressing", "Waiting for the head pod and the workers")
"""

_RAYSERVICE = """\
if obj.status == nil then return hs end
local ready = condition("Ready")
local seen = obj.status.observedGeneration ~= nil and obj.metadata.generation ~= nil
  and obj.status.observedGeneration >= obj.metadata.generation
if ready ~= nil and ready.status == "False" and ready.reason == "ValidationFailed" and not seen then
  -- 1.6 on: refused, and observedGeneration left behind (a fixed spec is taken and seen)
  return set("Degraded", "The operator refused this RayService: " .. (ready.message or ""))
end
""" + _UNSEEN_LUA.split("\n", 1)[1] + """\
if holds("Suspended") then return set("Suspended", "Suspended: its cluster is deleted") end
if holds("Suspending") then return set("Progressing", "Suspending") end
for _, side in ipairs({"activeServiceStatus", "pendingServiceStatus"}) do
  local cluster = obj.status[side]
  if cluster ~= nil and cluster.applicationStatuses ~= nil then
    for name, app in pairs(cluster.applicationStatuses) do
      if app.status == "DEPLOY_FAILED" or app.status == "UNHEALTHY" then
        return set("Degraded", "Serve application " .. name .. " is " .. app.status ..
          " on " .. (cluster.rayClusterName or side) .. ": " .. (app.message or ""))
      end
    end
  end
end
if ready ~= nil and ready.status == "False" and ready.reason == "InitializingTimeout" then
  return set("Degraded", ready.reason .. ": " .. (ready.message or ""))
end
if ready ~= nil and ready.status == "False" and ready.reason == "ZeroServeEndpoints" then
  return set("Degraded", "Down: no Serve endpoint is ready (it served before)")
end
if holds("UpgradeInProgress") then
  local pending = obj.status.pendingServiceStatus or {}
  return set("Progressing", "Upgrading: the new cluster " .. (pending.rayClusterName or "") ..
    " is starting beside the old one")
end
if ready ~= nil and ready.status == "True" then
  return set("Healthy", "Serving: " .. tostring(obj.status.numServeEndpoints or 0) ..
    " Serve endpoint(s)")
end
return set("Progressing", "Waiting for the cluster and the Serve applications")
"""

_RAYJOB = """\
if obj.status == nil then return hs end
local deployment = obj.status.jobDeploymentStatus or ""
local reason = obj.status.reason or ""
local message = obj.status.message or ""
if deployment == "Failed" or deployment == "ValidationFailed" then
  return set("Degraded", deployment .. ": " .. reason .. " " .. message)
end
if deployment == "Complete" then
  if obj.status.jobStatus == "SUCCEEDED" then return set("Healthy", "The job succeeded") end
  return set("Degraded", "The job ended " .. (obj.status.jobStatus or "") .. ": " .. message)
end
if deployment == "Suspended" then return set("Suspended", "Suspended") end
if deployment == "" then deployment = "New" end
return set("Progressing", deployment .. " (job " .. (obj.status.jobStatus or "not submitted") .. ")")
"""

_RAYCRONJOB = """\
if obj.spec ~= nil and obj.spec.suspend == true then
  return set("Suspended", "Suspended: no runs are scheduled")
end
local last = "none yet"
if obj.status ~= nil and obj.status.lastScheduleTime ~= nil then last = obj.status.lastScheduleTime end
return set("Healthy", "Scheduled; last run " .. last)
"""

def _condition(kind: str, status: str = "True") -> str:
    return (f"(has(status.conditions) && status.conditions.exists(c, c.type == '{kind}' "
            f"&& c.status == '{status}'))")


_UNSEEN = ("(has(status.observedGeneration) && has(metadata.generation) && "
           "status.observedGeneration < metadata.generation)")
_FAILED_APP = ("(has(status.{side}) && has(status.{side}.applicationStatuses) && "
               "status.{side}.applicationStatuses.exists(name, "
               "status.{side}.applicationStatuses[name].status in ['DEPLOY_FAILED', 'UNHEALTHY']))")
_READY_FAILED = ("(has(status.conditions) && status.conditions.exists(c, c.type == 'Ready' && "
                 "c.status == 'False' && has(c.reason) && "
                 "c.reason in ['InitializingTimeout', 'ZeroServeEndpoints']))")
_SEEN = ("(has(status.observedGeneration) && has(metadata.generation) && "
         "status.observedGeneration >= metadata.generation)")
_REFUSED = ("(has(status.conditions) && status.conditions.exists(c, c.type == 'Ready' && "
            "c.status == 'False' && has(c.reason) && c.reason == 'ValidationFailed'))")
_SUSPEND = "(has(spec.suspend) && spec.suspend == true)"
_STOPPED = ("({suspended} || (has(status.state) && status.state == 'suspended'))")

_CLUSTER_STOPPED = _STOPPED.format(suspended=_condition("RayClusterSuspended"))
RAYCLUSTER = Health(_PRELUDE + _RAYCLUSTER, {
        "inProgress": (f"{_UNSEEN} || {_condition('RayClusterSuspending')} || "
                       f"(!{_SUSPEND} && {_CLUSTER_STOPPED})"),
        "failed": (f"{_condition('ReplicaFailure')} || (has(status.state) && "
                   f"status.state == 'failed') || (has(status.state) && status.state == 'ready' "
                   f"&& {_condition('RayClusterProvisioned')} && {_condition('HeadPodReady', 'False')})"),
        "current": (f"({_SUSPEND} && {_CLUSTER_STOPPED}) || (has(status.state) && "
                    f"status.state == 'ready' && {_condition('HeadPodReady')})"),
})
RAYSERVICE = Health(_PRELUDE + _RAYSERVICE, {
        "inProgress": f"({_UNSEEN} && !{_REFUSED}) || {_condition('Suspending')}",
        "failed": " || ".join([_FAILED_APP.format(side="activeServiceStatus"),
                               _FAILED_APP.format(side="pendingServiceStatus"), _READY_FAILED,
                               f"({_REFUSED} && !{_SEEN})"]),
        "current": (f"{_condition('Suspended')} || ({_condition('Ready')} && "
                    f"!{_condition('UpgradeInProgress')})"),
})
RAYJOB = Health(_PRELUDE + _RAYJOB, {
        "inProgress": ("!has(status.jobDeploymentStatus) || status.jobDeploymentStatus in "
                       "['', 'Initializing', 'Retrying', 'Waiting', 'Suspending']"),
        "failed": ("status.jobDeploymentStatus in ['Failed', 'ValidationFailed'] || "
                   "(status.jobDeploymentStatus == 'Complete' && "
                   "(!has(status.jobStatus) || status.jobStatus != 'SUCCEEDED'))"),
        "current": "status.jobDeploymentStatus in ['Running', 'Complete', 'Suspended']",
})
RAYCRONJOB = Health(_PRELUDE + _RAYCRONJOB, {"current": "true"})


