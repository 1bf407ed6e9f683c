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
from generator.report.changes import DIFF_REPORTERS
from generator.schemas import OutputSchemas


def run(root: Path | None, base: str, fmt: str, quiet: bool, env: str | None = None) -> int:
    repo = open_repo(root)
    now = build(repo)
    if not now.result.ok:
        emit_report(now.result, "github" if fmt == "github" else "text", quiet=quiet)
        return Exit.INVALID
    before = build_at(repo.root, base, env)
    if before.note:
        note(f"note: {before.note}")
    after = now.objects
    if env is not None:
        if not kustomize.has_overlay(repo.overlays_dir / env):
            raise UsageError(f"no overlay {repo.settings.overlays}/{env}")
        after = overlay_objects(repo, now, env)
    label = f"{base}, overlay {env}" if env else base
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
    changes = compare(before.objects, after, repo.settings.target.release, schemas.transition)
    click.echo(DIFF_REPORTERS[fmt](changes, label))
    return Exit.OK
