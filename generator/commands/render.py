"""``ray-gitops render``: specs/ -> rendered/, only when everything is valid."""

from __future__ import annotations

import os
from pathlib import Path

from generator.commands.output import emit_report, note
from generator.errors import Exit
from generator.pipeline.build import build
from generator.pipeline.cache import FOLDER, Cache, enabled
from generator.project.repo import open_repo
from generator.project.write import on_disk, write_tree


def run(root: Path | None, fmt: str, quiet: bool, strict: bool, use_cache: bool = True,
        jobs: int | None = None) -> int:
    repo = open_repo(root)
    repo.require_specs()  # most likely the wrong folder: never empty rendered/ on a guess
    store = Cache.open(repo.root) if enabled(use_cache) else None
    result = build(repo, cache=store, objects=False, jobs=jobs or os.cpu_count() or 1)
    drifted = result.drifted(on_disk(repo.rendered_dir)) if result.result.ok else set()
    if drifted:  # rendered/ was edited there: those spec files rendered again
        result = build(repo, cache=store, objects=False, redo=drifted,
                       jobs=jobs or os.cpu_count() or 1)
    policy = repo.settings.policy
    report = result.result.with_policy(policy.disable, strict or policy.strict)
    emit_report(report, fmt, quiet=quiet, repo=repo)
    if not report.ok:
        note(f"nothing written: {repo.settings.rendered}/ is as it was", quiet=quiet)
        return Exit.INVALID
    spare = repo.root / FOLDER / "spare" if store is not None else None  # the tree before
    done = write_tree(repo.rendered_dir, result.files, result.kept, spare)
    result.remember()
    folder = repo.settings.rendered
    for name in done.written:
        note(f"wrote {folder}/{name}", quiet=quiet)
    for name in done.removed:
        note(f"removed {folder}/{name}", quiet=quiet)
    for name in done.kept:
        note(f"left {folder}/{name}: not written by ray-gitops", quiet=quiet)
    note(f"{len(result.files) + len(result.kept)} files in {folder}/, {len(done.written)} written, "
         f"{len(done.removed)} removed", quiet=quiet)
    return Exit.OK
