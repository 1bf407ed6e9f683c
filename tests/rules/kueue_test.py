"""Kueue: what a queued spec renders, what Kueue refuses, and what delivery leaves to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

Cli = Callable[..., Result]
JOB = """\
apiVersion: ray-gitops/v1alpha1
kind: RayJob
metadata:
  name: train
spec:
  queue: {queue}
  entrypoint: python train.py
{extra}  cluster:
    head:
      computeTemplate: head-template
    workerGroups:
      - name: workers
        computeTemplate: default-template
        replicas: 2
"""
CLUSTER = """\
apiVersion: ray-gitops/v1alpha1
kind: RayCluster
metadata:
  name: shared
spec:
  queue: team-a
{extra}  head:
    computeTemplate: head-template
  workerGroups:
    - name: {group}
      computeTemplate: default-template
      replicas: 1
"""
DELIVERY = """\
rayVersion: "2.52.0"
delivery:
  argocd:
    repoURL: https://git.example.com/ray.git
    environments:
      dev:
        server: https://kubernetes.default.svc
"""


def diagnostics(cli: Cli, root: Path) -> list[tuple[str, int]]:
    result = cli("validate", "--root", root, "--no-cache", "--format", "json", "--skip-overlays")
    return [(d["code"], d["line"]) for d in json.loads(result.stdout)["diagnostics"]]


def test_a_queued_job_renders_what_kueue_reads(cli: Cli, make_repo) -> None:
    root = make_repo({"train.yaml": JOB.format(
        queue="{name: team-a, priorityClass: high, multiKueue: true}", extra="")})
    assert cli("render", "--root", root).exit_code == 0
    job = yaml.safe_load((root / "rendered/train/rayjob-train.yaml").read_text())
    assert job["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "team-a"
    assert job["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "high"
    assert job["spec"]["managedBy"] == "kueue.x-k8s.io/multikueue"
    assert job["spec"]["shutdownAfterJobFinishes"] is True  # Kueue requires it
    assert "suspend" not in job["spec"]  # Kueue's


@pytest.mark.parametrize("spec, code, line", [
    (JOB.format(queue="team-a", extra="  suspend: true\n"), "RG120", 8),
    (JOB.format(queue="team-a", extra="  shutdownAfterJobFinishes: false\n"), "RG122", 8),
    (CLUSTER.format(extra="  suspend: false\n", group="workers"), "RG120", 7),
    (CLUSTER.format(extra="  autoscaling: {}\n", group="workers"), "RG123", 6),
    (CLUSTER.format(extra="", group="head"), "RG124", 10),
])
def test_what_kueue_refuses(cli: Cli, make_repo, spec: str, code: str, line: int) -> None:
    root = make_repo({"x.yaml": spec})
    assert (code, line) in diagnostics(cli, root)


def test_near_misses_pass(cli: Cli, make_repo) -> None:
    elastic = CLUSTER.format(extra="  autoscaling: {}\n", group="workers").replace(
        "queue: team-a", "queue: {name: team-a, elastic: true}")
    root = make_repo({"x.yaml": elastic, "train.yaml": JOB.format(queue="team-a", extra="")})
    assert not [c for c, _ in diagnostics(cli, root) if c.startswith("RG12")]
    shared = yaml.safe_load((lambda r: (cli("render", "--root", r), (
        r / "rendered/x/raycluster-shared.yaml").read_text())[1])(root))
    assert shared["metadata"]["annotations"]["kueue.x-k8s.io/elastic-job"] == "true"


def groups_of(count: int) -> str:
    groups = "".join(f"    - name: g{i}\n      computeTemplate: default-template\n"
                     for i in range(count))
    return CLUSTER.format(extra="", group="g").split("  workerGroups:")[0] + \
        "  workerGroups:\n" + groups


@pytest.mark.parametrize("kueue, groups, refused", [
    ("0.14", 7, False), ("0.17", 8, True), ("0.17.8", 7, False), ("0.18", 9, False),
    ("0.18.6", 10, True), ("0.19", 17, False), (None, 18, True), (None, 17, False),
])
def test_worker_groups_as_each_kueue_release_counts_pod_sets(
        cli: Cli, make_repo, kueue: str | None, groups: int, refused: bool) -> None:
    """jobframework's pod sets per workload: 8 up to 0.17, 10 in 0.18, 18 from 0.19."""
    config = f'kueueVersion: "{kueue}"\n' if kueue else ""
    root = make_repo({"x.yaml": groups_of(groups)}, config=config)
    assert ("RG124" in [c for c, _ in diagnostics(cli, root)]) is refused


