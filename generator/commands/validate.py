"""``ray-gitops validate [PATH ...]``: specs, rendered manifests, plain KubeRay manifests and
overlays. Which paths are which, and the checks each gets (``validate/`` has the checks)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.commands.output import emit_report, note
from generator.diagnostics import Diagnostic, Result
from generator.errors import Exit, InvalidInput, UsageError
from generator.kuberay.kinds import SPEC_API_VERSION
from generator.load.documents import Document, load_file
from generator.models.settings import CONFIG_FILE
from generator.pipeline.build import build
from generator.pipeline.cache import Cache, enabled
from generator.project.kustomize import KUSTOMIZATION, overlay_dirs
from generator.project.repo import YAML_SUFFIXES, Repo, open_repo
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


def run(paths: tuple[Path, ...], root: Path | None, fmt: str, quiet: bool, strict: bool,
        skip_overlays: bool = False, kuberay_version: str | None = None,
        feature_gates: str | None = None, use_cache: bool = True) -> int:
    repo = open_repo(root).targeting(kuberay_version, feature_gates)
    # one file's hook reads the index of names only
    store = Cache.open(repo.root, units=not paths) if enabled(use_cache) else None
    result = Result()
    skipped = ""
    if not paths:
        repo.require_specs()
        built = build(repo, emit=False, cache=store, objects=False)
        built.remember()
        result = built.result
        specs_ok = result.ok
        checked = "all specs"
        overlays = overlay_dirs(repo.overlays_dir) if not skip_overlays else []
        if overlays and specs_ok:
            result.extend(validate_overlays(repo, overlays))
            checked += f" and {len(overlays)} overlay(s)"
        elif overlays:  # they build from what the specs render: say what was not checked
            skipped = f"{len(overlays)} overlay(s) not built: the specs must validate first"
        if not specs_ok:  # KubeRay's rules, the output schemas and policy check rendered objects
            skipped = "; ".join(filter(None, [skipped, "objects of specs with errors were not "
                                              "rendered, so KubeRay's rules, the output schemas "
                                              "and policy did not check them"]))
    else:
        files, overlays = classify(paths, repo)
        result = validate_files(repo, files, store)
        if overlays and not skip_overlays:
            result.extend(validate_overlays(repo, overlays))
        checked = f"{len(files)} file(s)" + (f" and {len(overlays)} overlay(s)" if overlays else "")
    policy = repo.settings.policy
    result = result.with_policy(policy.disable, strict or policy.strict)
    emit_report(result, fmt, quiet=quiet, repo=repo)
    if skipped:  # for people: json and github reports stay one document
        note(f"note: {skipped}", quiet=quiet or fmt != "text")
    if result.ok:
        note(f"ok: {checked}", quiet=quiet)
        return Exit.OK
    return Exit.INVALID
