"""The one adapter to kustomize: the only code that runs it or reads an overlay's
kustomization.yaml. ``kubectl kustomize`` (kustomize v5) or ``kustomize build``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import UsageError
from generator.load import plain
from generator.load.documents import Document, load_file

KUSTOMIZATION = "kustomization.yaml"
TIMEOUT = 300  # seconds: a build of this repository's overlays takes well under one


class BuildFailed(Exception):
    """kustomize ran and refused the overlay; the message is its own."""


def command() -> list[str]:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    raise UsageError("kustomize is needed to build the overlays: install kubectl (kustomize v5) "
                     "or kustomize, or pass --skip-overlays to skip them on purpose")


def build(folder: Path) -> list[dict[str, Any]]:
    """The objects kustomize builds from ``folder``."""
    done = subprocess.run([*command(), str(folder)], capture_output=True, text=True,
                          timeout=TIMEOUT)
    if done.returncode != 0:
        raise BuildFailed(message(done.stderr))
    return [obj for obj in plain.load_all(done.stdout) if isinstance(obj, dict)]


MAX_MESSAGE = 300


# kubectl's klog line around kustomize's error: E1204 17:09:25.117512 25566 run.go:72] "command
# failed" err="..." (the error Go-quoted)
_KLOG = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] "command failed" err="(.*)"$', re.S)
# the same, for a message of several lines: err=< the lines, indented >
_KLOG_LINES = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] "command failed" err=<(.*)>$',
                         re.S)


def message(stderr: str) -> str:
    """kustomize's own words, on one line: its log prefix (``Error: ``, or kubectl's klog
    line with the error quoted in it) dropped, JSON dumps of the objects it was reading cut."""
    text = stderr.strip()
    klog = _KLOG.match(text)
    if klog:
        text = re.sub(r'\\(["\\])', r"\1", klog.group(1))
    lines = _KLOG_LINES.match(text)
    if lines:
        text = lines.group(1)
    text = " ".join(text.split())
    text = re.sub(r"^(Error:\s*)+", "", text)
    text = re.sub(r" with config: ` (.*?) `: ", ": ", text)  # the patch entry, said by its line
    # the absolute path Go's filepath.EvalSymlinks names, twice, before its own error
    text = re.sub(r"evalsymlink failure on '[^']*' : lstat [^:]*: ", "", text)
    # a resource tried as a file, then as a folder: both said once
    text = re.sub(r"^accumulating resources: accumulation err='accumulating resources from "
                  r"'(.+?)': (.+?)': must build at directory: .*$", r"resource '\1': \2", text)
    text = re.sub(r"\{[^{}]{80,}\}", "{...}", text)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def build_over(overlays: Path, overlays_name: str, rendered_name: str, files: dict[str, str],
               env: str) -> list[dict[str, Any]]:
    """What overlay ``env`` builds over rendered bases that are not on disk: the
    overlays and ``files`` (relative to rendered/) laid out in a scratch folder. Symbolic
    links are copied as links, never followed: one to /dev/zero or to ../.. in an overlay
    folder would otherwise fill the disk (kustomize itself reads only what the overlay names,
    inside its own root)."""
    with tempfile.TemporaryDirectory(prefix="ray-gitops-overlay-") as tmp:
        root = Path(tmp)
        shutil.copytree(overlays, root / overlays_name, symlinks=True)
        for name, text in files.items():
            path = root / rendered_name / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return build(root / overlays_name / env)


def overlay_dirs(folder: Path) -> list[Path]:
    """The overlays under ``folder``: its sub-folders with a kustomization.yaml."""
    if not folder.is_dir():
        return []
    return sorted(p.parent for p in folder.glob(f"*/{KUSTOMIZATION}"))


def has_overlay(folder: Path) -> bool:
    return (folder / KUSTOMIZATION).is_file()


def read_kustomization(overlay: Path, shown: str) -> Document | None:
    """An overlay's kustomization.yaml, with positions (None when it is empty)."""
    docs = load_file(overlay / KUSTOMIZATION, f"{shown}/{KUSTOMIZATION}")
    return docs[0] if docs else None


@dataclass(frozen=True)
class OverlayInfo:
    """What delivery needs to know of an overlay, read without building it."""

    env: str
    path: str  # relative to the repository root
    namespace: str | None
    name_prefix: str
    name_suffix: str
    apps: tuple[str, ...]  # the rendered bases it includes


def describe_overlay(root: Path, overlay: Path, rendered: Path) -> OverlayInfo:
    shown = overlay.relative_to(root).as_posix()
    doc = read_kustomization(overlay, shown) if has_overlay(overlay) else None
    data: dict[str, Any] = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    apps = []
    for entry in data.get("resources") or []:
        target = (overlay / str(entry)).resolve()
        if target.parent == rendered.resolve():
            apps.append(target.name)
    return OverlayInfo(
        env=overlay.name, path=shown,
        namespace=data.get("namespace"), name_prefix=str(data.get("namePrefix") or ""),
        name_suffix=str(data.get("nameSuffix") or ""), apps=tuple(apps),
    )
