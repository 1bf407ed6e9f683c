"""The shipped pre-commit hooks, run by the real pre-commit tool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from tests.helpers import ROOT

Cli = Callable[..., Result]


@dataclass(frozen=True)
class Hooks:
    """This working tree as a repository of hooks, at one commit, and pre-commit's home:
    pre-commit installs the hooks' environment once for every test here."""

    source: Path
    rev: str
    home: Path


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> Hooks:
    source = tmp_path_factory.mktemp("hooks-source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():  # the working tree's content, as try-repo takes it
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=source, check=True)
    subprocess.run(["git", "add", "-A"], cwd=source, check=True)
    subprocess.run([*git, "commit", "-qm", "hooks"], cwd=source, check=True)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, check=True,
                         capture_output=True, text=True).stdout.strip()
    return Hooks(source, rev, tmp_path_factory.mktemp("pre-commit-home"))


def try_repo(repo: Path, hooks: Hooks, *args: str) -> subprocess.CompletedProcess[str]:
    """``pre-commit run`` in ``repo`` with the shipped hooks, configured as users do."""
    config = repo / ".pre-commit-config.yaml"
    if not config.exists():
        config.write_text(f"repos:\n  - repo: {hooks.source}\n    rev: {hooks.rev}\n    hooks:\n"
                          "      - id: ray-gitops-validate\n      - id: ray-gitops-check\n")
        subprocess.run(["git", "add", config.name], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(hooks.home)}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--color", "never", *args],
                          cwd=repo, capture_output=True, text=True, env=env, timeout=600)


def test_pre_commit_hooks_with_the_real_tool(tmp_path: Path, hooks: Hooks,
                                             cli: Cli) -> None:
    """One test, so that pre-commit installs the hooks' environment once."""
    hooks_on_a_repository(tmp_path, hooks)
    hooks_with_a_cache_from_an_older_state(tmp_path, hooks, cli)


def users_repo(repo: Path) -> Path:
    """A user's repository: this one's specs and rendered bases (no delivery, no admission
    policies), one commit."""
    repo.mkdir()
    for name in ("specs", "rendered"):
        shutil.copytree(ROOT / name, repo / name)
    for folder in ("argocd", "flux", "admission", "admission-dev"):
        shutil.rmtree(repo / "rendered" / folder)
    (repo / "ray-gitops.yaml").write_text('rayVersion: "2.52.0"\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "specs"], cwd=repo, check=True)
    return repo


def hooks_on_a_repository(tmp_path: Path, hooks: Hooks) -> None:
    repo = users_repo(tmp_path / "users-repo")

    good = try_repo(repo, hooks, "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "ray-gitops validate" in good.stdout and "ray-gitops check" in good.stdout

    spec = repo / "specs" / "test-cluster.yaml"
    spec.write_text(spec.read_text().replace("replicas: 1\n", "replicaz: 1\n"))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    bad = try_repo(repo, hooks, "--files", "specs/test-cluster.yaml")
    assert bad.returncode == 1
    assert "specs/test-cluster.yaml:28:7: error RG009: spec.workerGroups[0].replicaz" in bad.stdout
    assert bad.stdout.count("Failed") == 2  # validate and check


def hooks_with_a_cache_from_an_older_state(tmp_path: Path, hooks: Hooks,
                                           cli: Cli) -> None:
    """The hooks' cache (.ray-gitops/) left from an earlier state of the repository never
    makes them pass on a stale rendered/, nor fail on a right one."""
    repo = users_repo(tmp_path / "cached-repo")
    first = try_repo(repo, hooks, "--all-files")
    assert first.returncode == 0, first.stdout + first.stderr
    cache = repo / ".ray-gitops" / "units.json"
    older = cache.read_bytes()  # written by the hooks
    stale = (repo / "rendered/test-cluster/raycluster-test-cluster.yaml").read_bytes()

    spec = repo / "specs" / "compute-templates.yaml"
    spec.write_text(spec.read_text().replace("  cpu: 2\n  memory: 4\n", "  cpu: 3\n  memory: 4\n", 1))
    assert cli("render", "--root", repo).exit_code == 0
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    assert subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=repo, check=True,
                          capture_output=True, text=True).stdout.count(".ray-gitops") == 1
    cache.write_bytes(older)  # the cache of the state before the change
    right = try_repo(repo, hooks, "--all-files")
    assert right.returncode == 0, right.stdout + right.stderr

    (repo / "rendered/test-cluster/raycluster-test-cluster.yaml").write_bytes(stale)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    wrong = try_repo(repo, hooks, "--all-files")
    assert wrong.returncode == 1 and "rendered/ is stale" in wrong.stdout + wrong.stderr
    assert "cpu: '3'" in wrong.stdout
