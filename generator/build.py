"""The pipeline: load -> models -> references -> render -> validate -> files.

Nothing here writes to disk or prints; commands decide what to do with a Build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import CONFIG_FILE, Repo, Settings, find_root
from .errors import Diagnostic, RayGitopsError, UsageError
from .render.base import Context, Generated, Rendered
from .render.kustomization import (
    CONFIGURATIONS,
    FILES,
    KUSTOMIZATION,
    kustomization,
    name_references,
)
from .render.registry import RENDERERS, renderer
from .report import Result
from .rules import check_object
from .rules.specs import check_specs
from .schemas import OutputSchemas
from .spec.load import Document, dotted, load_file
from .spec.parse import Spec, envelope_ok, parse_document, parse_model
from .spec.refs import SpecIndex, check_references
from .spec.secrets import literal_secrets

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Build:
    repo: Repo
    result: Result = field(default_factory=Result)
    specs: list[Spec] = field(default_factory=list)
    objects: list[Rendered] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # relative to rendered/


def open_repo(root: Path | None) -> Repo:
    """The repository at ``root`` (or found above the working folder), with its settings."""
    folder = root.resolve() if root else find_root(Path.cwd())
    config = folder / CONFIG_FILE
    if not config.is_file():
        return Repo(folder, Settings())
    docs = load_file(config, CONFIG_FILE)
    if not docs:
        return Repo(folder, Settings())
    parsed = parse_model(docs[0], Settings)
    if isinstance(parsed, list):
        raise RayGitopsError(parsed)
    return Repo(folder, parsed, docs[0])


def require_specs(repo: Repo) -> None:
    """Commands over the whole repository refuse to pass vacuously in the wrong folder."""
    if not spec_files(repo):
        raise UsageError(f"no spec files in {repo.settings.specs}/ under {repo.root}: run in a "
                         "ray-gitops repository, pass --root, or start one with `ray-gitops init`")


def spec_files(repo: Repo) -> list[Path]:
    if not repo.specs_dir.is_dir():
        return []
    return sorted(p for p in repo.specs_dir.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def load_specs(repo: Repo, files: Iterable[Path],
               only: set[str] | None = None) -> tuple[list[Spec], list[Diagnostic]]:
    """Every spec; those of files outside ``only`` are indexed now, validated when used."""
    specs: list[Spec] = []
    problems: list[Diagnostic] = []
    for path in files:
        shown = repo.shown(path)
        try:
            docs = load_file(path, shown)
        except RayGitopsError as exc:
            problems.extend(exc.diagnostics)
            continue
        for doc in docs:
            if only is not None and shown not in only:
                if envelope_ok(doc):
                    specs.append(Spec(doc, path))
                continue
            problems.extend(literal_secrets(doc))
            parsed = parse_document(doc, path)
            if isinstance(parsed, Spec):
                specs.append(parsed)
            else:
                problems.extend(parsed)
    return specs, problems


def _serve_files(specs: list[Spec], repo: Repo) -> dict[str, str]:
    """Spec file -> the Serve config file it names (as shown), read from the documents."""
    out = {}
    for spec in specs:
        body = spec.doc.data.get("spec")
        name = body.get("serveConfigFile") if isinstance(body, dict) else None
        if isinstance(name, str):
            out[spec.doc.file] = repo.shown((spec.path.parent / name).resolve())
    return out


def build(repo: Repo, *, extra: Iterable[Path] = (), emit: bool = True,
          only: set[str] | None = None) -> Build:
    """Everything ``render`` would write, and everything wrong with it.

    ``extra`` adds spec files from outside specs/; ``emit=False`` skips the
    YAML text (validation needs the objects, not their bytes); ``only`` renders
    and checks the specs of those files alone (every spec is still read, for
    references): what a pre-commit hook on a few changed files needs.
    """
    out = Build(repo)
    files = spec_files(repo)
    known = {p.resolve() for p in files}
    files += [p for p in extra if p.resolve() not in known]
    specs, problems = load_specs(repo, files, only)
    # Serve configs kept in their own files (serveConfigFile) may sit among the
    # specs; they are read by the RayService that names them, not as specs.
    served = _serve_files(specs, repo)
    if only is not None:  # a changed Serve config is checked through its RayService
        only = only | {spec for spec, file in served.items() if file in only}
    specs = [s for s in specs if s.doc.file not in served.values()]
    problems = [p for p in problems if p.file not in served.values()]
    out.specs = specs
    out.result.extend(problems)
    index = SpecIndex(specs, repo.root)
    out.result.extend(check_references(index, only))
    if not out.result.ok:
        return out  # rendering needs every spec valid and every reference resolved
    out.result.extend(check_specs(index, only))
    if not out.result.ok:
        return out
    ctx = Context(repo.settings, index)
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.kuberay_version)
    apps: dict[str, list[Rendered | Generated]] = {}
    folders: dict[str, Spec] = {}
    for spec in specs:
        if spec.kind not in RENDERERS or (only is not None and spec.doc.file not in only):
            continue
        render = renderer(spec.kind)
        assert render is not None
        first = folders.setdefault(spec.app, spec)
        if first.path != spec.path:
            out.result.extend([_clash(spec, f"spec files {first.doc.file} and {spec.doc.file} "
                                      f"both render into {repo.settings.rendered}/{spec.app}/")])
            continue
        for item in render(spec, ctx):
            if isinstance(item, Rendered):
                out.result.extend(validate_rendered(item, schemas))
            apps.setdefault(spec.app, []).append(item)
    if repo.settings.delivery is not None and out.result.ok and only is None:
        rendered = [i for items in apps.values() for i in items if isinstance(i, Rendered)]
        for app, delivered in delivery_apps(repo, rendered, schemas, out.result).items():
            owner = apps[app][0].spec if app in apps else None
            if owner is not None:
                out.result.extend([_clash(owner, f"{app}/ is where ray-gitops.yaml's delivery "
                                                 "renders: rename this spec file")])
            apps[app] = list[Rendered | Generated](delivered)
    for app, items in sorted(apps.items()):
        out.objects.extend(item for item in items if isinstance(item, Rendered))
        if emit:
            out.files.update(_app_files(app, items, out.result))
    return out


def delivery_apps(repo: Repo, objects: list[Rendered], schemas: OutputSchemas,
                  result: Result) -> dict[str, list[Rendered]]:
    """Argo CD and Flux objects, one per overlay, from ray-gitops.yaml's `delivery`."""
    from .delivery import delivery_settings
    from .overlays import OverlayInfo, describe_overlay
    from .render.delivery import render_argocd, render_flux

    delivery = delivery_settings(repo)
    if isinstance(delivery, list):
        result.extend(delivery)
        return {}
    assert delivery is not None
    doc = repo.doc
    tools = {"argocd": delivery.argocd, "flux": delivery.flux}
    overlays: dict[str, OverlayInfo] = {}
    missing = False
    for tool, settings in tools.items():
        for env in (settings.environments if settings else {}):
            folder = repo.overlays_dir / env
            if not (folder / KUSTOMIZATION).is_file():
                missing = True
                if doc is not None:
                    result.extend([doc.diagnostic(
                        ("delivery", tool, "environments", env), "RG082",
                        f"no overlay {repo.settings.overlays}/{env}/{KUSTOMIZATION}", key=True)])
                continue
            overlays[env] = describe_overlay(repo.root, folder, repo.rendered_dir)
    if missing:
        return {}
    out: dict[str, list[Rendered]] = {}
    if delivery.argocd:
        out["argocd"] = render_argocd(delivery, overlays, objects)
    if delivery.flux:
        out["flux"] = render_flux(delivery, overlays, objects)
    for items in out.values():
        for item in items:
            for finding in schemas.validate(item.obj):
                at = item.origins.locate(finding.path)
                message = f"{finding.message} (rendered {item.kind}/{item.name}, " \
                          f"at {dotted(finding.path) or 'top level'})"
                if doc is not None:
                    result.extend([doc.diagnostic(at, finding.code, message)])
    return out


