"""Overlays: every overlay built with the real kustomize, its output checked like a base.

A patch in an overlay can break a KubeRay rule the base respected (``replicas``
above ``maxReplicas``); the error names the overlay, and the patch where it can
tell which one touched the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.capacity.pools import Pool
from generator.diagnostics import Diagnostic, Finding
from generator.errors import InvalidInput
from generator.fieldpath import FieldPath, dotted
from generator.load import plain
from generator.load.documents import Document
from generator.load.secrets import literal_secrets
from generator.project import kustomize
from generator.project.kustomize import KUSTOMIZATION
from generator.rules import check_object
from generator.rules.catalog import strict
from generator.rules.fit import pools_fit, pools_hold
from generator.schemas.outputs import OutputSchemas

# a URL in any case (HTTPS://, git::https://, ssh://), scp-like git (git@host:), or a
# host-first address as kustomize accepts them (github.com/org/repo)
_REMOTE = re.compile(r"^([a-z][a-z0-9+.-]*::|[a-z][a-z0-9+.-]*://|[\w.-]+@[\w.-]+:|"
                     r"(github|gitlab|bitbucket)\.(com|org)/)", re.IGNORECASE)
MAX_KUSTOMIZATIONS = 200  # nested kustomizations one overlay may reach


@dataclass(frozen=True)
class Patch:
    index: int
    path: FieldPath  # of the entry in the kustomization
    kind: str | None
    name: str | None
    touches: tuple[FieldPath, ...]  # object paths the patch sets
    source: str  # its file, or "inline"


def check_overlay(root: Path, overlay: Path, schemas: OutputSchemas,
                  pools: tuple[Pool, ...] = ()) -> list[Diagnostic]:
    shown = overlay.relative_to(root).as_posix() if overlay.is_relative_to(root) else str(overlay)
    try:
        doc = kustomize.read_kustomization(overlay, shown)
    except InvalidInput as exc:
        return exc.diagnostics
    if doc is None or not isinstance(doc.data, dict):
        return [Diagnostic(f"{shown}/{KUSTOMIZATION}", 1, 1, "RG080", "",
                           "an overlay's kustomization.yaml must be a mapping")]
    escapes = list(_outside(root, overlay, doc)) + _generated_secrets(doc)
    if escapes:
        return escapes
    try:
        objects = kustomize.build(overlay)
    except kustomize.BuildFailed as exc:
        return [doc.diagnostic(_named_in(doc.data, str(exc)), "RG080",
                               f"overlay {shown} does not build: {exc}")]
    patches = _patches(overlay, doc.data)
    found: list[tuple[dict[str, Any], Finding]] = []
    prepared = [schemas.prepared(obj) for obj in objects]
    for obj, ready in zip(objects, prepared, strict=True):
        findings = [*check_object(ready, schemas.target),
                    *schemas.validate(obj, prepare=True, missing_ok=True), *pools_fit(ready, pools)]
        found.extend((obj, strict(finding)) for finding in findings)
    # the pods of the whole environment share its nodes
    found.extend((objects[i], finding) for i, finding in pools_hold(prepared, pools))
    return [*_unmatched(overlay, doc, shown, objects), *_one_per_cause(doc, shown, found, patches)]


MAX_NAMED = 3  # objects named in one finding that several share


def _one_per_cause(doc: Document, shown: str, found: list[tuple[dict[str, Any], Finding]],
                   patches: list[Patch]) -> list[Diagnostic]:
    """One diagnostic per cause: the same finding at the same place of the kustomization (an
    `images` entry that breaks every Ray container, a patch) says where it lands and how
    often, instead of repeating itself for each object and container."""
    causes: dict[tuple[Any, ...], list[tuple[Diagnostic, str]]] = {}
    for obj, finding in found:
        label = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        diagnostic = _report(doc, shown, obj, finding, patches)
        key = (diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.severity,
               diagnostic.field, finding.message)
        causes.setdefault(key, []).append((diagnostic, label))
    out = []
    for (*_, said), group in causes.items():
        first, label = group[0]
        if len(group) > 1:
            labels = list(dict.fromkeys(label for _, label in group))
            named = ", ".join(labels[:MAX_NAMED])
            more = f" and {len(labels) - MAX_NAMED} more" if len(labels) > MAX_NAMED else ""
            lead = first.message.split(f" {label}: ", 1)[0]
            first = replace(first, message=f"{lead} {len(group)} places in {len(labels)} "
                                           f"object(s) ({named}{more}): {said}")
        out.append(first)
    return out


def _report(doc: Document, shown: str, obj: dict[str, Any], finding: Finding,
            patches: list[Patch]) -> Diagnostic:
    kind, name = str(obj.get("kind")), str(obj.get("metadata", {}).get("name"))
    patch = _culprit(patches, kind, name, finding.path)
    where: FieldPath = patch.path if patch else ("resources",)
    by = f", patch {dotted(patch.path)} ({patch.source})" if patch else ""
    image = _images_entry(doc, obj, finding.path) if patch is None else None
    if image is not None:  # an `images` entry set this image
        where, by = ("images", image), f", images[{image}]"
    message = f"overlay {shown}{by}: {kind}/{name}: {dotted(finding.path)}: {finding.message}"
    return doc.report(finding, at=where, message=message)


def _images_entry(doc: Document, obj: dict[str, Any], path: FieldPath) -> int | None:
    """The `images` entry of the kustomization that rewrote the image at ``path``."""
    if not path or path[-1] != "image":
        return None
    node: Any = obj
    for part in path:
        node = node[part] if _has(node, part) else None
    if not isinstance(node, str):
        return None
    repository = node.split("@")[0].rsplit(":", 1)[0] if ":" in node.rsplit("/", 1)[-1] else node
    for i, entry in enumerate(doc.data.get("images") or []):
        if isinstance(entry, dict) and repository in (entry.get("newName"), entry.get("name")):
            return i
    return None


def _has(node: Any, part: Any) -> bool:
    return (isinstance(node, dict) and part in node) or (
        isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))


def escapes(root: Path, overlay: Path) -> list[Diagnostic]:
    """What overlay ``overlay`` builds from outside ``root`` or from remote (RG081), as
    ``check_overlay`` refuses it: for commands that build an overlay without checking it."""
    shown = overlay.relative_to(root).as_posix() if overlay.is_relative_to(root) else str(overlay)
    try:
        doc = kustomize.read_kustomization(overlay, shown)
    except InvalidInput as exc:
        return exc.diagnostics
    return _outside(root, overlay, doc) if doc is not None and isinstance(doc.data, dict) else []


def _outside(root: Path, overlay: Path, doc: Document) -> list[Diagnostic]:
    """Everything the overlay builds from, at any depth (resources, components, bases,
    patches, generators' files), stays inside the repository: kustomize fetches remote
    bases itself, and an outside path reaches beyond what git reviews."""
    out: list[Diagnostic] = []
    seen: set[Path] = set()
    queue: list[tuple[Path, Any, str]] = [(overlay, doc.data, "")]
    while queue and len(seen) < MAX_KUSTOMIZATIONS:
        folder, data, via = queue.pop()
        if folder.resolve() in seen or not isinstance(data, dict):
            continue
        seen.add(folder.resolve())
        for at, value in _references(data):
            if not isinstance(value, str):
                continue
            where = at if not via else ()
            if _REMOTE.match(value.strip()):
                out.append(doc.diagnostic(where, "RG081", f"{value!r}{via} is remote: an overlay "
                                          "builds from this repository only"))
                continue
            target = (folder / value).resolve()
            if not target.is_relative_to(root.resolve()):
                out.append(doc.diagnostic(where, "RG081",
                                          f"{value!r}{via} points outside the repository"))
                continue
            nested = target / KUSTOMIZATION
            if target.is_dir() and nested.is_file() and target not in seen:
                try:
                    inner = kustomize.read_kustomization(target, target.relative_to(root).as_posix())
                except InvalidInput as exc:
                    out.extend(exc.diagnostics)
                    continue
                shown = nested.relative_to(root.resolve()).as_posix()
                queue.append((target, inner.data if inner else None, f" (in {shown})"))
    return out


def _generated_secrets(doc: Document) -> list[Diagnostic]:
    """A secretGenerator with literals writes the secret into git; and anything else in
    the kustomization that looks like a secret."""
    out = []
    for i, generator in enumerate(doc.data.get("secretGenerator") or []):
        if isinstance(generator, dict) and generator.get("literals"):
            out.append(doc.diagnostic(("secretGenerator", i, "literals"), "RG044",
                                      "secret values typed into git: generate the Secret outside "
                                      "the repository (Sealed Secrets, External Secrets, SOPS)"))
    return out + literal_secrets(doc)


def _references(data: dict[str, Any]) -> list[tuple[FieldPath, Any]]:
    """What a kustomization names that kustomize reads: folders, files, URLs."""
    entries: list[tuple[FieldPath, Any]] = []
    for key in ("resources", "components", "bases", "patchesStrategicMerge", "crds",
                "configurations", "transformers", "generators", "validators"):
        entries += [((key, i), v) for i, v in enumerate(data.get(key) or [])]
    for key in ("patches", "patchesJson6902"):
        for i, patch in enumerate(data.get(key) or []):
            if isinstance(patch, dict) and "path" in patch:
                entries.append(((key, i, "path"), patch["path"]))
    for key in ("configMapGenerator", "secretGenerator"):
        for i, generator in enumerate(data.get(key) or []):
            if not isinstance(generator, dict):
                continue
            for kind in ("files", "envs"):
                for j, name in enumerate(generator.get(kind) or []):
                    name = name.partition("=")[2] or name if isinstance(name, str) else name
                    entries.append(((key, i, kind, j), name))
            if "env" in generator:
                entries.append(((key, i, "env"), generator["env"]))
    for i, chart in enumerate(data.get("helmCharts") or []):
        entries.append((("helmCharts", i), f"helm://{chart.get('repo', '')}"
                        if isinstance(chart, dict) else chart))
    if isinstance(data.get("openapi"), dict) and "path" in data["openapi"]:
        entries.append((("openapi", "path"), data["openapi"]["path"]))
    return entries


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


# the entries of a kustomization that name a file or folder kustomize reads
_ENTRIES = ("resources", "components", "patchesStrategicMerge", "crds", "generators",
            "transformers", "validators", "configurations")


def _named_in(data: dict[str, Any], text: str) -> FieldPath:
    """The entry of the kustomization that kustomize's message names (a resource, a
    component, a patch file), so the error sits on its line; else the file's top."""
    for key in _ENTRIES:
        entries = data.get(key)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, str) and (f"'{entry}'" in text or f"({entry})" in text):
                return (key, i)
    patches = data.get("patches")
    for i, patch in enumerate(patches if isinstance(patches, list) else []):
        path = patch.get("path") if isinstance(patch, dict) else None
        if isinstance(path, str) and (f"'{path}'" in text or f"({path})" in text):
            return ("patches", i, "path")
    return ()


