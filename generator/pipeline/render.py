"""The rendering stage: each selected spec file's specs through their kinds' renderers,
each object validated, and the file's objects made into its folder's files at once."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

from generator.load.files import digest_bytes
from generator.models.parse import Spec
from generator.pipeline.records import Build, Options
from generator.render.base import Context, Generated, Rendered
from generator.render.kinds import renderer
from generator.render.kustomization import base_files
from generator.render.scaling import scaling
from generator.schemas.outputs import OutputSchemas
from generator.validate.objects import validate_rendered

Items = list[Rendered | Generated]


def render_selected(out: Build, ctx: Context, schemas: OutputSchemas, selected: list[Spec],
                    options: Options) -> None:
    """Every selected spec file rendered, a file at a time (memory is one file's)."""
    index = ctx.index
    for file, group in groupby(selected, key=lambda spec: spec.file):
        index.reader = file
        items = render_specs(out, ctx, schemas, list(group), options.keep_objects)
        if items:
            _emit(out, items, options)
    index.reader = None
    out.objects.sort(key=lambda item: item.spec.app if item.spec else "")


def objects_of(ctx: Context) -> Callable[[Spec], list[dict[str, Any]]]:
    """How rules that need another spec's rendered objects get them (``SpecIndex.rendered``):
    through the same renderers, so that what they judge is what is rendered."""
    def objects(spec: Spec) -> list[dict[str, Any]]:
        render = renderer(spec.kind)
        items = render(spec, ctx) if render is not None else []
        return [item.obj for item in items if isinstance(item, Rendered)]

    return objects


def render_specs(out: Build, ctx: Context, schemas: OutputSchemas,
                 specs: list[Spec], keep: bool = True) -> Items:
    """The specs of one file through their kinds' renderers, each rendered object
    validated; ``keep=False`` lets each spec's model go once it is rendered (it is made
    again if another spec asks for it: 10 KB a spec)."""
    items: Items = []
    pools = ctx.settings.pools()
    for spec in specs:
        render = renderer(spec.kind)
        if render is None:
            continue
        unit = out.units[spec.file]
        for item in render(spec, ctx):
            if isinstance(item, Rendered):
                unit.diagnostics.extend(validate_rendered(item, schemas, pools))
            items.append(item)
        if not keep:
            spec.forget()
    return items


def _emit(out: Build, items: Items, options: Options) -> None:
    """One spec file's objects as the files of its folder in rendered/."""
    first = items[0].spec
    assert first is not None, "spec files render objects of their specs"
    rendered = [item for item in items if isinstance(item, Rendered)]
    if options.keep_objects:
        out.objects.extend(rendered)
    files_of, clashes = base_files(first.app, items)
    owner = out.units[first.file]
    owner.outputs = {name: digest_bytes(text.encode()) for name, text in files_of.items()}
    owner.scaling = scaling(rendered)
    owner.diagnostics.extend(clashes)
    if options.emit:
        out.files.update(files_of)
