"""Every operator check and CRD rule, at every release that has it: a valid manifest broken
one way gets the code at the line of the field, and warnings alone exit 0."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.fieldpath import dotted
from generator.load.documents import load_file

Manifest = dict[str, Any]
ALL = ("1.5", "1.6", "1.7")
SINCE_16 = ("1.6", "1.7")
ONLY_17 = ("1.7",)
IMAGE = "rayproject/ray:2.52.0"


def cluster() -> Manifest:
    return {
        "rayVersion": "2.52.0",
        "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [
            {"name": "ray-head", "image": IMAGE, "resources": {"limits": {"cpu": "1"}}}]}}},
        "workerGroupSpecs": [{"groupName": "workers", "replicas": 1, "minReplicas": 1,
                              "maxReplicas": 3, "rayStartParams": {},
                              "template": {"spec": {"containers": [
                                  {"name": "ray-worker", "image": IMAGE,
                                   "resources": {"limits": {"cpu": "1"}}}]}}}],
    }


def raycluster() -> Manifest:
    return {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": {"name": "demo"},
            "spec": cluster()}


def rayjob() -> Manifest:
    return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "job"},
            "spec": {"entrypoint": "python job.py", "shutdownAfterJobFinishes": True,
                     "rayClusterSpec": cluster()}}


def rayservice() -> Manifest:
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "svc"},
            "spec": {"serveConfigV2": "applications: []\n", "rayClusterConfig": cluster()}}


def raycronjob() -> Manifest:
    return {"apiVersion": "ray.io/v1", "kind": "RayCronJob", "metadata": {"name": "cron"},
            "spec": {"schedule": "0 * * * *", "jobTemplate": rayjob()["spec"]}}


def head(m: Manifest) -> Manifest:
    spec = m["spec"].get("rayClusterSpec") or m["spec"].get("rayClusterConfig") or m["spec"]
    return spec["headGroupSpec"]


def worker(m: Manifest) -> Manifest:
    spec = m["spec"].get("rayClusterSpec") or m["spec"].get("rayClusterConfig") or m["spec"]
    return spec["workerGroupSpecs"][0]


def head_env(m: Manifest, name: str, value: str) -> None:
    head(m)["template"]["spec"]["containers"][0]["env"] = [{"name": name, "value": value}]


def autoscale(m: Manifest, **options: Any) -> None:
    m["spec"]["enableInTreeAutoscaling"] = True
    if options:
        m["spec"]["autoscalerOptions"] = options


HEAD = ("spec", "headGroupSpec")
WORKER = ("spec", "workerGroupSpecs", 0)
ENV0 = (*HEAD, "template", "spec", "containers", 0, "env", 0)

# code -> (releases, feature gates, manifest, what breaks it, the path it is reported at)
Case = tuple[str, tuple[str, ...], dict[str, bool], Callable[[], Manifest],
             Callable[[Manifest], Any], tuple[Any, ...]]
ERRORS: list[Case] = [
    ("RG011", ALL, {}, raycluster, lambda m: m["metadata"].update(name="x" * 54),
     ("metadata", "name")),
    ("RG023", ALL, {}, raycluster, lambda m: head(m)["template"]["spec"].update(containers=[]),
     (*HEAD, "template", "spec", "containers")),
    ("RG036", ALL, {}, raycluster, lambda m: worker(m)["template"]["spec"]["containers"][0].pop(
        "image"), (*WORKER, "template", "spec", "containers", 0)),
    ("RG034", ALL, {}, raycluster, lambda m: worker(m)["template"]["spec"]["containers"].append(
        {"name": "ray-worker", "image": IMAGE}), (*WORKER, "template", "spec", "containers", 1, "name")),
    ("RG016", ALL, {}, raycluster, lambda m: worker(m).update(
        resources={"CPU": "2"}, rayStartParams={"num-cpus": "2"}), (*WORKER, "resources")),
    ("RG017", ALL, {}, raycluster, lambda m: worker(m)["rayStartParams"].update(labels="a=b"),
     (*WORKER, "rayStartParams", "labels")),
    ("RG048", ALL, {}, raycluster, lambda m: worker(m).update(labels={"bad key": "x"}),
     (*WORKER, "labels", "bad key")),
    ("RG047", SINCE_16, {}, raycluster, lambda m: worker(m).update(minReplicas=-1),
     (*WORKER, "minReplicas")),
    ("RG047", SINCE_16, {}, raycluster, lambda m: worker(m).update(minReplicas=4),
     (*WORKER, "maxReplicas")),
    ("RG025", ALL, {}, raycluster, lambda m: (
        m["metadata"].update(annotations={"ray.io/ft-enabled": "yes"}),
        m["spec"].update(gcsFaultToleranceOptions={"redisAddress": "redis:6379"})),
     ("spec", "gcsFaultToleranceOptions")),
    ("RG026", ALL, {}, raycluster, lambda m: head_env(m, "RAY_REDIS_ADDRESS", "redis:6379"), ENV0),
    ("RG027", ALL, {}, raycluster, lambda m: (
        head(m)["rayStartParams"].update({"redis-password": "$P"}),
        m["spec"].update(gcsFaultToleranceOptions={"redisAddress": "redis:6379"})),
     (*HEAD, "rayStartParams", "redis-password")),
    ("RG024", ALL, {}, raycluster, lambda m: head(m)["rayStartParams"].update(
        {"redis-username": "u"}), (*HEAD, "rayStartParams", "redis-username")),
    ("RG028", ALL, {}, raycluster, lambda m: (autoscale(m), worker(m).update(suspend=True)),
     (*WORKER, "suspend")),
    ("RG020", ALL, {}, raycluster, lambda m: head_env(m, "RAY_enable_autoscaler_v2", "true"), ENV0),
    ("RG021", ALL, {}, raycluster, lambda m: (
        autoscale(m, version="v2"), head_env(m, "RAY_enable_autoscaler_v2", "1")),
     ("spec", "autoscalerOptions", "version")),
    ("RG019", ALL, {}, raycluster, lambda m: (
        autoscale(m, version="v2"), worker(m)["template"]["spec"].update(restartPolicy="Always")),
     (*WORKER, "template", "spec", "restartPolicy")),
    ("RG049", SINCE_16, {}, raycluster, lambda m: autoscale(m, idleTimeoutSeconds=-1),
     ("spec", "autoscalerOptions", "idleTimeoutSeconds")),
    ("RG049", SINCE_16, {}, raycluster, lambda m: worker(m).update(idleTimeoutSeconds=-1),
     (*WORKER, "idleTimeoutSeconds")),
    ("RG033", SINCE_16, {}, raycluster, lambda m: worker(m).update(idleTimeoutSeconds=60),
     (*WORKER, "idleTimeoutSeconds")),
    ("RG029", ONLY_17, {}, raycluster, lambda m: autoscale(
        m, env=[{"name": "KUBERAY_GEN_AUTOSCALER_START_CMD", "value": "x"}]),
     ("spec", "autoscalerOptions", "env", 0)),
    ("RG031", ALL, {}, raycluster, lambda m: m["spec"].update(
        rayVersion="2.46.0", authOptions={"mode": "token"}), ("spec", "authOptions", "mode")),
    ("RG031", ALL, {}, raycluster, lambda m: (m["spec"].pop("rayVersion"), m["spec"].update(
        authOptions={"mode": "token"})), ("spec", "authOptions", "mode")),
    ("RG031", SINCE_16, {}, raycluster, lambda m: m["spec"].update(
        authOptions={"enableK8sTokenAuth": True}), ("spec", "authOptions", "enableK8sTokenAuth")),
    ("RG031", SINCE_16, {}, rayjob, lambda m: m["spec"]["rayClusterSpec"].update(
        rayVersion="2.55.0", authOptions={"mode": "token", "enableK8sTokenAuth": True}),
     ("spec", "rayClusterSpec", "authOptions", "enableK8sTokenAuth")),
    ("RG032", ONLY_17, {}, raycluster, lambda m: worker(m).update(priority=5),
     (*WORKER, "priority")),
    ("RG035", SINCE_16, {}, raycluster, lambda m: (
        m["metadata"].update(labels={"ray.io/originated-from-crd": "RayJob"}),
        m["spec"].update(upgradeStrategy={"type": "Recreate"})), ("spec", "upgradeStrategy")),
    ("RG035", SINCE_16, {}, rayservice, lambda m: m["spec"]["rayClusterConfig"].update(
        upgradeStrategy={"type": "Recreate"}), ("spec", "rayClusterConfig", "upgradeStrategy")),
    ("RG038", ("1.5",), {}, raycluster, lambda m: m["spec"].update(
        upgradeStrategy={"type": "Recreate"}), ("spec", "upgradeStrategy")),
    ("RG104", ONLY_17, {}, raycluster, lambda m: m["spec"].update(networkPolicy={}),
     ("spec", "networkPolicy")),
    ("RG104", ONLY_17, {}, raycluster, lambda m: m["spec"].update(
        gcsFaultToleranceOptions={"backend": "rocksdb"}),
     ("spec", "gcsFaultToleranceOptions", "backend")),
    ("RG104", ("1.5",), {}, rayjob, lambda m: m["spec"].update(
        shutdownAfterJobFinishes=False, deletionStrategy={"deletionRules": [
            {"policy": "DeleteSelf", "condition": {"jobStatus": "SUCCEEDED"}}]}),
     ("spec", "deletionStrategy")),
    ("RG067", ONLY_17, {"GCSFaultToleranceEmbeddedStorage": True}, raycluster,
     lambda m: m["spec"].update(gcsFaultToleranceOptions={"backend": "rocksdb",
                                                          "redisAddress": "redis:6379"}),
     ("spec", "gcsFaultToleranceOptions", "redisAddress")),
    ("RG067", ONLY_17, {}, raycluster, lambda m: m["spec"].update(
        gcsFaultToleranceOptions={"redisAddress": "redis:6379", "storage": {"size": "1Gi"}}),
     ("spec", "gcsFaultToleranceOptions", "storage")),
    ("RG068", ONLY_17, {"RayClusterNetworkPolicy": True}, raycluster, lambda m: m["spec"].update(
        networkPolicy={"workerGroups": [{"groupName": "nope"}]}),
     ("spec", "networkPolicy", "workerGroups", 0, "groupName")),
    ("RG069", ONLY_17, {"RayClusterMTLS": True}, raycluster, lambda m: (
        m["spec"].update(tlsOptions={"enabled": True}), head_env(m, "RAY_USE_TLS", "1")), ENV0),
    ("RG079", ONLY_17, {"RayClusterHistoryServer": True}, raycluster, lambda m: m["spec"].update(
        historyServerOptions={}), ("spec", "historyServerOptions")),
    # RayJob (ValidateRayJobSpec, validateDeletionConfiguration)
    ("RG050", ALL, {}, rayjob, lambda m: m["spec"].update(suspend=True,
                                                          shutdownAfterJobFinishes=False),
     ("spec", "suspend")),
    ("RG051", ALL, {}, rayjob, lambda m: m["spec"].update(ttlSecondsAfterFinished=60,
                                                          shutdownAfterJobFinishes=False),
     ("spec", "ttlSecondsAfterFinished")),
    ("RG059", ALL, {}, rayjob, lambda m: m["spec"].update(activeDeadlineSeconds=0),
     ("spec", "activeDeadlineSeconds")),
    ("RG059", ALL, {}, rayjob, lambda m: m["spec"].update(backoffLimit=-1),
     ("spec", "backoffLimit")),
    ("RG052", SINCE_16, {}, rayjob, lambda m: m["spec"].update(deletionStrategy={
        "deletionRules": [{"policy": "DeleteSelf", "condition": {"jobStatus": "SUCCEEDED"}}]}),
     ("spec", "deletionStrategy")),
    ("RG064", SINCE_16, {}, rayjob, lambda m: m["spec"].update(deletionStrategy={
        "onSuccess": {"policy": "DeleteNone"}, "onFailure": {"policy": "DeleteNone"}}),
     ("spec", "deletionStrategy", "onSuccess", "policy")),
    ("RG064", SINCE_16, {}, rayjob, lambda m: m["spec"].update(
        shutdownAfterJobFinishes=False, deletionStrategy={"deletionRules": [
            {"policy": "DeleteSelf", "condition": {"jobStatus": "FAILED", "ttlSeconds": 10}},
            {"policy": "DeleteCluster", "condition": {"jobStatus": "FAILED", "ttlSeconds": 60}}]}),
     ("spec", "deletionStrategy", "deletionRules")),
    ("RG058", SINCE_16, {}, rayjob, lambda m: (
        m["spec"]["rayClusterSpec"].update(enableInTreeAutoscaling=True),
        m["spec"].update(shutdownAfterJobFinishes=False, deletionStrategy={"deletionRules": [
            {"policy": "DeleteWorkers", "condition": {"jobStatus": "SUCCEEDED"}}]})),
     ("spec", "deletionStrategy", "deletionRules", 0, "policy")),
    ("RG053", ALL, {}, rayjob, lambda m: m["spec"].pop("rayClusterSpec"), ("spec",)),
    ("RG065", ALL, {}, rayjob, lambda m: (m["spec"].pop("rayClusterSpec"), m["spec"].update(
        clusterSelector={"ray.io/cluster": ""})), ("spec", "clusterSelector")),
    ("RG054", ALL, {}, rayjob, lambda m: (m["spec"].pop("rayClusterSpec"), m["spec"].update(
        clusterSelector={"ray.io/cluster": "c"}, suspend=True)), ("spec", "suspend")),
    ("RG054", SINCE_16, {}, rayjob, lambda m: (m["spec"].pop("rayClusterSpec"), m["spec"].update(
        clusterSelector={"ray.io/cluster": "c"}, backoffLimit=2)), ("spec", "backoffLimit")),
    ("RG055", ALL, {}, rayjob, lambda m: m["spec"].update(submissionMode="InteractiveMode",
                                                          backoffLimit=1), ("spec", "backoffLimit")),
    ("RG056", ALL, {}, rayjob, lambda m: m["spec"].update(submissionMode="SidecarMode",
                                                          submitterConfig={"backoffLimit": 1}),
     ("spec", "submitterConfig")),
    ("RG057", ALL, {}, rayjob, lambda m: m["spec"].update(runtimeEnvYAML="- a\n- b\n"),
     ("spec", "runtimeEnvYAML")),
    # the CRDs' own CEL rules
    ("RG037", ALL, {"RayJobDeletionPolicy": True}, rayjob, lambda m: m["spec"].update(
        shutdownAfterJobFinishes=False, deletionStrategy={
            "onSuccess": {"policy": "DeleteSelf"}, "deletionRules": [
                {"policy": "DeleteSelf", "condition": {"jobStatus": "SUCCEEDED"}}]}),
     ("spec", "deletionStrategy")),
    ("RG037", SINCE_16, {}, rayjob, lambda m: m["spec"].update(
        shutdownAfterJobFinishes=False, deletionStrategy={"deletionRules": [
            {"policy": "DeleteSelf", "condition": {"jobStatus": "SUCCEEDED",
                                                   "jobDeploymentStatus": "Complete"}}]}),
     ("spec", "deletionStrategy", "deletionRules", 0, "condition")),
    # RayService (ValidateRayServiceSpec, ValidateRayServiceMetadata)
    ("RG060", ALL, {}, rayservice, lambda m: head(m).update(headService={"metadata": {"name": "x"}}),
     ("spec", "rayClusterConfig", "headGroupSpec", "headService", "metadata", "name")),
    ("RG063", ALL, {}, rayservice, lambda m: m["spec"].update(rayClusterDeletionDelaySeconds=-1),
     ("spec", "rayClusterDeletionDelaySeconds")),
    ("RG066", ALL, {}, rayservice, lambda m: m["metadata"].update(
        annotations={"ray.io/initializing-timeout": "soon"}),
     ("metadata", "annotations", "ray.io/initializing-timeout")),
    ("RG062", ONLY_17, {}, rayservice, lambda m: m["spec"].update(
        upgradeStrategy={"type": "NewClusterWithIncrementalUpgrade"}),
     ("spec", "upgradeStrategy", "type")),
    # RayCronJob (ValidateRayCronJobSpec), with its gate on
    ("RG083", SINCE_16, {"RayCronJob": True}, raycronjob, lambda m: m["spec"].update(
        schedule="61 * * * *"), ("spec", "schedule")),
    ("RG083", ONLY_17, {"RayCronJob": True}, raycronjob, lambda m: m["spec"].update(
        schedule="TZ=UTC 0 * * * *"), ("spec", "schedule")),
    ("RG083", SINCE_16, {"RayCronJob": True}, raycronjob, lambda m: m["spec"].update(
        schedule="CRON_TZ=Mars/Olympus 0 * * * *"), ("spec", "schedule")),
    ("RG083", SINCE_16, {"RayCronJob": True}, raycronjob, lambda m: m["spec"].update(
        schedule="0 0 L * *"), ("spec", "schedule")),
    ("RG083", ONLY_17, {"RayCronJob": True}, raycronjob, lambda m: m["spec"].update(
        timeZone="Mars/Olympus"), ("spec", "timeZone")),
    ("RG011", ONLY_17, {"RayCronJob": True}, raycronjob, lambda m: m["metadata"].update(
        name="c" * 37), ("metadata", "name")),
    ("RG011", SINCE_16, {"RayCronJob": True}, raycronjob, lambda m: m["metadata"].update(
        name="c" * 64), ("metadata", "name")),
    ("RG050", SINCE_16, {"RayCronJob": True}, raycronjob, lambda m: m["spec"]["jobTemplate"].update(
        suspend=True, shutdownAfterJobFinishes=False), ("spec", "jobTemplate", "suspend")),
    ("RG038", ("1.6",), {"RayCronJob": True}, raycronjob, lambda m: m["spec"].update(
        timeZone="UTC"), ("spec", "timeZone")),
    ("RG030", ("1.5",), {}, raycronjob, lambda m: None, ("kind",)),
]

WARNINGS: list[Case] = [
    ("RG012", ALL, {}, raycluster, lambda m: worker(m).update(replicas=5), (*WORKER, "replicas")),
    ("RG012", ("1.5",), {}, raycluster, lambda m: worker(m).update(minReplicas=4),
     (*WORKER, "maxReplicas")),
    ("RG018", ALL, {}, raycluster, lambda m: m["spec"].update(rayVersion="2.46.0"),
     (*HEAD, "template", "spec", "containers", 0, "image")),
    ("RG022", ALL, {}, raycluster, lambda m: head(m)["template"]["spec"]["containers"].insert(
        0, {"name": "sidecar", "image": "busybox:1.36"}),
     (*HEAD, "template", "spec", "containers", 1)),
    ("RG090", ALL, {}, raycluster, lambda m: (autoscale(m), head_env(
        m, "RAY_enable_autoscaler_v2", "True")), ENV0),
    ("RG091", ALL, {}, raycluster, lambda m: m["spec"].update(autoscalerOptions={}),
     ("spec", "autoscalerOptions")),
    ("RG093", ALL, {}, raycluster, lambda m: head(m)["template"]["spec"]["containers"][0].update(
        env=[{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]),
     (*HEAD, "template", "spec", "containers", 0, "env", 1, "name")),
    ("RG094", ALL, {}, raycluster, lambda m: worker(m)["rayStartParams"].update(
        {"redis-username": "u"}), (*WORKER, "rayStartParams", "redis-username")),
    ("RG095", ONLY_17, {}, raycluster, lambda m: m.update(apiVersion="ray.io/v1alpha1"),
     ("apiVersion",)),
    ("RG092", ALL, {}, rayjob, lambda m: m["spec"].update(clusterSelector={"ray.io/cluster": "c"}),
     ("spec", "clusterSelector")),
    ("RG096", SINCE_16, {}, raycronjob, lambda m: None, ("kind",)),
    ("RG097", ("1.5", "1.6"), {}, rayservice, lambda m: (
        m["spec"]["rayClusterConfig"].update(enableInTreeAutoscaling=True),
        m["spec"].update(upgradeStrategy={"type": "NewClusterWithIncrementalUpgrade"})),
     ("spec", "upgradeStrategy", "type")),
]


def expand(cases: list[Case]) -> list[Any]:
    return [pytest.param(code, release, gates, make, breaks, at,
                         id=f"{code}-{release}-{dotted(at) or 'top'}")
            for code, releases, gates, make, breaks, at in cases for release in releases]


def run(tmp_path: Path, manifest: Manifest, release: str, gates: dict[str, bool],
        *extra: str) -> tuple[int, str, Path]:
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    args = ["validate", "--root", str(tmp_path), "--kuberay-version", release, *extra]
    if gates:
        args += ["--feature-gates", ",".join(f"{k}={str(v).lower()}" for k, v in gates.items())]
    result = CliRunner().invoke(main, [*args, str(path)], catch_exceptions=False)
    return result.exit_code, result.output, path


def reported(output: str, path: Path, at: tuple[Any, ...], severity: str, code: str) -> bool:
    """The output has the finding at the line where ``at`` stands in the file."""
    line = load_file(path, path.name, kubernetes=True)[0].pos(at, key=True).line
    return any(entry.startswith(f"manifest.yaml:{line}:")
               and f": {severity} {code}: {dotted(at)}" in entry for entry in output.splitlines())


@pytest.mark.parametrize(("make",), [(raycluster,), (rayjob,), (rayservice,)])
@pytest.mark.parametrize("release", ALL)
def test_the_base_manifests_are_clean(make: Callable[[], Manifest], release: str,
                                      tmp_path: Path) -> None:
    code, output, _ = run(tmp_path, make(), release, {})
    assert code == 0 and "warning" not in output, output


@pytest.mark.parametrize(("code", "release", "gates", "make", "breaks", "at"), expand(ERRORS))
def test_an_operator_check_rejects(code: str, release: str, gates: dict[str, bool],
                                   make: Callable[[], Manifest], breaks: Callable[[Manifest], Any],
                                   at: tuple[Any, ...], tmp_path: Path) -> None:
    manifest = copy.deepcopy(make())
    breaks(manifest)
    exit_code, output, path = run(tmp_path, manifest, release, gates)
    assert exit_code == 1, output
    assert reported(output, path, at, "error", code), output


@pytest.mark.parametrize(("code", "release", "gates", "make", "breaks", "at"), expand(WARNINGS))
def test_own_judgement_warns_and_passes(code: str, release: str, gates: dict[str, bool],
                                        make: Callable[[], Manifest],
                                        breaks: Callable[[Manifest], Any], at: tuple[Any, ...],
                                        tmp_path: Path) -> None:
    manifest = copy.deepcopy(make())
    breaks(manifest)
    exit_code, output, path = run(tmp_path, manifest, release, gates)
    assert exit_code == 0, output
    assert reported(output, path, at, "warning", code), output
    strict, output, _ = run(tmp_path, manifest, release, gates, "--strict")
    assert strict == 1 and f"error {code}" in output, output


def test_what_16_accepts_of_a_raycronjob_and_17_refuses(tmp_path: Path) -> None:
    """1.6's ValidateRayCronJobSpec is ParseStandard alone: robfig/cron's TZ= prefix with a
    zone time.LoadLocation loads, and no bound on the name but its label's 63."""
    manifest = raycronjob()
    manifest["spec"]["schedule"] = "TZ=Europe/Paris 30 2 * * *"
    manifest["metadata"]["name"] = "c" * 40
    code, output, _ = run(tmp_path, manifest, "1.6", {"RayCronJob": True})
    assert code == 0, output
    code, output, _ = run(tmp_path, manifest, "1.7", {"RayCronJob": True})
    assert code == 1 and output.count("error RG0") == 2, output


