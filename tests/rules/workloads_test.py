"""RayService, RayJob and Serve config rules on manifests: firing, and silent on a near miss."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from generator.kuberay.releases import Target
from generator.rules import check_object
from generator.rules.serve import check_serve_config

TARGET = Target.of()

Manifest = dict[str, Any]
CLUSTER = {"rayVersion": "2.52.0",
           "headGroupSpec": {"template": {"spec": {"containers": [
               {"name": "ray-head", "image": "rayproject/ray:2.52.0",
                "resources": {"limits": {"cpu": "8"}}}]}}}}
SERVE = {"applications": [{"name": "fruit", "import_path": "fruit.deployment_graph",
                           "route_prefix": "/", "deployments": [
                               {"name": "MangoStand", "num_replicas": 1,
                                "user_config": {"price": 3}}]}]}


def service() -> Manifest:
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "fruit"},
            "spec": {"serveConfigV2": yaml.safe_dump(SERVE),
                     "rayClusterConfig": copy.deepcopy(CLUSTER)}}


def job() -> Manifest:
    return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "job"},
            "spec": {"entrypoint": "python main.py", "rayClusterSpec": copy.deepcopy(CLUSTER)}}


def serve(m: Manifest, change: Callable[[dict[str, Any]], None]) -> None:
    config = yaml.safe_load(m["spec"]["serveConfigV2"])
    change(config)
    m["spec"]["serveConfigV2"] = yaml.safe_dump(config)


def app(config: dict[str, Any]) -> dict[str, Any]:
    return config["applications"][0]  # type: ignore[no-any-return]


def incremental(**options: Any) -> Callable[[Manifest], None]:
    def apply(m: Manifest) -> None:
        m["spec"]["upgradeStrategy"] = {"type": "NewClusterWithIncrementalUpgrade",
                                        "clusterUpgradeOptions": options}
        m["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"] = True

    return apply


GOOD_INCREMENTAL = {"maxSurgePercent": 20, "stepSizePercent": 10, "intervalSeconds": 30,
                    "gatewayClassName": "istio"}

CASES: dict[str, tuple[Callable[[], Manifest], Callable[[Manifest], Any], Callable[[Manifest], Any]]] = {
    "RG011": (service, lambda m: m["metadata"].update(name="s" * 48),
              lambda m: m["metadata"].update(name="s" * 47)),
    "RG035": (service, lambda m: m["spec"]["rayClusterConfig"].update(
                  upgradeStrategy={"type": "Recreate"}),
              lambda m: m["spec"].update(upgradeStrategy={"type": "NewCluster"})),
    "RG060": (service, lambda m: m["spec"]["rayClusterConfig"]["headGroupSpec"].update(
                  headService={"metadata": {"name": "my-head"}}),
              lambda m: m["spec"]["rayClusterConfig"]["headGroupSpec"].update(
                  headService={"metadata": {"annotations": {"a": "b"}}})),
    "RG061": (service, lambda m: m["spec"].update(upgradeStrategy={"type": "BlueGreen"}),
              lambda m: m["spec"].update(upgradeStrategy={"type": "None"})),
    "RG062": (service, incremental(maxSurgePercent=10, stepSizePercent=20, intervalSeconds=30,
                                   gatewayClassName="istio"),
              incremental(**GOOD_INCREMENTAL)),
    "RG063": (service, lambda m: m["spec"].update(rayClusterDeletionDelaySeconds=-1),
              lambda m: m["spec"].update(rayClusterDeletionDelaySeconds=0)),
    "RG070": (service, lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  num_replica=2)), lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  num_replicas=2))),
    "RG071": (service, lambda m: serve(m, lambda c: c["applications"].append(
                  {**app(c), "route_prefix": "/b"})),
              lambda m: serve(m, lambda c: c["applications"].append(
                  {**app(c), "name": "b", "route_prefix": "/b"}))),
    "RG072": (service, lambda m: serve(m, lambda c: c["applications"].append(
                  {**app(c), "name": "b"})),
              lambda m: serve(m, lambda c: c["applications"].append(
                  {**app(c), "name": "b", "route_prefix": "/b"}))),
    "RG073": (service, lambda m: serve(m, lambda c: app(c).update(import_path="fruit:")),
              lambda m: serve(m, lambda c: app(c).update(import_path="fruit:graph"))),
    "RG074": (service, lambda m: serve(m, lambda c: app(c)["deployments"].append(
                  {"name": "MangoStand"})),
              lambda m: serve(m, lambda c: app(c)["deployments"].append({"name": "PearStand"}))),
    "RG075": (service, lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  num_replicas="many")), lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  num_replicas="auto"))),
    "RG076": (service, lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  autoscaling_config={"min_replicas": 1})),
              lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  num_replicas="auto", autoscaling_config={"min_replicas": 1}))),
    "RG077": (service, lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  ray_actor_options={"resources": {"TPU": -1}})),
              lambda m: serve(m, lambda c: app(c)["deployments"][0].update(
                  ray_actor_options={"resources": {"TPU": 0}}))),
    "RG078": (service, lambda m: m["spec"].update(serveConfigV2="applications: [\n"),
              lambda m: m["spec"].update(serveConfigV2="applications: []\n")),
    "RG050": (job, lambda m: m["spec"].update(suspend=True),
              lambda m: m["spec"].update(suspend=True, shutdownAfterJobFinishes=True)),
    "RG051": (job, lambda m: m["spec"].update(ttlSecondsAfterFinished=60),
              lambda m: m["spec"].update(ttlSecondsAfterFinished=0)),
    "RG052": (job, lambda m: m["spec"].update(shutdownAfterJobFinishes=True, deletionStrategy={
                  "deletionRules": [{"policy": "DeleteCluster",
                                     "condition": {"jobStatus": "SUCCEEDED"}}]}),
              lambda m: m["spec"].update(deletionStrategy={"deletionRules": [
                  {"policy": "DeleteCluster", "condition": {"jobStatus": "SUCCEEDED"}}]})),
    "RG053": (job, lambda m: m["spec"].pop("rayClusterSpec"),
              lambda m: (m["spec"].pop("rayClusterSpec"),
                         m["spec"].update(clusterSelector={"ray.io/cluster": "x"}))),
    "RG092": (job, lambda m: m["spec"].update(clusterSelector={"ray.io/cluster": "x"}),
              lambda m: (m["spec"].pop("rayClusterSpec"),
                         m["spec"].update(clusterSelector={"ray.io/cluster": "x"}))),
    "RG054": (job, lambda m: (m["spec"].pop("rayClusterSpec"), m["spec"].update(
                  clusterSelector={"ray.io/cluster": "x"}, backoffLimit=2)),
              lambda m: m["spec"].update(backoffLimit=2)),
    "RG055": (job, lambda m: m["spec"].update(submissionMode="InteractiveMode", backoffLimit=1),
              lambda m: m["spec"].update(submissionMode="InteractiveMode")),
    "RG056": (job, lambda m: m["spec"].update(submissionMode="SidecarMode",
                                              submitterPodTemplate={}),
              lambda m: m["spec"].update(submissionMode="SidecarMode")),
    "RG057": (job, lambda m: m["spec"].update(runtimeEnvYAML="pip: [a\n"),
              lambda m: m["spec"].update(runtimeEnvYAML="pip: [a]\n")),
    "RG058": (job, lambda m: (m["spec"]["rayClusterSpec"].update(enableInTreeAutoscaling=True),
                              m["spec"].update(deletionStrategy={"deletionRules": [
                                  {"policy": "DeleteWorkers",
                                   "condition": {"jobStatus": "SUCCEEDED"}}]})),
              lambda m: m["spec"].update(deletionStrategy={"deletionRules": [
                  {"policy": "DeleteWorkers", "condition": {"jobStatus": "SUCCEEDED"}}]})),
}


def codes(m: Manifest) -> set[str]:
    return {f.code for f in check_object(m, TARGET)}


@pytest.mark.parametrize("make", [service, job])
def test_base_manifests_are_clean(make: Callable[[], Manifest]) -> None:
    assert codes(make()) == set()


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(code: str) -> None:
    make, breaks, _ = CASES[code]
    manifest = make()
    breaks(manifest)
    assert code in codes(manifest)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_keeps_quiet_on_a_near_miss(code: str) -> None:
    make, _, keeps = CASES[code]
    manifest = make()
    keeps(manifest)
    assert codes(manifest) == set()


@pytest.mark.parametrize("make", [service, job])
def test_an_empty_upgrade_strategy_in_an_owned_cluster_is_accepted(
        make: Callable[[], Manifest]) -> None:
    """ValidateRayClusterUpgradeOptions refuses a set type, not an empty strategy."""
    manifest = make()
    cluster = manifest["spec"].get("rayClusterConfig") or manifest["spec"]["rayClusterSpec"]
    cluster["upgradeStrategy"] = {}
    assert codes(manifest) == set()
    cluster["upgradeStrategy"] = {"type": "None"}
    assert "RG035" in codes(manifest)


def test_serve_config_must_be_a_mapping() -> None:
    (finding,) = check_serve_config(["not", "a", "mapping"])
    assert finding.code == "RG078"


def test_misspelled_serve_key_gets_a_hint() -> None:
    config = copy.deepcopy(SERVE)
    config["applications"][0]["deployments"][0]["max_ongoing_request"] = 5
    (finding,) = check_serve_config(config)
    assert finding.path == ("applications", 0, "deployments", 0, "max_ongoing_request")
    assert finding.hint == "did you mean 'max_ongoing_requests'?"


def test_num_replicas_zero_says_what_ray_wants() -> None:
    from generator.rules.serve import check_serve_config

    found = check_serve_config({"applications": [{"import_path": "a:b", "deployments": [
        {"name": "d", "num_replicas": 0}]}]})
    assert [(f.code, f.message) for f in found] == [
        ("RG075", "num_replicas is a number >= 1 or 'auto', not 0")]
