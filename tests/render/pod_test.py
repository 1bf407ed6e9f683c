"""The Ray container as Kubernetes reads it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.pipeline.build import build
from generator.project.repo import open_repo

CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata: {name: ordered}
spec:
  head:
    computeTemplate: head-template
    env:
      ZONE: eu
      URL: http://$(ZONE).example.com/$(MY_POD_IP)
      MY_POD_IP: {fieldRef: status.podIP}
  workerGroups:
    - name: workers
      computeTemplate: default-template
      replicas: 1
      env: {B: "$(A)-b", A: a}
"""


def test_env_stays_in_the_order_written(make_repo: Callable[..., Path]) -> None:
    """Kubernetes expands $(NAME) only from entries above the one that refers to it: the
    order written is the order rendered (sorted, URL came before ZONE and kept the text)."""
    built = build(open_repo(make_repo({"ordered.yaml": CLUSTER})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in head] == ["ZONE", "URL", "MY_POD_IP"]
    worker = cluster["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in worker] == ["B", "A"]


def test_the_legacy_fault_tolerance_env_comes_first(make_repo: Callable[..., Path]) -> None:
    """RAY_REDIS_ADDRESS and REDIS_PASSWORD go above the user's env, which may refer to them."""
    spec = CLUSTER.replace("    env:\n      ZONE: eu\n", "    env:\n      ZONE: eu\n      "
                           "STORE: $(RAY_REDIS_ADDRESS)\n").replace(
        "  workerGroups:", "  faultTolerance: {redis: redis, method: legacy}\n  workerGroups:")
    redis = ("apiVersion: ray-gitops/v1alpha1\nkind: Redis\nmetadata: {name: redis}\n"
             "spec:\n  passwordSecret: {name: redis-password-secret, key: password}\n"
             "  persistence: {size: 8Gi}\n")
    built = build(open_repo(make_repo({"ordered.yaml": spec, "redis.yaml": redis})))
    assert built.result.ok, built.result.diagnostics
    [cluster] = [o.obj for o in built.objects if o.kind == "RayCluster"]
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    assert [e["name"] for e in head][:4] == ["RAY_REDIS_ADDRESS", "REDIS_PASSWORD", "ZONE", "STORE"]
