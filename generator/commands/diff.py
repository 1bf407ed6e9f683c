"""``ray-gitops diff``: what the specs render now against a git revision, and what it does."""

from __future__ import annotations

from pathlib import Path

import click

from generator import kustomize
from generator.commands.output import emit_report, note
from generator.diff.effects import compare
from generator.diff.revisions import build_at, overlay_objects
from generator.errors import Exit, UsageError
from generator.pipeline import build
from generator.repo import open_repo
from generator.report.changes import DIFF_SECTIONS
from generator.schemas import OutputSchemas


def run(root: Path | None, base: str, fmt: str, quiet: bool, env: str | None = None,
        each_env: bool = False) -> int:
    repo = open_repo(root)
    now = build(repo)
    if not now.result.ok:
        emit_report(now.result, "github" if fmt == "github" else "text", quiet=quiet, repo=repo)
        return Exit.INVALID
    if env is not None and not kustomize.has_overlay(repo.overlays_dir / env):
        raise UsageError(f"no overlay {repo.settings.overlays}/{env}")
    envs: list[str | None] = [env]
    if each_env:
        envs = [None, *(folder.name for folder in kustomize.overlay_dirs(repo.overlays_dir))]
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
    sections = []
    for one in envs:
        before = build_at(repo.root, base, one)
        if before.note:
            note(f"note: {before.note}")
        after = now.objects if one is None else overlay_objects(repo, now, one)
        changes = compare(before.objects, after, repo.settings.target.release, schemas.transition)
        if fmt == "github" and (prefix := repo.git_prefix()):
            for change in changes:  # annotations land on the pull request's paths
                change.file = prefix + change.file if change.file else ""
        label = f"{base}, overlay {one}" if one else base
        sections.append((changes, label, before.note))
    click.echo(DIFF_SECTIONS[fmt](sections))
    return Exit.OK