def _clash(spec: Spec, message: str) -> Diagnostic:
    return spec.doc.diagnostic(("metadata", "name"), "RG015", message)


def _app_files(app: str, items: list[Rendered | Generated], result: Result) -> dict[str, str]:
    from .render.emit import render_file  # libyaml's emitter: needed only to write

    files: dict[str, str] = {}
    generated: dict[str, Generated] = {}
    first = items[0]
    source = first.spec.doc.file if first.spec else getattr(first, "source", app)
    for item in items:
        if isinstance(item, Rendered) and item.spec is None:
            files[f"{app}/{item.filename}"] = render_file(item.source, [item.obj])
            continue
        assert item.spec is not None
        if isinstance(item, Generated):
            first = generated.setdefault(item.name, item)
            if first.files != item.files:
                result.extend([_clash(item.spec, f"two ConfigMaps named {item.name!r} "
                                                 f"with different files in {app}/")])
            continue
        name = f"{app}/{item.filename}"
        if name in files:
            result.extend([_clash(item.spec, f"two objects render to {name}")])
            continue
        files[name] = render_file(item.spec.doc.file, [item.obj])
    resources = sorted(name.split("/", 1)[1] for name in files)
    for item in generated.values():
        for key, text in item.files.items():
            files[f"{app}/{FILES}/{item.name}/{key}"] = text
    if generated:
        files[f"{app}/{CONFIGURATIONS}"] = render_file(source, [name_references()])
    files[f"{app}/kustomization.yaml"] = render_file(
        source, [kustomization(resources, list(generated.values()))])
    return files


def validate_rendered(item: Rendered, schemas: OutputSchemas) -> list[Diagnostic]:
    """Layers 4, 5 and 7 on one rendered object, reported at the spec's lines."""
    assert item.spec is not None
    doc = item.spec.doc
    out = []
    where = f"{item.kind}/{item.name}"
    for finding in [*check_object(item.obj), *schemas.validate(item.obj)]:
        spec_path = item.origins.locate(finding.path)
        message = finding.message
        if finding.code == "RG030":
            message = f"{message} (rendered {where}, at {dotted(finding.path) or 'top level'})"
        out.append(doc.diagnostic(spec_path, finding.code, message, severity=finding.severity,
                                  hint=finding.hint, key=finding.key))
    return out


def validate_manifest(doc: Document, schemas: OutputSchemas) -> list[Diagnostic]:
    """Layers 1, 4, 5 and 7 on a manifest written by hand (or a rendered one)."""
    data: Any = doc.data
    if not isinstance(data, dict):
        return [doc.diagnostic((), "RG006", "a manifest must be a mapping")]
    findings = [*check_object(data), *schemas.validate(data, prepare=True, missing_ok=True)]
    return [
        doc.diagnostic(f.path, f.code, f.message, severity=f.severity, hint=f.hint, key=f.key)
        for f in findings
    ]
