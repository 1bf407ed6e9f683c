"""Overlays built with kustomize, Argo CD and Flux delivery, and `init`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from generator.pipeline import build
from generator.repo import open_repo

from .conftest import ROOT

Cli = Callable[..., Result]


def load(path: Path) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert len(docs) == 1
    return docs[0]  # type: ignore[no-any-return]


def test_this_repositorys_overlays_build_and_validate(cli: Cli) -> None:
    result = cli("validate", "--root", ROOT)
    assert result.exit_code == 0, result.output
    assert "2 overlay(s)" in result.output


def test_a_patch_that_breaks_a_rule_fails_naming_overlay_and_patch(
    cli: Cli, repo_copy: Path
) -> None:
    patch = repo_copy / "overlays" / "prod" / "fruit-stand-capacity.yaml"
    patch.write_text(patch.read_text().replace("value: 10", "value: 1"))
    result = cli("validate", "--root", repo_copy)
    assert result.exit_code == 1
    assert ("overlays/prod/kustomization.yaml:15:5: error RG012: patches[0]: overlay "
            "overlays/prod, patch patches[0] (fruit-stand-capacity.yaml): "
            "RayService/rayservice-sample: spec.rayClusterConfig.workerGroupSpecs[0]."
            "maxReplicas: must be >= minReplicas (1 < 2)") in result.output


def test_an_inline_patch_above_max_replicas_fails(cli: Cli, repo_copy: Path) -> None:
    kustomization = repo_copy / "overlays" / "dev" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("value: 0", "value: 50"))
    result = cli("validate", "--root", repo_copy, repo_copy / "overlays" / "dev")
    assert result.exit_code == 1
    assert "overlays/dev/kustomization.yaml:12:5: error RG012:" in result.output
    assert "RayCluster/test-cluster: spec.workerGroupSpecs[0].replicas" in result.output


def test_an_overlay_that_does_not_build(cli: Cli, repo_copy: Path) -> None:
    kustomization = repo_copy / "overlays" / "dev" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "../../rendered/test-cluster", "../../rendered/no-such-base"))
    result = cli("validate", "--root", repo_copy)
    assert result.exit_code == 1
    assert "error RG080: overlay overlays/dev does not build:" in result.output
    assert "no-such-base" in result.output


def test_an_overlay_that_points_outside_the_repository(cli: Cli, repo_copy: Path) -> None:
    kustomization = repo_copy / "overlays" / "prod" / "kustomization.yaml"
    text = kustomization.read_text()
    kustomization.write_text(text.replace("  - ../../rendered/fruit-stand\n",
                                          "  - ../../../elsewhere\n"
                                          "  - github.com/example/repo//base?ref=main\n"))
    result = cli("validate", "--root", repo_copy)
    assert result.exit_code == 1
    assert "overlays/prod/kustomization.yaml:7:5: error RG081: resources[0]: '../../../elsewhere' " \
           "points outside the repository" in result.output
    assert "error RG081: resources[1]: 'github.com/example/repo//base?ref=main' is remote" \
        in result.output


def test_overlays_can_be_skipped_and_kustomize_must_exist(repo_copy: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}  # python, no kubectl
    args = [sys.executable, "-m", "generator", "validate", "--root", str(repo_copy)]
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "kustomize is needed to build the overlays" in done.stderr
    assert "--skip-overlays" in done.stderr
    skipped = subprocess.run([*args, "--skip-overlays"], capture_output=True, text=True,
                             env=env, timeout=120)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr


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
    # dev deploys no autoscaling RayCluster: nothing to ignore
    assert "ignoreDifferences" not in dev["spec"]


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


def test_init_then_check(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "platform"
    (target / ".git").mkdir(parents=True)  # an empty git repository is fine
    result = cli("init", target, "--install", "ray-gitops @ git+https://git.example.com/r.git")
    assert result.exit_code == 0, result.output
    for name in ("ray-gitops.yaml", "specs/example-cluster.yaml", "overlays/dev/kustomization.yaml",
                 "overlays/prod/kustomization.yaml", ".pre-commit-config.yaml",
                 ".github/workflows/ray-gitops.yml", "schemas/ray-gitops.schema.json",
                 "rendered/example-cluster/raycluster-example-cluster.yaml"):
        assert (target / name).is_file(), name
    assert cli("check", "--root", target).exit_code == 0
    assert cli("validate", "--root", target).exit_code == 0
    workflow = yaml.safe_load((target / ".github/workflows/ray-gitops.yml").read_text())
    steps = " ".join(str(s.get("run", "")) for s in workflow["jobs"]["ray-gitops"]["steps"])
    assert "ray-gitops check" in steps and "validate --format github" in steps
    assert "diff --base" in steps and "--format markdown" in steps
    assert 'pip install "ray-gitops @ git+https://git.example.com/r.git"' in steps
    json.loads((target / "schemas/ray-gitops.schema.json").read_text())


def test_init_refuses_a_folder_that_is_not_empty(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "ray-gitops.yaml").write_text("mine\n")
    result = cli("init", tmp_path)
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert (tmp_path / "ray-gitops.yaml").read_text() == "mine\n"
    assert not (tmp_path / "overlays").exists()


def test_init_into_a_file_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert cli("init", tmp_path / "f").exit_code == 2


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), *args],
                          cwd=repo, capture_output=True, text=True, env=env, timeout=600)


def test_pre_commit_hooks_with_the_real_tool(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = tmp_path / "users-repo"
    repo.mkdir()
    for name in ("specs", "rendered"):
        shutil.copytree(ROOT / name, repo / name)
    shutil.rmtree(repo / "rendered" / "argocd")
    shutil.rmtree(repo / "rendered" / "flux")
    (repo / "ray-gitops.yaml").write_text('rayVersion: "2.52.0"\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "specs"], cwd=repo, check=True)

    good = try_repo(repo, pre_commit_home, "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ray-gitops validate" in good.stdout and "ray-gitops check" in good.stdout

    spec = repo / "specs" / "test-cluster.yaml"
    spec.write_text(spec.read_text().replace("replicas: 1\n", "replicaz: 1\n"))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    bad = try_repo(repo, pre_commit_home, "--files", "specs/test-cluster.yaml")
    assert bad.returncode == 1
    assert "specs/test-cluster.yaml:28:7: error RG009: spec.workerGroups[0].replicaz" in bad.stdout
    assert bad.stdout.count("Failed") == 2  # validate and check


def test_validate_folders_of_each_kind(cli: Cli) -> None:
    rendered = cli("validate", "--root", ROOT, ROOT / "rendered")
    assert rendered.exit_code == 0, rendered.output
    assert "file(s)" in rendered.output and "overlay" not in rendered.output
    overlays = cli("validate", "--root", ROOT, ROOT / "overlays")
    assert overlays.exit_code == 0, overlays.output
    assert "0 file(s) and 2 overlay(s)" in overlays.output
