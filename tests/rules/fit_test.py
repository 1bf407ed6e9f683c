"""Will it fit: each rule breaks a fitting RayService or RayJob, and stays silent on it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from generator.kuberay.releases import Target
from generator.rules import check_object

TARGET = Target.of()
Manifest = dict[str, Any]


def pod(name: str, limits: dict[str, str]) -> dict[str, Any]:
    return {"spec": {"containers": [{"name": name, "image": "rayproject/ray:2.52.0",
                                     "resources": {"limits": dict(limits), "requests": dict(limits)}}]}}


CLUSTER = {
    "rayVersion": "2.52.0", "enableInTreeAutoscaling": True,
    "headGroupSpec": {"rayStartParams": {"num-cpus": "0"},
                      "template": pod("ray-head", {"cpu": "2", "memory": "8Gi"})},
    "workerGroupSpecs": [
        {"groupName": "cpu", "replicas": 1, "minReplicas": 1, "maxReplicas": 4,
         "template": pod("ray-worker", {"cpu": "4", "memory": "16Gi"})},
        {"groupName": "gpu", "replicas": 1, "minReplicas": 0, "maxReplicas": 2,
         "template": pod("ray-worker", {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"})},
    ],
}
# the GPU group's nodes have A10Gs (GPU feature discovery's label): what Ray detects there
CLUSTER["workerGroupSpecs"][1]["template"]["spec"]["nodeSelector"] = {
    "nvidia.com/gpu.product": "NVIDIA-A10G"}
SERVE = {"applications": [{"name": "llm", "import_path": "llm:app", "route_prefix": "/",
                           "deployments": [
                               {"name": "Router", "num_replicas": 2,
                                "ray_actor_options": {"num_cpus": 1}},
                               {"name": "Model", "autoscaling_config": {"min_replicas": 1,
                                                                        "max_replicas": 2},
                                "ray_actor_options": {"num_cpus": 4, "num_gpus": 1,
                                                      "memory": 8 * 2**30,
                                                      "accelerator_type": "A10G"}}]}]}


def service(change: Callable[[dict[str, Any]], None] | None = None,
            cluster: Callable[[dict[str, Any]], None] | None = None) -> Manifest:
    config = copy.deepcopy(SERVE)
    body = copy.deepcopy(CLUSTER)
    if change:
        change(config["applications"][0]["deployments"][1])
    if cluster:
        cluster(body)
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": "llm"},
            "spec": {"serveConfigV2": yaml.safe_dump(config, sort_keys=False),
                     "rayClusterConfig": body}}


def codes(m: Manifest) -> list[tuple[str, str, tuple[Any, ...]]]:
    return [(f.code, f.severity, _below(f.path)) for f in check_object(m, TARGET)
            if f.code.startswith("RG11")]


def _below(path: tuple[Any, ...]) -> tuple[Any, ...]:
    for prefix in (("spec", "serveConfigV2"), ("spec", "jobTemplate"), ("spec",)):
        if path[:len(prefix)] == prefix:
            return path[len(prefix):]
    return path


MODEL = ("applications", 0, "deployments", 1)


def test_a_fitting_service_is_silent():
    assert codes(service()) == []


@pytest.mark.parametrize("change, path", [
    (lambda d: d["ray_actor_options"].update(num_gpus=2), ("ray_actor_options", "num_gpus")),
    (lambda d: d["ray_actor_options"].update(memory=40 * 2**30), ("ray_actor_options", "memory")),
    (lambda d: d["ray_actor_options"].update(num_cpus=9), ("ray_actor_options", "num_cpus")),
    (lambda d: d["ray_actor_options"].update(resources={"TPU": 1}),
     ("ray_actor_options", "resources", "TPU")),
])
def test_actor_options_no_group_holds(change, path):
    assert codes(service(change)) == [("RG110", "error", (*MODEL, *path))]


def test_accelerator_type_without_an_accelerator():
    def cpu_only(body):
        del body["workerGroupSpecs"][1]

    def small(d):
        d["ray_actor_options"] = {"num_cpus": 1, "accelerator_type": "A10G"}

    assert codes(service(small, cpu_only)) == [
        ("RG110", "error", (*MODEL, "ray_actor_options", "accelerator_type"))]


def test_a_group_without_nodes_holds_nothing():
    def no_gpu_nodes(body):
        body["workerGroupSpecs"][1]["maxReplicas"] = 0

    found = check_object(service(cluster=no_gpu_nodes), TARGET)
    [error] = [f for f in found if f.code == "RG110"]
    assert "never has a node" in error.message


def test_without_the_autoscaler_a_group_has_its_replicas():
    def fixed(body):
        body["enableInTreeAutoscaling"] = False
        body["workerGroupSpecs"][1]["replicas"] = 0  # so no GPU node

    assert ("RG110", "error", (*MODEL, "ray_actor_options", "num_gpus")) in codes(service(cluster=fixed))


def test_bundles():
    def bundles(d):
        d["placement_group_bundles"] = [{"CPU": 4, "GPU": 1, "memory": 8 * 2**30}, {"GPU": 1}]
        d["placement_group_strategy"] = "STRICT_PACK"

    assert codes(service(bundles)) == [("RG111", "error", (*MODEL, "placement_group_strategy"))]

    def spread(d):
        d["placement_group_bundles"] = [{"CPU": 4, "GPU": 1, "memory": 8 * 2**30}, {"GPU": 1},
                                        {"GPU": 1}]
        d["placement_group_strategy"] = "STRICT_SPREAD"
        d["autoscaling_config"]["max_replicas"] = 1

    assert codes(service(spread)) == [("RG111", "error", (*MODEL, "placement_group_strategy"))]

    def first_bundle_too_small(d):
        d["placement_group_bundles"] = [{"CPU": 1}, {"GPU": 1}]

    assert ("RG111", "error", (*MODEL, "placement_group_bundles", 0)) in codes(
        service(first_bundle_too_small))

    def big_bundle(d):
        d["placement_group_bundles"] = [{"CPU": 4, "GPU": 1, "memory": 8 * 2**30}, {"GPU": 3}]

    assert codes(service(big_bundle)) == [("RG111", "error", (*MODEL, "placement_group_bundles", 1))]

    def with_per_node(d):
        d["placement_group_bundles"] = [{"CPU": 4, "GPU": 1, "memory": 8 * 2**30}]
        d["max_replicas_per_node"] = 1

    assert codes(service(with_per_node)) == [("RG111", "error", (*MODEL, "max_replicas_per_node"))]

    def fitting(d):
        d["placement_group_bundles"] = [{"CPU": 4, "GPU": 1, "memory": 8 * 2**30}, {"CPU": 2}]
        d["placement_group_strategy"] = "STRICT_PACK"

    assert codes(service(fitting)) == []


def test_ceiling_is_a_warning_with_numbers():
    def more(d):
        d["autoscaling_config"]["max_replicas"] = 3  # two GPU nodes at most

    [found] = [f for f in check_object(service(more), TARGET) if f.code == "RG112"]
    assert found.severity == "warning"
    assert _below(found.path) == (*MODEL, "autoscaling_config", "max_replicas")
    assert "1 of deployment 'Model'" in found.message and "2 GPU" in found.message


def test_a_ceiling_of_two_billion_replicas_costs_nothing():
    """num_replicas in a 500-byte spec must not build one entry per replica (it held
    gigabytes): past a bound the ceiling compares totals, and still warns."""
    import resource

    def huge(d):
        d["autoscaling_config"]["max_replicas"] = 2_000_000_000

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    [found] = [f for f in check_object(service(huge), TARGET) if f.code == "RG112"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB
    assert _below(found.path) == (*MODEL, "autoscaling_config", "max_replicas")
    assert "most replicas would stay pending" in found.message and "GPU" in found.message


def test_ray_detected_resources_hold_anything():
    def undeclared(body):
        for group in body["workerGroupSpecs"]:
            del group["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]
            del group["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"]

    def big_memory(d):
        d["ray_actor_options"]["memory"] = 500 * 2**30

    assert codes(service(big_memory, undeclared)) == []


def job(**entry: Any) -> Manifest:
    body = copy.deepcopy(CLUSTER)
    return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "job"},
            "spec": {"entrypoint": "python main.py", "rayClusterSpec": body, **entry}}


def test_entrypoint_resources():
    assert codes(job(entrypointNumCpus=4, entrypointNumGpus=1)) == []
    assert codes(job(entrypointNumGpus=2)) == [("RG113", "error", ("entrypointNumGpus",))]
    assert codes(job(entrypointResources=json.dumps({"special": 1}))) == [
        ("RG113", "error", ("entrypointResources",))]
    # on the head, as ray-job.resources.yaml asks: its rayStartParams give 2 GPUs
    sample = job(entrypointNumCpus=2, entrypointNumGpus=0.5,
                 entrypointResources=json.dumps({"resource1": 1, "resource2": 2}))
    sample["spec"]["rayClusterSpec"]["headGroupSpec"]["rayStartParams"] = {
        "num-cpus": "3", "num-gpus": "2", "resources": '"{\\"resource1\\": 2, \\"resource2\\": 3}"'}
    assert codes(sample) == []


def test_cron_job_entrypoint():
    inner = job(entrypointNumGpus=4)["spec"]
    cron = {"apiVersion": "ray.io/v1", "kind": "RayCronJob", "metadata": {"name": "c"},
            "spec": {"schedule": "@daily", "jobTemplate": inner}}
    assert codes(cron) == [("RG113", "error", ("entrypointNumGpus",))]


def test_num_cpus_zero_is_not_serves_default():
    # KubeRay's ray-service.incremental-upgrade.yaml: two deployments at num_cpus 0, two at
    # 0.5 with up to 3 replicas, on up to 4 one-CPU workers: 3 CPUs of 4, no warning
    def zero(d):
        d["ray_actor_options"] = {"num_cpus": 0}
        d["autoscaling_config"]["max_replicas"] = 50

    assert codes(service(zero)) == []


def test_entrypoint_on_an_existing_cluster_spec(cli, make_repo) -> None:
    cluster = """\
    apiVersion: ray-gitops/v1alpha1
    kind: RayCluster
    metadata: {name: shared}
    spec:
      head:
        computeTemplate: head-template
        rayStartParams: {num-cpus: "0"}
      workerGroups:
        - name: workers
          computeTemplate: default-template
          replicas: 1
    """
    job = """\
    apiVersion: ray-gitops/v1alpha1
    kind: RayJob
    metadata:
      name: on-shared
    spec:
      entrypoint: python x.py
      clusterSelector: shared
      entrypointResources:
        numCpus: 2
        numGpus: {gpus}
    """
    root = make_repo({"shared.yaml": cluster, "job.yaml": job.format(gpus=0)})
    assert cli("validate", "--root", root, "--no-cache").exit_code == 0
    root = make_repo({"shared.yaml": cluster, "job.yaml": job.format(gpus=1)})
    result = cli("validate", "--root", root, "--no-cache")
    assert result.exit_code == 1
    assert "specs/job.yaml:10:14: error RG113: spec.entrypointResources.numGpus" in result.output
    assert "RayCluster 'shared'" in result.output
    # the hook on the job file alone judges it against the cluster as it renders too
    alone = cli("validate", "--root", root, "--no-cache", root / "specs" / "job.yaml")
    assert alone.exit_code == 1 and "error RG113" in alone.output


def test_the_first_bundle_holds_serves_default_cpu():
    """A replica without num_cpus asks Serve's default of 1 CPU, which the first bundle must
    hold (Serve refuses the deployment otherwise); memory is not checked against it."""
    def gpu_only(d):
        d["ray_actor_options"] = {"num_gpus": 1}
        d["placement_group_bundles"] = [{"GPU": 1}]

    assert ("RG111", "error", (*MODEL, "placement_group_bundles", 0)) in codes(service(gpu_only))

    def with_cpu(d):
        d["ray_actor_options"] = {"num_gpus": 1, "memory": 2**30}
        d["placement_group_bundles"] = [{"CPU": 1, "GPU": 1}]

    assert codes(service(with_cpu)) == []

    def zero_cpu(d):
        d["ray_actor_options"] = {"num_cpus": 0, "num_gpus": 1}
        d["placement_group_bundles"] = [{"GPU": 1}]

    assert codes(service(zero_cpu)) == []


def test_accelerator_type_against_what_the_groups_say():
    """A10G asked: a group known to have L4s cannot hold it (an error when none can); a
    group that does not say which GPU it has: a warning, not a pass."""
    def l4(body):
        body["workerGroupSpecs"][1]["template"]["spec"]["nodeSelector"] = {
            "cloud.google.com/gke-accelerator": "nvidia-l4"}

    found = codes(service(cluster=l4))
    assert [c for c, severity, _ in found if severity == "error"] == ["RG110"], found

    def unsaid(body):
        del body["workerGroupSpecs"][1]["template"]["spec"]["nodeSelector"]

    assert codes(service(cluster=unsaid)) == [
        ("RG116", "warning", (*MODEL, "ray_actor_options", "accelerator_type"))]

    def resource(body):
        unsaid(body)
        body["workerGroupSpecs"][1]["rayStartParams"] = {
            "resources": "'{\"accelerator_type:A10G\": 1}'"}

    assert codes(service(cluster=resource)) == []


def at_zero(body: dict[str, Any]) -> None:
    """The GPU group starts with no node: only the autoscaler can start one."""
    body["workerGroupSpecs"][1]["replicas"] = 0


def test_a_group_at_zero_gets_a_node_only_for_what_the_autoscaler_sees():
    """Ray's autoscaler launches a node type for a demand only when the demand fits what
    it reads of the group (resource_demand_scheduler._fits; kuberay#863): it never sees
    the GPU model Ray detects, so accelerator_type needs the resource written."""
    found = [f for f in check_object(service(cluster=at_zero), TARGET) if f.code == "RG110"]
    assert [_below(f.path) for f in found] == [(*MODEL, "ray_actor_options")]
    assert "autoscaler believes it has 0 accelerator_type:A10G" in found[0].message

    def declared(body):
        at_zero(body)
        body["workerGroupSpecs"][1]["rayStartParams"] = {
            "resources": "'{\"accelerator_type:A10G\": 1}'"}

    assert codes(service(cluster=declared)) == []

    def group_resources(version):
        def change(body):
            at_zero(body)
            body["rayVersion"] = version
            body["workerGroupSpecs"][1]["resources"] = {
                "cpu": "8", "memory": "32Gi", "GPU": "1", "accelerator_type:A10G": "1"}
        return change

    assert codes(service(cluster=group_resources("2.52.0"))) == []  # read since Ray 2.51
    assert [c for c, *_ in codes(service(cluster=group_resources("2.50.0")))] == ["RG110"]


def test_what_the_autoscaler_reads_differs_from_the_operator():
    """MIG slices: the operator passes --num-gpus, the autoscaler counts only *gpu keys;
    memory from a request alone: Ray detects the node's, the autoscaler takes the request."""
    def mig(body):
        at_zero(body)
        limits = body["workerGroupSpecs"][1]["template"]["spec"]["containers"][0]["resources"]
        for part in limits.values():
            part["nvidia.com/mig-1g.5gb"] = part.pop("nvidia.com/gpu")

    def no_type(d):
        del d["ray_actor_options"]["accelerator_type"]

    found = [f for f in check_object(service(no_type, mig), TARGET) if f.code == "RG110"]
    assert found and "0 GPU (needs 1 GPU)" in found[0].message, found

    def request_only(body):
        at_zero(body)
        body["workerGroupSpecs"][1]["rayStartParams"] = {
            "resources": "'{\"accelerator_type:A10G\": 1}'"}
        resources = body["workerGroupSpecs"][1]["template"]["spec"]["containers"][0]["resources"]
        del resources["limits"]["memory"]
        resources["requests"]["memory"] = "4Gi"

    found = [f for f in check_object(service(cluster=request_only), TARGET) if f.code == "RG110"]
    assert found and "4GiB memory (needs 8GiB memory)" in found[0].message


@pytest.mark.parametrize(("change", "at", "version"), [
    (lambda g: g["template"]["spec"]["containers"][0]["resources"].clear(),
     ("template", "spec", "containers", 0, "resources"), "2.52.0"),
    (lambda g: g.update(rayStartParams={"num-cpus": "'4'"}), ("rayStartParams", "num-cpus"),
     "2.52.0"),
    (lambda g: g.update(rayStartParams={"resources": '{"a": 1}'}),
     ("rayStartParams", "resources"), "2.52.0"),
    (lambda g: g.update(rayStartParams={"resources": "'{\"a\": 0.5}'"}),
     ("rayStartParams", "resources"), "2.52.0"),
    (lambda g: g.update(resources={"gpu": "NaN"}), ("resources", "gpu"), "2.52.0"),
    (lambda g: g.pop("rayStartParams", None), (), "2.44.0"),
])
def test_a_group_the_autoscaler_can_not_read_stops_it(change, at, version):
    def broken(body):
        body["rayVersion"] = version
        change(body["workerGroupSpecs"][0])

    found = [f for f in check_object(service(cluster=broken), TARGET) if f.code == "RG117"]
    assert found and found[0].path[-len(at) - 2:] == ("workerGroupSpecs", 0, *at), found
    assert "never scales" in found[0].message and f"Ray {version[:4]}" in found[0].message

    def fixed(body):
        broken(body)
        body["enableInTreeAutoscaling"] = False

    assert not [f for f in check_object(service(cluster=fixed), TARGET) if f.code == "RG117"]
