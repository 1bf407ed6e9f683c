"""The Ray resources of a group, written each way KubeRay's samples write them.

Each expected value is what Ray's KubeRay autoscaler (``_get_ray_resources_from_group_spec``)
and the operator's ``ray start`` command (``generateRayStartCommand``) give for that group."""

from decimal import Decimal

import pytest

from generator.capacity.shape import nodes, ray_resources, replica_counts

GI = 2**30


def group(limits=None, requests=None, params=None, resources=None, **more):
    container = {"name": "ray-worker", "image": "rayproject/ray:2.52.0"}
    if limits is not None or requests is not None:
        container["resources"] = {k: v for k, v in (("limits", limits), ("requests", requests)) if v}
    out = {"template": {"spec": {"containers": [container], **more.pop("pod", {})}}, **more}
    if params is not None:
        out["rayStartParams"] = params
    if resources is not None:
        out["resources"] = resources
    return out


def shape(g):
    found, unknown = ray_resources(g)
    return {k: float(v) for k, v in found.items()}, set(unknown)


def test_limits_only_round_up():  # ray-cluster.complete.yaml's head: limits 1 CPU, 2G
    assert shape(group(limits={"cpu": "1", "memory": "2G"})) == ({"CPU": 1, "memory": 2e9}, set())
    # 500m is one CPU to Ray (Quantity.Value rounds up; so does the autoscaler)
    assert shape(group(limits={"cpu": "500m", "memory": "1536Mi"}))[0] == {
        "CPU": 1, "memory": 1536 * 2**20}


def test_requests_only_gives_cpu_but_not_memory():
    # the operator passes --num-cpus from a CPU request; --memory only from a limit, so
    # Ray detects the node's memory itself
    assert shape(group(requests={"cpu": "2", "memory": "4Gi"})) == ({"CPU": 2}, {"memory"})


def test_nothing_said_is_detected_by_ray():
    assert shape(group()) == ({}, {"CPU", "memory"})


def test_ray_start_params_win_over_limits():  # ray-job.resources.yaml's head
    found = shape(group(limits={"cpu": "1", "memory": "5Gi"}, requests={"cpu": "1", "memory": "2Gi"},
                        params={"num-cpus": "3", "num-gpus": "2",
                                "resources": '"{\\"resource1\\": 2, \\"resource2\\": 3}"'}))
    assert found == ({"CPU": 3, "GPU": 2, "memory": 5 * GI, "resource1": 2, "resource2": 3}, set())


def test_head_with_zero_cpus():  # the samples' head: num-cpus "0" keeps work off it
    assert shape(group(limits={"cpu": "2", "memory": "8Gi"}, params={"num-cpus": "0"}))[0] == {
        "CPU": 0, "memory": 8 * GI}


def test_group_resources_override_everything():  # KubeRay >= 1.5, Ray PR 57260
    found = shape(group(limits={"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                        resources={"CPU": "16", "GPU": "8", "memory": "64Gi", "custom": "2"}))
    assert found == ({"CPU": 16, "GPU": 8, "memory": 64 * GI, "custom": 2}, set())


def test_gpus_from_limits():
    assert shape(group(limits={"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "2"}))[0]["GPU"] == 2
    # an NVIDIA MIG slice counts as a GPU for the operator
    assert shape(group(limits={"cpu": "1", "memory": "1Gi", "nvidia.com/mig-1g.5gb": "1"}))[0]["GPU"] == 1
    # a zero GPU limit is no GPU
    assert "GPU" not in shape(group(limits={"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "0"}))[0]


def test_tpu_single_and_multi_host():  # ray-cluster.tpu-v4-multihost.yaml's tpu-group
    tpu = group(limits={"cpu": "1", "google.com/tpu": "4", "memory": "40G"},
                requests={"cpu": "1", "google.com/tpu": "4", "memory": "40G"},
                groupName="tpu-group", replicas=1, minReplicas=1, maxReplicas=1, numOfHosts=2,
                pod={"nodeSelector": {"cloud.google.com/gke-tpu-accelerator": "tpu-v4-podslice",
                                      "cloud.google.com/gke-tpu-topology": "2x2x2"}})
    assert shape(tpu)[0] == {"CPU": 1, "TPU": 4, "memory": 40e9}
    head = group(limits={"cpu": "8", "memory": "40G"})
    cluster = nodes({"headGroupSpec": head, "workerGroupSpecs": [tpu]}, ("spec",))
    assert [(n.group, n.low, n.high) for n in cluster] == [("headgroup", 1, 1), ("tpu-group", 2, 2)]


def test_neuron_cores():
    assert shape(group(limits={"cpu": "4", "memory": "8Gi", "aws.amazon.com/neuroncore": "2"}))[0][
        "neuron_cores"] == 2


@pytest.mark.parametrize("spec, autoscaling, counts", [
    ({"replicas": 1, "minReplicas": 0, "maxReplicas": 5}, True, (0, 1, 5)),
    ({"replicas": 1, "minReplicas": 0, "maxReplicas": 5}, False, (1, 1, 1)),
    ({"replicas": 9, "minReplicas": 0, "maxReplicas": 5}, False, (5, 5, 5)),  # clamped
    ({"replicas": 2, "minReplicas": 1, "maxReplicas": 3, "suspend": True}, True, (0, 0, 0)),
])
def test_replica_counts(spec, autoscaling, counts):
    assert replica_counts(spec, autoscaling) == counts


def test_decimal_amounts_stay_exact():
    found, _ = ray_resources(group(limits={"cpu": "1", "memory": "1.5Gi"}))
    assert found["memory"] == Decimal(3 * 2**29)


def test_neuron_devices_leave_the_cores_to_ray() -> None:
    """aws.amazon.com/neuron counts devices: Ray detects their cores when the node starts,
    so what a Serve replica asks of neuron_cores is not refused here."""
    from generator.capacity.shape import ray_resources

    group = {"rayStartParams": {}, "template": {"spec": {"containers": [{"resources": {
        "limits": {"cpu": "180", "memory": "700G", "aws.amazon.com/neuron": "12"}}}]}}}
    resources, unknown = ray_resources(group)
    assert "neuron_cores" in unknown and "neuron_cores" not in resources
    cores = {"rayStartParams": {}, "template": {"spec": {"containers": [{"resources": {
        "limits": {"cpu": "8", "aws.amazon.com/neuroncore": "2"}}}]}}}
    assert ray_resources(cores)[0]["neuron_cores"] == 2
