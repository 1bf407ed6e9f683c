"""``ray-gitops check``: exit 1 when rendered/ is not what specs/ produce."""

from __future__ import annotations

import os
from pathlib import Path

import click

from generator.commands.output import emit_report, note
from generator.diagnostics import Diagnostic, printable
from generator.errors import Exit
from generator.pipeline.build import build
from generator.pipeline.cache import Cache, enabled
from generator.project.repo import open_repo
from generator.project.write import Drift, drift, on_disk


def run(root: Path | None, fmt: str, quiet: bool, strict: bool, use_cache: bool = True,
        jobs: int | None = None) -> int:
    repo = open_repo(root)
    repo.require_specs()
    store = Cache.open(repo.root) if enabled(use_cache) else None
    result = build(repo, cache=store, objects=False, jobs=jobs or os.cpu_count() or 1)
    present = on_disk(repo.rendered_dir)
    drifted = result.drifted(present) if result.result.ok else set()
    if drifted:  # files to show a diff of: those spec files rendered again
        result = build(repo, cache=store, objects=False, redo=drifted,
                       jobs=jobs or os.cpu_count() or 1)
    policy = repo.settings.policy
    report = result.result.with_policy(policy.disable, strict or policy.strict)
    if not report.ok:
        emit_report(report, fmt, quiet=quiet, repo=repo)
        return Exit.INVALID
    folder = repo.settings.rendered
    stale = drift(repo.rendered_dir, result.files, folder, result.kept, present)
    if fmt != "text":  # one report a machine can read: drift as diagnostics, a file each
        report.extend(drift_diagnostics(stale, folder))
        emit_report(report, fmt, quiet=quiet, repo=repo)
    else:
        emit_report(report, fmt, quiet=quiet, repo=repo)
        for diff in stale.changed.values():
            click.echo(diff, nl=False)
        for name in stale.missing:
            click.echo(f"missing: {folder}/{printable(name)}")
        for name in stale.stray:
            click.echo(f"stray: {folder}/{printable(name)} (no spec renders it)")
    result.remember()  # what the specs produce, whatever rendered/ holds
    if not stale:
        note(f"{folder}/ is up to date ({len(result.files) + len(result.kept)} files)",
             quiet=quiet)
        return Exit.OK
    click.echo(f"{folder}/ is stale: run `ray-gitops render` and commit the result", err=True)
    return Exit.INVALID


def drift_diagnostics(stale: Drift, folder: str) -> list[Diagnostic]:
    """Each stale, missing or stray file of rendered/ as an error on that file."""
    fix = "run `ray-gitops render` and commit the result"
    out = [Diagnostic(f"{folder}/{name}", 1, 1, "RG086", "", f"stale: not what the specs render; {fix}")
           for name in stale.changed]
    out += [Diagnostic(f"{folder}/{name}", 1, 1, "RG086", "", f"missing: the specs render it; {fix}")
            for name in stale.missing]
    out += [Diagnostic(f"{folder}/{name}", 1, 1, "RG086", "", "stray: no spec renders it; "
                       "remove it, or run `ray-gitops render`") for name in stale.stray]
    return out
