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


def test_too_many_groups(cli: Cli, make_repo) -> None:
    groups = "".join(f"    - name: g{i}\n      computeTemplate: default-template\n"
                     for i in range(8))
    spec = CLUSTER.format(extra="", group="g").split("  workerGroups:")[0] + \
        "  workerGroups:\n" + groups
    root = make_repo({"x.yaml": spec})
    assert "RG124" in [c for c, _ in diagnostics(cli, root)]


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


def test_delivery_leaves_suspend_to_kueue(cli: Cli, make_repo) -> None:
    root = make_repo({"train.yaml": JOB.format(queue="team-a", extra="")}, config=DELIVERY)
    (root / "overlays/dev").mkdir(parents=True)
    (root / "overlays/dev/kustomization.yaml").write_text(
        "namespace: ml\nresources: [../../rendered/train]\n")
    result = cli("render", "--root", root)
    assert result.exit_code == 0, result.output
    app = yaml.safe_load((root / "rendered/argocd/application-ray-dev.yaml").read_text())
    assert {"group": "ray.io", "kind": "RayJob", "name": "train", "namespace": "ml",
            "jsonPointers": ["/spec/suspend"]} in app["spec"]["ignoreDifferences"]
