"""Fixtures only; what tests share besides fixtures is in tests/helpers.py."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.helpers import ROOT, copy_repo, write_repo

# what a test run may leave in the checkout: Python's and the tools' own caches
LEFT_BY_TOOLS = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".coverage", ".venv")


def _untracked() -> set[str] | None:
    """Files in the checkout that git does not track (ignored ones too), but the tools'."""
    try:
        listed = subprocess.run(["git", "ls-files", "--others", "-z"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout: nothing to compare
    return {name for name in listed.split("\0") if name
            and not any(part in LEFT_BY_TOOLS or part.startswith(".coverage")
                        for part in name.split("/"))}


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_BEFORE] = _untracked()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Tests write into temporary folders, never into the checkout (a cache, a rendered
    tree, a scaffold left there would ship in the sdist and change what CI sees)."""
    if hasattr(session.config, "workerinput"):
        return  # each xdist worker's share: the controller checks the whole run
    before, after = session.config.stash.get(_BEFORE, None), _untracked()
    if before is None or after is None or not after - before:
        return
    print(f"\nthe tests wrote into the checkout: {', '.join(sorted(after - before)[:10])}")
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


_BEFORE = pytest.StashKey[set[str] | None]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden/*/expected from what the specs render now")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def cli() -> Callable[..., Result]:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """A repository in a temporary folder (see tests.helpers.write_repo)."""

    def make(specs: dict[str, str], *, templates: bool = True, config: str = "") -> Path:
        return write_repo(tmp_path / "repo", specs, templates=templates, config=config)

    return make


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of this repository's own specs, rendered tree and settings."""
    return copy_repo(tmp_path / "copy")
