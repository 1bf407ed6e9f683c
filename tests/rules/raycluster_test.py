"""Each KubeRay rule, firing on a manifest that breaks it and silent on one that does not."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from generator.kuberay.releases import Target
from generator.rules import CODES, check_object

TARGET = Target.of()

Manifest = dict[str, Any]


def base() -> Manifest:
    pod = {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]}
    worker = {"containers": [{"name": "ray-worker", "image": "rayproject/ray:2.52.0"}]}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "demo", "annotations": {}},
        "spec": {
            "rayVersion": "2.52.0",
            "headGroupSpec": {"rayStartParams": {}, "template": {"spec": pod}},
            "workerGroupSpecs": [
                {"groupName": "small", "replicas": 1, "minReplicas": 0, "maxReplicas": 5,
                 "rayStartParams": {}, "template": {"spec": worker}},
            ],
        },
    }


def head(m: Manifest) -> dict[str, Any]:
    return m["spec"]["headGroupSpec"]  # type: ignore[no-any-return]


def worker(m: Manifest) -> dict[str, Any]:
    return m["spec"]["workerGroupSpecs"][0]  # type: ignore[no-any-return]


def head_env(m: Manifest, name: str, value: str = "x") -> None:
    head(m)["template"]["spec"]["containers"][0].setdefault("env", []).append(
        {"name": name, "value": value})


def ft_options(m: Manifest) -> None:
    m["spec"]["gcsFaultToleranceOptions"] = {"redisAddress": "redis:6379"}


def autoscale(m: Manifest, version: str | None = None) -> None:
    m["spec"]["enableInTreeAutoscaling"] = True
    if version:
        m["spec"]["autoscalerOptions"] = {"version": version}


def chain(*steps: Callable[[Manifest], None]) -> Callable[[Manifest], None]:
    def run(m: Manifest) -> None:
        for step in steps:
            step(m)

    return run


# code -> (what breaks the rule, a near miss that keeps it)
CASES: dict[str, tuple[Callable[[Manifest], None], Callable[[Manifest], None]]] = {
    "RG011": (lambda m: m["metadata"].update(name="x" * 54),
              lambda m: m["metadata"].update(name="x" * 53)),
    "RG012": (lambda m: worker(m).update(replicas=9),
              lambda m: worker(m).update(minReplicas=5, replicas=5)),
    "RG047": (lambda m: worker(m).update(minReplicas=6),
              lambda m: worker(m).update(minReplicas=5, replicas=5)),
    "RG016": (lambda m: (worker(m).update(resources={"CPU": "2"}),
                         worker(m)["rayStartParams"].update({"num-cpus": "2"})),
              lambda m: worker(m).update(resources={"CPU": "2"})),
    "RG017": (lambda m: worker(m)["rayStartParams"].update(labels="a=b"),
              lambda m: worker(m).update(labels={"a": "b"})),
    "RG018": (lambda m: m["spec"].update(rayVersion="2.46.0"),
              lambda m: m["spec"].update(rayVersion="2.52.0")),
    "RG019": (chain(lambda m: autoscale(m, "v2"),
                    lambda m: worker(m)["template"]["spec"].update(restartPolicy="Always")),
              chain(lambda m: autoscale(m, "v2"),
                    lambda m: worker(m)["template"]["spec"].update(restartPolicy="Never"))),
    "RG020": (lambda m: head_env(m, "RAY_enable_autoscaler_v2", "1"),
              chain(autoscale, lambda m: head_env(m, "RAY_enable_autoscaler_v2", "1"))),
    "RG021": (chain(lambda m: autoscale(m, "v2"),
                    lambda m: head_env(m, "RAY_enable_autoscaler_v2", "1")),
              lambda m: autoscale(m, "v2")),
    "RG022": (lambda m: head(m)["template"]["spec"]["containers"].insert(
                  0, {"name": "sidecar", "image": "fluent/fluent-bit:3.0"}),
              lambda m: head(m)["template"]["spec"]["containers"].append(
                  {"name": "sidecar", "image": "fluent/fluent-bit:3.0"})),
    "RG023": (lambda m: worker(m)["template"]["spec"].update(containers=[]), lambda m: None),
    "RG024": (lambda m: head(m)["rayStartParams"].update({"redis-username": "u"}),
              lambda m: ft_options(m)),
    "RG025": (chain(ft_options,
                    lambda m: m["metadata"]["annotations"].update({"ray.io/ft-enabled": "true"})),
              ft_options),
    "RG026": (lambda m: head_env(m, "RAY_REDIS_ADDRESS", "redis:6379"),
              chain(lambda m: head_env(m, "RAY_REDIS_ADDRESS", "redis:6379"),
                    lambda m: m["metadata"]["annotations"].update({"ray.io/ft-enabled": "true"}))),
    "RG027": (chain(ft_options, lambda m: head(m)["rayStartParams"].update(
                  {"redis-password": "$REDIS_PASSWORD"})),
              chain(lambda m: m["metadata"]["annotations"].update({"ray.io/ft-enabled": "true"}),
                    lambda m: head(m)["rayStartParams"].update(
                        {"redis-password": "$REDIS_PASSWORD"}))),
    "RG028": (chain(autoscale, lambda m: worker(m).update(suspend=True)),
              lambda m: worker(m).update(suspend=True)),
    "RG029": (chain(autoscale, lambda m: m["spec"].update(autoscalerOptions={"env": [
                  {"name": "KUBERAY_GEN_AUTOSCALER_START_CMD", "value": "x"}]})),
              chain(autoscale, lambda m: m["spec"].update(autoscalerOptions={"env": [
                  {"name": "AUTOSCALER_MAX_CONCURRENT_LAUNCHES", "value": "100"}]}))),
    "RG031": (chain(lambda m: m["spec"].update(rayVersion="2.46.0"),
                    lambda m: m["spec"].update(authOptions={"mode": "token"})),
              lambda m: m["spec"].update(authOptions={"mode": "token"})),
    "RG032": (lambda m: worker(m).update(priority=5),
              chain(lambda m: autoscale(m, "v2"), lambda m: m["spec"].update(rayVersion="2.56.0"),
                    lambda m: [g["template"]["spec"]["containers"][0].update(
                        image="rayproject/ray:2.56.0") for g in (head(m), worker(m))],
                    lambda m: worker(m).update(priority=5))),
    "RG033": (lambda m: worker(m).update(idleTimeoutSeconds=60),
              chain(lambda m: autoscale(m, "v2"), lambda m: worker(m).update(idleTimeoutSeconds=60))),
    "RG034": (lambda m: worker(m)["template"]["spec"]["containers"].append(
                  copy.deepcopy(worker(m)["template"]["spec"]["containers"][0])),
              lambda m: worker(m)["template"]["spec"]["containers"].append(
                  {**copy.deepcopy(worker(m)["template"]["spec"]["containers"][0]), "name": "x"})),
    "RG039": (lambda m: m["spec"]["workerGroupSpecs"].append(copy.deepcopy(worker(m))),
              lambda m: m["spec"]["workerGroupSpecs"].append(
                  {**copy.deepcopy(worker(m)), "groupName": "other"})),
    "RG100": (lambda m: worker(m)["template"]["spec"]["containers"][0].update(
                  image="rayproject/ray:latest"),
              lambda m: worker(m)["template"]["spec"]["containers"][0].update(
                  image="rayproject/ray@sha256:" + "0" * 64)),
    "RG104": (lambda m: m["spec"].update(networkPolicy={"mode": "DenyAll"}), lambda m: None),
}


def codes(m: Manifest) -> set[str]:
    return {finding.code for finding in check_object(m, TARGET)}


def test_base_manifest_is_clean() -> None:
    assert codes(base()) == set()


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(code: str) -> None:
    broken = base()
    CASES[code][0](broken)
    assert code in codes(broken)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_keeps_quiet_on_a_near_miss(code: str) -> None:
    fine = base()
    CASES[code][1](fine)
    assert code not in codes(fine)


def test_every_rule_code_is_catalogued() -> None:
    assert set(CASES) <= set(CODES)


def test_rule_points_at_the_field() -> None:
    broken = base()
    worker(broken).update(minReplicas=6)
    (finding,) = check_object(broken, TARGET)
    assert finding.code == "RG047"
    assert finding.path == ("spec", "workerGroupSpecs", 0, "maxReplicas")
    assert finding.message == "must be >= minReplicas (5 < 6)"
