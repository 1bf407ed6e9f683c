"""``ray-gitops check``: exit 1 when rendered/ is not what specs/ produce."""

from __future__ import annotations

from pathlib import Path

import click

from ..build import build, open_repo, require_specs
from ..errors import Exit
from ..tree import compare
from .output import emit_report, note


def run(root: Path | None, fmt: str, quiet: bool, strict: bool) -> int:
    repo = open_repo(root)
    require_specs(repo)
    result = build(repo)
    policy = repo.settings.policy
    report = result.result.with_policy(policy.disable, strict or policy.strict)
    emit_report(report, fmt, quiet=quiet)
    if not report.ok:
        return Exit.INVALID
    folder = repo.settings.rendered
    drift = compare(repo.rendered_dir, result.files, folder)
    if not drift:
        note(f"{folder}/ is up to date ({len(result.files)} files)", quiet=quiet)
        return Exit.OK
    for diff in drift.changed.values():
        click.echo(diff, nl=False)
    for name in drift.missing:
        click.echo(f"missing: {folder}/{name}")
    for name in drift.stray:
        click.echo(f"stray: {folder}/{name} (no spec renders it)")
    click.echo(f"{folder}/ is stale: run `ray-gitops render` and commit the result", err=True)
    return Exit.INVALID
