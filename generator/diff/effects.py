"""What a change does on the cluster: object by object, by KubeRay's update rules.

Two builds (the specs at a base revision, and now) are compared object by
object; each change gets the effect the operator will give it (rayservice_controller.go
shouldPrepareNewCluster, utils/util.go GenerateHashWithoutReplicasAndWorkersToDelete):
- RayService: ``serveConfigV2`` is applied in place; a change to
  ``rayClusterConfig`` starts a new cluster beside the old one (twice the
  capacity, until traffic moves), unless the upgrade type is ``None``, in which
  case it is not applied at all; changes to worker replicas/min/max, tolerations,
  scheduling gates, upgradeStrategy and suspend are hashed out and never reach
  the running cluster; appending worker groups updates the cluster in place.
- RayCluster: a change the operator hashes (the spec without replicas, min/max,
  tolerations, scheduling gates and the strategy) recreates every pod with
  ``upgradeStrategy: Recreate`` and reaches no running pod with ``None``;
  replica changes scale the group.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath, dotted
from generator.kuberay.kinds import KINDS, RAY_CLUSTER, RAY_JOB, RAY_SERVICE, SCHEDULED_KINDS, SERVICE_CLUSTER
from generator.kuberay.releases import LATEST, RELEASES, Release
from generator.kuberay.vocabulary import FT_ENABLED, ClusterView
from generator.load import plain
from generator.render.base import Rendered

Key = tuple[str, str, str]  # kind, namespace, name

# Effect kinds, from the least to the most disruptive.
NONE = "none"
IN_PLACE = "in-place"
IGNORED = "not-applied"
RESTART = "restart"
NEW_CLUSTER = "new-cluster"
CREATE = "create"
DELETE = "delete"
REFUSED = "refused"  # the API server refuses the update (a CRD transition rule)


@dataclass
class Change:
    key: Key
    status: str  # added | removed | changed
    effect: str
    summary: str  # what the operator will do, in a sentence
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)  # path, old, new
    file: str = ""  # the spec file of the object (now, or at the base when removed)
    line: int = 1

    @property
    def title(self) -> str:
        kind, namespace, name = self.key
        return f"{kind} {namespace + '/' if namespace else ''}{name}"


def index(objects: list[Rendered]) -> dict[Key, Rendered]:
    out = {}
    for item in objects:
        meta = item.obj["metadata"]
        out[(item.kind, str(meta.get("namespace", "")), item.name)] = item
    return out


Refusals = Callable[[dict[str, Any], dict[str, Any]], list[Finding]]


def compare(before: list[Rendered], after: list[Rendered], release: Release = RELEASES[LATEST],
            refusals: Refusals | None = None, now: datetime | None = None) -> list[Change]:
    """Object by object, what changes and what ``release`` of the operator does with it;
    ``refusals`` names what the API server refuses in an update (immutable fields)."""
    old, new = index(before), index(after)
    changes = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            changes.append(_added(key, new[key], now))
        elif key not in new:
            changes.append(_removed(key, old[key]))
        elif old[key].obj != new[key].obj:
            refused = refusals(old[key].obj, new[key].obj) if refusals else []
            change = _changed(key, old[key], new[key], release, now)
            if refused:
                change.effect = REFUSED
                change.summary = ("the API server refuses this update: " + "; ".join(
                    f"{dotted(f.path)}: {f.message}" for f in refused))
            changes.append(change)
    return changes


def _where(item: Rendered) -> tuple[str, int]:
    if item.spec is None:
        return "", 1
    return item.spec.doc.file, item.spec.doc.pos(("metadata", "name")).line


def _added(key: Key, item: Rendered, now: datetime | None = None) -> Change:
    kind = KINDS.get(key[0])
    summary = kind.created if kind is not None else f"{key[0]} created"
    if kind is not None and kind.scheduled:
        summary += ": " + next_runs(item.obj, now)
    return Change(key, "added", CREATE, summary, [], *_where(item))


def _removed(key: Key, item: Rendered) -> Change:
    summary = f"{key[0]} deleted"
    if key[0] in (RAY_CLUSTER, RAY_SERVICE):
        summary += ": its pods are deleted"
        view = ClusterView.of(item.obj)
        if view is not None and (view.ft_options or FT_ENABLED in view.annotations):
            summary += "; the operator cleans its GCS state out of Redis first"
    return Change(key, "removed", DELETE, summary, [], *_where(item))


def _changed(key: Key, before: Rendered, after: Rendered, release: Release,
             now: datetime | None = None) -> Change:
    fields = list(differences(before.obj, after.obj))
    kind = key[0]
    if kind == RAY_SERVICE:
        effect, summary = rayservice_effect(before.obj, after.obj, release)
    elif kind == RAY_CLUSTER:
        effect, summary = raycluster_effect(before.obj, after.obj, release)
    elif kind in SCHEDULED_KINDS:
        effect, summary = IN_PLACE, ("runs from now on use the new schedule and job template "
                                     "(running jobs keep theirs); " + next_runs(after.obj, now))
        if after.obj["spec"].get("suspend") and not before.obj["spec"].get("suspend"):
            effect, summary = IN_PLACE, "suspended: no new runs (running jobs go on)"
    elif kind == RAY_JOB:
        effect, summary = IGNORED, ("KubeRay does not change a submitted job: the new spec "
                                    "applies when the RayJob is created again")
        if _without(before.obj, "metadata") == _without(after.obj, "metadata"):
            effect, summary = NONE, "metadata only"
    elif kind == "StatefulSet" and before.obj["spec"].get("template") != after.obj["spec"].get(
            "template"):
        effect, summary = RESTART, "the pod is replaced (rolling update)"
    else:
        effect, summary = IN_PLACE, f"{kind} updated in place"
    return Change(key, "changed", effect, summary, fields, *_where(after))


def _without(obj: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != key}


def differences(old: Any, new: Any, path: FieldPath = ()) -> Iterator[tuple[str, Any, Any]]:
    """Leaf-level differences: (dotted path, old, new); None stands for absent."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            yield from differences(old.get(key), new.get(key), (*path, key))
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            yield from differences(old[i] if i < len(old) else None,
                                   new[i] if i < len(new) else None, (*path, i))
    elif old != new:
        if isinstance(old, str) and isinstance(new, str) and "\n" in old + new:
            yield from _text_differences(old, new, path)
        else:
            yield dotted(path), old, new


