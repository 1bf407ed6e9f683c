"""Each spec-level rule (fault tolerance, volumes, Redis, secrets), firing on a spec that
breaks it and silent on a near miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.pipeline import build
from generator.repo import open_repo

REDIS = """\
apiVersion: ray-gitops/v1alpha1
kind: Redis
metadata: {name: redis}
spec:
  passwordSecret: {name: redis-password, key: password}
  %s
"""
CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata: {name: demo}
spec:
  faultTolerance: %s
  head:
    computeTemplate: default-template
    %s
"""
VOLUME = """\
apiVersion: ray-gitops/v1alpha1
kind: PersistentVolume
metadata: {name: state}
spec:
  size: 10Gi
  storageClassName: standard
  %s
"""
PERSISTENT = "persistence: {size: 1Gi}"
NFS = "nfs: {server: nfs.example.com, path: /exports}"

# code -> (spec files that break the rule, a near miss)
CASES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "RG040": (
        {"c.yaml": CLUSTER % ('{external: {address: "redis.ray:6379", '
                              'passwordSecret: {name: r, key: p}}}', "")},
        {"c.yaml": CLUSTER % ('{external: {address: "redis:6379", '
                              'passwordSecret: {name: r, key: p}}}', "")},
    ),
    "RG041": ({"v.yaml": VOLUME % (NFS + "\n  claim: {size: 11Gi}")},
              {"v.yaml": VOLUME % (NFS + "\n  claim: {size: 10Gi}")}),
    "RG042": ({"v.yaml": VOLUME % "accessModes: [ReadWriteMany]\n  hostPath: {path: /mnt}"},
              {"v.yaml": VOLUME % ("accessModes: [ReadWriteMany]\n  " + NFS)}),
    "RG044": ({"c.yaml": CLUSTER % ("{redis: redis}", "env: {API_TOKEN: abc123}"),
               "r.yaml": REDIS % PERSISTENT},
              {"c.yaml": CLUSTER % ("{redis: redis}",
                                    "env: {API_TOKEN: {secretKeyRef: {name: api, key: token}}}"),
               "r.yaml": REDIS % PERSISTENT}),
    "RG027": ({"c.yaml": CLUSTER % ("{redis: redis}", "rayStartParams: {redis-password: $X}"),
               "r.yaml": REDIS % PERSISTENT},
              {"c.yaml": CLUSTER % ("{redis: redis}", "rayStartParams: {num-cpus: 0}"),
               "r.yaml": REDIS % PERSISTENT}),
    "RG046": ({"v.yaml": VOLUME % (NFS + "\n  claim: {enabled: false}"),
               "r.yaml": REDIS % "persistence: {persistentVolume: state}"},
              {"v.yaml": VOLUME % NFS, "r.yaml": REDIS % "persistence: {persistentVolume: state}"}),
    "RG101": ({"r.yaml": REDIS % "persistence: {enabled: false}"}, {"r.yaml": REDIS % PERSISTENT}),
    "RG102": ({"v.yaml": VOLUME % ("reclaimPolicy: Delete\n  " + NFS)},
              {"v.yaml": VOLUME % ("reclaimPolicy: Retain\n  " + NFS)}),
    "RG014": ({"c.yaml": CLUSTER % ("{redis: redis}", ""), "r.yaml": REDIS.replace(
                  "name: redis}", "name: other}") % PERSISTENT},
              {"c.yaml": CLUSTER % ("{redis: redis}", ""), "r.yaml": REDIS % PERSISTENT}),
}


def codes(make_repo: Callable[..., Path], files: dict[str, str]) -> set[str]:
    result = build(open_repo(make_repo(files))).result
    return {d.code for d in result.diagnostics}


@pytest.mark.parametrize("code", sorted(CASES))
def test_spec_rule_fires(code: str, make_repo: Callable[..., Path]) -> None:
    assert code in codes(make_repo, CASES[code][0])


@pytest.mark.parametrize("code", sorted(CASES))
def test_spec_rule_keeps_quiet_on_a_near_miss(code: str, make_repo: Callable[..., Path]) -> None:
    assert codes(make_repo, CASES[code][1]) == set()
