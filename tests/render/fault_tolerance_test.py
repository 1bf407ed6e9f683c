"""GCS fault tolerance, Redis and persistent volumes, on this repository's examples."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator.pipeline.build import build
from generator.project.repo import open_repo
from generator.render.waves import SYNC_WAVE
from tests.helpers import ROOT, write_repo

Labels = dict[str, str]


def objects() -> dict[tuple[str, str], dict[str, Any]]:
    return {(o.kind, o.name): o.obj for o in build(open_repo(ROOT)).objects}


def test_no_rendered_file_holds_a_password_or_a_secret() -> None:
    for path in sorted((ROOT / "rendered").rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text()
        for doc in yaml.safe_load_all(text) if path.suffix == ".yaml" else ():
            assert not doc or doc.get("kind") != "Secret", path
        # the one requirepass is built by the shell, from the env var
        for line in re.findall(r".*requirepass.*", text):
            if line.strip().startswith("#"):
                continue
            assert line.strip().startswith('requirepass "$(printf') and '"$REDIS_PASSWORD"' in line, line
        assert "5241590000000000" not in text
        for match in re.finditer(r"(?i)password\S*:[ \t]*(\S*)", text):
            assert match.group(1) in ("$REDIS_PASSWORD",) or match.group(1) == "", (path, match)


def test_options_method_renders_gcs_fault_tolerance_options() -> None:
    cluster = objects()[("RayCluster", "ha-cluster")]
    assert cluster["spec"]["gcsFaultToleranceOptions"] == {
        "redisAddress": "redis:6379",
        "redisPassword": {"valueFrom": {"secretKeyRef": {"name": "redis-password-secret",
                                                           "key": "password"}}},
    }
    assert cluster["metadata"]["annotations"] == {"ray.io/gcs-ft-deletion-timeout": "600"}
    head = cluster["spec"]["headGroupSpec"]
    env = {e["name"] for e in head["template"]["spec"]["containers"][0].get("env", [])}
    assert not env & {"RAY_REDIS_ADDRESS", "REDIS_PASSWORD"}
    assert "redis-password" not in head["rayStartParams"]


def test_legacy_method_renders_the_annotation_env_and_param() -> None:
    cluster = objects()[("RayCluster", "ha-cluster-legacy")]
    assert "gcsFaultToleranceOptions" not in cluster["spec"]
    assert cluster["metadata"]["annotations"] == {
        "ray.io/external-storage-namespace": "ha-cluster-legacy", "ray.io/ft-enabled": "true"}
    head = cluster["spec"]["headGroupSpec"]
    assert head["rayStartParams"]["redis-password"] == "$REDIS_PASSWORD"
    env = {e["name"]: e for e in head["template"]["spec"]["containers"][0]["env"]}
    assert env["RAY_REDIS_ADDRESS"]["value"] == "redis:6379"
    assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "redis-password-secret"


def matches(selector: dict[str, Any], labels: Labels) -> bool:
    """Kubernetes label-selector semantics (matchLabels and In / NotIn / Exists)."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
    return True


def pod_labels(cluster: dict[str, Any], group: dict[str, Any], node_type: str) -> Labels:
    """A Ray pod's labels as KubeRay sets them: the template's, plus the operator's."""
    own = group["template"].get("metadata", {}).get("labels", {})
    return {**own, "ray.io/cluster": cluster["metadata"]["name"],
            "ray.io/node-type": node_type, "ray.io/is-ray-node": "yes",
            "app.kubernetes.io/created-by": "kuberay-operator"}


def admitted(policy: dict[str, Any], labels: Labels) -> bool:
    return any(matches(peer["podSelector"], labels)
               for rule in policy["spec"]["ingress"] for peer in rule["from"])


