"""Node pools: where a pod may run (selectors, affinity, taints), and packing at maxReplicas."""

from __future__ import annotations

from decimal import Decimal

from generator.capacity.pods import Pod
from generator.capacity.pools import Pool, allows, homes, pack

GI = 2**30
GPU_POOL = Pool("gpu", {"cpu": Decimal(11), "memory": Decimal(44 * GI), "nvidia.com/gpu": Decimal(1)},
                4, {"accelerator": "l4"}, ({"key": "nvidia.com/gpu", "value": "present",
                                            "effect": "NoSchedule"},))
CPU_POOL = Pool("cpu", {"cpu": Decimal(4), "memory": Decimal(16 * GI)}, 3)


def pod(cpu: float, memory: int, high: int = 1, **more) -> Pod:
    return Pod("worker", ("spec",), {"cpu": Decimal(str(cpu)), "memory": Decimal(memory * GI),
                                     **more.pop("extra", {})}, high=high, **more)


TOLERATE = ({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"},)


def test_taints_need_a_toleration():
    assert allows(GPU_POOL, pod(1, 1)) == "taint nvidia.com/gpu=present:NoSchedule"
    assert allows(GPU_POOL, pod(1, 1, tolerations=TOLERATE)) is None
    equal = ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "present"},)
    assert allows(GPU_POOL, pod(1, 1, tolerations=equal)) is None
    wrong = ({"key": "nvidia.com/gpu", "operator": "Equal", "value": "absent"},)
    assert allows(GPU_POOL, pod(1, 1, tolerations=wrong)) is not None
    assert allows(GPU_POOL, pod(1, 1, tolerations=({"operator": "Exists"},))) is None


def test_node_selector_and_affinity():
    assert allows(CPU_POOL, pod(1, 1, node_selector={"accelerator": "l4"})) == "nodeSelector accelerator=l4"
    assert allows(GPU_POOL, pod(1, 1, node_selector={"accelerator": "l4"}, tolerations=TOLERATE)) is None

    def required(*expressions):
        return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": list(expressions)}]}}}

    l4 = {"key": "accelerator", "operator": "In", "values": ["l4", "a100"]}
    assert allows(CPU_POOL, pod(1, 1, affinity=required(l4))) == "required node affinity"
    assert allows(GPU_POOL, pod(1, 1, affinity=required(l4), tolerations=TOLERATE)) is None
    no_gpu = {"key": "accelerator", "operator": "DoesNotExist"}
    assert allows(CPU_POOL, pod(1, 1, affinity=required(no_gpu))) is None
    assert allows(GPU_POOL, pod(1, 1, affinity=required(no_gpu), tolerations=TOLERATE)) is not None


def test_a_pod_larger_than_any_node_has_no_home():
    assert homes(pod(5, 1), (CPU_POOL,)) == []
    assert homes(pod(4, 16), (CPU_POOL,)) == [CPU_POOL]
    assert homes(pod(2, 8, extra={"nvidia.com/gpu": Decimal(1)}), (CPU_POOL,)) == []


def test_pack_counts_nodes_and_what_is_left():
    used, left = pack([pod(2, 4, high=6)], (CPU_POOL,))  # two per node, three nodes
    assert used == {"cpu": 3} and left == []
    used, left = pack([pod(3, 4, high=4)], (CPU_POOL,))  # one per node, three nodes only
    assert used == {"cpu": 3}
    [(found, count)] = left
    assert count == 1 and found.high == 4


def test_pack_fills_what_larger_pods_left() -> None:
    big, small = pod(3, 4, high=3), pod(1, 4, high=3)  # 3 CPU each, then 1 CPU each
    used, left = pack([small, big], (CPU_POOL,))  # the larger first, whatever the order given
    assert used == {"cpu": 3} and left == []  # each node: one of each
    used, left = pack([pod(1, 4, high=4), big], (CPU_POOL,))
    assert used == {"cpu": 3}
    [(found, count)] = left  # the fourth small pod: every node has 0 CPU left
    assert found.high == 4 and count == 1


def test_many_alike_pods_pack_by_the_node() -> None:
    many = [pod(2, 4, high=5000, node_selector={}) for _ in range(50)]
    used, left = pack(many, (Pool("cpu", {"cpu": Decimal(16), "memory": Decimal(64 * GI)},
                                  10**6),))
    assert used == {"cpu": 50 * 5000 // 8} and left == []


def test_what_a_pool_does_not_declare_is_not_held_against_it() -> None:
    scratch = pod(1, 1, extra={"ephemeral-storage": Decimal(50 * GI), "hugepages-2Mi": Decimal(GI)})
    assert homes(scratch, (CPU_POOL,)) == [CPU_POOL]  # the pool says nothing of either
    used, left = pack([Pod("w", (), scratch.requests, high=6)], (CPU_POOL,))
    assert left == [] and used == {"cpu": 2}  # memory: 1Gi each, 4 CPU a node
    # an extended resource the pool does not list is one its nodes do not have
    assert homes(pod(1, 1, extra={"example.com/fpga": Decimal(1)}), (CPU_POOL,)) == []
