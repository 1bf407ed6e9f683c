"""Fixtures only; what tests share besides fixtures is in tests/helpers.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from tests.helpers import copy_repo, write_repo


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
