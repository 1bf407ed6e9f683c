"""Layer 6: every overlay built with the real kustomize, its output checked like a base.

A patch in an overlay can break a KubeRay rule the base respected (``replicas``
above ``maxReplicas``); the error names the overlay, and the patch where it can
tell which one touched the field.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Diagnostic, RayGitopsError, UsageError
from .render.kustomization import KUSTOMIZATION
from .rules import check_object
from .rules.base import Finding
from .schemas import OutputSchemas
from .spec.load import Document, dotted, load_file
from .spec.ref import Path_

_REMOTE = re.compile(r"^([a-z]+://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)")


def kustomize_command() -> list[str]:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    raise UsageError("kustomize is needed to build the overlays: install kubectl (kustomize v5) "
                     "or kustomize, or pass --skip-overlays to skip them on purpose")


def overlay_dirs(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p.parent for p in folder.glob(f"*/{KUSTOMIZATION}"))


@dataclass(frozen=True)
class Patch:
    index: int
    path: Path_  # of the entry in the kustomization
    kind: str | None
    name: str | None
    touches: tuple[Path_, ...]  # object paths the patch sets
    source: str  # its file, or "inline"


def check_overlay(root: Path, overlay: Path, schemas: OutputSchemas) -> list[Diagnostic]:
    shown = overlay.relative_to(root).as_posix() if overlay.is_relative_to(root) else str(overlay)
    try:
        docs = load_file(overlay / KUSTOMIZATION, f"{shown}/{KUSTOMIZATION}")
    except RayGitopsError as exc:
        return exc.diagnostics
    doc = docs[0] if docs else None
    if doc is None or not isinstance(doc.data, dict):
        return [Diagnostic(f"{shown}/{KUSTOMIZATION}", 1, 1, "RG080", "",
                           "an overlay's kustomization.yaml must be a mapping")]
    escapes = list(_outside(root, overlay, doc))
    if escapes:
        return escapes
    done = subprocess.run([*kustomize_command(), str(overlay)], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        message = " ".join(done.stderr.strip().split())
        return [doc.diagnostic((), "RG080", f"overlay {shown} does not build: {message}")]
    import yaml

    patches = _patches(overlay, doc.data)
    out: list[Diagnostic] = []
    for obj in yaml.load_all(done.stdout, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if not isinstance(obj, dict):
            continue
        findings = [*check_object(obj), *schemas.validate(obj, prepare=True, missing_ok=True)]
        out.extend(_report(doc, shown, obj, finding, patches) for finding in findings)
    return out


def _report(doc: Document, shown: str, obj: dict[str, Any], finding: Finding,
            patches: list[Patch]) -> Diagnostic:
    kind, name = str(obj.get("kind")), str(obj.get("metadata", {}).get("name"))
    patch = _culprit(patches, kind, name, finding.path)
    where: Path_ = patch.path if patch else ("resources",)
    by = f", patch {dotted(patch.path)} ({patch.source})" if patch else ""
    message = f"overlay {shown}{by}: {kind}/{name}: {dotted(finding.path)}: {finding.message}"
    return doc.diagnostic(where, finding.code, message, severity=finding.severity,
                          hint=finding.hint)


def _outside(root: Path, overlay: Path, doc: Document) -> list[Diagnostic]:
    """Resources, components and patch files must stay inside the repository."""
    out = []
    data = doc.data
    entries: list[tuple[Path_, Any]] = []
    for key in ("resources", "components", "bases", "patchesStrategicMerge"):
        entries += [((key, i), v) for i, v in enumerate(data.get(key) or [])]
    for i, patch in enumerate(data.get("patches") or []):
        if isinstance(patch, dict) and "path" in patch:
            entries.append((("patches", i, "path"), patch["path"]))
    for at, value in entries:
        if not isinstance(value, str):
            continue
        if _REMOTE.match(value):
            out.append(doc.diagnostic(at, "RG081", f"{value!r} is remote: an overlay builds "
                                      "from this repository only"))
            continue
        target = (overlay / value).resolve()
        if not target.is_relative_to(root.resolve()):
            out.append(doc.diagnostic(at, "RG081", f"{value!r} points outside the repository"))
    return out


def _patches(overlay: Path, data: dict[str, Any]) -> list[Patch]:
    out = []
    for i, entry in enumerate(data.get("patches") or []):
        if not isinstance(entry, dict):
            continue
        text = entry.get("patch")
        source = "inline"
        if text is None and isinstance(entry.get("path"), str):
            source = entry["path"]
            path = overlay / source
            text = path.read_text(encoding="utf-8") if path.is_file() else ""
        target = entry.get("target") or {}
        out.append(_patch(i, ("patches", i), str(text or ""), target, source))
    for i, name in enumerate(data.get("patchesStrategicMerge") or []):
        path = overlay / str(name)
        text = path.read_text(encoding="utf-8") if path.is_file() else str(name)
        out.append(_patch(i, ("patchesStrategicMerge", i), text, {}, str(name)))
    return out


def _patch(index: int, at: Path_, text: str, target: dict[str, Any], source: str) -> Patch:
    import yaml

    try:
        body = yaml.safe_load(text)
    except yaml.YAMLError:
        body = None
    kind, name = target.get("kind"), target.get("name")
    touches: list[Path_] = []
    if isinstance(body, list):  # JSON 6902
        for op in body:
            if isinstance(op, dict) and isinstance(op.get("path"), str):
                touches.append(tuple(_pointer(op["path"])))
    elif isinstance(body, dict):  # strategic merge: the document names its object
        kind = kind or body.get("kind")
        name = name or (body.get("metadata") or {}).get("name")
        touches.extend(_leaves({k: v for k, v in body.items()
                                if k not in ("apiVersion", "kind", "metadata")}))
    return Patch(index, at, kind, name, tuple(touches), source)


def _pointer(pointer: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in pointer.lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        parts.append(int(part) if part.isdigit() else part)
    return parts


def _leaves(node: Any, at: Path_ = ()) -> list[Path_]:
    if isinstance(node, dict) and node:
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*at, key))]
    return [at]  # a list is replaced whole: the list itself is what the patch sets


def _culprit(patches: list[Patch], kind: str, name: str, path: Path_) -> Patch | None:
    for patch in patches:
        if patch.kind not in (None, kind) or patch.name not in (None, name):
            continue
        for touched in patch.touches:
            common = min(len(touched), len(path))
            if touched[:common] == path[:common]:
                return patch
    return None


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
    data: dict[str, Any] = {}
    path = overlay / KUSTOMIZATION
    if path.is_file():
        docs = load_file(path, path.relative_to(root).as_posix())
        data = docs[0].data if docs and isinstance(docs[0].data, dict) else {}
    apps = []
    for entry in data.get("resources") or []:
        target = (overlay / str(entry)).resolve()
        if target.parent == rendered.resolve():
            apps.append(target.name)
    return OverlayInfo(
        env=overlay.name, path=overlay.relative_to(root).as_posix(),
        namespace=data.get("namespace"), name_prefix=str(data.get("namePrefix") or ""),
        name_suffix=str(data.get("nameSuffix") or ""), apps=tuple(apps),
    )
