"""The first stage: every spec file found, read (or known from the cache by its facts),
and parsed into specs; a file outside ``only`` is indexed, not validated."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from generator.diagnostics import Diagnostic
from generator.errors import InvalidInput
from generator.load.documents import MAX_FILE_BYTES, Document, load_file
from generator.load.secrets import literal_secrets
from generator.models.parse import Facts, Indexed, Spec, envelope_ok, facts_of, parse_document
from generator.pipeline.records import Build, Unit
from generator.project.repo import Repo

Reader = Callable[[str, str], list[Document]]


def spec_files(repo: Repo, extra: tuple[Path, ...]) -> list[str]:
    """specs/'s files, then those named on the command line unless listed already."""
    files = repo.spec_paths()
    if extra:
        known = set(files)
        files += [str(p) for p in extra if os.path.abspath(p) not in known
                  and os.path.realpath(p) not in known]
    return files


def reader() -> Reader:
    """``load_file`` that reads each spec file once, however many of its specs ask."""
    documents: dict[str, list[Document]] = {}

    def documents_of(path: str, shown: str) -> list[Document]:
        if path not in documents:
            documents[path] = load_file(Path(path), shown)
        return documents[path]

    return documents_of


def places(repo: Repo, files: list[str]) -> list[tuple[str, str | None]]:
    """Each spec file and its name as shown (None: a symbolic link out of the repository)."""
    root = f"{repo.root.resolve()}{os.sep}"
    specs_dir = f"{repo.specs_dir.absolute()}{os.sep}"
    real_specs = f"{repo.specs_dir.resolve()}{os.sep}"
    out: list[tuple[str, str | None]] = []
    for path in files:  # paths as strings: a Path costs ~15 us
        text = os.path.abspath(path)
        inside = text.startswith(specs_dir)
        # spec files are listed below specs/, whose symbolic links to folders are not
        # followed: only the file itself may be a link
        real = (real_specs + text[len(specs_dir):] if inside and not os.path.islink(text)
                else os.path.realpath(text))
        shown = real[len(root):].replace(os.sep, "/") if real.startswith(root) else str(path)
        out.append((path, None if inside and not real.startswith(root) else shown))
    return out


def load_specs(out: Build, files: list[str], only: frozenset[str] | None,
               reusable: dict[str, Unit]) -> tuple[list[Spec], dict[str, str]]:
    """Every spec: of an unchanged file from its facts in the cache (its document read
    when first needed), else read now; those of files outside ``only`` only indexed.
    Returns the specs and each file's digest (as shown -> digest)."""
    specs: list[Spec] = []
    digests: dict[str, str] = {}
    documents_of = reader()
    for path, shown in places(out.repo, files):
        if shown is None:
            out.result.extend([Diagnostic(out.repo.shown(Path(path)), 1, 1, "RG045", "",
                                          "a spec file that is a symbolic link out of the "
                                          "repository: not read")])
            continue
        digest = (out.cache.digest(path, shown, limit=MAX_FILE_BYTES)
                  if out.cache is not None else None)
        if digest is not None:
            digests[shown] = digest
        known = _indexed(out, path, shown, digest, only, reusable, documents_of)
        if known is not None:
            specs.extend(known)
        else:
            specs.extend(_read(out, path, shown, digest, only, documents_of))
    return specs, digests


def _indexed(out: Build, path: str, shown: str, digest: str | None,
             only: frozenset[str] | None, reusable: dict[str, Unit],
             documents_of: Reader) -> list[Spec] | None:
    """The specs of a file the cache knows, from their facts; None: read the file."""
    facts = _cached_facts(out, digest)
    old = reusable.get(shown)
    unchanged = old is not None and old.digest == digest
    if facts is None or digest is None or not (unchanged or (only is not None and shown not in only)):
        return None
    out.facts[digest] = facts
    if unchanged and old is not None:
        out.units[shown] = old
    return [Indexed(path, shown, f, documents_of) for f in facts]


def _cached_facts(out: Build, digest: str | None) -> list[Facts] | None:
    saved = out.cache.facts.get(digest) if out.cache is not None and digest is not None else None
    if not isinstance(saved, list):
        return None
    facts = [Facts.read(f) for f in saved]
    return None if any(f is None for f in facts) else facts  # type: ignore[return-value]


def _read(out: Build, path: str, shown: str, digest: str | None,
          only: frozenset[str] | None, documents_of: Reader) -> list[Spec]:
    """A file read now: its specs, parsed unless outside ``only`` (then indexed)."""
    unit = out.units[shown] = Unit(digest)
    out.fresh.add(shown)
    try:
        docs = documents_of(path, shown)
    except InvalidInput as exc:
        unit.loading.extend(exc.diagnostics)
        return []
    spec_path = Path(path)
    specs: list[Spec] = []
    found: list[Facts] = []
    for doc in docs:
        if (facts := facts_of(doc)) is not None:
            found.append(facts)
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
    return specs


def serve_files(specs: list[Spec], repo: Repo) -> dict[str, str]:
    """Spec file -> the Serve config file it names (as shown), from the specs' facts."""
    out = {}
    for spec in specs:
        name = spec.facts.serve_file
        if name is not None:
            out[spec.file] = repo.shown((spec.path.parent / name).resolve())
    return out
