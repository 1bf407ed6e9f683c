"""KubeRay's RayService and RayJob rules (utils/validation.go: ``ValidateRayServiceSpec``,
``ValidateRayJobSpec``), on rendered objects and hand-written manifests alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.kuberay import JOB_CLUSTER, SERVICE_CLUSTER, cluster_of, mapping, pod_spec
from generator.load import plain
from generator.rules.registry import object_rule
from generator.rules.serve import check_serve_config

UPGRADE_TYPES = ("NewCluster", "NewClusterWithIncrementalUpgrade", "None")


@object_rule("ray.io/v1 RayService", "ray.io/v1 RayJob")
def owned_cluster(obj: dict[str, Any]) -> Iterator[Finding]:
    """What a cluster that a RayService or RayJob creates may not have."""
    found = cluster_of(obj)
    if found is None:
        return
    at, cluster = found
    if "upgradeStrategy" in cluster:
        yield Finding((*at, "upgradeStrategy"), "RG035",
                      f"a {obj.get('kind')} creates its cluster: the RayCluster upgradeStrategy "
                      "is not allowed here")
    if mapping(cluster.get("authOptions")).get("enableK8sTokenAuth"):
        yield Finding((*at, "authOptions", "enableK8sTokenAuth"), "RG031",
                      f"Kubernetes token authentication is not supported for a {obj.get('kind')}")


@object_rule("ray.io/v1 RayService")
def rayservice_rules(obj: dict[str, Any]) -> Iterator[Finding]:
    spec = mapping(obj.get("spec"))
    cluster = mapping(spec.get(SERVICE_CLUSTER))
    head_service = mapping(mapping(cluster.get("headGroupSpec")).get("headService"))
    if mapping(head_service.get("metadata")).get("name"):
        yield Finding(("spec", SERVICE_CLUSTER, "headGroupSpec", "headService", "metadata",
                       "name"), "RG060",
                      "a RayService names its head service itself (<name>-head-svc): leave it unset")
    strategy = mapping(spec.get("upgradeStrategy"))
    kind = strategy.get("type")
    at = ("spec", "upgradeStrategy")
    if kind is not None and kind not in UPGRADE_TYPES:
        yield Finding((*at, "type"), "RG061",
                      f"unknown upgrade type {kind!r}; expected one of {', '.join(UPGRADE_TYPES)}")
    if kind == "NewClusterWithIncrementalUpgrade":
        yield from _incremental(strategy, cluster)
    delay = spec.get("rayClusterDeletionDelaySeconds")
    if isinstance(delay, int) and delay < 0:
        yield Finding(("spec", "rayClusterDeletionDelaySeconds"), "RG063", "must be >= 0")
    text = spec.get("serveConfigV2")
    if isinstance(text, str):
        yield from _serve_config_text(text)


def _incremental(strategy: dict[str, Any], cluster: dict[str, Any]) -> Iterator[Finding]:
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
    elif isinstance(surge, int) and isinstance(step, int) and step > surge:
        yield Finding((*opt_at, "stepSizePercent"), "RG062",
                      f"must be <= maxSurgePercent ({step} > {surge})")
    interval = options.get("intervalSeconds")
    if not isinstance(interval, int) or interval <= 0:
        yield Finding((*opt_at, "intervalSeconds") if interval is not None else opt_at, "RG062",
                      "intervalSeconds must be > 0")


def _serve_config_text(text: str) -> Iterator[Finding]:
    at = ("spec", "serveConfigV2")
    try:
        config = plain.load(text)
    except plain.YAMLError as exc:
        yield Finding(at, "RG078", f"serveConfigV2 is not YAML: {plain.first_line(exc)}")
        return
    for finding in check_serve_config(config):
        inner = ".".join(str(p) for p in finding.path)
        message = f"{inner}: {finding.message}" if inner else finding.message
        yield Finding(at, finding.code, message, severity=finding.severity, hint=finding.hint)


@object_rule("ray.io/v1 RayJob")
def rayjob_rules(obj: dict[str, Any]) -> Iterator[Finding]:
    spec = mapping(obj.get("spec"))
    shutdown = spec.get("shutdownAfterJobFinishes") is True
    selector = bool(spec.get("clusterSelector"))
    own = JOB_CLUSTER in spec
    mode = spec.get("submissionMode", "K8sJobMode")
    backoff = spec.get("backoffLimit", 0)
    if selector == own:
        yield Finding(("spec",), "RG053", "give exactly one of rayClusterSpec and clusterSelector "
                      f"(found {'both' if own else 'neither'})")
    if spec.get("suspend") is True and not shutdown:
        yield Finding(("spec", "suspend"), "RG050", "suspend needs shutdownAfterJobFinishes: true")
    ttl = spec.get("ttlSecondsAfterFinished")
    if isinstance(ttl, int) and ttl > 0 and not shutdown:
        yield Finding(("spec", "ttlSecondsAfterFinished"), "RG051",
                      "a TTL needs shutdownAfterJobFinishes: true")
    deletion = mapping(spec.get("deletionStrategy"))
    if "deletionRules" in deletion and shutdown:
        yield Finding(("spec", "deletionStrategy"), "RG052",
                      "deletionRules cannot be combined with shutdownAfterJobFinishes")
    if selector:
        if spec.get("suspend") is True:
            yield Finding(("spec", "suspend"), "RG054", "a job on an existing cluster "
                          "(clusterSelector) cannot be suspended")
        if mode == "SidecarMode":
            yield Finding(("spec", "submissionMode"), "RG054",
                          "SidecarMode needs a cluster of the job's own, not clusterSelector")
        if isinstance(backoff, int) and backoff > 0:
            yield Finding(("spec", "backoffLimit"), "RG054",
                          "retries create new clusters: no backoffLimit with clusterSelector")
    if mode == "InteractiveMode" and isinstance(backoff, int) and backoff > 0:
        yield Finding(("spec", "backoffLimit"), "RG055", "InteractiveMode takes no backoffLimit")
    if mode == "SidecarMode":
        for name in ("submitterPodTemplate", "submitterConfig"):
            if name in spec:
                yield Finding(("spec", name), "RG056", f"SidecarMode takes no {name}")
        head = mapping(mapping(spec.get(JOB_CLUSTER)).get("headGroupSpec"))
        policy = pod_spec(head).get("restartPolicy")
        if policy not in (None, "Never"):
            yield Finding(("spec", JOB_CLUSTER, "headGroupSpec", "template", "spec",
                           "restartPolicy"), "RG056",
                          f"SidecarMode needs the head's restartPolicy Never, got {policy!r}")
    text = spec.get("runtimeEnvYAML")
    if isinstance(text, str):
        try:
            plain.load(text)
        except plain.YAMLError as exc:
            yield Finding(("spec", "runtimeEnvYAML"), "RG057",
                          f"runtimeEnvYAML is not YAML: {plain.first_line(exc)}")
    cluster = mapping(spec.get(JOB_CLUSTER))
    for rule_ in deletion.get("deletionRules", []) if isinstance(deletion.get("deletionRules"),
                                                                   list) else []:
        if mapping(rule_).get("policy") == "DeleteWorkers" and cluster.get("enableInTreeAutoscaling"):
            yield Finding(("spec", "deletionStrategy"), "RG058",
                          "DeleteWorkers cannot be used with the autoscaler")
            break
