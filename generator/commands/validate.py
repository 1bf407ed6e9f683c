"""``ray-gitops validate [PATH ...]``: specs, rendered manifests, plain KubeRay manifests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..build import YAML_SUFFIXES, build, open_repo, require_specs, validate_manifest
from ..config import Repo
from ..errors import Diagnostic, Exit, RayGitopsError, UsageError
from ..render.kustomization import KUSTOMIZATION
from ..report import Result
from ..schemas import OutputSchemas
from ..spec.load import Document, load_file
from ..spec.models import API_VERSION
from .output import emit_report, note


def run(paths: tuple[Path, ...], root: Path | None, fmt: str, quiet: bool, strict: bool,
        skip_overlays: bool = False) -> int:
    repo = open_repo(root)
    result = Result()
    if not paths:
        require_specs(repo)
        result = build(repo, emit=False).result
        checked = "all specs"
        if not skip_overlays and result.ok:
            from ..overlays import overlay_dirs

            overlays = overlay_dirs(repo.overlays_dir)
            result.extend(_validate_overlays(repo, overlays))
            checked += f" and {len(overlays)} overlay(s)"
    else:
        files, overlays = _classify(paths, repo)
        result = _validate_files(repo, files)
        if overlays and not skip_overlays:
            result.extend(_validate_overlays(repo, overlays))
        checked = f"{len(files)} file(s)" + (f" and {len(overlays)} overlay(s)" if overlays else "")
    policy = repo.settings.policy
    result = result.with_policy(policy.disable, strict or policy.strict)
    emit_report(result, fmt, quiet=quiet)
    if result.ok:
        note(f"ok: {checked}", quiet=quiet)
        return Exit.OK
    return Exit.INVALID


# kustomize's own files in a base: not manifests
NOT_MANIFESTS = (KUSTOMIZATION, "kustomizeconfig.yaml")


def _classify(paths: Iterable[Path], repo: Repo) -> tuple[list[Path], list[Path]]:
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


def _validate_overlays(repo: Repo, overlays: list[Path]) -> list[Diagnostic]:
    from ..overlays import check_overlay

    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.kuberay_version)
    return [d for overlay in overlays for d in check_overlay(repo.root, overlay, schemas)]


def _validate_files(repo: Repo, files: list[Path]) -> Result:
    result = Result()
    spec_files: list[Path] = []
    manifests: list[Document] = []
    for path in files:
        try:
            docs = load_file(path, repo.shown(path))
        except RayGitopsError as exc:
            result.extend(exc.diagnostics)
            continue
        if _is_spec_file(path, docs, repo):
            spec_files.append(path)
        else:
            manifests.extend(docs)
    if spec_files:
        shown = {repo.shown(p) for p in spec_files}
        found = build(repo, extra=spec_files, emit=False, only=shown).result
        result.extend(d for d in found.diagnostics if d.file in shown)
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.kuberay_version)
    for doc in manifests:
        result.extend(validate_manifest(doc, schemas))
    return result


def _is_spec_file(path: Path, docs: list[Document], repo: Repo) -> bool:
    """A file under specs/, or one whose documents are ray-gitops specs."""
    try:
        path.resolve().relative_to(repo.specs_dir.resolve())
        return True
    except ValueError:
        return any(isinstance(d.data, dict) and d.data.get("apiVersion") == API_VERSION for d in docs)
