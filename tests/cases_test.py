"""Positive and negative corpora, parametrized by listing their folders.

Every file in cases/invalid/ states what it must produce in ``# expect:``
lines (rule code and line:col); the run must report exactly those errors.
Every file in cases/valid/ must produce nothing at all, warnings included.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.commands.validate import validate_files
from generator.pipeline.build import build
from generator.project.repo import open_repo
from tests.helpers import CASES

EXPECT = re.compile(r"^# expect: (RG\d{3}) (\d+):(\d+)$", re.MULTILINE)


def expected(path: Path) -> set[tuple[str, int, int]]:
    found = {(code, int(line), int(col)) for code, line, col in EXPECT.findall(path.read_text())}
    assert found, f"{path.name} states no `# expect:` line"
    return found


def listing(folder: str) -> list[Path]:
    return sorted((CASES / folder).glob("*.yaml"))


def errors_of(root: Path, name: str) -> set[tuple[str, int, int]]:
    result = build(open_repo(root), emit=False).result
    return {(d.code, d.line, d.col) for d in result.diagnostics if d.file == f"specs/{name}"}


@pytest.mark.parametrize("case", listing("invalid"), ids=lambda p: p.stem)
def test_invalid_spec(case: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({})
    shutil.copy(case, root / "specs" / case.name)
    assert errors_of(root, case.name) == expected(case)


@pytest.mark.parametrize("case", listing("valid"), ids=lambda p: p.stem)
def test_valid_spec(case: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({})
    shutil.copy(case, root / "specs" / case.name)
    result = build(open_repo(root)).result
    assert result.diagnostics == []


@pytest.mark.parametrize("case", listing("manifests/invalid"), ids=lambda p: p.stem)
def test_invalid_manifest(case: Path, tmp_path: Path) -> None:
    result = validate_files(open_repo(tmp_path), [case])
    assert {(d.code, d.line, d.col) for d in result.diagnostics} == expected(case)


@pytest.mark.parametrize("case", listing("manifests/valid"), ids=lambda p: p.stem)
def test_valid_manifest(case: Path, tmp_path: Path) -> None:
    assert validate_files(open_repo(tmp_path), [case]).diagnostics == []


def test_every_spec_error_code_has_a_case() -> None:
    covered = {code for case in listing("invalid") for code, _, _ in expected(case)}
    spec_layers = {f"RG{n:03d}" for n in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)}
    assert spec_layers <= covered
