"""Reuse from the cache: which spec files' results still hold, which must be made again,
and what each file made this run read (its questions to the index, with their answers)."""

from __future__ import annotations

from typing import Any

from generator.models.references import SpecIndex
from generator.pipeline.cache import Cache
from generator.pipeline.records import Build, Unit


def reusable(cache: Cache | None, settings_key: str, redo: frozenset[str]) -> dict[str, Unit]:
    """The units a run may reuse: the cache's, made with the same settings, but ``redo``."""
    if cache is None or cache.settings != settings_key:
        return {}
    return {k: u for k, v in cache.units.items() if k not in redo and (u := Unit.of(v)) is not None}


def todo(out: Build, index: SpecIndex, only: frozenset[str] | None,
         reusable: dict[str, Unit]) -> frozenset[str] | None:
    """The spec files to check and render this run (None: all of them).

    A reused file whose reads are not answered as they were then (a spec it
    looked up changed, or another now answers; a file it ships changed) is checked
    and rendered again, from its unchanged document."""
    if only is not None:
        return only
    if not reusable:
        return None
    out_of_date = set(out.fresh)
    asked: dict[tuple[Any, ...], str | None] = {}  # one answer for each question
    for file, unit in list(out.units.items()):
        if file in out_of_date:
            continue
        if any(_asked(index, asked, query) != answer for query, answer in unit.reads):
            out_of_date.add(file)
            out.units[file] = Unit(unit.digest, unit.loading)
            out.fresh.add(file)
    return frozenset(out_of_date)


def _asked(index: SpecIndex, asked: dict[tuple[Any, ...], str | None], query: Any) -> str | None:
    if not isinstance(query, list):
        return None
    key = tuple(query)
    if key not in asked:
        asked[key] = index.answer(query)
    return asked[key]


def record_reads(out: Build, index: SpecIndex) -> None:
    """What each file checked this run asked of the index; the files of the others kept."""
    for file, unit in out.units.items():
        if file in out.fresh:
            unit.reads = [[list(query), answer] for query, answer in index.reads.get(file, {}).items()]
        else:
            out.kept.update(unit.outputs)