SERVICE = """\
apiVersion: ray-gitops/v1alpha1
kind: RayService
metadata: {name: api}
spec:
  queue: team-a
  serveConfig:
    applications:
      - {name: app, import_path: "app:main", route_prefix: /}
  cluster:
    head: {computeTemplate: head-template}
    workerGroups:
      - {name: workers, computeTemplate: default-template, replicas: 1}
"""


@pytest.mark.parametrize("kueue, queued", [("0.16", False), ("0.17", True), (None, True)])
def test_a_rayservice_is_queued_from_kueue_017(cli: Cli, make_repo, kueue: str | None,
                                               queued: bool) -> None:
    config = f'kueueVersion: "{kueue}"\n' if kueue else ""
    root = make_repo({"api.yaml": SERVICE}, config=config)
    assert (("RG121", 5) in diagnostics(cli, root)) is not queued


@pytest.mark.parametrize("kueue, refused", [("0.15", True), ("0.16", False)])
def test_an_elastic_rayjob_from_kueue_016(cli: Cli, make_repo, kueue: str, refused: bool) -> None:
    spec = JOB.format(queue="{name: team-a, elastic: true}", extra="").replace(
        "  cluster:\n", "  cluster:\n    autoscaling: {}\n")
    root = make_repo({"train.yaml": spec}, config=f'kueueVersion: "{kueue}"\n')
    assert (("RG123", 6) in diagnostics(cli, root)) is refused


@pytest.mark.parametrize("kueue, refused", [("0.19.0", False), ("0.19.1", True), (None, True)])
def test_an_elastic_multikueue_raycluster_may_not_autoscale_from_kueue_0191(
        cli: Cli, make_repo, kueue: str | None, refused: bool) -> None:
    """kueue#13244: the MultiKueue manager scales the remote cluster's workers."""
    spec = CLUSTER.format(extra="  autoscaling: {}\n", group="workers").replace(
        "queue: team-a", "queue: {name: team-a, elastic: true, multiKueue: true}")
    config = f'kueueVersion: "{kueue}"\n' if kueue else ""
    root = make_repo({"x.yaml": spec}, config=config)
    assert (("RG123", 6) in diagnostics(cli, root)) is refused


def test_an_unknown_kueue_release_is_refused(cli: Cli, make_repo) -> None:
    root = make_repo({}, config='kueueVersion: "0.9"\n')
    result = cli("validate", "--root", root, "--skip-overlays")
    assert result.exit_code == 1 and "ray-gitops knows Kueue 0.14 and later" in result.output


def test_queue_where_kueue_does_not_queue(cli: Cli, make_repo) -> None:
    on_existing = """\
    apiVersion: ray-gitops/v1alpha1
    kind: RayJob
    metadata: {name: on-shared}
    spec:
      queue: team-a
      entrypoint: python x.py
      clusterSelector: shared
    """
    root = make_repo({"x.yaml": CLUSTER.format(extra="", group="workers").replace(
        "  queue: team-a\n", ""), "job.yaml": on_existing})
    assert ("RG121", 5) in diagnostics(cli, root)


@pytest.mark.parametrize("spec, kind, name, pointer", [
    ("train", "RayJob", "train", "/spec/suspend"),
    # Kueue suspends a RayService at spec.rayClusterConfig.suspend, not spec.suspend
    ("api", "RayService", "api", "/spec/rayClusterConfig/suspend"),
])
def test_delivery_leaves_suspend_to_kueue(cli: Cli, make_repo, spec: str, kind: str, name: str,
                                          pointer: str) -> None:
    text = {"train": JOB.format(queue="team-a", extra=""), "api": SERVICE}[spec]
    root = make_repo({f"{spec}.yaml": text}, config=DELIVERY)
    (root / "overlays/dev").mkdir(parents=True)
    (root / "overlays/dev/kustomization.yaml").write_text(
        f"namespace: ml\nresources: [../../rendered/{spec}]\n")
    result = cli("render", "--root", root)
    assert result.exit_code == 0, result.output
    app = yaml.safe_load((root / "rendered/argocd/application-ray-dev.yaml").read_text())
    assert {"group": "ray.io", "kind": kind, "name": name, "namespace": "ml",
            "jsonPointers": [pointer]} in app["spec"]["ignoreDifferences"]
