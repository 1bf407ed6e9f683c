"""The pipeline: spec files -> specs -> references -> rules -> rendered, validated objects
-> the files of rendered/, in stages:

- ``load``: every spec file read or known from the cache, and parsed;
- ``reuse``: which spec files' results the cache still holds;
- ``parallel``: a cold run of a large repository in several processes;
- ``check``: references, then every rule;
- ``render``: each spec file's objects, validated, as the files of its folder;
- ``delivery``: Argo CD and Flux, one per overlay.

Nothing here writes to disk or prints; commands decide what to do with a Build.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from generator.kuberay.kueue import kueue_release
from generator.load.secrets import literal_secrets
from generator.models.parse import Spec
from generator.models.references import SpecIndex
from generator.pipeline import check, load, parallel, render, reuse
from generator.pipeline.cache import Cache
from generator.pipeline.records import Build, Options, Unit, settings_key
from generator.project.repo import Repo
from generator.render.base import Context
from generator.schemas.outputs import OutputSchemas

__all__ = ["Build", "Options", "build", "run"]


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
    (see ``parallel``). ``redo`` names spec files not to reuse.
    """
    options = Options(tuple(extra), emit, None if only is None else frozenset(only), cache,
                      reuse and only is None, objects, jobs, frozenset(redo))
    out = run(repo, options)
    if out.fallback:
        out = run(repo, options.without_reuse())
    return out


def run(repo: Repo, options: Options) -> Build:
    """One run of every stage."""
    out = Build(repo, cache=options.cache, settings_key=settings_key(repo),
                partial=options.only is not None)
    if repo.doc is not None:  # ray-gitops.yaml reaches rendered/ too (delivery's repoURL)
        out.result.extend(literal_secrets(repo.doc))
    files = load.spec_files(repo, options.extra)
    reusable = reuse.reusable(options.cache, out.settings_key, options.redo) if options.reuse else {}
    if parallel.pays(options, files, reusable) and parallel.in_parallel(out, files, options, run):
        if _delivers(repo) and out.result.ok:
            _deliver(out, OutputSchemas(repo.settings.kubernetes_version, repo.settings.target),
                     options)
        return out.finish(False)
    index, selected = _index(out, files, options, reusable)
    ctx = Context(repo.settings, index)
    index.renderer = render.objects_of(ctx)
    if not check.resolve(out, index, selected) or not check.check(out, index, selected):
        return out.finish(options.reuse)  # rendering needs every spec valid, every reference found
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
    render.render_selected(out, ctx, schemas, selected, options)
    reuse.record_reads(out, index)
    if _delivers(repo) and not out.failed and options.only is None:
        _deliver(out, schemas, options)
    return out.finish(options.reuse)


def _delivers(repo: Repo) -> bool:
    """Whether ray-gitops.yaml renders delivery objects or admission policies."""
    settings = repo.settings
    return settings.delivery is not None or settings.admission is not None or any(
        env.admission is not None for env in settings.environments.values())


def _deliver(out: Build, schemas: OutputSchemas, options: Options) -> None:
    """The delivery stage, imported by the runs that have one (Argo CD's and Flux's
    renderers and kustomize's adapter cost a hook on one spec file ~25 ms)."""
    from generator.pipeline import delivery

    delivery.add_delivery(out, schemas, options)


def _index(out: Build, files: list[str], options: Options,
           reusable: dict[str, Unit]) -> tuple[SpecIndex, list[Spec]]:
    """Every spec read and indexed; the specs to check and render this run."""
    repo, cache, only = out.repo, options.cache, options.only
    specs, digests = load.load_specs(out, files, only, reusable)
    # Serve configs kept in their own files (serveConfigFile) may sit among the
    # specs; they are read by the RayService that names them, not as specs.
    served = load.serve_files(specs, repo)
    if only is not None:  # a changed Serve config is checked through its RayService
        owners = {spec for spec, file in served.items() if file in only}
        if owners - set(out.units):  # indexed from the cache only: read it, to check it
            return _index(out, files, replace(options, only=only | owners), reusable)
        only = only | owners
    out.specs = [s for s in specs if s.file not in served.values()]
    for file in served.values():
        out.units.pop(file, None)
        out.fresh.discard(file)
    index = SpecIndex(out.specs, repo.root, digests,
                      (lambda p: cache.digest(p, repo.shown(p))) if cache is not None else None)
    index.ray_version = repo.settings.ray_version
    index.kueue = kueue_release(repo.settings.kueue_version)
    todo = reuse.todo(out, index, only, reusable)
    out.result.extend(index.duplicates)
    out.result.extend(check.folder_clashes(out.specs, repo))
    return index, [s for s in out.specs if todo is None or s.file in todo]
