"""KubeRay's RayCluster rules, offline (ray-operator's
``controllers/ray/utils/validation.go``, ValidateRayClusterSpec and ValidateRayClusterMetadata).

The cluster rules take a ``ClusterView`` so that the same checks run on a
RayCluster's spec, a RayService's ``rayClusterConfig`` and a RayJob's
``rayClusterSpec``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay import (
    AUTOSCALER_START_CMD_ENV,
    AUTOSCALER_V2_ENV,
    DNS1035,
    EXTERNAL_STORAGE_NAMESPACE,
    FT_ENABLED,
    KINDS,
    MAX_LABEL,
    RAY_REDIS_ADDRESS,
    RAY_RESOURCE_PARAMS,
    REDIS_PASSWORD,
    REDIS_USERNAME,
    TRUE,
    ClusterView,
    image_tag,
    items,
    mapping,
    parse_version,
    pod_spec,
    ray_container,
)
from generator.rules.registry import cluster_rule, object_rule


@object_rule("ray.io/v1 RayCluster", "ray.io/v1 RayService", "ray.io/v1 RayJob")
def check_name(obj: dict[str, Any]) -> Iterator[Finding]:
    kind = str(obj.get("kind"))
    name = mapping(obj.get("metadata")).get("name")
    limit = KINDS[kind].max_name if kind in KINDS else MAX_LABEL
    if not isinstance(name, str):
        return
    if not DNS1035.match(name):
        yield Finding(
            ("metadata", "name"), "RG011",
            f"{name!r} is not a DNS-1035 label (lower-case letters, digits, '-'; "
            "starting with a letter)",
        )
    elif len(name) > limit:
        yield Finding(
            ("metadata", "name"), "RG011",
            f"{kind} names are at most {limit} characters; {name!r} has {len(name)}",
        )


@cluster_rule
def replicas_in_bounds(view: ClusterView) -> Iterator[Finding]:
    for at, group in view.workers():
        low = group.get("minReplicas", 0)
        high = group.get("maxReplicas", 2**31 - 1)
        replicas = group.get("replicas")
        if not all(isinstance(v, int) for v in (low, high)):
            continue
        if low > high:
            yield Finding((*at, "maxReplicas"), "RG012", f"must be >= minReplicas ({high} < {low})")
        elif isinstance(replicas, int) and not low <= replicas <= high:
            yield Finding(
                (*at, "replicas"), "RG012",
                f"must be within minReplicas..maxReplicas ({low}..{high}), got {replicas}",
            )


@cluster_rule
def unique_names(view: ClusterView) -> Iterator[Finding]:
    seen: dict[str, FieldPath] = {}
    for at, group in view.workers():
        name = group.get("groupName")
        if isinstance(name, str):
            if name in seen:
                yield Finding((*at, "groupName"), "RG034", f"duplicate worker group name {name!r}")
            seen[name] = at
    for at, group in view.groups():
        pod = pod_spec(group)
        pod_at = (*at, "template", "spec")
        yield from _duplicates(pod.get("containers"), (*pod_at, "containers"), "container")
        yield from _duplicates(pod.get("volumes"), (*pod_at, "volumes"), "volume")
        for i, container in items(pod.get("containers")):
            env_at = (*pod_at, "containers", i, "env")
            yield from _duplicates(container.get("env"), env_at, "env variable")


def _duplicates(entries: Any, at: FieldPath, what: str) -> Iterator[Finding]:
    seen: set[str] = set()
    for i, entry in items(entries):
        name = entry.get("name")
        if not isinstance(name, str):
            continue  # the schema reports a name that is not a string
        if name in seen:
            yield Finding((*at, i, "name"), "RG034", f"duplicate {what} name {name!r}")
        seen.add(name)


@cluster_rule
def containers_present_and_ray_first(view: ClusterView) -> Iterator[Finding]:
    for at, group in view.groups():
        pod = pod_spec(group)
        if not isinstance(pod.get("containers", []), list):
            continue  # the schema says what is wrong with it
        containers = list(items(pod.get("containers")))
        if not containers:
            yield Finding((*at, "template", "spec", "containers"), "RG023",
                          "a Ray pod template needs at least one container")
            continue
        if not containers[0][1].get("image"):
            yield Finding((*at, "template", "spec", "containers", 0), "RG036",
                          "the Ray container has no image (a strategic merge patch may have "
                          "replaced the list: patch KubeRay objects with JSON 6902 operations)")
        if _looks_like_ray(containers[0][1]):
            continue
        for i, container in containers[1:]:
            if _looks_like_ray(container):
                yield Finding(
                    (*at, "template", "spec", "containers", i), "RG022",
                    f"the Ray container {container.get('name')!r} must come first: "
                    "KubeRay runs Ray in containers[0]",
                )
                break


def _looks_like_ray(container: dict[str, Any]) -> bool:
    image = str(container.get("image", ""))
    repository = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
    last = repository.rsplit("/", 1)[-1]
    return last in ("ray", "ray-ml", "ray-llm") or container.get("name") in ("ray-head", "ray-worker")


@cluster_rule
def resources_and_labels(view: ClusterView) -> Iterator[Finding]:
    for at, group in view.groups():
        params = mapping(group.get("rayStartParams"))
        if group.get("resources"):
            clash = [p for p in RAY_RESOURCE_PARAMS if p in params]
            if clash:
                yield Finding(
                    (*at, "resources"), "RG016",
                    f"set either `resources` or rayStartParams {', '.join(clash)}, not both",
                )
        if "labels" in params:
            yield Finding((*at, "rayStartParams", "labels"), "RG017",
                          "not allowed: set Ray node labels in the group's `labels`")


@cluster_rule
def ray_version_matches_image(view: ClusterView) -> Iterator[Finding]:
    wanted = view.ray_version()
    if wanted is None:
        return
    for at, group in view.groups():
        image = str(ray_container(group).get("image", ""))
        tag = image_tag(image)
        found = parse_version(tag)
        if found is not None and found != wanted:
            yield Finding(
                (*at, "template", "spec", "containers", 0, "image"), "RG018",
                f"image tag {tag!r} does not match rayVersion {view.spec.get('rayVersion')!r}",
            )


@cluster_rule
def autoscaler_rules(view: ClusterView) -> Iterator[Finding]:
    head_env = view.head_env()
    options = mapping(view.spec.get("autoscalerOptions"))
    flag = head_env.get(AUTOSCALER_V2_ENV)
    if flag and str(flag[1].get("value")) in TRUE and not view.autoscaling:
        yield Finding(flag[0], "RG020", "RAY_enable_autoscaler_v2 needs enableInTreeAutoscaling: true")
    if flag and "version" in options:
        yield Finding((*view.at, "autoscalerOptions", "version"), "RG021",
                      "set autoscalerOptions.version or the RAY_enable_autoscaler_v2 env, not both")
    if view.autoscaling and view.autoscaler_v2():
        for at, group in view.groups():
            policy = pod_spec(group).get("restartPolicy")
            if policy not in (None, "Never"):
                yield Finding((*at, "template", "spec", "restartPolicy"), "RG019",
                              f"autoscaler v2 needs restartPolicy Never (or unset), got {policy!r}")
    for i, entry in items(options.get("env")):
        if entry.get("name") == AUTOSCALER_START_CMD_ENV:
            yield Finding((*view.at, "autoscalerOptions", "env", i), "RG029",
                          f"{AUTOSCALER_START_CMD_ENV} is reserved for the operator")
    for at, group in view.workers():
        if group.get("suspend") is True and view.autoscaling:
            yield Finding((*at, "suspend"), "RG028",
                          "a worker group cannot be suspended while the autoscaler is on")
        if "idleTimeoutSeconds" in group and not (view.autoscaling and view.autoscaler_v2()):
            yield Finding((*at, "idleTimeoutSeconds"), "RG033",
                          "takes effect only with autoscaler v2 (autoscalerOptions.version: v2)",
                          severity="warning")
        if group.get("priority") and not (view.autoscaler_v2() and _at_least(view, (2, 56, 0))):
            yield Finding((*at, "priority"), "RG032",
                          "worker group priority needs autoscaler v2 and Ray >= 2.56.0")


def _at_least(view: ClusterView, version: tuple[int, int, int]) -> bool:
    found = view.ray_version()
    return found is not None and found >= version


@cluster_rule
def fault_tolerance_rules(view: ClusterView) -> Iterator[Finding]:
    env = view.head_env()
    head_params = mapping(view.head().get("rayStartParams"))
    head_at = view.head_path()
    for at, group in view.groups():
        if "redis-username" in mapping(group.get("rayStartParams")):
            yield Finding((*at, "rayStartParams", "redis-username"), "RG024",
                          "not allowed: use gcsFaultToleranceOptions.redisUsername")
    if REDIS_USERNAME in env:
        yield Finding(env[REDIS_USERNAME][0], "RG024",
                      "not allowed: use gcsFaultToleranceOptions.redisUsername")
    if view.ft_options and view.ft_annotation:
        yield Finding((*view.at, "gcsFaultToleranceOptions"), "RG025",
                      f"use gcsFaultToleranceOptions or the {FT_ENABLED} annotation, not both")
    if RAY_REDIS_ADDRESS in env and not (view.ft_options or view.ft_annotation):
        yield Finding(env[RAY_REDIS_ADDRESS][0], "RG026",
                      "RAY_REDIS_ADDRESS is set but GCS fault tolerance is not enabled")
    if not view.ft_options:
        return
    duplicated = "is set in gcsFaultToleranceOptions; remove it here"
    if "redis-password" in head_params:
        yield Finding((*head_at, "rayStartParams", "redis-password"), "RG027",
                      f"the Redis password {duplicated}")
    for name in (REDIS_PASSWORD, RAY_REDIS_ADDRESS):
        if name in env:
            yield Finding(env[name][0], "RG027", f"{name}: the Redis setting {duplicated}")
    if EXTERNAL_STORAGE_NAMESPACE in view.annotations:
        yield Finding(("metadata", "annotations", EXTERNAL_STORAGE_NAMESPACE), "RG027",
                      "use gcsFaultToleranceOptions.externalStorageNamespace instead")


@cluster_rule
def auth_options(view: ClusterView) -> Iterator[Finding]:
    auth = mapping(view.spec.get("authOptions"))
    at = (*view.at, "authOptions")
    found = view.ray_version()
    if auth.get("mode") == "token" and found is not None and found < (2, 52, 0):
        yield Finding((*at, "mode"), "RG031", "token authentication needs Ray >= 2.52.0")
    if auth.get("enableK8sTokenAuth") and found is not None and found < (2, 55, 0):
        yield Finding((*at, "enableK8sTokenAuth"), "RG031",
                      "Kubernetes token authentication needs Ray >= 2.55.0")


ALPHA_FIELDS = {
    "networkPolicy": "RayClusterNetworkPolicy",
    "tlsOptions": "RayClusterMTLS",
    "historyServerOptions": "RayClusterHistoryServer",
}


@cluster_rule
def alpha_features(view: ClusterView) -> Iterator[Finding]:
    for name, gate in ALPHA_FIELDS.items():
        if name in view.spec:
            yield Finding((*view.at, name), "RG104",
                          f"needs the operator's {gate} feature gate (alpha, off by default)",
                          severity="warning")
    backend = mapping(view.spec.get("gcsFaultToleranceOptions")).get("backend")
    if backend == "rocksdb":
        yield Finding((*view.at, "gcsFaultToleranceOptions", "backend"), "RG104",
                      "rocksdb needs the GCSFaultToleranceEmbeddedStorage feature gate "
                      "(alpha, off by default)", severity="warning")