def _unmatched(overlay: Path, doc: Document, shown: str,
               objects: list[dict[str, Any]]) -> Iterator[Diagnostic]:
    """A patch whose ``target`` selects nothing: kustomize applies it to nothing and says
    nothing, so the change it makes never happens (a misspelled name, a wrong kind). Names
    and namespaces are anchored regular expressions to kustomize; a name is also matched
    without the overlay's namePrefix and nameSuffix. Selectors by label or annotation, and
    patches that rename or delete what they target, are not judged here."""
    prefix, suffix = str(doc.data.get("namePrefix") or ""), str(doc.data.get("nameSuffix") or "")
    for i, entry in enumerate(doc.data.get("patches") or []):
        target = entry.get("target") if isinstance(entry, dict) else None
        if not isinstance(target, dict) or not target or any(
                key in target for key in ("labelSelector", "annotationSelector")):
            continue
        text = str(entry.get("patch") or "")
        if not text and isinstance(entry.get("path"), str) and (overlay / entry["path"]).is_file():
            text = (overlay / entry["path"]).read_text(encoding="utf-8", errors="replace")
        if "$patch" in text or "/metadata/name" in text:
            continue
        if not any(_selects(target, obj, prefix, suffix) for obj in objects):
            wanted = ", ".join(f"{key}: {value}" for key, value in target.items())
            yield doc.diagnostic(("patches", i, "target"), "RG087",
                                 f"overlay {shown}: the patch's target ({wanted}) selects no "
                                 "object the overlay builds: kustomize applies it to nothing, "
                                 "and the change never happens")