def test_network_policy_admits_heads_and_cleanup_jobs_of_its_clusters_only() -> None:
    found = objects()
    policy = found[("NetworkPolicy", "redis")]
    statefulset = found[("StatefulSet", "redis")]
    assert matches(policy["spec"]["podSelector"], statefulset["spec"]["template"]["metadata"]["labels"])
    assert policy["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 6379}]
    for name in ("ha-cluster", "ha-cluster-legacy"):
        cluster = found[("RayCluster", name)]
        head = cluster["spec"]["headGroupSpec"]
        worker = cluster["spec"]["workerGroupSpecs"][0]
        assert admitted(policy, pod_labels(cluster, head, "head"))
        # KubeRay's Redis cleanup Job: built from the head pod, its own node type
        assert admitted(policy, pod_labels(cluster, head, "redis-cleanup"))
        assert not admitted(policy, pod_labels(cluster, worker, "worker"))
    other = found[("RayCluster", "test-cluster")]  # no fault tolerance
    assert not admitted(policy, pod_labels(other, other["spec"]["headGroupSpec"], "head"))
    assert not admitted(policy, {"app": "anything", "ray.io/node-type": "head"})


def test_sync_waves_order_storage_config_redis_then_ray() -> None:
    def wave(obj: dict[str, Any]) -> int:
        return int(obj["metadata"].get("annotations", {}).get(SYNC_WAVE, "0"))

    found = objects()
    assert wave(found[("PersistentVolume", "sky-api-server-pv")]) < wave(
        found[("ConfigMap", "redis-config")]) < wave(found[("StatefulSet", "redis")]) < wave(
        found[("RayCluster", "ha-cluster")])
    assert wave(found[("PersistentVolumeClaim", "sky-api-server-pv")]) == -3
    assert wave(found[("NetworkPolicy", "redis")]) == wave(found[("Service", "redis")]) == -1
    generated = yaml.safe_load((ROOT / "rendered/ha-cluster/kustomization.yaml").read_text())
    assert generated["configMapGenerator"][0]["options"]["annotations"][SYNC_WAVE] == "-2"


def test_redis_is_hardened() -> None:
    found = objects()
    statefulset = found[("StatefulSet", "redis")]
    pod = statefulset["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert statefulset["spec"]["replicas"] == 1
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert "REDISCLI_AUTH" in container["readinessProbe"]["exec"]["command"][2]
    assert "REDISCLI_AUTH" in container["livenessProbe"]["exec"]["command"][2]
    assert "redis-server -" in container["command"][2]
    assert container["resources"]["requests"]["memory"] == container["resources"]["limits"]["memory"]
    conf = found[("ConfigMap", "redis-config")]["data"]["redis.conf"]
    settings = [line for line in conf.splitlines() if not line.startswith("#")]
    assert "appendonly yes" in settings
    assert not [line for line in settings if "requirepass" in line or "password" in line]
    assert "protected-mode yes" in settings
    claim = statefulset["spec"]["volumeClaimTemplates"][0]["spec"]
    assert claim["resources"]["requests"]["storage"] == "8Gi"


def test_persistent_volume_and_its_claim() -> None:
    found = objects()
    pv = found[("PersistentVolume", "sky-api-server-pv")]
    claim = found[("PersistentVolumeClaim", "sky-api-server-pv")]
    assert "namespace" not in pv["metadata"]
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["csi"] == {"driver": "pd.csi.storage.gke.io", "fsType": "ext4",
                                 "volumeHandle": "projects/my-project/zones/us-east5-b/disks/"
                                                 "sky-api-server-state"}
    assert claim["spec"]["volumeName"] == "sky-api-server-pv"
    assert claim["spec"]["storageClassName"] == pv["spec"]["storageClassName"]
    assert claim["spec"]["resources"]["requests"]["storage"] == pv["spec"]["capacity"]["storage"]
    head = found[("RayCluster", "state-cluster")]["spec"]["headGroupSpec"]["template"]["spec"]
    assert head["volumes"] == [{"name": "state",
                                "persistentVolumeClaim": {"claimName": "sky-api-server-pv"}}]


def test_code_ships_as_a_generated_configmap(tmp_path: Path) -> None:
    files = build(open_repo(ROOT)).files
    assert files["ha-cluster/files/ray-example/detached_actor.py"] == (
        ROOT / "specs/code/detached_actor.py").read_text()
    assert "nameReference" in files["ha-cluster/kustomizeconfig.yaml"]


def test_a_cluster_a_redis_admits_by_name_carries_the_label(tmp_path: Path) -> None:
    """allowedClusters names a cluster that keeps no GCS state there: its pods still carry
    the label the NetworkPolicy selects by, so the policy admits its head."""
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: cache}\nspec:\n"
             "  passwordSecret: {name: cache-password, key: password}\n"
             "  persistence: {size: 1Gi}\n  allowedClusters: [app]\n")
    cluster = ("apiVersion: ray-gitops/v1alpha1\nkind: RayCluster\nmetadata: {name: app}\n"
               "spec:\n  head: {computeTemplate: head-template}\n")
    other = cluster.replace("name: app", "name: other")
    root = write_repo(tmp_path / "repo", {"cache.yaml": redis, "app.yaml": cluster,
                                          "other.yaml": other})
    built = build(open_repo(root))
    assert built.result.ok, [d.text() for d in built.result.diagnostics]
    found = {(o.kind, o.name): o.obj for o in built.objects}
    policy = found[("NetworkPolicy", "cache")]
    app = found[("RayCluster", "app")]
    assert admitted(policy, pod_labels(app, app["spec"]["headGroupSpec"], "head"))
    plain = found[("RayCluster", "other")]["spec"]["headGroupSpec"]["template"]
    assert "metadata" not in plain  # nothing selects it: no label of ray-gitops's own
