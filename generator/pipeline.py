"""The pipeline: load -> models -> references -> rules -> render -> validate -> files.

Nothing here writes to disk or prints; commands decide what to do with a Build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator import kinds
from generator.diagnostics import Diagnostic, Result
from generator.errors import InvalidInput
from generator.kustomize import KUSTOMIZATION, OverlayInfo, describe_overlay, has_overlay
from generator.load.documents import load_file
from generator.models.delivery import parse_delivery
from generator.models.parse import Spec, envelope_ok, parse_document
from generator.references import SpecIndex, check_references
from generator.render.base import Context, Generated, Rendered
from generator.render.delivery import render_argocd, render_flux
from generator.render.kustomization import base_files
from generator.repo import Repo
from generator.rules import check_specs
from generator.schemas import OutputSchemas
from generator.secrets import literal_secrets
from generator.validate.objects import validate_generated, validate_rendered

Items = list[Rendered | Generated]
# a spec file's stem names its folder in rendered/: a plain name, never ".." or a path
APP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$")


@dataclass
class Build:
    repo: Repo
    result: Result = field(default_factory=Result)
    specs: list[Spec] = field(default_factory=list)
    objects: list[Rendered] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # relative to rendered/


def build(repo: Repo, *, extra: Iterable[Path] = (), emit: bool = True,
          only: set[str] | None = None) -> Build:
    """Everything ``render`` would write, and everything wrong with it.

    ``extra`` adds spec files from outside specs/; ``emit=False`` skips the
    YAML text (validation needs the objects, not their bytes); ``only`` renders
    and checks the specs of those files alone (every spec is still read, for
    references): what a pre-commit hook on a few changed files needs.
    """
    out = Build(repo)
    if repo.doc is not None:  # ray-gitops.yaml reaches rendered/ too (delivery's repoURL)
        out.result.extend(literal_secrets(repo.doc))
    files = repo.spec_files()
    known = {p.resolve() for p in files}
    files += [p for p in extra if p.resolve() not in known]
    specs, problems = load_specs(repo, files, only)
    # Serve configs kept in their own files (serveConfigFile) may sit among the
    # specs; they are read by the RayService that names them, not as specs.
    served = _serve_files(specs, repo)
    if only is not None:  # a changed Serve config is checked through its RayService
        only = only | {spec for spec, file in served.items() if file in only}
    out.specs = [s for s in specs if s.doc.file not in served.values()]
    out.result.extend(p for p in problems if p.file not in served.values())
    index = SpecIndex(out.specs, repo.root)
    out.result.extend(check_references(index, only))
    if not out.result.ok:
        return out  # rendering needs every spec valid and every reference resolved
    out.result.extend(check_specs(index, only))
    if not out.result.ok:
        return out
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
    apps = render_specs(out, Context(repo.settings, index), schemas, only)
    if repo.settings.delivery is not None and out.result.ok and only is None:
        _add_delivery(out, apps, schemas)
    for app, items in sorted(apps.items()):
        out.objects.extend(item for item in items if isinstance(item, Rendered))
        if emit:
            files_of, clashes = base_files(app, items)
            out.files.update(files_of)
            out.result.extend(clashes)
    return out


def load_specs(repo: Repo, files: Iterable[Path],
               only: set[str] | None = None) -> tuple[list[Spec], list[Diagnostic]]:
    """Every spec; those of files outside ``only`` are indexed now, validated when used."""
    specs: list[Spec] = []
    problems: list[Diagnostic] = []
    root, specs_dir = repo.root.resolve(), repo.specs_dir.absolute()
    for path in files:
        shown = repo.shown(path)
        if path.absolute().is_relative_to(specs_dir) and not path.resolve().is_relative_to(root):
            problems.append(Diagnostic(shown, 1, 1, "RG045", "", "a spec file that is a symbolic "
                                       "link out of the repository: not read"))
            continue
        try:
            docs = load_file(path, shown)
        except InvalidInput as exc:
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
                if envelope_ok(doc):
                    specs.append(Spec(doc, path, broken=True))
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


def render_specs(out: Build, ctx: Context, schemas: OutputSchemas,
                 only: set[str] | None) -> dict[str, Items]:
    """Each spec through its kind's renderer, each object through layers 4, 5 and 7."""
    apps: dict[str, Items] = {}
    folders: dict[str, Spec] = {}
    for spec in out.specs:
        render = kinds.renderer(spec.kind)
        if render is None or (only is not None and spec.doc.file not in only):
            continue
        first = folders.setdefault(spec.app.lower(), spec)
        if not APP_NAME.match(spec.app):
            out.result.extend([spec.doc.diagnostic((), "RG084", f"{spec.doc.file}: the file's name "
                               f"({spec.app!r}) names its folder in {ctx.settings.rendered}/: use "
                               "letters, digits, '-', '_' and '.', starting with a letter or digit")])
            continue
        if first.path != spec.path:
            out.result.extend([_clash(spec, f"spec files {first.doc.file} and {spec.doc.file} "
                                      f"both render into {ctx.settings.rendered}/{spec.app}/")])
            continue
        for item in render(spec, ctx):
            if isinstance(item, Rendered):
                out.result.extend(validate_rendered(item, schemas))
            apps.setdefault(spec.app, []).append(item)
    return apps


def _add_delivery(out: Build, apps: dict[str, Items], schemas: OutputSchemas) -> None:
    rendered = [i for items in apps.values() for i in items if isinstance(i, Rendered)]
    for app, delivered in delivery_apps(out.repo, rendered, schemas, out.result).items():
        owner = apps[app][0].spec if app in apps else None
        if owner is not None:
            out.result.extend([_clash(owner, f"{app}/ is where ray-gitops.yaml's delivery "
                                             "renders: rename this spec file")])
        apps[app] = list[Rendered | Generated](delivered)


def delivery_apps(repo: Repo, objects: list[Rendered], schemas: OutputSchemas,
                  result: Result) -> dict[str, list[Rendered]]:
    """Argo CD and Flux objects, one per overlay, from ray-gitops.yaml's `delivery`."""
    doc = repo.doc
    assert doc is not None, "delivery is read from ray-gitops.yaml"
    delivery = parse_delivery(repo.settings.delivery, doc)
    if isinstance(delivery, list):
        result.extend(delivery)
        return {}
    tools = {"argocd": delivery.argocd, "flux": delivery.flux}
    overlays: dict[str, OverlayInfo] = {}
    missing = False
    for tool, settings in tools.items():
        for env in (settings.environments if settings else {}):
            folder = repo.overlays_dir / env
            if not has_overlay(folder):
                missing = True
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
            result.extend(validate_generated(item, doc, schemas))
    return out


def _clash(spec: Spec, message: str) -> Diagnostic:
    return spec.doc.diagnostic(("metadata", "name"), "RG015", message)
