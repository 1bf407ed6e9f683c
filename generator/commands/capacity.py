"""``ray-gitops capacity``: what the rendered bases, or one overlay, ask of the cluster."""

from __future__ import annotations

from pathlib import Path

import click

from generator.capacity.usage import room, rows, total
from generator.commands.output import emit_report
from generator.diff.revisions import overlay_objects
from generator.errors import Exit, UsageError
from generator.pipeline.build import build
from generator.project import kustomize
from generator.project.repo import open_repo
from generator.report.capacity import CAPACITY


def run(root: Path | None, fmt: str, quiet: bool, env: str | None = None) -> int:
    repo = open_repo(root)
    repo.require_specs()
    built = build(repo)
    if not built.result.ok:
        emit_report(built.result, "text", quiet=quiet, repo=repo)
        return Exit.INVALID
    if env is not None and not kustomize.has_overlay(repo.overlays_dir / env):
        raise UsageError(f"no overlay {repo.settings.overlays}/{env}")
    objects = built.objects if env is None else overlay_objects(repo, built, env)
    found = rows(item.obj for item in objects)
    pools = repo.settings.pools(env)
    label = f"overlay {env}" if env else "the rendered bases"
    click.echo(CAPACITY[fmt](found, total(found), label, room(pools) if pools else None))
    return Exit.OK
