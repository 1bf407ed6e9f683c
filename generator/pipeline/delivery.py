"""The delivery stage: Argo CD and Flux objects, one per overlay, from ray-gitops.yaml's
``delivery`` and what every spec file's clusters need (those rendered now and reused)."""

from __future__ import annotations

from typing import Any

from generator.diagnostics import Result
from generator.kuberay.kinds import renders
from generator.models.delivery import Delivery, parse_delivery
from generator.pipeline.check import clash
from generator.pipeline.records import Build, Options
from generator.project.kustomize import KUSTOMIZATION, OverlayInfo, describe_overlay, has_overlay
from generator.project.repo import Repo
from generator.render.admission import objects
from generator.render.base import Generated, Origins, Rendered
from generator.render.delivery import Scaling, render_argocd, render_flux
from generator.render.kustomization import base_files
from generator.schemas.outputs import OutputSchemas
from generator.validate.objects import validate_generated

ADMISSION = "admission"


def add_delivery(out: Build, schemas: OutputSchemas, options: Options) -> None:
    """Delivery's and admission's folders among the rendered files, unless a spec file
    renders there."""
    clusters = [c for _, unit in sorted(out.units.items()) for c in unit.scaling]
    owners = {spec.app: spec for spec in out.specs if renders(spec.kind)}
    apps = admission_apps(out.repo, schemas, out.result)
    if out.repo.settings.delivery is not None:
        apps.update(delivery_apps(out.repo, clusters, schemas, out.result))
    for app, delivered in apps.items():
        owner = owners.get(app)
        if owner is not None:
            out.result.extend([clash(owner, f"{app}/ is where ray-gitops.yaml's delivery "
                                            "renders: rename this spec file")])
        if options.keep_objects:
            out.objects.extend(delivered)
        files_of, clashes = base_files(app, list[Rendered | Generated](delivered))
        out.result.extend(clashes)
        if options.emit:
            out.files.update(files_of)


def admission_folders(repo: Repo, environments: list[str]) -> dict[str | None, str]:
    """The rendered folder of the policies of each environment (None: the repository's):
    ``admission``, or ``admission-<env>`` where an environment's actions differ; an
    environment without policies has none."""
    settings = repo.settings
    base = settings.admission_actions()
    out: dict[str | None, str] = {None: ADMISSION} if base is not None else {}
    for env in sorted(set(environments) | set(settings.environments)):
        actions = settings.admission_actions(env)
        if actions is not None:
            out[env] = ADMISSION if actions == base else f"{ADMISSION}-{env}"
    return out


def admission_apps(repo: Repo, schemas: OutputSchemas, result: Result) -> dict[str, list[Rendered]]:
    """The ValidatingAdmissionPolicies and their bindings, per folder."""
    doc = repo.doc
    out: dict[str, list[Rendered]] = {}
    for env, folder in admission_folders(repo, []).items():
        actions = repo.settings.admission_actions(env)
        assert actions is not None
        at: tuple[str, ...] = ("environments", env, "admission") \
            if env is not None and folder != ADMISSION else ("admission",)
        out[folder] = [_generated(obj, at) for obj in objects(repo.settings.target, actions)]
    for items in out.values():
        for item in items:
            if doc is not None:
                result.extend(validate_generated(item, doc, schemas))
    return out


def _generated(obj: dict[str, Any], at: tuple[str, ...]) -> Rendered:
    origins = Origins()
    origins.add((), at, keep=False)
    return Rendered(obj, None, origins, source="ray-gitops.yaml")


def delivery_apps(repo: Repo, clusters: list[Scaling], schemas: OutputSchemas,
                  result: Result) -> dict[str, list[Rendered]]:
    """Argo CD and Flux objects, one per overlay, from ray-gitops.yaml's `delivery`."""
    doc = repo.doc
    assert doc is not None, "delivery is read from ray-gitops.yaml"
    delivery = parse_delivery(repo.settings.delivery, doc)
    if isinstance(delivery, list):
        result.extend(delivery)
        return {}
    overlays = _overlays(repo, delivery, result)
    if overlays is None:
        return {}
    out: dict[str, list[Rendered]] = {}
    guards = {env: f"{repo.settings.rendered}/{folder}"
              for env, folder in admission_folders(repo, list(overlays)).items() if env}
    if delivery.argocd:
        out["argocd"] = render_argocd(delivery, overlays, clusters, guards)
    if delivery.flux:
        out["flux"] = render_flux(delivery, overlays, clusters, guards)
    for items in out.values():
        for item in items:
            result.extend(validate_generated(item, doc, schemas))
    return out


def _overlays(repo: Repo, delivery: Delivery, result: Result) -> dict[str, OverlayInfo] | None:
    """Each environment's overlay as delivery names it; None when one is missing."""
    doc = repo.doc
    assert doc is not None, "delivery is read from ray-gitops.yaml"
    overlays: dict[str, OverlayInfo] = {}
    missing = False
    for tool, settings in (("argocd", delivery.argocd), ("flux", delivery.flux)):
        for env in (settings.environments if settings else {}):
            folder = repo.overlays_dir / env
            if not has_overlay(folder):
                missing = True
                result.extend([doc.diagnostic(
                    ("delivery", tool, "environments", env), "RG082",
                    f"no overlay {repo.settings.overlays}/{env}/{KUSTOMIZATION}", key=True)])
                continue
            overlays[env] = describe_overlay(repo.root, folder, repo.rendered_dir)
    return None if missing else overlays
