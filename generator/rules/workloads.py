"""KubeRay's RayService and RayJob rules (utils/validation.go: ``ValidateRayServiceSpec``,
``ValidateRayServiceMetadata``, ``ValidateRayJobSpec``, ``validateDeletionConfiguration``),
release by release, on rendered objects and hand-written manifests alike; a RayCronJob's
in ``raycronjob.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import (
    JOB_CLUSTER,
    RAY_JOB,
    RAY_SERVICE,
    SERVICE_CLUSTER,
    cluster_of,
)
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import RAY_CLUSTER_LABEL, ClusterView, mapping, pod_spec
from generator.load import plain
from generator.rules.raycluster import warning
from generator.rules.registry import object_rule
from generator.rules.serve import check_serve_config

UPGRADE_TYPES = ("NewCluster", "NewClusterWithIncrementalUpgrade", "None")
INITIALIZING_TIMEOUT = "ray.io/initializing-timeout"
GO_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")
POLICY_ORDER = ("DeleteWorkers", "DeleteCluster", "DeleteSelf")


@object_rule(RAY_SERVICE, RAY_JOB)
def owned_cluster(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    """What a cluster that a RayService or RayJob creates may not have."""
    found = cluster_of(obj)
    if found is None or not target.since("1.6"):
        return
    at, cluster = found
    kind = obj.get("kind")
    # the operator refuses a set type (ValidateRayClusterUpgradeOptions), not an empty strategy
    if mapping(cluster.get("upgradeStrategy")).get("type") is not None:
        yield Finding((*at, "upgradeStrategy"), "RG035",
                      f"a {kind} creates its cluster: the RayCluster upgradeStrategy is refused there")
    if mapping(cluster.get("authOptions")).get("enableK8sTokenAuth") is True:
        yield Finding((*at, "authOptions", "enableK8sTokenAuth"), "RG031",
                      f"Kubernetes token authentication is not supported for a {kind}")


@object_rule(RAY_SERVICE)
def rayservice_rules(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    spec = mapping(obj.get("spec"))
    cluster = mapping(spec.get(SERVICE_CLUSTER))
    head_service = mapping(mapping(cluster.get("headGroupSpec")).get("headService"))
    if mapping(head_service.get("metadata")).get("name"):
        yield Finding(("spec", SERVICE_CLUSTER, "headGroupSpec", "headService", "metadata", "name"),
                      "RG060", "a RayService names its head service itself (<name>-head-svc): "
                      "leave it unset")
    yield from _initializing_timeout(mapping(mapping(obj.get("metadata")).get("annotations")))
    strategy = mapping(spec.get("upgradeStrategy"))
    kind = strategy.get("type")
    if kind is not None and kind not in UPGRADE_TYPES:
        yield Finding(("spec", "upgradeStrategy", "type"), "RG061",
                      f"unknown upgrade type {kind!r}; expected one of {', '.join(UPGRADE_TYPES)}")
    if kind == "NewClusterWithIncrementalUpgrade":
        if target.enabled("RayServiceIncrementalUpgrade"):
            yield from _incremental(strategy, cluster, target)
        else:
            yield warning(("spec", "upgradeStrategy", "type"), "RG097",
                          "the RayServiceIncrementalUpgrade feature gate is off in KubeRay "
                          f"{target.release.version}: the operator does not upgrade incrementally",
                          hint=target.flag("RayServiceIncrementalUpgrade"))
    delay = spec.get("rayClusterDeletionDelaySeconds")
    if isinstance(delay, int) and delay < 0:
        yield Finding(("spec", "rayClusterDeletionDelaySeconds"), "RG063", "must be >= 0")
    text = spec.get("serveConfigV2")
    if isinstance(text, str):
        view = ClusterView.of(obj)
        yield from _serve_config_text(text, view.runs_ray() if view else None)


def _initializing_timeout(annotations: dict[str, Any]) -> Iterator[Finding]:
    """validateInitializingTimeout: a Go duration or whole seconds, positive."""
    value = annotations.get(INITIALIZING_TIMEOUT)
    if not value:
        return
    text = str(value).strip()
    at = ("metadata", "annotations", INITIALIZING_TIMEOUT)
    if GO_DURATION.match(text):
        if text.startswith("-") or not re.search(r"[1-9]", text):
            yield Finding(at, "RG066", f"must be a positive duration, got {text!r}")
    elif re.fullmatch(r"[-+]?\d+", text):
        if int(text) <= 0:
            yield Finding(at, "RG066", f"must be a positive number of seconds, got {text!r}")
    else:
        yield Finding(at, "RG066", f"{text!r} is neither a Go duration (5m, 1h) nor whole seconds")


def _incremental(strategy: dict[str, Any], cluster: dict[str, Any],
                 target: Target) -> Iterator[Finding]:
    at = ("spec", "upgradeStrategy")
    if cluster.get("enableInTreeAutoscaling") is not True:
        yield Finding((*at, "type"), "RG062",
                      "NewClusterWithIncrementalUpgrade needs the cluster's autoscaler "
                      "(enableInTreeAutoscaling): the new cluster scales with target capacity")
    options = strategy.get("clusterUpgradeOptions")
    if not isinstance(options, dict):
        yield Finding((*at, "type"), "RG062",
                      "NewClusterWithIncrementalUpgrade needs clusterUpgradeOptions "
                      "(maxSurgePercent, stepSizePercent, intervalSeconds, gatewayClassName)")
        return
    opt_at = (*at, "clusterUpgradeOptions")
    if not options.get("gatewayClassName"):
        yield Finding(opt_at, "RG062", "gatewayClassName is required: traffic moves through "
                      "a Gateway API HTTPRoute")
    surge = options.get("maxSurgePercent", 100)
    step = options.get("stepSizePercent")
    for name, value in (("maxSurgePercent", surge), ("stepSizePercent", step)):
        if isinstance(value, int) and not 0 <= value <= 100:
            yield Finding((*opt_at, name), "RG062", f"must be within 0..100, got {value}")
    if step is None:
        yield Finding(opt_at, "RG062", "stepSizePercent is required")
    elif target.since("1.7") and isinstance(surge, int) and isinstance(step, int) and step > surge:
        yield Finding((*opt_at, "stepSizePercent"), "RG062",
                      f"must be <= maxSurgePercent ({step} > {surge})")
    interval = options.get("intervalSeconds")
    if not isinstance(interval, int) or interval <= 0:
        yield Finding((*opt_at, "intervalSeconds") if interval is not None else opt_at, "RG062",
                      "intervalSeconds must be > 0")


def _serve_config_text(text: str, ray: tuple[int, ...] | None) -> Iterator[Finding]:
    at = ("spec", "serveConfigV2")
    try:
        config = plain.load_embedded(text)
    except plain.LimitError as exc:
        yield Finding(at, "RG004", f"serveConfigV2 is past ray-gitops's limits: {exc}")
        return
    except plain.YAMLError as exc:
        yield Finding(at, "RG078", f"serveConfigV2 is not YAML: {plain.first_line(exc)}")
        return
    for finding in check_serve_config(config, ray):
        inner = ".".join(str(p) for p in finding.path)
        message = f"{inner}: {finding.message}" if inner else finding.message
        yield Finding(at, finding.code, message, severity=finding.severity, hint=finding.hint)


@object_rule(RAY_JOB)
def rayjob_rules(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    yield from job_spec(mapping(obj.get("spec")), ("spec",), target)


def job_spec(spec: dict[str, Any], at: FieldPath, target: Target) -> Iterator[Finding]:
    """ValidateRayJobSpec on a RayJob's spec (or a RayCronJob's job template) at ``at``."""
    shutdown = spec.get("shutdownAfterJobFinishes") is True
    selector = mapping(spec.get("clusterSelector"))
    own = JOB_CLUSTER in spec
    mode = spec.get("submissionMode", "K8sJobMode")
    backoff = spec.get("backoffLimit")
    retries = isinstance(backoff, int) and backoff > 0
    if spec.get("suspend") is True and not shutdown:
        yield Finding((*at, "suspend"), "RG050", "suspend needs shutdownAfterJobFinishes: true")
    ttl = spec.get("ttlSecondsAfterFinished")
    if isinstance(ttl, int) and ttl < 0:
        yield Finding((*at, "ttlSecondsAfterFinished"), "RG059", f"must not be negative, got {ttl}")
    elif isinstance(ttl, int) and ttl > 0 and not shutdown:
        yield Finding((*at, "ttlSecondsAfterFinished"), "RG051",
                      "a TTL needs shutdownAfterJobFinishes: true")
    yield from _deletion(spec, at, target)
    if not own and not selector:
        yield Finding(at, "RG053", "give one of rayClusterSpec and clusterSelector (found neither)")
    elif own and selector:
        yield warning((*at, "clusterSelector"), "RG092", "both rayClusterSpec and clusterSelector: "
                      "the job runs on the selected cluster and rayClusterSpec is not used")
    if selector:
        if not selector.get(RAY_CLUSTER_LABEL):
            yield Finding((*at, "clusterSelector"), "RG065",
                          f"clusterSelector needs a non-empty {RAY_CLUSTER_LABEL!r}")
        if spec.get("suspend") is True:
            yield Finding((*at, "suspend"), "RG054", "a job on an existing cluster "
                          "(clusterSelector) cannot be suspended")
        if mode == "SidecarMode":
            yield Finding((*at, "submissionMode"), "RG054",
                          "SidecarMode needs a cluster of the job's own, not clusterSelector")
        if retries and target.since("1.6"):
            yield Finding((*at, "backoffLimit"), "RG054",
                          "retries create new clusters: no backoffLimit with clusterSelector")
    if mode == "InteractiveMode" and retries:
        yield Finding((*at, "backoffLimit"), "RG055", "InteractiveMode takes no backoffLimit")
    if mode == "SidecarMode":
        yield from _sidecar(spec, at)
    yield from _runtime_env(spec, at)
    for name, minimum in (("activeDeadlineSeconds", 1), ("preRunningDeadlineSeconds", 1),
                          ("backoffLimit", 0)):
        value = spec.get(name)
        if name == "preRunningDeadlineSeconds" and not target.since("1.6"):
            continue
        if isinstance(value, int) and value < minimum:
            wanted = "> 0" if minimum else ">= 0"
            yield Finding((*at, name), "RG059", f"must be {wanted}, got {value}")


def _sidecar(spec: dict[str, Any], at: FieldPath) -> Iterator[Finding]:
    for name in ("submitterPodTemplate", "submitterConfig"):
        if name in spec:
            yield Finding((*at, name), "RG056", f"SidecarMode takes no {name}")
    head = mapping(mapping(spec.get(JOB_CLUSTER)).get("headGroupSpec"))
    policy = pod_spec(head).get("restartPolicy")
    if policy not in (None, "", "Never"):
        yield Finding((*at, JOB_CLUSTER, "headGroupSpec", "template", "spec", "restartPolicy"),
                      "RG056", f"SidecarMode needs the head's restartPolicy Never, got {policy!r}")


def _runtime_env(spec: dict[str, Any], at: FieldPath) -> Iterator[Finding]:
    """UnmarshalRuntimeEnvYAML: the operator reads runtimeEnvYAML into a mapping."""
    text = spec.get("runtimeEnvYAML")
    if not isinstance(text, str) or not text.strip():
        return
    try:
        value = plain.load(text)
    except plain.LimitError as exc:
        yield Finding((*at, "runtimeEnvYAML"), "RG004", f"runtimeEnvYAML is past ray-gitops's "
                      f"limits: {exc}")
        return
    except plain.YAMLError as exc:
        yield Finding((*at, "runtimeEnvYAML"), "RG057",
                      f"runtimeEnvYAML is not YAML: {plain.first_line(exc)}")
        return
    if value is not None and not isinstance(value, dict):
        yield Finding((*at, "runtimeEnvYAML"), "RG057",
                      f"runtimeEnvYAML must be a mapping, not a {type(value).__name__}")


def _deletion(spec: dict[str, Any], at: FieldPath, target: Target) -> Iterator[Finding]:
    """validateDeletionConfiguration and the deletion rules below it."""
    strategy = spec.get("deletionStrategy")
    if not isinstance(strategy, dict):
        return
    at = (*at, "deletionStrategy")
    if not target.enabled("RayJobDeletionPolicy"):
        yield Finding(at, "RG104", "deletionStrategy needs the operator's RayJobDeletionPolicy "
                      f"feature gate, which is off in KubeRay {target.release.version}: "
                      "the operator rejects it", hint=target.flag("RayJobDeletionPolicy"))
        return
    legacy = "onSuccess" in strategy or "onFailure" in strategy
    rules = strategy.get("deletionRules")
    shutdown = spec.get("shutdownAfterJobFinishes") is True
    selector = bool(mapping(spec.get("clusterSelector")))
    autoscaling = mapping(spec.get(JOB_CLUSTER)).get("enableInTreeAutoscaling") is True
    if rules and shutdown:
        yield Finding(at, "RG052", "deletionRules cannot be combined with shutdownAfterJobFinishes")
    if rules and legacy:
        return  # the CRD's own rule (RG037) says so
    if legacy:
        yield from _legacy_policies(strategy, at, shutdown, selector, autoscaling)
    elif isinstance(rules, list) and rules:
        yield from _deletion_rules(rules, (*at, "deletionRules"), selector, autoscaling)


def _legacy_policies(strategy: dict[str, Any], at: FieldPath, shutdown: bool, selector: bool,
                     autoscaling: bool) -> Iterator[Finding]:
    policies = {}
    for name in ("onSuccess", "onFailure"):
        policy = mapping(strategy.get(name)).get("policy")
        if name not in strategy:
            yield Finding(at, "RG064", "give both onSuccess and onFailure (or deletionRules)")
            return
        if policy is None:
            yield Finding((*at, name), "RG064", f"{name}.policy must be set")
            return
        policies[name] = policy
    for name, policy in policies.items():
        if selector and policy in ("DeleteCluster", "DeleteWorkers"):
            yield Finding((*at, name, "policy"), "RG064",
                          f"{policy} needs a cluster of the job's own, not clusterSelector")
        if policy == "DeleteWorkers" and autoscaling:
            yield Finding((*at, name, "policy"), "RG058", "DeleteWorkers cannot be used with "
                          "the autoscaler")
        if shutdown and policy == "DeleteNone":
            yield Finding((*at, name, "policy"), "RG064",
                          "DeleteNone contradicts shutdownAfterJobFinishes: true")


def _deletion_rules(rules: list[Any], at: FieldPath, selector: bool,
                    autoscaling: bool) -> Iterator[Finding]:
    seen: dict[tuple[str, str], dict[str, int]] = {}
    for i, rule in enumerate(rules):
        rule = mapping(rule)
        condition = mapping(rule.get("condition"))
        policy = str(rule.get("policy"))
        here = (*at, i)
        if "jobStatus" in condition and "jobDeploymentStatus" in condition:
            continue  # the CRD's own rule (RG037) says so
        if "jobStatus" not in condition and "jobDeploymentStatus" not in condition:
            continue  # the CRD's own rule (RG037) says so
        ttl = condition.get("ttlSeconds", 0)
        if isinstance(ttl, int) and ttl < 0:
            yield Finding((*here, "condition", "ttlSeconds"), "RG064", "must not be negative")
            continue
        if selector and policy in ("DeleteCluster", "DeleteWorkers"):
            yield Finding((*here, "policy"), "RG064",
                          f"{policy} needs a cluster of the job's own, not clusterSelector")
            continue
        if autoscaling and policy == "DeleteWorkers":
            yield Finding((*here, "policy"), "RG058", "DeleteWorkers cannot be used with the autoscaler")
            continue
        field = "jobStatus" if "jobStatus" in condition else "jobDeploymentStatus"
        key = (field, str(condition[field]))
        if policy in seen.setdefault(key, {}):
            yield Finding(here, "RG064", f"duplicate rule for {policy} on {field} {key[1]}")
            continue
        seen[key][policy] = ttl if isinstance(ttl, int) else 0
    for (field, value), ttls in seen.items():
        ordered = [(p, ttls[p]) for p in POLICY_ORDER if p in ttls]
        for (before, low), (after, high) in zip(ordered, ordered[1:], strict=False):
            if high < low:
                yield Finding(at, "RG064", f"for {field} {value}: the {after} TTL ({high}) must be "
                              f">= the {before} TTL ({low})")
