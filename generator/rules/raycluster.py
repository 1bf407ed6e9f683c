"""KubeRay's RayCluster rules, offline (kuberay/FACTS.md §1; ray-operator's
``utils/validation.go``, ValidateRayClusterSpec and ValidateRayClusterMetadata).

The cluster rules take a ``ClusterView`` so that the same checks run on a
RayCluster's spec, a RayService's ``rayClusterConfig`` and a RayJob's
``rayClusterSpec``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..spec.ref import Path_
from .base import Finding, items, mapping, rule

DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
MAX_NAME = {"RayCluster": 53, "RayService": 47, "RayJob": 47}  # 53 - len("-xxxxx") for owners
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")
TRUE = ("1", "true", "True", "TRUE")
FT_ANNOTATION = "ray.io/ft-enabled"
STORAGE_NS_ANNOTATION = "ray.io/external-storage-namespace"
RAY_RESOURCE_PARAMS = ("num-cpus", "num-gpus", "memory", "resources")


@dataclass(frozen=True)
class ClusterView:
    """A RayClusterSpec inside some object, at path ``at``."""

    spec: dict[str, Any]
    at: Path_
    annotations: dict[str, Any]  # of the RayCluster, or of the RayService or RayJob

    def groups(self) -> Iterator[tuple[Path_, dict[str, Any]]]:
        yield (*self.at, "headGroupSpec"), mapping(self.spec.get("headGroupSpec"))
        for i, group in items(self.spec.get("workerGroupSpecs")):
            yield (*self.at, "workerGroupSpecs", i), group

    def head_path(self) -> Path_:
        return (*self.at, "headGroupSpec")

    def head(self) -> dict[str, Any]:
        return mapping(self.spec.get("headGroupSpec"))

    def head_env(self) -> dict[str, tuple[Path_, dict[str, Any]]]:
        return container_env(self.head(), self.head_path())

    def workers(self) -> Iterator[tuple[Path_, dict[str, Any]]]:
        for i, group in items(self.spec.get("workerGroupSpecs")):
            yield (*self.at, "workerGroupSpecs", i), group

    @property
    def ft_options(self) -> bool:
        return "gcsFaultToleranceOptions" in self.spec

    @property
    def ft_annotation(self) -> bool:
        return str(self.annotations.get(FT_ANNOTATION, "")).lower() == "true"

    @property
    def autoscaling(self) -> bool:
        return self.spec.get("enableInTreeAutoscaling") is True

    def autoscaler_v2(self) -> bool:
        options = mapping(self.spec.get("autoscalerOptions"))
        env = self.head_env().get("RAY_enable_autoscaler_v2")
        by_env = env is not None and str(env[1].get("value")) in TRUE
        return options.get("version") == "v2" or by_env

    def ray_version(self) -> tuple[int, ...] | None:
        return parse_version(self.spec.get("rayVersion"))


def parse_version(text: Any) -> tuple[int, ...] | None:
    match = VERSION.match(str(text)) if text is not None else None
    return tuple(int(part) for part in match.groups()) if match else None


def ray_container(group: dict[str, Any]) -> dict[str, Any]:
    containers = mapping(group.get("template")).get("spec", {})
    first = next(items(mapping(containers).get("containers")), None)
    return first[1] if first else {}


def container_env(group: dict[str, Any], at: Path_) -> dict[str, tuple[Path_, dict[str, Any]]]:
    container_at = (*at, "template", "spec", "containers", 0, "env")
    return {
        str(entry.get("name")): ((*container_at, i), entry)
        for i, entry in items(ray_container(group).get("env"))
    }


ClusterRule = Callable[[ClusterView], Iterable[Finding]]
CLUSTER_RULES: list[ClusterRule] = []


def cluster_rule(fn: ClusterRule) -> ClusterRule:
    CLUSTER_RULES.append(fn)
    return fn


def check_cluster(view: ClusterView) -> list[Finding]:
    return [finding for fn in CLUSTER_RULES for finding in fn(view)]


def check_name(obj: dict[str, Any]) -> Iterator[Finding]:
    kind = str(obj.get("kind"))
    name = mapping(obj.get("metadata")).get("name")
    limit = MAX_NAME.get(kind, 63)
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


@rule("ray.io/v1 RayCluster")
def raycluster_rules(obj: dict[str, Any]) -> Iterator[Finding]:
    yield from check_name(obj)
    annotations = mapping(mapping(obj.get("metadata")).get("annotations"))
    yield from check_cluster(ClusterView(mapping(obj.get("spec")), ("spec",), annotations))


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
    seen: dict[str, Path_] = {}
    for at, group in view.workers():
        name = group.get("groupName")
        if isinstance(name, str):
            if name in seen:
                yield Finding((*at, "groupName"), "RG034", f"duplicate worker group name {name!r}")
            seen[name] = at
    for at, group in view.groups():
        pod = mapping(mapping(group.get("template")).get("spec"))
        pod_at = (*at, "template", "spec")
        yield from _duplicates(pod.get("containers"), (*pod_at, "containers"), "container")
        yield from _duplicates(pod.get("volumes"), (*pod_at, "volumes"), "volume")
        for i, container in items(pod.get("containers")):
            env_at = (*pod_at, "containers", i, "env")
            yield from _duplicates(container.get("env"), env_at, "env variable")


def _duplicates(entries: Any, at: Path_, what: str) -> Iterator[Finding]:
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
        pod = mapping(mapping(group.get("template")).get("spec"))
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


def image_tag(image: str) -> str | None:
    last = image.split("@")[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


@cluster_rule
def autoscaler_rules(view: ClusterView) -> Iterator[Finding]:
    head_env = view.head_env()
    options = mapping(view.spec.get("autoscalerOptions"))
    flag = head_env.get("RAY_enable_autoscaler_v2")
    if flag and str(flag[1].get("value")) in TRUE and not view.autoscaling:
        yield Finding(flag[0], "RG020", "RAY_enable_autoscaler_v2 needs enableInTreeAutoscaling: true")
    if flag and "version" in options:
        yield Finding((*view.at, "autoscalerOptions", "version"), "RG021",
                      "set autoscalerOptions.version or the RAY_enable_autoscaler_v2 env, not both")
    if view.autoscaling and view.autoscaler_v2():
        for at, group in view.groups():
            policy = mapping(mapping(group.get("template")).get("spec")).get("restartPolicy")
            if policy not in (None, "Never"):
                yield Finding((*at, "template", "spec", "restartPolicy"), "RG019",
                              f"autoscaler v2 needs restartPolicy Never (or unset), got {policy!r}")
    for i, entry in items(options.get("env")):
        if entry.get("name") == "KUBERAY_GEN_AUTOSCALER_START_CMD":
            yield Finding((*view.at, "autoscalerOptions", "env", i), "RG029",
                          "KUBERAY_GEN_AUTOSCALER_START_CMD is reserved for the operator")
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
    if "REDIS_USERNAME" in env:
        yield Finding(env["REDIS_USERNAME"][0], "RG024",
                      "not allowed: use gcsFaultToleranceOptions.redisUsername")
    if view.ft_options and view.ft_annotation:
        yield Finding((*view.at, "gcsFaultToleranceOptions"), "RG025",
                      f"use gcsFaultToleranceOptions or the {FT_ANNOTATION} annotation, not both")
    if "RAY_REDIS_ADDRESS" in env and not (view.ft_options or view.ft_annotation):
        yield Finding(env["RAY_REDIS_ADDRESS"][0], "RG026",
                      "RAY_REDIS_ADDRESS is set but GCS fault tolerance is not enabled")
    if not view.ft_options:
        return
    duplicated = "is set in gcsFaultToleranceOptions; remove it here"
    if "redis-password" in head_params:
        yield Finding((*head_at, "rayStartParams", "redis-password"), "RG027",
                      f"the Redis password {duplicated}")
    for name in ("REDIS_PASSWORD", "RAY_REDIS_ADDRESS"):
        if name in env:
            yield Finding(env[name][0], "RG027", f"{name}: the Redis setting {duplicated}")
    if STORAGE_NS_ANNOTATION in view.annotations:
        yield Finding(("metadata", "annotations", STORAGE_NS_ANNOTATION), "RG027",
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