def _text_differences(old: str, new: str, path: FieldPath) -> Iterator[tuple[str, Any, Any]]:
    """Inside YAML strings (serveConfigV2, runtimeEnvYAML): the fields that changed."""
    try:
        before, after = plain.load(old), plain.load(new)
    except plain.YAMLError:
        yield dotted(path), old, new
        return
    if isinstance(before, dict | list) and isinstance(after, dict | list):
        for inner, a, b in differences(before, after):
            yield f"{dotted(path)}: {inner}", a, b
    else:
        yield dotted(path), old, new


# --- RayService (rayservice_controller.go shouldPrepareNewCluster) ----------------------

def hashed_spec(cluster: dict[str, Any], release: Release = RELEASES[LATEST]) -> dict[str, Any]:
    """A RayClusterSpec as ``release`` of the operator hashes it: without what it ignores
    (upgradeStrategy from 1.6, the cluster's suspend from 1.7)."""
    spec = copy.deepcopy(cluster)
    for name in release.hash_ignores:
        spec.pop(name, None)
    head = spec.get("headGroupSpec", {})
    _drop_scheduling(head)
    for group in spec.get("workerGroupSpecs", []):
        for name in ("replicas", "minReplicas", "maxReplicas"):
            group.pop(name, None)
        group.get("scaleStrategy", {}).pop("workersToDelete", None)
        if group.get("scaleStrategy") == {}:
            group.pop("scaleStrategy")
        _drop_scheduling(group)
    return spec


def _drop_scheduling(group: dict[str, Any]) -> None:
    pod = group.get("template", {}).get("spec", {})
    pod.pop("tolerations", None)
    pod.pop("schedulingGates", None)


def rayservice_effect(before: dict[str, Any], after: dict[str, Any],
                      release: Release = RELEASES[LATEST]) -> tuple[str, str]:
    old, new = before["spec"], after["spec"]
    parts: list[tuple[str, str]] = []
    old_cluster, new_cluster = old.get(SERVICE_CLUSTER, {}), new.get(SERVICE_CLUSTER, {})
    if old_cluster != new_cluster:
        parts.append(_cluster_upgrade(old_cluster, new_cluster, new, release))
    upgrade = bool(parts) and parts[0][0] == NEW_CLUSTER
    if old.get("serveConfigV2") != new.get("serveConfigV2"):
        # with a new cluster, the operator deploys the new Serve config there, and the
        # running cluster keeps the old one until traffic moves (one verdict, not two)
        parts.append((NEW_CLUSTER, "the new Serve config is deployed on the new cluster, not "
                      "on the running one") if upgrade else
                     (IN_PLACE, "the Serve config is applied in place, on the running cluster "
                      "(no new cluster, no pod restart)"))
    rest = ("upgradeStrategy", "rayClusterDeletionDelaySeconds", "excludeHeadPodFromServeSvc",
            "suspend")
    if any(old.get(name) != new.get(name) for name in rest):
        parts.append((IN_PLACE, "RayService settings updated"))
    if before["metadata"] != after["metadata"]:
        parts.append((NONE, "RayService metadata updated (not copied onto a running cluster)"))
    return _combine(parts)


