"""A cold run in several processes: each forked process runs the pipeline over every spec
file with ``only`` its share (it indexes the others, checks and renders its own), and
sends back what each of its files made; delivery is then rendered here, from the units.

Nothing is shared through module state: each process gets its run, repository and
options as the arguments of its target (a forked child has them as they were)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from generator.diagnostics import Diagnostic, Result
from generator.models.parse import Facts, Indexed
from generator.pipeline.load import places, reader
from generator.pipeline.records import Build, Options, Unit
from generator.project.repo import Repo

PARALLEL_FROM = 200  # spec files to check and render before more processes pay off

Run = Callable[[Repo, Options], Build]
Share = tuple[bool, list[Diagnostic], dict[str, Unit], dict[str, str], dict[str, list[Facts]]]


def pays(options: Options, files: list[str], reusable: dict[str, Unit]) -> bool:
    """A cold run of a whole, large repository whose objects are not kept."""
    return (options.jobs > 1 and options.only is None and not reusable
            and not options.keep_objects and len(files) >= PARALLEL_FROM)


def in_parallel(out: Build, files: list[str], options: Options, run: Run) -> bool:
    """Every spec file checked and rendered in ``options.jobs`` processes, into ``out``;
    False (``out`` untouched) when that cannot be, or when any of them finds an error:
    the run is then made in one process, so that errors are always those of one."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return False
    shown = {name: path for path, name in places(out.repo, files) if name is not None}
    names = sorted(shown)
    jobs = options.jobs
    shares = [replace(options, only=frozenset(names[i::jobs]), reuse=False, jobs=1,
                      keep_objects=False, redo=frozenset()) for i in range(jobs)]
    found = _run_shares(context, run, out.repo, shares)
    if found is None:
        return False
    out.result = Result(list(found[0][1]))  # what is found across files: the same in each
    for _, _, units, files_of, facts in found:
        out.units.update(units)
        out.files.update(files_of)
        out.facts.update(facts)
    out.fresh = set(out.units)
    documents_of = reader()
    out.specs = [Indexed(shown[file], file, f, documents_of)
                 for file in names if file in out.units
                 for f in out.facts.get(out.units[file].digest or "", [])]
    return True


def _run_shares(context: Any, run: Run, repo: Repo, shares: list[Options]) -> list[Share] | None:
    """Each share in a forked process; None when one failed, found an error or died."""
    started = []
    for share in shares:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_share, args=(run, repo, share, send))
        process.start()
        send.close()
        started.append((process, receive))
    found: list[Share | None] = []
    for process, receive in started:
        try:
            found.append(receive.recv())
        except EOFError:  # the process died before it sent anything
            found.append(None)
        receive.close()
        process.join()
    if any(share is None or share[0] for share in found):
        return None
    return found  # type: ignore[return-value]


def _share(run: Run, repo: Repo, options: Options, send: Connection) -> None:
    """One process's share: its files' units, files and facts, and whether it failed."""
    assert options.only is not None, "a share is a set of spec files"
    try:
        part = run(repo, options)
        units = {file: part.units[file] for file in options.only if file in part.units}
        send.send((not part.result.ok, part.globals, units, part.files, part.facts))
    except Exception:  # noqa: BLE001  the run in one process that follows says what it is
        send.send((True, [], {}, {}, {}))
    finally:
        send.close()
