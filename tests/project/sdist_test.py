"""What the source distribution holds: the source, its schemas, its tests with the examples
they build, and the docs; nothing a run or a tool leaves in a checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from tests.helpers import ROOT

EXPECTED = {"generator", "schemas", "tests", "bench", "specs", "rendered", "overlays",
            "ray-gitops.yaml", "README.md", "ARCHITECTURE.md", "action.yml",
            ".pre-commit-hooks.yaml", "pyproject.toml", "PKG-INFO", ".gitignore"}


def test_the_sdist_holds_source_schemas_and_docs_only(tmp_path: Path) -> None:
    # built from a copy with a cache and stray files in it, as a developer's checkout has
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".git", ".venv", "*cache*"))
    (tree / ".ray-gitops").mkdir(exist_ok=True)
    (tree / ".ray-gitops" / "units.json").write_text("{}")
    (tree / "stray-1.0-py3-none-any.whl").write_bytes(b"PK")
    (tree / "generator" / "__pycache__").mkdir(exist_ok=True)
    (tree / "generator" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    done = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d",
                           str(tmp_path / "dist")], cwd=tree, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [sdist] = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    top = {name.split("/", 1)[0] for name in names}
    assert top <= EXPECTED, top - EXPECTED
    assert {"generator", "schemas", "README.md", "pyproject.toml"} <= top
    assert not [n for n in names if ".ray-gitops/" in n or n.endswith((".whl", ".pyc"))]
    assert "generator/kuberay/kinds.py" in names and "schemas/derive_crds.py" in names


def test_the_wheel_carries_every_derived_schema() -> None:
    """Each folder of derived schemas is data the installed package reads (a pre-commit
    hook installs the wheel): all of them are in the wheel."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    folders = {f"schemas/{p.name}" for p in (ROOT / "schemas").iterdir()
               if p.is_dir() and any(p.rglob("*.json"))}
    assert folders <= set(included), folders - set(included)
