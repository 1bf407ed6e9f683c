"""The pipeline: load -> models -> references -> rules -> render -> validate -> files.

Nothing here writes to disk or prints; commands decide what to do with a Build.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, Result
from generator.errors import InvalidInput
from generator.load.documents import MAX_FILE_BYTES, Document, load_file
from generator.load.secrets import literal_secrets
from generator.models import kinds
from generator.models.delivery import parse_delivery
from generator.models.parse import Facts, Indexed, Spec, envelope_ok, facts_of, parse_document
from generator.models.references import SpecIndex, Unresolved, references_of
from generator.pipeline.cache import Cache, digest_bytes
from generator.project.kustomize import KUSTOMIZATION, OverlayInfo, describe_overlay, has_overlay
from generator.project.repo import Repo
from generator.render.base import Context, Generated, Rendered
from generator.render.delivery import Scaling, render_argocd, render_flux, scaling
from generator.render.kustomization import base_files
from generator.rules import check_spec
from generator.schemas.outputs import OutputSchemas
from generator.validate.objects import validate_generated, validate_rendered

Items = list[Rendered | Generated]
# a spec file's stem names its folder in rendered/: a plain name, never ".." or a path
PARALLEL_FROM = 200  # spec files to check and render before more processes pay off
APP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$")


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

    def remember(self) -> None:
        """Keep what this run learnt: every file's facts; the units of a passing run of
        the whole repository."""
        if self.cache is None:
            return
        if self.partial or not self.result.ok:
            self.cache.save(self.facts, partial=True)
            return
        if not self.fresh and self.settings_key == self.cache.settings \
                and set(self.units) == set(self.cache.units):
            units = self.cache.units  # every unit reused as it was: the same records
        else:
            units = {f: u.record() for f, u in self.units.items()}
        self.cache.save(self.facts, partial=False, settings=self.settings_key, units=units)

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


def build(repo: Repo, *, extra: Iterable[Path] = (), emit: bool = True,
          only: set[str] | None = None, cache: Cache | None = None, reuse: bool = True,
          objects: bool = True, jobs: int = 1, redo: Iterable[str] = ()) -> Build:
    """Everything ``render`` would write, and everything wrong with it.

    ``extra`` adds spec files from outside specs/; ``emit=False`` skips the
    YAML text (validation needs the objects, not their bytes); ``only`` renders
    and checks the specs of those files alone (every spec is still indexed, for
    references): what a pre-commit hook on a few changed files needs.

    With a ``cache``, spec files are indexed from their facts when unchanged, and
    (unless ``only``, or ``reuse=False``) a spec file whose bytes and whose reads
    are what they were is not checked or rendered again: its findings and the
    digests of its files come from the cache, and ``kept`` lists those files.
    Reuse never decides a failure: a run that finds an error is made again
    without it, so that errors are always those of a run from scratch.
    ``objects=False`` keeps no rendered object in ``objects`` (commands that write or
    compare files need their text only, and 5,000 clusters' objects are ~100 MB).
    ``jobs`` > 1 checks and renders the spec files that need it in that many processes
    (see ``_in_parallel``). ``redo`` names spec files not to reuse.
    """
    out = _build(repo, tuple(extra), emit, only, cache, reuse and only is None, objects, jobs,
                 set(redo))
    if out.fallback:
        out = _build(repo, tuple(extra), emit, only, cache, False, objects)
    return out


def _build(repo: Repo, extra: tuple[Path, ...], emit: bool, only: set[str] | None,
           cache: Cache | None, reuse: bool, keep_objects: bool = True, jobs: int = 1,
           redo: set[str] | None = None) -> Build:
    out = Build(repo, cache=cache, settings_key=settings_key(repo), partial=only is not None)
    if repo.doc is not None:  # ray-gitops.yaml reaches rendered/ too (delivery's repoURL)
        out.result.extend(literal_secrets(repo.doc))
    files = repo.spec_paths()
    if extra:  # files named on the command line, unless listed already
        known = set(files)
        files += [str(p) for p in extra if os.path.abspath(p) not in known
                  and os.path.realpath(p) not in known]
    reusable = ({k: u for k, v in cache.units.items()
                 if k not in (redo or ()) and (u := Unit.of(v)) is not None}
                if cache is not None and reuse and cache.settings == out.settings_key else {})
    if (jobs > 1 and only is None and not reusable and not keep_objects
            and len(files) >= PARALLEL_FROM):
        done = _in_parallel(out, files, extra, emit, jobs)  # None: ``out`` as it was
        if done is not None:
            return done
    specs, digests = _load(out, files, only, reusable)
    # Serve configs kept in their own files (serveConfigFile) may sit among the
    # specs; they are read by the RayService that names them, not as specs.
    served = _serve_files(specs, repo)
    if only is not None:  # a changed Serve config is checked through its RayService
        only = only | {spec for spec, file in served.items() if file in only}
    out.specs = [s for s in specs if s.file not in served.values()]
    for file in served.values():
        out.units.pop(file, None)
        out.fresh.discard(file)
    index = SpecIndex(out.specs, repo.root, digests,
                      (lambda p: cache.digest(p, repo.shown(p))) if cache is not None else None)
    todo = _todo(out, index, only, reusable)
    out.result.extend(index.duplicates)
    out.result.extend(_folder_clashes(out.specs, repo))
    selected = [s for s in out.specs if todo is None or s.file in todo]
    unresolved = Unresolved()
    for spec in selected:
        index.reader = spec.file
        out.units[spec.file].diagnostics.extend(references_of(index, spec, unresolved))
    index.reader = None
    out.result.extend(unresolved.overflow(index))
    if _failed(out):
        return _finish(out, reuse)  # rendering needs every spec valid and every reference resolved
    for spec in selected:
        index.reader = spec.file
        out.units[spec.file].diagnostics.extend(check_spec(spec, index))
    index.reader = None
    if _failed(out):
        return _finish(out, reuse)
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
    ctx = Context(repo.settings, index)
    for file, group in groupby(selected, key=lambda spec: spec.file):
        index.reader = file
        items = render_specs(out, ctx, schemas, list(group), keep_objects)
        if items:  # a spec file's objects become its files at once: memory is one file's
            _emit(out, items, emit, keep_objects)
    index.reader = None
    out.objects.sort(key=lambda item: item.spec.app if item.spec else "")
    for file, unit in out.units.items():
        if file in out.fresh:
            unit.reads = [[list(query), answer] for query, answer in index.reads.get(file, {}).items()]
    for file, unit in out.units.items():
        if file not in out.fresh:
            out.kept.update(unit.outputs)
    if repo.settings.delivery is not None and not _failed(out) and only is None:
        _add_delivery(out, schemas, emit, keep_objects)
    return _finish(out, reuse)


def settings_key(repo: Repo) -> str:
    """What every spec file's results depend on besides the files: the settings."""
    return digest_bytes(repo.settings.model_dump_json().encode())


def _failed(out: Build) -> bool:
    return not out.result.ok or any(not Result(u.loading + u.diagnostics).ok
                                    for u in out.units.values())


def _in_parallel(out: Build, files: list[str], extra: tuple[Path, ...], emit: bool,
                 jobs: int) -> Build | None:
    """Every spec file checked and rendered in ``jobs`` processes (forked); None when that
    cannot be, or when any of them finds an error (the run is then made in one process,
    so that errors are always those of one).

    Each process runs the pipeline over every spec file with ``only`` its share: it
    indexes the others (read, unvalidated), checks and renders its own. What each file
    made comes back as its unit; delivery is rendered here, from the units."""
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return None
    places = {shown: path for path, shown in _places(out.repo, files) if shown is not None}
    names = sorted(places)
    shares = [set(names[i::jobs]) for i in range(jobs)]
    repo = out.repo
    global _SHARED
    _SHARED = (repo, extra, emit, out.cache)  # the processes are forked: they have it
    try:
        with context.Pool(jobs) as pool:
            found = pool.map(_share, shares)
    finally:
        _SHARED = None
    if any(failed for failed, *_ in found):
        return None
    out.result = Result(list(found[0][1]))  # what is found across files: the same in each
    for _, _, units, files_of, facts in found:
        out.units.update(units)
        out.files.update(files_of)
        out.facts.update(facts)
    out.fresh = set(out.units)
    documents_of = _reader()
    out.specs = [Indexed(places[file], file, f, documents_of)
                 for file in names if file in out.units
                 for f in out.facts.get(out.units[file].digest or "", [])]
    if repo.settings.delivery is not None and out.result.ok:
        schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
        _add_delivery(out, schemas, emit, False)
    return _finish(out, False)


def _reader() -> Callable[[str, str], list[Document]]:
    """``load_file`` that reads each spec file once, however many of its specs ask."""
    documents: dict[str, list[Document]] = {}

    def documents_of(path: str, shown: str) -> list[Document]:
        if path not in documents:
            documents[path] = load_file(Path(path), shown)
        return documents[path]

    return documents_of


def _places(repo: Repo, files: list[str]) -> list[tuple[str, str | None]]:
    """Each spec file and its name as shown (None: a symbolic link out of the repository)."""
    root = f"{repo.root.resolve()}{os.sep}"
    specs_dir = f"{repo.specs_dir.absolute()}{os.sep}"
    real_specs = f"{repo.specs_dir.resolve()}{os.sep}"
    out: list[tuple[str, str | None]] = []
    for path in files:
        text = os.path.abspath(path)
        inside = text.startswith(specs_dir)
        # spec files are listed below specs/, whose symbolic links to folders are not
        # followed: only the file itself may be a link
        real = (real_specs + text[len(specs_dir):] if inside and not os.path.islink(text)
                else os.path.realpath(text))
        shown = real[len(root):].replace(os.sep, "/") if real.startswith(root) else str(path)
        out.append((path, None if inside and not real.startswith(root) else shown))
    return out


_SHARED: tuple[Repo, tuple[Path, ...], bool, Cache | None] | None = None


def _share(share: set[str]) -> tuple[bool, list[Diagnostic], dict[str, Unit], dict[str, str],
                                     dict[str, list[Facts]]]:
    """One process's share of a parallel run (see ``_in_parallel``)."""
    assert _SHARED is not None, "set by _in_parallel before the processes are forked"
    repo, extra, emit, cache = _SHARED
    part = _build(repo, extra, emit, share, cache, False, keep_objects=False)
    units = {file: part.units[file] for file in share if file in part.units}
    return (not part.result.ok, part.globals, units, part.files, part.facts)


def _finish(out: Build, reuse: bool) -> Build:
    """Every unit's findings into the result; a run that reused units and failed is
    made again from scratch (``fallback``)."""
    out.globals = list(out.result.diagnostics)
    for unit in out.units.values():
        out.result.extend(unit.loading)
        out.result.extend(unit.diagnostics)
    if reuse and not out.result.ok:
        out.fallback = True
    return out


def _load(out: Build, files: list[str], only: set[str] | None,
          reusable: dict[str, Unit]) -> tuple[list[Spec], dict[str, str]]:
    """Every spec: of an unchanged file from its facts in the cache (its document read
    when first needed), else read now; those of files outside ``only`` only indexed."""
    repo, cache = out.repo, out.cache
    specs: list[Spec] = []
    digests: dict[str, str] = {}
    documents_of = _reader()
    for path, placed in _places(repo, files):  # paths as strings: a Path costs ~15 us
        if placed is None:
            out.result.extend([Diagnostic(repo.shown(Path(path)), 1, 1, "RG045", "", "a spec "
                                          "file that is a symbolic link out of the "
                                          "repository: not read")])
            continue
        shown = placed
        digest = cache.digest(path, shown, limit=MAX_FILE_BYTES) if cache is not None else None
        if digest is not None:
            digests[shown] = digest
        facts = cache.facts.get(digest) if cache is not None and digest is not None else None
        old = reusable.get(shown)
        unchanged = old is not None and old.digest == digest
        if facts is not None and digest is not None and (
                unchanged or (only is not None and shown not in only)):
            specs.extend(Indexed(path, shown, f, documents_of) for f in facts)
            out.facts[digest] = facts
            if unchanged and old is not None:
                out.units[shown] = old
            continue
        unit = out.units[shown] = Unit(digest)
        out.fresh.add(shown)
        spec_path = Path(path)
        try:
            docs = documents_of(path, shown)
        except InvalidInput as exc:
            unit.loading.extend(exc.diagnostics)
            continue
        found: list[Facts] = []
        for doc in docs:
            if (facts_of_doc := facts_of(doc)) is not None:
                found.append(facts_of_doc)
            if only is not None and shown not in only:
                if envelope_ok(doc):
                    specs.append(Spec(doc, spec_path))
                continue
            unit.loading.extend(literal_secrets(doc))
            parsed = parse_document(doc, spec_path)
            if isinstance(parsed, Spec):
                specs.append(parsed)
            else:
                unit.loading.extend(parsed)
                if envelope_ok(doc):
                    specs.append(Spec(doc, spec_path, broken=True))
        if digest is not None:
            out.facts[digest] = found
    return specs, digests


def _todo(out: Build, index: SpecIndex, only: set[str] | None,
          reusable: dict[str, Unit]) -> set[str] | None:
    """The spec files to check and render this run (None: all of them).

    A reused file whose reads are not answered as they were then (a spec it
    looked up changed, or another now answers; a file it ships changed) is checked
    and rendered again, from its unchanged document."""
    if only is not None:
        return only
    if not reusable:
        return None
    todo = set(out.fresh)
    asked: dict[tuple[Any, ...], str | None] = {}  # one answer for each question
    for file, unit in list(out.units.items()):
        if file in todo:
            continue
        if any(_asked(index, asked, query) != answer for query, answer in unit.reads):
            todo.add(file)
            out.units[file] = Unit(unit.digest, unit.loading)
            out.fresh.add(file)
    return todo


def _asked(index: SpecIndex, asked: dict[tuple[Any, ...], str | None], query: Any) -> str | None:
    if not isinstance(query, list):
        return None
    key = tuple(query)
    if key not in asked:
        asked[key] = index.answer(query)
    return asked[key]


def _folder_clashes(specs: list[Spec], repo: Repo) -> list[Diagnostic]:
    """Each spec file renders into rendered/<its stem>/: a plain name, one file per folder."""
    out = []
    folders: dict[str, Spec] = {}
    for spec in specs:
        if not kinds.renders(spec.kind):
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
            out.append(_clash(spec, f"spec files {first.file} and {spec.file} both render "
                                    f"into {repo.settings.rendered}/{spec.app}/"))
    return out


def _serve_files(specs: list[Spec], repo: Repo) -> dict[str, str]:
    """Spec file -> the Serve config file it names (as shown), from the specs' facts."""
    out = {}
    for spec in specs:
        name = spec.facts[5]
        if isinstance(name, str):
            out[spec.file] = repo.shown((spec.path.parent / name).resolve())
    return out


def render_specs(out: Build, ctx: Context, schemas: OutputSchemas,
                 specs: list[Spec], keep: bool = True) -> Items:
    """The specs of one file through their kinds' renderers, each object through layers 4,
    5 and 7; ``keep=False`` lets each spec's model go once it is rendered (it is made
    again if another spec asks for it: 10 KB a spec)."""
    items: Items = []
    pools = ctx.settings.pools()
    for spec in specs:
        render = kinds.renderer(spec.kind)
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


def _emit(out: Build, items: Items, emit: bool, keep_objects: bool) -> None:
    """One spec file's objects as the files of its folder in rendered/."""
    first = items[0].spec
    assert first is not None, "spec files render objects of their specs"
    rendered = [item for item in items if isinstance(item, Rendered)]
    if keep_objects:
        out.objects.extend(rendered)
    files_of, clashes = base_files(first.app, items)
    owner = out.units[first.file]
    owner.outputs = {name: digest_bytes(text.encode()) for name, text in files_of.items()}
    owner.scaling = scaling(rendered)
    owner.diagnostics.extend(clashes)
    if emit:
        out.files.update(files_of)


def _add_delivery(out: Build, schemas: OutputSchemas, emit: bool, keep_objects: bool) -> None:
    """Argo CD and Flux, from what delivery needs of every spec file's clusters (those
    rendered now and those reused)."""
    clusters = [c for _, unit in sorted(out.units.items()) for c in unit.scaling]
    owners = {spec.app: spec for spec in out.specs if kinds.renders(spec.kind)}
    for app, delivered in delivery_apps(out.repo, clusters, schemas, out.result).items():
        owner = owners.get(app)
        if owner is not None:
            out.result.extend([_clash(owner, f"{app}/ is where ray-gitops.yaml's delivery "
                                             "renders: rename this spec file")])
        if keep_objects:
            out.objects.extend(delivered)
        files_of, clashes = base_files(app, list[Rendered | Generated](delivered))
        out.result.extend(clashes)
        if emit:
            out.files.update(files_of)


def delivery_apps(repo: Repo, clusters: list[Scaling], schemas: OutputSchemas,
                  result: Result) -> dict[str, list[Rendered]]:
    """Argo CD and Flux objects, one per overlay, from ray-gitops.yaml's `delivery`."""
    doc = repo.doc
    assert doc is not None, "delivery is read from ray-gitops.yaml"
    delivery = parse_delivery(repo.settings.delivery, doc)
    if isinstance(delivery, list):
        result.extend(delivery)
        return {}
    tools = {"argocd": delivery.argocd, "flux": delivery.flux}
    overlays: dict[str, OverlayInfo] = {}
    missing = False
    for tool, settings in tools.items():
        for env in (settings.environments if settings else {}):
            folder = repo.overlays_dir / env
            if not has_overlay(folder):
                missing = True
                result.extend([doc.diagnostic(
                    ("delivery", tool, "environments", env), "RG082",
                    f"no overlay {repo.settings.overlays}/{env}/{KUSTOMIZATION}", key=True)])
                continue
            overlays[env] = describe_overlay(repo.root, folder, repo.rendered_dir)
    if missing:
        return {}
    out: dict[str, list[Rendered]] = {}
    if delivery.argocd:
        out["argocd"] = render_argocd(delivery, overlays, clusters)
    if delivery.flux:
        out["flux"] = render_flux(delivery, overlays, clusters)
    for items in out.values():
        for item in items:
            result.extend(validate_generated(item, doc, schemas))
    return out


def _clash(spec: Spec, message: str) -> Diagnostic:
    return spec.doc.diagnostic(("metadata", "name"), "RG015", message)
