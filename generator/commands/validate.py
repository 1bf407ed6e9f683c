"""``ray-gitops validate [PATH ...]``: specs, rendered manifests, plain KubeRay manifests."""

from __future__ import annotations

from pathlib import Path

from generator.commands.output import emit_report, note
from generator.diagnostics import Result
from generator.errors import Exit
from generator.pipeline.build import build
from generator.pipeline.cache import Cache, enabled
from generator.project.kustomize import overlay_dirs
from generator.project.repo import open_repo
from generator.validate.manifests import classify, validate_files, validate_overlays


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
        checked = "all specs"
        overlays = overlay_dirs(repo.overlays_dir) if not skip_overlays else []
        if overlays and result.ok:
            result.extend(validate_overlays(repo, overlays))
            checked += f" and {len(overlays)} overlay(s)"
        elif overlays:  # they build from what the specs render: say what was not checked
            skipped = f"{len(overlays)} overlay(s) not built: the specs must validate first"
        if not result.ok:  # KubeRay's rules, the output schemas and policy check rendered objects
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
