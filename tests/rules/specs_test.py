"""Each spec-level rule (fault tolerance, volumes, Redis, secrets), firing on a spec that
breaks it and silent on a near miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.pipeline.build import build
from generator.project.repo import open_repo

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
    "RG043": ({"c.yaml": CLUSTER % ("null", "rayStartParams: {num-gpus: 1}")},
              {"c.yaml": CLUSTER % ("null", "rayStartParams: {num-gpus: 0}")}),
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


TEMPLATE = """\
apiVersion: ray-gitops/v1alpha1
kind: ComputeTemplate
metadata: {name: t}
spec: {cpu: 1, %s}
"""


@pytest.mark.parametrize(("fields", "rendered"), [
    ("memory: 4", "4Gi"), ("memory: 0.5", "0.5Gi"), ("memory: 1.5", "1.5Gi"),
    ("memory: 512Mi", "512Mi"), ("memory: 4G", "4G"),
])
def test_memory_means_what_the_user_meant(fields: str, rendered: str,
                                          make_repo: Callable[..., Path]) -> None:
    cluster = CLUSTER.replace("default-template", "t") % ("null", "")
    result = build(open_repo(make_repo({"t.yaml": TEMPLATE % fields, "c.yaml": cluster},
                                       templates=False)))
    assert result.result.ok, [d.text() for d in result.result.diagnostics]
    (obj,) = [o.obj for o in result.objects if o.kind == "RayCluster"]
    container = obj["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["memory"] == rendered


@pytest.mark.parametrize(("fields", "message"), [
    ('memory: "4"', "'4' as a string is 4 bytes"),
    ("memory: 4GB", "write 4Gi (binary) or 4G (decimal)"),
    ("memory: 4, gpu: 1, gpuAccelerator: Tesla-V100", "A GPU model goes into a nodeSelector"),
    ("memory: 4, extendedResources: {tpu: 1}", "'tpu' is not an extended resource name"),
])
def test_quantities_and_resource_names_the_cluster_would_refuse(
        fields: str, message: str, make_repo: Callable[..., Path]) -> None:
    result = build(open_repo(make_repo({"t.yaml": TEMPLATE % fields}, templates=False))).result
    assert [d.code for d in result.errors] == ["RG013"]
    assert message in result.errors[0].message


def test_rule_messages_on_a_spec_use_the_specs_words(make_repo: Callable[..., Path]) -> None:
    cluster = CLUSTER % ("null", "env: {RAY_enable_autoscaler_v2: 'true'}")
    result = build(open_repo(make_repo({"c.yaml": cluster}))).result
    (error,) = result.errors
    assert error.code == "RG020" and error.message.endswith("needs autoscaling: {enabled: true}")


def test_interactive_mode_jobs_and_token_auth_can_be_said(make_repo: Callable[..., Path]) -> None:
    job = """\
apiVersion: ray-gitops/v1alpha1
kind: RayJob
metadata: {name: notebook}
spec:
  submissionMode: InteractiveMode
  cluster:
    authOptions: {mode: token}
    head: {computeTemplate: default-template}
"""
    result = build(open_repo(make_repo({"j.yaml": job})))
    assert result.result.ok, [d.text() for d in result.result.diagnostics]
    (obj,) = [o.obj for o in result.objects if o.kind == "RayJob"]
    assert "entrypoint" not in obj["spec"]
    assert obj["spec"]["rayClusterSpec"]["authOptions"] == {"mode": "token"}
    without = job.replace("  submissionMode: InteractiveMode\n", "")
    errors = build(open_repo(make_repo({"j.yaml": without}))).result.errors
    assert [e.code for e in errors] == ["RG010"] and "give an entrypoint" in errors[0].message


def test_a_jobs_deletion_strategy_is_checked_at_its_spec_lines(
        make_repo: Callable[..., Path]) -> None:
    job = """\
apiVersion: ray-gitops/v1alpha1
kind: RayJob
metadata: {name: batch}
spec:
  entrypoint: python job.py
  shutdownAfterJobFinishes: true
  deletionStrategy:
    deletionRules:
      - {policy: DeleteCluster, condition: {jobStatus: SUCCEEDED, ttlSeconds: 60}}
  cluster:
    head: {computeTemplate: default-template}
"""
    errors = build(open_repo(make_repo({"j.yaml": job}))).result.errors
    assert [(e.code, e.line) for e in errors] == [("RG052", 7)]
    fine = build(open_repo(make_repo({"j.yaml": job.replace("true", "false")})))
    assert fine.result.ok
    (obj,) = [o.obj for o in fine.objects if o.kind == "RayJob"]
    assert obj["spec"]["deletionStrategy"]["deletionRules"][0]["policy"] == "DeleteCluster"