def _selects(target: dict[str, Any], obj: dict[str, Any], prefix: str, suffix: str) -> bool:
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    metadata = obj.get("metadata")
    name = str(metadata.get("name", "")) if isinstance(metadata, dict) else ""
    names = {name}
    if prefix and name.startswith(prefix):
        names.add(name[len(prefix):])
    if suffix:
        names |= {n[:-len(suffix)] for n in names if n.endswith(suffix)}
    for key, value in (("group", group), ("version", version), ("kind", obj.get("kind"))):
        if target.get(key) not in (None, "") and target[key] != value:
            return False
    wanted = target.get("name")
    return wanted in (None, "") or any(_anchored(str(wanted), n) for n in names)


def _anchored(pattern: str, text: str) -> bool:
    """kustomize's selector match: the pattern as an anchored regular expression, or the
    text itself when the pattern is no expression."""
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return pattern == text


def _patch(index: int, at: FieldPath, text: str, target: dict[str, Any], source: str) -> Patch:
    try:
        body = plain.load(text)
    except plain.YAMLError:
        body = None
    kind, name = target.get("kind"), target.get("name")
    touches: list[FieldPath] = []
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


def _leaves(node: Any, at: FieldPath = ()) -> list[FieldPath]:
    if isinstance(node, dict) and node:
        return [leaf for key, value in node.items() for leaf in _leaves(value, (*at, key))]
    return [at]  # a list is replaced whole: the list itself is what the patch sets


def _culprit(patches: list[Patch], kind: str, name: str, path: FieldPath) -> Patch | None:
    for patch in patches:
        if patch.kind not in (None, kind) or patch.name not in (None, name):
            continue
        for touched in patch.touches:
            common = min(len(touched), len(path))
            if touched[:common] == path[:common]:
                return patch
    return None
