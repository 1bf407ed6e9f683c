"""``ray-gitops init DIR``: scaffold a GitOps repository that ``ray-gitops check`` accepts."""

from __future__ import annotations

from pathlib import Path

import click

from generator.errors import Exit, UsageError
from generator.models.jsonschema import dump, spec_schema
from generator.pipeline.build import build
from generator.project import scaffold
from generator.project.repo import open_repo
from generator.project.write import write_tree

ALLOWED = {".git"}  # `git init && ray-gitops init .` is the usual start


def run(folder: Path, quiet: bool, install: str | None = None, action: str | None = None) -> int:
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder")
    present = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    others = [name for name in present if name not in ALLOWED]
    if others:
        listing = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        click.echo(f"ray-gitops: {folder} is not empty ({listing}): init scaffolds a new "
                   "repository and overwrites nothing", err=True)
        return Exit.INVALID
    content = scaffold.files(dump(spec_schema()), install, action)
    for name, text in content.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    repo = open_repo(folder)
    result = build(repo)
    if not result.result.ok:  # pragma: no cover - the scaffold is tested to be valid
        raise AssertionError("\n".join(d.text() for d in result.result.diagnostics))
    write_tree(repo.rendered_dir, result.files)
    if not quiet:
        for name in sorted([*content, *(f"rendered/{n}" for n in result.files)]):
            click.echo(f"created {folder / name}", err=True)
        click.echo(f"\nnext: cd {folder} && git init && pre-commit install; edit specs/, then "
                   "`ray-gitops render` and commit", err=True)
    return Exit.OK
