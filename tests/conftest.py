from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = (ROOT / "specs" / "compute-templates.yaml").read_text()


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
    """A repository in a temporary folder: ray-gitops.yaml, the shared compute
    templates, and the given spec files (name -> YAML text, dedented)."""

    def make(specs: dict[str, str], *, templates: bool = True, config: str = "") -> Path:
        root = tmp_path / "repo"
        (root / "specs").mkdir(parents=True, exist_ok=True)
        (root / "ray-gitops.yaml").write_text(config or 'rayVersion: "2.52.0"\n')
        if templates:
            (root / "specs" / "compute-templates.yaml").write_text(TEMPLATES)
        for name, text in specs.items():
            path = root / "specs" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root

    return make


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of this repository's own specs, rendered tree and settings."""
    root = tmp_path / "copy"
    root.mkdir()
    for name in ("specs", "rendered", "overlays"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "ray-gitops.yaml", root / "ray-gitops.yaml")
    return root
