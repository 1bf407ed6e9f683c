"""Golden trees: tests/golden/<case>/specs renders to tests/golden/<case>/expected.

Update them after a deliberate change with ``pytest --update-goldens`` and
review the diff. This repository's own specs/ -> rendered/ is one more case.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.pipeline.build import build
from generator.project.repo import open_repo
from generator.project.write import drift, on_disk
from tests.helpers import GOLDEN, ROOT

CASES = sorted(p for p in GOLDEN.iterdir() if (p / "specs").is_dir())


def render_case(case: Path) -> dict[str, str]:
    result = build(open_repo(case))
    assert result.result.diagnostics == [], "\n".join(d.text() for d in result.result.diagnostics)
    return result.files


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden(case: Path, update_goldens: bool) -> None:
    files = render_case(case)
    expected = case / "expected"
    if update_goldens:
        shutil.rmtree(expected, ignore_errors=True)
        for name, text in files.items():
            (expected / name).parent.mkdir(parents=True, exist_ok=True)
            (expected / name).write_text(text)
    found = drift(expected, files, f"tests/golden/{case.name}/expected")
    report = "".join(found.changed.values()) + "".join(
        f"missing: {n}\n" for n in found.missing) + "".join(f"stray: {n}\n" for n in found.stray)
    assert not found, f"{report}\nrun `pytest tests/golden_test.py --update-goldens` and review"


def test_repository_examples_are_rendered() -> None:
    """The repository's own rendered/ is exactly what its specs/ produce."""
    files = render_case(ROOT)
    found = drift(ROOT / "rendered", files, "rendered")
    assert not found, "".join(found.changed.values()) + f"{found.missing} {found.stray}"


def test_every_golden_has_expectations() -> None:
    for case in CASES:
        assert on_disk(case / "expected"), f"{case.name} has no expected tree"
