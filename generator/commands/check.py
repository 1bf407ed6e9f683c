"""``ray-gitops check``: exit 1 when rendered/ is not what specs/ produce."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.output import emit_report, note
from generator.errors import Exit
from generator.pipeline import build
from generator.repo import open_repo
from generator.write import drift


def run(root: Path | None, fmt: str, quiet: bool, strict: bool) -> int:
    repo = open_repo(root)
    repo.require_specs()
    result = build(repo)
    policy = repo.settings.policy
    report = result.result.with_policy(policy.disable, strict or policy.strict)
    emit_report(report, fmt, quiet=quiet)
    if not report.ok:
        return Exit.INVALID
    folder = repo.settings.rendered
    stale = drift(repo.rendered_dir, result.files, folder)
    if not stale:
        note(f"{folder}/ is up to date ({len(result.files)} files)", quiet=quiet)
        return Exit.OK
    for diff in stale.changed.values():
        click.echo(diff, nl=False)
    for name in stale.missing:
        click.echo(f"missing: {folder}/{name}")
    for name in stale.stray:
        click.echo(f"stray: {folder}/{name} (no spec renders it)")
    click.echo(f"{folder}/ is stale: run `ray-gitops render` and commit the result", err=True)
    return Exit.INVALID
