"""Rule codes: every code the code can emit is catalogued, and the README lists them all."""

from __future__ import annotations

import re

from generator.rules import CODES
from tests.helpers import ROOT

CODE = re.compile(r"RG\d{3}")


def emitted() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "generator").rglob("*.py"):
        if path.name == "catalog.py":
            continue
        found |= set(CODE.findall(path.read_text()))
    return found


def test_every_emitted_code_is_catalogued() -> None:
    assert emitted() - set(CODES) == set()


def test_every_catalogued_code_is_emitted() -> None:
    assert set(CODES) - emitted() == set()


def test_the_readme_lists_every_code() -> None:
    readme = ROOT / "README.md"
    listed: set[str] = set()
    for line in readme.read_text().splitlines():
        if line.startswith("| RG"):
            cell = line.split("|")[1]
            for start, end in re.findall(r"RG(\d{3})[–-]RG(\d{3})", cell):
                listed |= {f"RG{n:03d}" for n in range(int(start), int(end) + 1)}
            listed |= set(CODE.findall(cell))
    assert set(CODES) - listed == set()