@pytest.mark.parametrize("release", ALL)
def test_a_gate_that_is_on_enforces_what_it_gates(release: str, tmp_path: Path) -> None:
    manifest = rayjob()
    manifest["spec"].update(shutdownAfterJobFinishes=False, deletionStrategy={"deletionRules": [
        {"policy": "DeleteSelf", "condition": {"jobStatus": "SUCCEEDED"}}]})
    off = run(tmp_path, manifest, release, {"RayJobDeletionPolicy": False})
    on = run(tmp_path, manifest, release, {"RayJobDeletionPolicy": True})
    assert off[0] == 1 and "RG104" in off[1] and "--feature-gates=RayJobDeletionPolicy=true" in off[1]
    assert on[0] == 0, on[1]


def test_a_gate_the_release_does_not_have_is_a_usage_error(tmp_path: Path) -> None:
    exit_code, output, _ = run(tmp_path, raycluster(), "1.5", {"RayCronJob": True})
    assert exit_code == 2 and "unrecognized feature gate" in output


def test_a_gate_the_release_does_not_have_in_the_settings_is_an_error_at_its_key(
        cli: Any, tmp_path: Path) -> None:
    """The same words as the flag's, at the featureGates key of ray-gitops.yaml."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "ray-gitops.yaml").write_text('kuberayVersion: "1.5"\nfeatureGates:\n'
                                              '  RayCronJob: true\n')
    result = cli("validate", "--no-cache", "--root", tmp_path)
    assert result.exit_code == 1
    assert ("ray-gitops.yaml:2:1: error RG010: featureGates: unrecognized feature gate(s) for "
            "KubeRay 1.5: RayCronJob") in result.output, result.output
