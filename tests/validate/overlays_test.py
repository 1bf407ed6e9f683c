"""Overlays built with kustomize and checked like the bases."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers import ROOT

Cli = Callable[..., Result]


def test_this_repositorys_overlays_build_and_validate(cli: Cli) -> None:
    result = cli("validate", "--no-cache", "--root", ROOT)
    assert result.exit_code == 0, result.output
    assert "2 overlay(s)" in result.output


def test_a_patch_that_breaks_a_rule_fails_naming_overlay_and_patch(
    cli: Cli, repo_copy: Path
) -> None:
    patch = repo_copy / "overlays" / "prod" / "fruit-stand-capacity.yaml"
    patch.write_text(patch.read_text().replace("value: 10", "value: 1"))
    result = cli("validate", "--root", repo_copy)
    assert result.exit_code == 1
    assert ("overlays/prod/kustomization.yaml:16:5: error RG047: patches[0]: overlay "
            "overlays/prod, patch patches[0] (fruit-stand-capacity.yaml): "
            "RayService/rayservice-sample: spec.rayClusterConfig.workerGroupSpecs[0]."
            "maxReplicas: must be >= minReplicas (1 < 2)") in result.output


def test_an_inline_patch_above_max_replicas_fails(cli: Cli, repo_copy: Path) -> None:
    kustomization = repo_copy / "overlays" / "dev" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace("value: 0", "value: 50"))
    result = cli("validate", "--root", repo_copy, repo_copy / "overlays" / "dev")
    assert result.exit_code == 1
    assert "overlays/dev/kustomization.yaml:14:5: error RG012:" in result.output
    assert "RayCluster/test-cluster: spec.workerGroupSpecs[0].replicas" in result.output


@pytest.mark.parametrize(("target", "selects"), [
    ("kind: RayCluster, name: test-clustr", False), ("kind: RayService, name: test-cluster", False),
    ("kind: RayCluster, name: test-.*", True), ("kind: RayCluster, name: test-cluster", True),
])
def test_a_patch_whose_target_selects_nothing_is_an_error(cli: Cli, repo_copy: Path,
                                                          target: str, selects: bool) -> None:
    """kustomize applies a patch whose target matches nothing to nothing, and exits 0: the
    production change silently never happens. Names are anchored expressions to kustomize."""
    kustomization = repo_copy / "overlays" / "dev" / "kustomization.yaml"
    text = kustomization.read_text()
    kustomization.write_text(text.replace(
        "{group: ray.io, version: v1, kind: RayCluster, name: test-cluster}",
        "{group: ray.io, version: v1, " + target + "}"))
    result = cli("validate", "--no-cache", "--root", repo_copy, repo_copy / "overlays" / "dev")
    if selects:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    assert "overlays/dev/kustomization.yaml:14:5: error RG087: patches[0].target: overlay " \
           "overlays/dev: the patch's target" in result.output, result.output
    assert "selects no object the overlay builds" in result.output


def test_an_overlay_that_does_not_build(cli: Cli, repo_copy: Path) -> None:
    kustomization = repo_copy / "overlays" / "dev" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text().replace(
        "../../rendered/test-cluster", "../../rendered/no-such-base"))
    result = cli("validate", "--root", repo_copy)
    assert result.exit_code == 1
    assert "error RG080: resources[0]: overlay overlays/dev does not build:" in result.output
    assert "no-such-base" in result.output
    assert "were not rendered" not in result.output  # the specs are fine: only the overlay


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


def test_overlays_skipped_for_a_spec_error_are_named(cli: Cli, repo_copy: Path) -> None:
    spec = repo_copy / "specs" / "test-cluster.yaml"
    spec.write_text(spec.read_text().replace("replicas: 1", "replicas: -1", 1))
    result = cli("validate", "--root", repo_copy)
    assert result.exit_code == 1
    assert "overlay(s) not built: the specs must validate first" in result.output


def test_a_finding_on_an_image_points_at_the_images_entry(cli: Cli, repo_copy: Path) -> None:
    kustomization = repo_copy / "overlays" / "prod" / "kustomization.yaml"
    text = kustomization.read_text()
    assert "newTag: 2.52.0-py311" in text
    kustomization.write_text(text.replace("newTag: 2.52.0-py311", "newTag: latest"))
    result = cli("validate", "--root", repo_copy, "--strict", repo_copy / "overlays" / "prod")
    line = next(n for n, entry in enumerate(text.splitlines(), 1) if entry.startswith("images:"))
    assert result.exit_code == 1
    assert f"overlays/prod/kustomization.yaml:{line + 1}:" in result.output
    assert "images[0]" in result.output and "RG100" in result.output


def test_one_cause_is_one_error_naming_what_it_affects(cli: Cli, repo_copy: Path) -> None:
    """An `images` newTag that breaks every Ray object is one error at that entry, naming the
    objects and how many, not one error per object."""
    kustomization = repo_copy / "overlays" / "prod" / "kustomization.yaml"
    text = kustomization.read_text()
    kustomization.write_text(text.replace("newTag: 2.52.0-py311", "newTag: 2.51.0"))
    result = cli("validate", "--no-cache", "--root", repo_copy, repo_copy / "overlays" / "prod")
    line = next(n for n, entry in enumerate(text.splitlines(), 1) if entry.startswith("images:"))
    found = [entry for entry in result.output.splitlines() if " RG018: " in entry]
    assert result.exit_code == 1
    assert len({entry.split(": error")[0] for entry in found}) == len(found), found
    assert len(found) == 1 and f"kustomization.yaml:{line + 1}:" in found[0], found
    assert "places in 5 object(s) (RayCluster/autoscaling-gpu" in found[0], found


@pytest.mark.parametrize("edit, line, text", [
    (lambda k: k.replace("../../rendered/test-cluster", "../../rendered/no-such-base"), 8,
     "resources[0]: overlay overlays/dev does not build: resource '../../rendered/no-such-base': "
     "no such file or directory"),
    (lambda k: k + "  - path: missing-patch.yaml\n", 19,
     "patches[1].path: overlay overlays/dev does not build: trouble configuring builtin "
     "PatchTransformer: failed to get the patch file from path(missing-patch.yaml): "
     "no such file or directory"),
])
def test_a_kustomize_failure_sits_on_the_entry_it_is_about(
        cli: Cli, repo_copy: Path, edit: Callable[[str], str], line: int, text: str) -> None:
    """kubectl's klog prefix (one line or err=< several >) and Go's absolute paths dropped."""
    kustomization = repo_copy / "overlays" / "dev" / "kustomization.yaml"
    kustomization.write_text(edit(kustomization.read_text()))
    result = cli("validate", "--no-cache", "--root", repo_copy)
    assert result.exit_code == 1
    assert f"overlays/dev/kustomization.yaml:{line}:" in result.output, result.output
    assert text in result.output, result.output
    assert str(repo_copy) not in result.output and "run.go" not in result.output
