"""``ray-gitops diff``: what the specs render now against a git revision, and what it does."""

from __future__ import annotations

from pathlib import Path

import click

from generator.capacity.pools import Pool
from generator.capacity.usage import Rollout, rollout, room, rows, total
from generator.commands.output import emit_report, note
from generator.diagnostics import Result
from generator.diff.effects import NEW_CLUSTER, Change, compare
from generator.diff.revisions import build_at, overlay_objects
from generator.errors import Exit, UsageError
from generator.pipeline.build import build
from generator.project import kustomize
from generator.project.repo import open_repo
from generator.render.base import Rendered
from generator.report.capacity import svg
from generator.report.changes import DIFF_SECTIONS
from generator.rules.fit import pools_hold
from generator.schemas.outputs import OutputSchemas
from generator.validate.overlays import escapes


def run(root: Path | None, base: str, fmt: str, quiet: bool, env: str | None = None,
        each_env: bool = False, chart: Path | None = None) -> int:
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
    # an overlay is built only as validate would build it: nothing from outside the repository
    outside = [d for one in envs if one for d in escapes(repo.root, repo.overlays_dir / one)]
    if outside:
        emit_report(Result(outside), "github" if fmt == "github" else "text", quiet=quiet, repo=repo)
        return Exit.INVALID
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
        sections.append((changes, label, before.note,
                         _capacity(one or "bases", before.objects, after, changes,
                                   repo.settings.pools(one), schemas)))
    click.echo(DIFF_SECTIONS[fmt](sections))
    if chart is not None:
        try:
            chart.write_text(svg([capacity for *_, capacity in sections]), encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write the chart to {chart}: {exc.strerror}") from None
    return Exit.OK


def _capacity(env: str, before: list[Rendered], after: list[Rendered], changes: list[Change],
              pools: tuple[Pool, ...], schemas: OutputSchemas) -> Rollout:
    """Requests before and after, the peak while the change rolls out, and what the
    environment's node pools offer."""
    old, new = rows(i.obj for i in before), rows(i.obj for i in after)
    upgraded = {c.key for c in changes if c.effect == NEW_CLUSTER}
    # validate's own verdict on these pods and pools (RG115), said beside the figures
    warned = tuple(dict.fromkeys(f"{f.code}: {f.message}" for _, f in pools_hold(
        [schemas.prepared(i.obj) for i in after], pools))) if pools else ()
    return Rollout(env, total(old).high, total(new).high, rollout(old, new, upgraded),
                   room(pools) if pools else None, warned)
