"""KubeRay's RayCluster rules, offline: ``ValidateRayClusterSpec``,
``ValidateRayClusterMetadata`` and ``ValidateRayClusterUpgradeOptions`` of
ray-operator's ``controllers/ray/utils/validation.go``, release by release.

Cluster rules take a ``ClusterView``, so the same checks run on a RayCluster's
spec, a RayService's ``rayClusterConfig``, a RayJob's ``rayClusterSpec`` and a
RayCronJob's job template. Errors are what the operator rejects; warnings are
ray-gitops's own judgement (the operator accepts the manifest).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Finding
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import KINDS, RAY_CLUSTER, RAY_JOB, RAY_SERVICE
from generator.kuberay.releases import Target
from generator.kuberay.vocabulary import (
    AUTOSCALER_START_CMD_ENV,
    AUTOSCALER_V2_ENV,
    DNS1035,
    EXTERNAL_STORAGE_NAMESPACE,
    FT_ENABLED,
    INT32_MAX,
    LABEL_KEY,
    LABEL_VALUE,
    MAX_LABEL,
    RAY_REDIS_ADDRESS,
    RAY_RESOURCE_PARAMS,
    REDIS_PASSWORD,
    REDIS_USERNAME,
    ClusterView,
    image_tag,
    items,
    mapping,
    parse_generic,
    parse_version,
    pod_spec,
    ray_container,
)
from generator.rules.registry import cluster_rule, object_rule

OPERATOR_TRUE = ("1", "true")  # what the operator reads as "on" for RAY_enable_autoscaler_v2
ORIGINATED_FROM = "ray.io/originated-from-crd"


def warning(path: FieldPath, code: str, message: str, hint: str = "") -> Finding:
    return Finding(path, code, message, severity="warning", hint=hint)


@object_rule(*KINDS)
def check_name(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    """ValidateRayClusterMetadata and its forms for every kind that owns a cluster."""
    kind = str(obj.get("kind"))
    name = mapping(obj.get("metadata")).get("name")
    found = KINDS.get(kind)
    limit = found.max_name if found is not None and target.since(found.named_since) else MAX_LABEL
    if not isinstance(name, str):
        return
    if not DNS1035.match(name):
        yield Finding(("metadata", "name"), "RG011",
                      f"{name!r} is not a DNS-1035 label (lower-case letters, digits, '-'; "
                      "starting with a letter)")
    elif len(name) > limit:
        why = found.children if found is not None and limit == found.max_name else ""
        yield Finding(("metadata", "name"), "RG011",
                      f"{kind} names are at most {limit} characters{why}; {name!r} has {len(name)}")


@object_rule(RAY_CLUSTER)
def upgrade_strategy_owner(obj: dict[str, Any], target: Target) -> Iterator[Finding]:
    """ValidateRayClusterUpgradeOptions: only a RayCluster a user creates may set it."""
    labels = mapping(mapping(obj.get("metadata")).get("labels"))
    creator = labels.get(ORIGINATED_FROM)
    strategy = mapping(mapping(obj.get("spec")).get("upgradeStrategy"))
    if target.since("1.6") and "type" in strategy and creator in (RAY_JOB, RAY_SERVICE):
        yield Finding(("spec", "upgradeStrategy"), "RG035",
                      f"upgradeStrategy cannot be set on a RayCluster created by a {creator}")


@cluster_rule
def replicas(view: ClusterView, target: Target) -> Iterator[Finding]:
    for at, group in view.workers():
        low, high = group.get("minReplicas", 0), group.get("maxReplicas", INT32_MAX)
        count = group.get("replicas")
        if not all(isinstance(v, int) for v in (low, high)):
            continue
        if target.since("1.6"):  # the negative and min > max checks are new in 1.6
            for name, value in (("minReplicas", low), ("maxReplicas", high)):
                if value < 0:
                    yield Finding((*at, name), "RG047", f"must not be negative, got {value}")
            if low > high:
                yield Finding((*at, "maxReplicas"), "RG047",
                              f"must be >= minReplicas ({high} < {low})")
                continue
        elif low > high:
            yield warning((*at, "maxReplicas"), "RG012",
                          f"is below minReplicas ({high} < {low}): KubeRay {target.release.version} "
                          "accepts it, but the group cannot scale")
            continue
        if isinstance(count, int) and not low <= count <= high:
            yield warning((*at, "replicas"), "RG012",
                          f"is outside minReplicas..maxReplicas ({low}..{high}), got {count}: "
                          "the operator clamps it")


@cluster_rule
def unique_names(view: ClusterView, target: Target) -> Iterator[Finding]:
    """Duplicate container or volume names: the API server rejects the pods. Duplicate
    worker group names: KubeRay's webhook rejects them (raycluster_webhook.go), and without
    it the operator counts both groups' pods, labelled with the one name, as each group's.
    Duplicate env names: accepted (the last entry wins), most likely a mistake."""
    seen: set[str] = set()
    for at, group in view.workers():
        name = group.get("groupName")
        if isinstance(name, str):
            if name in seen:
                yield Finding((*at, "groupName"), "RG039",
                              f"duplicate worker group name {name!r}: KubeRay's webhook rejects "
                              "it, and without the webhook the operator takes the two groups' "
                              "pods for one group's (ray.io/group)")
            seen.add(name)
    for at, group in view.groups():
        pod = pod_spec(group)
        pod_at = (*at, "template", "spec")
        # init containers and containers share one namespace of names
        yield from _duplicates([*_list(pod.get("initContainers")), *_list(pod.get("containers"))],
                               (*pod_at, "containers"), "container", "RG034",
                               offset=len(_list(pod.get("initContainers"))),
                               first=(*pod_at, "initContainers"))
        yield from _duplicates(pod.get("volumes"), (*pod_at, "volumes"), "volume", "RG034")
        volumes = {v.get("name") for _, v in items(pod.get("volumes")) if isinstance(v.get("name"), str)}
        for key in ("initContainers", "containers"):
            for i, container in items(pod.get(key)):
                yield from _mounts(container, (*pod_at, key, i), volumes)
        for i, container in items(pod.get("containers")):
            env_at = (*pod_at, "containers", i, "env")
            yield from _duplicates(container.get("env"), env_at, "env variable", "RG093")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mounts(container: dict[str, Any], at: FieldPath, volumes: set[Any]) -> Iterator[Finding]:
    """A mount names a volume of the pod, at a path no other mount of its container takes
    (ValidateVolumeMounts): the API server rejects the pod otherwise."""
    paths: set[str] = set()
    for j, mount in items(container.get("volumeMounts")):
        name, path = mount.get("name"), mount.get("mountPath")
        if isinstance(name, str) and name not in volumes:
            yield Finding((*at, "volumeMounts", j, "name"), "RG034",
                          f"mounts volume {name!r}, which the pod does not have: the API server "
                          "rejects the pod")
        if isinstance(path, str):
            if path in paths:
                yield Finding((*at, "volumeMounts", j, "mountPath"), "RG034",
                              f"{path} is mounted twice in this container: the API server "
                              "rejects the pod")
            paths.add(path)


def _duplicates(entries: Any, at: FieldPath, what: str, code: str, *, offset: int = 0,
                first: FieldPath = ()) -> Iterator[Finding]:
    """Names met twice; with ``offset``, the first ``offset`` entries stand at ``first``."""
    seen: set[str] = set()
    for i, entry in items(entries):
        name = entry.get("name")
        if not isinstance(name, str):
            continue  # the schema reports a name that is not a string
        where = (*first, i, "name") if i < offset else (*at, i - offset, "name")
        if name in seen:
            message = f"duplicate {what} name {name!r}"
            yield warning(where, code, message) if code == "RG093" else \
                Finding(where, code, message + ": the API server rejects the pod")
        seen.add(name)


@cluster_rule
def containers(view: ClusterView, target: Target) -> Iterator[Finding]:
    for at, group in view.groups():
        pod = pod_spec(group)
        if not isinstance(pod.get("containers", []), list):
            continue  # the schema says what is wrong with it
        listed = list(items(pod.get("containers")))
        if not listed:
            yield Finding((*at, "template", "spec", "containers"), "RG023",
                          "a Ray pod template needs at least one container")
            continue
        if not listed[0][1].get("image"):
            yield Finding((*at, "template", "spec", "containers", 0), "RG036",
                          "the Ray container has no image (a strategic merge patch may have "
                          "replaced the list: patch KubeRay objects with JSON 6902 operations)")
        if _looks_like_ray(listed[0][1]):
            continue
        for i, container in listed[1:]:
            if _looks_like_ray(container):
                yield warning((*at, "template", "spec", "containers", i), "RG022",
                              f"the Ray container {container.get('name')!r} should come first: "
                              "KubeRay runs Ray in containers[0]")
                break


def _looks_like_ray(container: dict[str, Any]) -> bool:
    image = str(container.get("image", ""))
    repository = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
    last = repository.rsplit("/", 1)[-1]
    return last in ("ray", "ray-ml", "ray-llm") or container.get("name") in ("ray-head", "ray-worker")


@cluster_rule
def group_resources_and_labels(view: ClusterView, target: Target) -> Iterator[Finding]:
    """validateRayGroupResources and validateRayGroupLabels."""
    for at, group in view.groups():
        params = mapping(group.get("rayStartParams"))
        if group.get("resources"):
            clash = [p for p in RAY_RESOURCE_PARAMS if params.get(p) not in (None, "")]
            if clash:
                yield Finding((*at, "resources"), "RG016",
                              f"set either `resources` or rayStartParams {', '.join(clash)}, not both")
        if "labels" in params:
            yield Finding((*at, "rayStartParams", "labels"), "RG017",
                          "not allowed: set Ray node labels in the group's `labels`")
        for key, value in mapping(group.get("labels")).items():
            name = str(key).rpartition("/")[2]
            if not LABEL_KEY.match(str(key)) or len(name) > MAX_LABEL:
                yield Finding((*at, "labels", key), "RG048", f"{key!r} is not a valid label key")
            elif not isinstance(value, str) or not LABEL_VALUE.match(value):
                yield Finding((*at, "labels", key), "RG048",
                              f"{value!r} is not a valid label value (for {key!r})")


@cluster_rule
def ray_version_matches_image(view: ClusterView, target: Target) -> Iterator[Finding]:
    wanted = view.ray_version()
    if wanted is None:
        return
    for at, group in view.groups():
        tag = image_tag(str(ray_container(group).get("image", "")))
        found = parse_version(tag)
        if found is not None and found != wanted:
            yield warning((*at, "template", "spec", "containers", 0, "image"), "RG018",
                          f"image tag {tag!r} does not match rayVersion "
                          f"{view.spec.get('rayVersion')!r}")


def _options_v2(view: ClusterView) -> bool:
    """IsAutoscalingV2Enabled: autoscalerOptions.version is v2 (the env does not count)."""
    return mapping(view.spec.get("autoscalerOptions")).get("version") == "v2"


def _env_v2(view: ClusterView) -> bool:
    flag = view.head_env().get(AUTOSCALER_V2_ENV)
    return flag is not None and str(flag[1].get("value")) in OPERATOR_TRUE


@cluster_rule
def autoscaler(view: ClusterView, target: Target) -> Iterator[Finding]:
    flag = view.head_env().get(AUTOSCALER_V2_ENV)
    options = view.spec.get("autoscalerOptions")
    value = str(flag[1].get("value")) if flag else None
    if flag and value in OPERATOR_TRUE and not view.autoscaling:
        yield Finding(flag[0], "RG020",
                      f"{AUTOSCALER_V2_ENV}={value} needs enableInTreeAutoscaling: true")
    elif flag and value in ("True", "TRUE"):
        yield warning(flag[0], "RG090", f"the operator reads {AUTOSCALER_V2_ENV}={value!r} as off: "
                      "only '1' and 'true' turn autoscaler v2 on",
                      hint="set autoscalerOptions.version: v2")
    if options is not None and not view.autoscaling:
        yield warning((*view.at, "autoscalerOptions"), "RG091",
                      "autoscalerOptions take effect only with enableInTreeAutoscaling: true")
    if not view.autoscaling:
        return
    if flag and "version" in mapping(options):
        yield Finding((*view.at, "autoscalerOptions", "version"), "RG021",
                      f"set autoscalerOptions.version or the {AUTOSCALER_V2_ENV} env, not both")
    if _options_v2(view):
        for at, group in view.groups():
            policy = pod_spec(group).get("restartPolicy")
            if policy not in (None, "", "Never"):
                yield Finding((*at, "template", "spec", "restartPolicy"), "RG019",
                              f"autoscaler v2 needs restartPolicy Never (or unset), got {policy!r}")


@cluster_rule
def autoscaler_options(view: ClusterView, target: Target) -> Iterator[Finding]:
    options = mapping(view.spec.get("autoscalerOptions"))
    at = (*view.at, "autoscalerOptions")
    idle = options.get("idleTimeoutSeconds")
    if target.since("1.6") and isinstance(idle, int) and idle < 0:
        yield Finding((*at, "idleTimeoutSeconds"), "RG049", f"must not be negative, got {idle}")
    if target.since("1.7"):
        for i, entry in items(options.get("env")):
            if entry.get("name") == AUTOSCALER_START_CMD_ENV:
                yield Finding((*at, "env", i), "RG029",
                              f"{AUTOSCALER_START_CMD_ENV} is managed by KubeRay")


@cluster_rule
def worker_groups(view: ClusterView, target: Target) -> Iterator[Finding]:
    v2 = _options_v2(view) or _env_v2(view)
    for at, group in view.workers():
        if group.get("suspend") is True:
            if not target.enabled("RayJobDeletionPolicy"):
                yield Finding((*at, "suspend"), "RG028",
                              "a worker group can be suspended only with the RayJobDeletionPolicy "
                              "feature gate", hint=target.flag("RayJobDeletionPolicy"))
            elif view.autoscaling:
                yield Finding((*at, "suspend"), "RG028",
                              "a worker group cannot be suspended while the autoscaler is on")
        idle = group.get("idleTimeoutSeconds")
        if target.since("1.6") and isinstance(idle, int):
            if idle < 0:
                yield Finding((*at, "idleTimeoutSeconds"), "RG049", f"must not be negative, got {idle}")
            elif not v2:
                yield Finding((*at, "idleTimeoutSeconds"), "RG033",
                              "needs autoscaler v2 (autoscalerOptions.version: v2)")
        priority = group.get("priority")
        if target.since("1.7") and isinstance(priority, int) and priority != 0:
            yield from _priority(view, (*at, "priority"), v2)


def _priority(view: ClusterView, at: FieldPath, v2: bool) -> Iterator[Finding]:
    version = view.spec.get("rayVersion")
    found = parse_generic(version)
    if not version:
        yield Finding(at, "RG032", "priority needs rayVersion (Ray >= 2.56.0)")
    elif found is None:
        yield Finding(at, "RG032", f"priority needs a rayVersion the operator can parse, "
                      f"got {version!r}")
    elif found < (2, 56):
        yield Finding(at, "RG032", f"priority needs Ray >= 2.56.0, got {version}")
    elif not v2:
        yield Finding(at, "RG032", "priority needs autoscaler v2 (autoscalerOptions.version: v2)")


@cluster_rule
def fault_tolerance(view: ClusterView, target: Target) -> Iterator[Finding]:
    env = view.head_env()
    head_params = mapping(view.head().get("rayStartParams"))
    head_at = view.head_path()
    if head_params.get("redis-username"):
        yield Finding((*head_at, "rayStartParams", "redis-username"), "RG024",
                      "not allowed: use gcsFaultToleranceOptions.redisUsername")
    for at, group in view.workers():
        if "redis-username" in mapping(group.get("rayStartParams")):
            yield warning((*at, "rayStartParams", "redis-username"), "RG094",
                          "a worker does not connect to Redis: the operator ignores this")
    if REDIS_USERNAME in env:
        yield Finding(env[REDIS_USERNAME][0], "RG024",
                      "not allowed: use gcsFaultToleranceOptions.redisUsername")
    if view.ft_options and view.annotations.get(FT_ENABLED):
        yield Finding((*view.at, "gcsFaultToleranceOptions"), "RG025",
                      f"use gcsFaultToleranceOptions or the {FT_ENABLED} annotation, not both")
    if RAY_REDIS_ADDRESS in env and not (view.ft_options or view.ft_annotation):
        yield Finding(env[RAY_REDIS_ADDRESS][0], "RG026",
                      f"{RAY_REDIS_ADDRESS} is set but GCS fault tolerance is not enabled")
    if not view.ft_options:
        return
    duplicated = "is set in gcsFaultToleranceOptions; remove it here"
    if head_params.get("redis-password"):
        yield Finding((*head_at, "rayStartParams", "redis-password"), "RG027",
                      f"the Redis password {duplicated}")
    for name in (REDIS_PASSWORD, RAY_REDIS_ADDRESS):
        if name in env:
            yield Finding(env[name][0], "RG027", f"{name}: the Redis setting {duplicated}")
    if view.annotations.get(EXTERNAL_STORAGE_NAMESPACE):
        yield Finding(("metadata", "annotations", EXTERNAL_STORAGE_NAMESPACE), "RG027",
                      "use gcsFaultToleranceOptions.externalStorageNamespace instead")


@cluster_rule
def auth_options(view: ClusterView, target: Target) -> Iterator[Finding]:
    auth = mapping(view.spec.get("authOptions"))
    at = (*view.at, "authOptions")
    k8s = auth.get("enableK8sTokenAuth") is True
    if auth.get("mode") != "token":
        if k8s:
            yield Finding((*at, "enableK8sTokenAuth"), "RG031",
                          "Kubernetes token authentication needs authOptions.mode: token")
        return
    version = view.spec.get("rayVersion")
    found = parse_generic(version)
    if not version:
        yield Finding((*at, "mode"), "RG031", "token authentication needs rayVersion (Ray >= 2.52.0)")
    elif found is None:
        yield Finding((*view.at, "rayVersion"), "RG031",
                      f"token authentication needs a rayVersion the operator can parse, got {version!r}")
    elif found < (2, 52):
        yield Finding((*at, "mode"), "RG031", f"token authentication needs Ray >= 2.52.0, got {version}")
    elif k8s and target.since("1.6"):
        if found < (2, 55):
            yield Finding((*at, "enableK8sTokenAuth"), "RG031",
                          f"Kubernetes token authentication needs Ray >= 2.55.0, got {version}")
        elif auth.get("secretName"):
            yield Finding((*at, "secretName"), "RG031",
                          "Kubernetes token authentication takes no secretName")
