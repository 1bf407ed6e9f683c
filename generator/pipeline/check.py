"""The checking stage: references resolved, then every rule on every spec selected, and
the rendered folder each spec file names."""

from __future__ import annotations

import re

from generator.diagnostics import Diagnostic
from generator.kuberay.kinds import renders
from generator.models.parse import Spec
from generator.models.references import SpecIndex, Unresolved, references_of
from generator.pipeline.records import Build
from generator.project.repo import Repo
from generator.rules import check_spec

# a spec file's stem names its folder in rendered/: a plain name, never ".." or a path
APP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$")


def resolve(out: Build, index: SpecIndex, selected: list[Spec]) -> bool:
    """Every reference of the selected specs; False when anything failed so far."""
    unresolved = Unresolved()
    for spec in selected:
        index.reader = spec.file
        out.units[spec.file].diagnostics.extend(references_of(index, spec, unresolved))
    index.reader = None
    out.result.extend(unresolved.overflow(index))
    return not out.failed


def check(out: Build, index: SpecIndex, selected: list[Spec]) -> bool:
    """Every spec rule on the selected specs; False when anything failed so far."""
    for spec in selected:
        index.reader = spec.file
        out.units[spec.file].diagnostics.extend(check_spec(spec, index))
    index.reader = None
    return not out.failed


def folder_clashes(specs: list[Spec], repo: Repo) -> list[Diagnostic]:
    """Each spec file renders into rendered/<its stem>/: a plain name, one file per folder."""
    out = []
    folders: dict[str, Spec] = {}
    for spec in specs:
        if not renders(spec.kind):
            continue
        app = spec.app
        if not APP_NAME.match(app):
            out.append(spec.doc.diagnostic((), "RG084", f"{spec.file}: the file's name "
                                           f"({app!r}) names its folder in "
                                           f"{repo.settings.rendered}/: use letters, digits, '-', "
                                           "'_' and '.', starting with a letter or digit"))
            continue
        first = folders.setdefault(app.lower(), spec)
        if first.file != spec.file:
            out.append(clash(spec, f"spec files {first.file} and {spec.file} both render "
                                   f"into {repo.settings.rendered}/{spec.app}/"))
    return out


def clash(spec: Spec, message: str) -> Diagnostic:
    return spec.doc.diagnostic(("metadata", "name"), "RG015", message)
