"""The capacity of this repository's examples, checked by hand against their specs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from generator.capacity.usage import Usage, rollout, rows, total
from generator.diff.revisions import overlay_objects
from generator.pipeline.build import build
from generator.project.repo import open_repo
from tests.helpers import ROOT

GI = 2**30


def usage(cpu: float, memory: float, gpu: int, pods: int) -> Usage:
    return Usage(Decimal(str(cpu)), Decimal(str(memory)) * GI, Decimal(gpu), pods)


@pytest.fixture(scope="module")
def examples():
    repo = open_repo(ROOT)
    built = build(repo, cache=None)
    return repo, built


def by_title(found):
    return {r.title: r for r in found}


def test_llm_serve(examples) -> None:
    _, built = examples
    row = by_title(rows(i.obj for i in built.objects))["RayService llm-serve"]
    # head: head-template (1 CPU, 5Gi) + the autoscaler sidecar (500m, 512Mi);
    # cpu group: default-template (2 CPU, 4Gi), 1..2; gpu group: gpu-template
    # (8 CPU, 30Gi, 1 GPU), 1..4
    assert row.low == usage(1.5 + 2 + 8, 5.5 + 4 + 30, 1, 3)
    assert row.high == usage(1.5 + 2 * 2 + 8 * 4, 5.5 + 4 * 2 + 30 * 4, 4, 7)
    # NewCluster: a second cluster at its replicas (1 and 1) beside the first at its max
    assert row.peak == row.high + usage(11.5, 39.5, 1, 3)
    assert row.upgrade == "new cluster"


def test_jobs_count_their_submitter(examples) -> None:
    _, built = examples
    found = by_title(rows(i.obj for i in built.objects))
    # rayjob-sample: head on head-template (1, 5Gi), one default-template worker (2, 4Gi),
    # and the operator's default submitter, which requests 500m and 200Mi
    assert found["RayJob rayjob-sample"].high == usage(3.5, 9 + 200 / 1024, 0, 3)
    # nightly-report runs on an existing cluster: only its submitter
    assert found["RayJob nightly-report"].high == usage(0.5, 200 / 1024, 0, 1)


def test_prod_overlay(examples) -> None:
    repo, built = examples
    found = rows(i.obj for i in overlay_objects(repo, built, "prod"))
    sample = by_title(found)["RayService ray/rayservice-sample"]
    # the prod patch: workers of 4 CPU and 8Gi, 2 replicas (no autoscaler: 2 at max too),
    # and the head on default-template (2 CPU, 4Gi)
    assert sample.low == sample.high == usage(2 + 2 * 4, 4 + 2 * 8, 0, 3)
    whole = total(found)
    assert whole.high == sum((r.high for r in found), Usage())
    # the largest upgrade is llm-serve's: 11.5 CPU, 39.5Gi and 1 GPU more
    assert whole.peak == whole.high + usage(11.5, 39.5, 1, 3)


def test_rollout_counts_old_clusters_beside_new(examples) -> None:
    _, built = examples
    found = rows(i.obj for i in built.objects)
    key = by_title(found)["RayService llm-serve"].key
    assert rollout(found, found, set()) == total(found).high
    assert rollout(found, found, {key}) == total(found).high + usage(11.5, 39.5, 1, 3)


def test_no_capacity_for_objects_without_pods(tmp_path: Path) -> None:
    assert rows([{"kind": "ConfigMap", "metadata": {"name": "x"}}]) == []