def _cluster_upgrade(old: dict[str, Any], new: dict[str, Any],
                     service: dict[str, Any], release: Release) -> tuple[str, str]:
    before, after = hashed_spec(old, release), hashed_spec(new, release)
    if before == after:
        ignored = ", ".join(["worker replicas, minReplicas, maxReplicas, tolerations, "
                             "scheduling gates", *release.hash_ignores])
        return IGNORED, (f"NOT applied to the running cluster: KubeRay {release.version} ignores "
                         f"{ignored} of an existing RayService cluster "
                         "(the autoscaler owns the replica counts)")
    old_groups = before.get("workerGroupSpecs", [])
    new_groups = after.get("workerGroupSpecs", [])
    if (len(new_groups) > len(old_groups)
            and {**after, "workerGroupSpecs": new_groups[:len(old_groups)]} == before):
        added = ", ".join(str(g.get("groupName")) for g in new_groups[len(old_groups):])
        return IN_PLACE, f"worker group(s) {added} appended: the running cluster is updated in place"
    kind = service.get("upgradeStrategy", {}).get("type")
    if kind == "None":
        return IGNORED, ("NOT applied: upgradeStrategy is None, so the operator ignores "
                         "changes to the cluster (no new cluster, no update)")
    if kind == "NewClusterWithIncrementalUpgrade":
        options = service["upgradeStrategy"].get("clusterUpgradeOptions", {})
        return NEW_CLUSTER, (
            "a new RayCluster is started beside the old one and traffic moves to it in steps of "
            f"{options.get('stepSizePercent', '?')}% (incremental upgrade; up to "
            f"{options.get('maxSurgePercent', 100)}% extra capacity at a time)")
    return NEW_CLUSTER, ("a new RayCluster is started beside the old one; traffic switches when it "
                         "is ready, then the old one is deleted: needs capacity for both "
                         "clusters at once (2x)")


# --- RayCluster (upgradeStrategy Recreate | None; raycluster_controller.go) --------------

def raycluster_effect(before: dict[str, Any], after: dict[str, Any],
                      release: Release = RELEASES[LATEST]) -> tuple[str, str]:
    """The operator hashes a RayCluster's spec as it hashes a RayService's cluster
    (utils/util.go, GenerateHashWithoutReplicasAndWorkersToDelete): replicas, min/max,
    tolerations, scheduling gates and the strategy itself are left out. A different hash
    recreates every pod with Recreate."""
    old, new = before["spec"], after["spec"]
    parts: list[tuple[str, str]] = []
    if hashed_spec(old, release) != hashed_spec(new, release):
        # upgradeStrategy is new in 1.6: before it, the operator never recreates pods
        strategy = new.get("upgradeStrategy", {}).get("type", "None") \
            if release.key >= (1, 6) else "None"
        if strategy == "Recreate":
            parts.append((RESTART, "every pod of the cluster is deleted and recreated with the "
                          "new spec (upgradeStrategy Recreate)"))
        else:
            parts.append((IGNORED, "NOT applied to running pods (upgradeStrategy None): only "
                          "pods created later get the new spec"))
    elif _scheduling(old) != _scheduling(new):
        parts.append((IGNORED, "tolerations and scheduling gates are left out of the operator's "
                      "hash: running pods keep theirs, pods created later get the new ones"))
    if _scale(old) != _scale(new):
        summary = "worker replicas change: the group scales"
        if new.get("enableInTreeAutoscaling"):
            summary += " (with autoscaling on, the autoscaler sets replicas within min..max)"
        parts.append((IN_PLACE, summary))
    if old.get("suspend") != new.get("suspend"):
        parts.append((RESTART, "suspended: every pod is deleted" if new.get("suspend")
                      else "resumed: the pods are created again"))
    if before["metadata"] != after["metadata"]:
        parts.append((NONE, "metadata updated"))
    return _combine(parts)


def _scale(spec: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(g.get("replicas"), g.get("minReplicas"), g.get("maxReplicas"))
            for g in spec.get("workerGroupSpecs", [])]


def _scheduling(spec: dict[str, Any]) -> list[Any]:
    groups = [spec.get("headGroupSpec", {}), *spec.get("workerGroupSpecs", [])]
    return [(g.get("template", {}).get("spec", {}).get("tolerations"),
             g.get("template", {}).get("spec", {}).get("schedulingGates")) for g in groups]


_ORDER = [NONE, IN_PLACE, IGNORED, RESTART, NEW_CLUSTER]
RUNS_SHOWN = 3


def next_runs(obj: dict[str, Any], now: datetime | None = None) -> str:
    """A RayCronJob's schedule and its next runs, in its time zone (UTC when unset: the
    operator's own zone, which ray-gitops cannot know)."""
    spec = obj.get("spec", {})
    schedule = str(spec.get("schedule", ""))
    zone_name = spec.get("timeZone")
    where = zone_name or "UTC, or the operator's time zone"
    if spec.get("suspend"):
        return f"schedule {schedule!r} ({where}), suspended: no runs"
    from croniter import croniter  # ~0.15 s to import: only a RayCronJob pays for it

    try:
        zone = ZoneInfo(zone_name) if zone_name else UTC
        start = (now or datetime.now(UTC)).astimezone(zone)
        runs = croniter(schedule, start)
        times = [runs.get_next(datetime).strftime("%Y-%m-%d %H:%M") for _ in range(RUNS_SHOWN)]
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        return f"schedule {schedule!r} ({where})"
    return f"schedule {schedule!r} ({where}); next runs {', '.join(times)}"


def _combine(parts: list[tuple[str, str]]) -> tuple[str, str]:
    if not parts:
        return NONE, "no effect"
    effect = max((p[0] for p in parts), key=_ORDER.index)
    return effect, "; ".join(p[1] for p in parts)
