"""What the tests share: this repository's folders, and a scratch repository maker."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CASES = TESTS / "cases"
GOLDEN = TESTS / "golden"
# ../shared beside the clone (KubeRay's CRDs and samples), or where RAY_GITOPS_SHARED says
SHARED = Path(os.environ.get("RAY_GITOPS_SHARED", ROOT.parent / "shared"))
TEMPLATES = (ROOT / "specs" / "compute-templates.yaml").read_text()


def write_repo(root: Path, specs: dict[str, str], *, templates: bool = True,
               config: str = "") -> Path:
    """A repository at ``root``: ray-gitops.yaml, the shared compute templates, and the
    given spec files (name -> YAML text, dedented)."""
    (root / "specs").mkdir(parents=True, exist_ok=True)
    (root / "ray-gitops.yaml").write_text(config or 'rayVersion: "2.52.0"\n')
    if templates:
        (root / "specs" / "compute-templates.yaml").write_text(TEMPLATES)
    for name, text in specs.items():
        path = root / "specs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def copy_repo(root: Path) -> Path:
    """A copy of this repository's own specs, rendered tree, overlays and settings."""
    root.mkdir()
    for name in ("specs", "rendered", "overlays"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "ray-gitops.yaml", root / "ray-gitops.yaml")
    return root


def kustomize() -> list[str]:
    """The kustomize the tests build with (kubectl's, or a standalone one)."""
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    raise AssertionError("kustomize is needed: install kubectl (kustomize v5) or kustomize")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
