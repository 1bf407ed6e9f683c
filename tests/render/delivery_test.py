"""Argo CD and Flux delivery rendered from ray-gitops.yaml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from generator.pipeline.build import build
from generator.project.repo import open_repo
from tests.helpers import ROOT

Cli = Callable[..., Result]


def load(path: Path) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert len(docs) == 1
    return docs[0]  # type: ignore[no-any-return]


def test_argocd_applications_ignore_autoscaled_replicas() -> None:
    prod = load(ROOT / "rendered/argocd/application-ray-prod.yaml")
    dev = load(ROOT / "rendered/argocd/application-ray-dev.yaml")
    assert prod["spec"]["source"]["path"] == "overlays/prod"
    assert prod["spec"]["destination"] == {"name": "prod-cluster", "namespace": "ray"}
    assert prod["spec"]["ignoreDifferences"] == [{
        "group": "ray.io", "kind": "RayCluster", "name": "autoscaling-gpu", "namespace": "ray",
        "jqPathExpressions": [".spec.workerGroupSpecs[].replicas"]}]
    assert "RespectIgnoreDifferences=true" in prod["spec"]["syncPolicy"]["syncOptions"]
    assert "ServerSideApply=true" in prod["spec"]["syncPolicy"]["syncOptions"]
    # dev deploys no autoscaling RayCluster, and one RayJob that Kueue queues: its suspend
    assert dev["spec"]["ignoreDifferences"] == [{
        "group": "ray.io", "kind": "RayJob", "name": "queued-training", "namespace": "ray-dev",
        "jsonPointers": ["/spec/suspend"]}]


def test_flux_kustomizations_leave_autoscaled_replicas_alone() -> None:
    prod = load(ROOT / "rendered/flux/kustomization-ray-prod.yaml")
    assert prod["spec"]["path"] == "./overlays/prod"
    (patch,) = prod["spec"]["patches"]
    assert patch["target"]["name"] == "autoscaling-gpu"
    assert yaml.safe_load(patch["patch"]) == [
        {"op": "remove", "path": "/spec/workerGroupSpecs/0/replicas"},
        {"op": "remove", "path": "/spec/workerGroupSpecs/1/replicas"}]
    assert "patches" not in load(ROOT / "rendered/flux/kustomization-ray-dev.yaml")["spec"]


DELIVERY = """\
delivery:
  argocd:
    repoURL: https://git.example.com/ray.git
    applicationSet: true
    environments:
      dev: {server: "https://kubernetes.default.svc"}
      prod: {server: "https://prod.example.com"}
"""


def test_application_set_renders_and_validates(repo_copy: Path) -> None:
    config = repo_copy / "ray-gitops.yaml"
    config.write_text(config.read_text().split("\n# How the overlays")[0] + "\n" + DELIVERY)
    result = build(open_repo(repo_copy))
    assert result.result.diagnostics == []
    appset = yaml.safe_load(result.files["argocd/applicationset-ray.yaml"])
    elements = appset["spec"]["generators"][0]["list"]["elements"]
    assert [e["env"] for e in elements] == ["dev", "prod"]
    assert appset["spec"]["template"]["spec"]["destination"]["server"] == "{{.server}}"
    assert appset["spec"]["template"]["spec"]["ignoreDifferences"][0]["name"] == "autoscaling-gpu"
    # the health checks ride along, as argocd-cm entries, unless turned off
    health = yaml.safe_load(result.files["argocd/configmap-argocd-cm.yaml"])
    assert sorted(health["data"]) == [f"resource.customizations.health.ray.io_{kind}" for kind in
                                      ("RayCluster", "RayCronJob", "RayJob", "RayService")]
    config.write_text(config.read_text().replace("  argocd:\n", "  argocd:\n    healthChecks: false\n"))
    assert "argocd/configmap-argocd-cm.yaml" not in build(open_repo(repo_copy)).files


@pytest.mark.parametrize("bad, expected", [
    ("  argocd:\n    repoURL: x\n    enviroments: {dev: {name: a}}\n",
     "RG009: delivery.argocd.enviroments: unknown field 'enviroments' (did you mean 'environments'?)"),
    ("  flux:\n    environments: {dev: {}}\n", "RG010: delivery.flux.sourceRef: required field"),
    ("  argocd:\n    repoURL: x\n    environments: {staging: {name: a}}\n",
     "RG082: delivery.argocd.environments.staging: no overlay overlays/staging/kustomization.yaml"),
    ("  argocd:\n    repoURL: x\n    environments: {dev: {name: a, server: b}}\n",
     "RG010: delivery.argocd.environments.dev: destination: give exactly one of server, name"),
])


def test_bad_delivery_settings(cli: Cli, repo_copy: Path, bad: str, expected: str) -> None:
    config = repo_copy / "ray-gitops.yaml"
    config.write_text(config.read_text().split("\n# How the overlays")[0] + "\ndelivery:\n" + bad)
    before = {p: p.read_bytes() for p in (repo_copy / "rendered").rglob("*") if p.is_file()}
    result = cli("render", "--root", repo_copy)
    assert result.exit_code == 1
    assert expected in result.output
    assert {p: p.read_bytes() for p in (repo_copy / "rendered").rglob("*") if p.is_file()} == before
