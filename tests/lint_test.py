"""`validate PATH ...`: folders of each kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from click.testing import Result

from tests.helpers import ROOT

Cli = Callable[..., Result]


def load(path: Path) -> dict[str, Any]:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    assert len(docs) == 1
    return docs[0]  # type: ignore[no-any-return]


def test_validate_folders_of_each_kind(cli: Cli) -> None:
    rendered = cli("validate", "--root", ROOT, ROOT / "rendered")
    assert rendered.exit_code == 0, rendered.output
    assert "file(s)" in rendered.output and "overlay" not in rendered.output
    overlays = cli("validate", "--root", ROOT, ROOT / "overlays")
    assert overlays.exit_code == 0, overlays.output
    assert "0 file(s) and 2 overlay(s)" in overlays.output
