"""`ray-gitops init`: a scaffold that passes `check`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result

Cli = Callable[..., Result]


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
    steps = workflow["jobs"]["ray-gitops"]["steps"]
    # ray-gitops's own action does the work; the checkout keeps the history diff needs
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    assert steps[1]["uses"].startswith("ray-gitops/ray-gitops@v")
    assert steps[1]["with"] == {"install": "ray-gitops @ git+https://git.example.com/r.git"}
    assert workflow["permissions"]["pull-requests"] == "write"
    custom = tmp_path / "other"
    assert cli("init", custom, "--action", "acme/ray-gitops@v9", "-q").exit_code == 0
    assert "uses: acme/ray-gitops@v9" in (custom / ".github/workflows/ray-gitops.yml").read_text()
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
