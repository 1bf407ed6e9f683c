"""The linter behind ``validate PATH ...``: which paths are specs, manifests or overlays,
and the checks each gets."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.diagnostics import Diagnostic, Result
from generator.errors import InvalidInput, UsageError
from generator.kuberay.kinds import SPEC_API_VERSION
from generator.load.documents import Document, load_file
from generator.models.settings import CONFIG_FILE
from generator.pipeline.build import build
from generator.pipeline.cache import Cache
from generator.project.kustomize import KUSTOMIZATION
from generator.project.repo import YAML_SUFFIXES, Repo
from generator.render.kustomization import CONFIGURATIONS
from generator.schemas.outputs import OutputSchemas
from generator.validate.objects import validate_manifest
from generator.validate.overlays import check_overlay

# kustomize's own files in a base, and ray-gitops's settings: not manifests
NOT_MANIFESTS = (KUSTOMIZATION, CONFIGURATIONS, CONFIG_FILE)


def classify(paths: Iterable[Path], repo: Repo) -> tuple[list[Path], list[Path]]:
    """YAML files to read one by one, and overlay folders to build with kustomize.

    A folder with a kustomization.yaml outside rendered/ is an overlay; the
    rendered bases are read file by file (kustomize adds nothing to them)."""
    files: list[Path] = []
    overlays: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
            continue
        if not path.is_dir():
            raise UsageError(f"no such file or folder: {path}")
        found = sorted(k.parent for k in path.rglob(KUSTOMIZATION)
                       if not _inside(k, repo.rendered_dir))
        overlays += found
        files += sorted(
            p for p in path.rglob("*")
            if p.suffix in YAML_SUFFIXES and p.is_file() and p.name not in NOT_MANIFESTS
            and not any(_inside(p, o) for o in found)
        )
    return files, overlays


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _schemas(repo: Repo) -> OutputSchemas:
    return OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)


def validate_overlays(repo: Repo, overlays: list[Path]) -> list[Diagnostic]:
    schemas = _schemas(repo)
    return [d for overlay in overlays
            for d in check_overlay(repo.root, overlay, schemas, repo.settings.pools(overlay.name))]


def validate_files(repo: Repo, files: list[Path], cache: Cache | None = None) -> Result:
    """Spec files through the pipeline (alone, with every spec indexed for references);
    every other file as KubeRay or Kubernetes manifests."""
    result = Result()
    spec_files: list[Path] = []
    manifests: list[Document] = []
    for path in files:
        try:  # as the API server reads it (YAML 1.1 numbers and booleans); specs are
            # read again by the pipeline, as specs are read
            docs = load_file(path, repo.shown(path), kubernetes=True)
        except InvalidInput as exc:
            result.extend(exc.diagnostics)
            continue
        if _is_spec_file(path, docs, repo):
            spec_files.append(path)
        else:
            manifests.extend(docs)
    if spec_files:
        shown = {repo.shown(p) for p in spec_files}
        built = build(repo, extra=spec_files, emit=False, only=shown, cache=cache,
                      objects=False)
        built.remember()
        result.extend(d for d in built.result.diagnostics if d.file in shown)
    schemas = _schemas(repo)
    pools = repo.settings.pools()
    for doc in manifests:
        result.extend(validate_manifest(doc, schemas, pools))
    return result


def _is_spec_file(path: Path, docs: list[Document], repo: Repo) -> bool:
    """A file under specs/, or one whose documents are ray-gitops specs."""
    try:
        path.resolve().relative_to(repo.specs_dir.resolve())
        return True
    except ValueError:
        return any(isinstance(d.data, dict) and d.data.get("apiVersion") == SPEC_API_VERSION for d in docs)
