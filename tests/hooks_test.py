"""The shipped pre-commit hooks, run by the real pre-commit tool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers import ROOT

Cli = Callable[..., Result]


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
