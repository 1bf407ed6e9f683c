"""What a run is asked to do (``Options``) and what it keeps (``Unit`` per spec file,
``Build`` for the whole run): the records the pipeline's stages pass each other."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Result
from generator.load.files import digest_bytes
from generator.models.parse import Facts, Spec
from generator.pipeline.cache import Cache
from generator.project.repo import Repo
from generator.render.base import Rendered
from generator.render.scaling import Scaling


@dataclass(frozen=True)
class Options:
    """One run's choices (see ``build``). Frozen: a forked process gets them as they are."""

    extra: tuple[Path, ...] = ()  # spec files from outside specs/
    emit: bool = True  # the YAML text of every file
    only: frozenset[str] | None = None  # check and render these spec files alone
    cache: Cache | None = None
    reuse: bool = True  # units from the cache, when unchanged
    keep_objects: bool = True  # the rendered objects, not only their text
    jobs: int = 1  # processes for a cold run
    redo: frozenset[str] = frozenset()  # spec files not to reuse

    def without_reuse(self) -> Options:
        return replace(self, reuse=False, jobs=1, redo=frozenset())


@dataclass
class Unit:
    """What one spec file contributed to a run: findings of reading it (``loading``)
    and of checking and rendering its specs, what those read of other specs and
    files, the digests of its rendered files, and what delivery needs of its clusters."""

    digest: str | None
    loading: list[Diagnostic] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    reads: list[list[Any]] = field(default_factory=list)  # [question, answer] (SpecIndex)
    outputs: dict[str, str] = field(default_factory=dict)  # name in rendered/ -> digest
    scaling: list[Scaling] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return Result(self.loading + self.diagnostics).ok

    def record(self) -> dict[str, Any]:
        return {"digest": self.digest, "reads": self.reads, "outputs": self.outputs,
                "scaling": self.scaling,
                "diagnostics": [_saved(d) for d in (*self.loading, *self.diagnostics)],
                "loading": len(self.loading)}

    @classmethod
    def of(cls, record: dict[str, Any]) -> Unit | None:
        try:
            found = [Diagnostic(*d) for d in record["diagnostics"]] if record["diagnostics"] else []
            split = int(record.get("loading", 0))
            reads, outputs, scaled = record["reads"], record["outputs"], record["scaling"]
            if not (isinstance(reads, list) and isinstance(outputs, dict)
                    and isinstance(scaled, list) and isinstance(record["digest"], str)):
                return None
            return cls(record["digest"], found[:split], found[split:], reads, outputs, scaled)
        except (TypeError, ValueError, KeyError):
            return None


def _saved(d: Diagnostic) -> list[Any]:
    return [d.file, d.line, d.col, d.code, d.field, d.message, d.severity, d.hint]


@dataclass
class Build:
    repo: Repo
    result: Result = field(default_factory=Result)
    specs: list[Spec] = field(default_factory=list)
    objects: list[Rendered] = field(default_factory=list)  # of the spec files rendered this run
    files: dict[str, str] = field(default_factory=dict)  # relative to rendered/
    # files of spec files reused from the cache: name -> digest of what they rendered then;
    # the command checks that rendered/ holds exactly that, else builds again without reuse
    kept: dict[str, str] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    facts: dict[str, list[Facts]] = field(default_factory=dict)  # file digest -> facts
    cache: Cache | None = None
    settings_key: str = ""
    fallback: bool = False  # reuse found an error: the run is made again from scratch
    fresh: set[str] = field(default_factory=set)  # spec files checked (and rendered) this run
    partial: bool = False  # a run over some spec files (``only``)
    globals: list[Diagnostic] = field(default_factory=list)  # of no spec file's own

    @property
    def reused(self) -> int:
        """Spec files whose results came from the cache."""
        return len(self.units) - len(self.fresh)

    @property
    def failed(self) -> bool:
        return not self.result.ok or not all(unit.ok for unit in self.units.values())

    def remember(self) -> None:
        """Keep what this run learnt: every file's facts; the units of a passing run of
        the whole repository."""
        if self.cache is None:
            return
        facts = {digest: [list(f) for f in found] for digest, found in self.facts.items()}
        if self.partial or not self.result.ok:
            self.cache.save(facts, partial=True)
            return
        if not self.fresh and self.settings_key == self.cache.settings \
                and set(self.units) == set(self.cache.units):
            units = self.cache.units  # every unit reused as it was: the same records
        else:
            units = {f: u.record() for f, u in self.units.items()}
        self.cache.save(facts, partial=False, settings=self.settings_key, units=units)

    def drifted(self, present: dict[str, str]) -> set[str]:
        """The reused spec files whose files rendered/ (``present``: from ``on_disk``) does
        not hold as they were rendered: each a real file (no symbolic link on the way)
        with the digest the cache has for it. Build those again (``redo``) to see how."""
        if not self.kept:
            return set()
        assert self.cache is not None, "files are kept from a cache"
        shown = self.repo.settings.rendered
        return {file for file, unit in self.units.items() if file not in self.fresh
                and any(name not in present
                        or self.cache.digest(present[name], f"{shown}/{name}", follow=False,
                                             output=True) != digest
                        for name, digest in unit.outputs.items())}

    def finish(self, reuse: bool) -> Build:
        """Every unit's findings into the result; a run that reused units and failed is
        made again from scratch (``fallback``)."""
        self.globals = list(self.result.diagnostics)
        for unit in self.units.values():
            self.result.extend(unit.loading)
            self.result.extend(unit.diagnostics)
        if reuse and not self.result.ok:
            self.fallback = True
        return self


def settings_key(repo: Repo) -> str:
    """What every spec file's results depend on besides the files: the settings."""
    return digest_bytes(repo.settings.model_dump_json().encode())
