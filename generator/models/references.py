"""The index of specs: names unique per kind and namespace, and every reference resolved."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.diagnostics import Diagnostic, did_you_mean
from generator.errors import InvalidInput
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import REDIS_SPEC
from generator.kuberay.kueue import LATEST_KUEUE, KueueRelease, kueue_release
from generator.load.documents import Document, load_file
from generator.load.files import digest_bytes
from generator.load.secrets import secret_in
from generator.models.base import Ref
from generator.models.parse import Spec

MAX_CONFIGMAP_BYTES = 1 << 20  # the API server's limit for one object
LISTED = 10  # names listed in a "not found" message
MAX_HINTED = 2000  # did-you-mean looks among at most this many names (it is quadratic)
MAX_UNRESOLVED = 200  # "not found" errors in one run; the rest are counted
NEVER_COPIED = {".netrc", ".npmrc", ".pypirc", ".git-credentials", "credentials", "id_rsa",
                "id_dsa", "id_ecdsa", "id_ed25519", ".dockercfg", "kubeconfig"}
SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kubeconfig")


class SpecIndex:
    """Every spec of the repository by kind, namespace and name; files specs ship.

    While ``reader`` names a spec file, every question asked of the index and its
    answer are kept in ``reads[reader]``: what that file's specs depend on beyond
    themselves. ``answer`` asks a kept question again, so that a later run can
    tell whether what a file produced then still holds."""

    def __init__(self, specs: Iterable[Spec], root: Path | None = None,
                 digests: dict[str, str] | None = None,
                 file_digest: Callable[[Path], str | None] | None = None):
        self.specs = list(specs)
        self.root = root
        self.digests = digests if digests is not None else {}  # spec file -> digest
        self.file_digest = file_digest or _digest_of
        self.files: dict[tuple[Path, str], str] = {}  # (spec file, path as written) -> text
        self.serve_docs: dict[tuple[Path, str], Document] = {}
        self._by_key: dict[tuple[str, str | None, str], Spec] = {}
        self.duplicates: list[Diagnostic] = []
        self.reader: str | None = None
        self.ray_version: str | None = None  # the settings' rayVersion (a cluster's default)
        self.kueue: KueueRelease = kueue_release(LATEST_KUEUE)  # the settings' kueueVersion
        self.reads: dict[str, dict[tuple[Any, ...], str]] = {}
        # how the pipeline renders a spec into its KubeRay objects (set by the pipeline:
        # the renderers stand above the rules that ask); None renders nothing
        self.renderer: Callable[[Spec], list[dict[str, Any]]] | None = None
        for spec in self.specs:
            key = (spec.kind, spec.namespace, spec.name)
            first = self._by_key.setdefault(key, spec)
            if first is not spec:
                where = first.doc.pos(("metadata", "name"))
                self.duplicates.append(
                    spec.doc.diagnostic(
                        ("metadata", "name"), "RG015",
                        f"duplicate {spec.kind} {spec.name!r}: "
                        f"also defined at {first.doc.file}:{where.line}",
                    )
                )

    # -- what a spec file depends on ---------------------------------------------------------
    def _read(self, query: list[Any], answer: str) -> str:
        if self.reader is not None:
            self.reads.setdefault(self.reader, {})[tuple(query)] = answer
        return answer

    def _of(self, spec: Spec | None) -> str:
        return "-" if spec is None else f"{spec.file}@{self.digests.get(spec.file, '?')}"

    def answer(self, query: list[Any]) -> str | None:
        """A kept question asked again of this index (None: a question it cannot ask)."""
        try:
            what, args = query[0], query[1:]
            if what == "get":
                return self._of(self._get(*args))
            if what == "anywhere":
                return self._of(self._anywhere(*args))
            if what == "names":
                return _names_answer(self._names(*args))
            if what == "clusters":
                return json.dumps(self._clusters_using(*args))
            if what == "admitted":
                return json.dumps(self._admitted(*args))
            if what == "file":
                return self._file_answer(self._spec_path(args[0], Path(args[0])), args[1])
        except (ValueError, TypeError, IndexError, AttributeError, OSError):
            return None
        return None

    # -- questions ---------------------------------------------------------------------------
    def get(self, kind: str, name: str, namespace: str | None) -> Spec | None:
        """Same namespace first, then a spec with no namespace (one an overlay sets).

        ``kind`` may name several kinds, ``A|B``: the first found wins."""
        found = self._get(kind, name, namespace)
        self._read(["get", kind, name, namespace], self._of(found))
        return found

    def _get(self, kind: str, name: str, namespace: str | None) -> Spec | None:
        for one in kind.split("|"):
            found = self._by_key.get((one, namespace, name)) or self._by_key.get((one, None, name))
            if found is not None:
                return found
        return None

    def rendered(self, spec: Spec) -> list[dict[str, Any]] | None:
        """The objects ``spec`` renders, as the pipeline renders them; None when they cannot
        be made (no renderer here, or a reference of the spec does not resolve)."""
        if self.renderer is None or spec.broken:
            return None
        for ref in spec.model.references():
            if ref.kind == "File":
                found = (spec.path, ref.name) in self.files  # read when its spec was checked
            elif ref.kind == "ServeConfigFile":
                found = (spec.path, ref.name) in self.serve_docs
            else:
                found = self.get(ref.kind, ref.name, spec.namespace) is not None
            if not found:
                return None
        return self.renderer(spec)

    def anywhere(self, kind: str, name: str) -> Spec | None:
        """A spec of that kind and name in any namespace (to say where it is)."""
        found = self._anywhere(kind, name)
        self._read(["anywhere", kind, name], self._of(found))
        return found

    def _anywhere(self, kind: str, name: str) -> Spec | None:
        if not hasattr(self, "_by_name"):
            self._by_name: dict[tuple[str, str], Spec] = {}
            for spec in self.specs:
                self._by_name.setdefault((spec.kind, spec.name), spec)
        return next((found for one in kind.split("|")
                     if (found := self._by_name.get((one, name))) is not None), None)

    def file(self, spec: Spec, name: str) -> str:
        return self.files[(spec.path, name)]

    def serve_config(self, spec: Spec, name: str | None) -> Document:
        assert name is not None
        return self.serve_docs[(spec.path, name)]

    def clusters_using(self, redis: Spec) -> list[str]:
        """Names of the specs whose cluster bodies keep GCS state in ``redis``.

        Read from the documents' facts: a spec of another file need not be valid for its
        name to be admitted (its own file reports what is wrong with it)."""
        found = self._clusters_using(redis.name, redis.namespace)
        self._read(["clusters", redis.name, redis.namespace], json.dumps(found))
        return found

    def _clusters_using(self, name: str, namespace: str | None) -> list[str]:
        redis = self._by_key.get(("Redis", namespace, name))
        return sorted({spec.name for spec in self.specs
                       if spec.facts.redis == name and self._get("Redis", name, spec.namespace) is redis})

    def admitted(self, cluster: str) -> bool:
        """Whether a Redis spec's NetworkPolicy admits the cluster ``cluster`` by name
        (its ``allowedClusters``): then its pods carry the label that policy selects."""
        found = self._admitted(cluster)
        self._read(["admitted", cluster], json.dumps(found))
        return found

    def _admitted(self, cluster: str) -> bool:
        for redis in self.of_kind(REDIS_SPEC):
            model = None if redis.broken else redis.model
            if model is not None and cluster in (model.spec.allowed_clusters or ()):
                return True
        return False

    def of_kind(self, kind: str) -> Iterator[Spec]:
        return (spec for spec in self.specs if spec.kind == kind)

    def names(self, kind: str) -> list[str]:
        found = self._names(kind)
        self._read(["names", kind], _names_answer(found))
        return found

    def _names(self, kind: str) -> list[str]:
        return sorted({spec.name for one in kind.split("|") for spec in self.of_kind(one)})

    def read_file(self, spec: Spec, name: str, at: FieldPath) -> Path | Diagnostic:
        """A file a spec names, resolved (or what is wrong with it); what the spec's file
        read is the file's digest, taken before its bytes are."""
        self._read(["file", spec.file, name], self._file_answer(self._spec_path(spec.file, spec.path), name))
        return _resolved(self, spec, name, at)

    def _spec_path(self, file: str, fallback: Path) -> Path:
        return self.root.resolve() / file if self.root is not None else fallback

    def _file_answer(self, spec_path: Path, name: str) -> str:
        target = _target(self.root, spec_path, name)
        if target is None:
            return "!"
        size = target.stat().st_size
        if size > MAX_CONFIGMAP_BYTES:  # refused, never read
            return f"{target}@{size} bytes"
        return f"{target}@{self.file_digest(target)}"


def _names_answer(names: list[str]) -> str:
    return digest_bytes("\n".join(names).encode())


def _digest_of(path: Path) -> str | None:
    try:
        return digest_bytes(path.read_bytes()) if path.is_file() else None
    except OSError:
        return None


def _target(root: Path | None, spec_path: Path, name: str) -> Path | None:
    """Where a path a spec names leads, when that is a file inside the repository."""
    base = (root or spec_path.parent).resolve()
    target = (spec_path.parent / name).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


class Unresolved:
    """References not found in one run: the first MAX_UNRESOLVED are errors, the rest counted."""

    def __init__(self) -> None:
        self.count = 0

    def overflow(self, index: SpecIndex) -> list[Diagnostic]:
        if self.count <= MAX_UNRESOLVED:
            return []
        first = index.specs[0].doc
        return [Diagnostic(first.file, 1, 1, "RG014", "", f"{self.count - MAX_UNRESOLVED} more "
                           f"references not found (the first {MAX_UNRESOLVED} are listed)")]


def references_of(index: SpecIndex, spec: Spec, unresolved: Unresolved) -> list[Diagnostic]:
    """What is wrong with the references of one spec (none for a spec already broken)."""
    out: list[Diagnostic] = []
    references = None if spec.broken else getattr(spec.model, "references", None)
    if references is None:
        return out
    for ref in references():
        if ref.kind == "File":
            out.extend(_read_file(index, spec, ref))
        elif ref.kind == "ServeConfigFile":
            out.extend(_read_serve_config(index, spec, ref))
        elif (found := index.get(ref.kind, ref.name, spec.namespace)) is not None:
            if ref.kind != "ComputeTemplate" and found.namespace != spec.namespace:
                out.append(_across(spec, found, ref))
        elif (elsewhere := index.anywhere(ref.kind, ref.name)) is not None:
            out.append(_across(spec, elsewhere, ref))
        else:
            known = index.names(ref.kind)
            listing = ", ".join(known[:LISTED]) + (f", and {len(known) - LISTED} more"
                                                  if len(known) > LISTED else "") \
                if known else "none in the repository"
            if ref.path[-1:] == ("clusterSelector",):  # a cluster run outside the repository
                out.append(spec.doc.diagnostic(
                    ref.path, "RG014", f"{ref.kind} {ref.name!r} is not in the repository: the "
                    "job runs on a cluster ray-gitops does not render, and cannot check it fits",
                    severity="warning"))
                continue
            unresolved.count += 1
            if unresolved.count > MAX_UNRESOLVED:
                continue
            out.append(
                spec.doc.diagnostic(
                    ref.path, "RG014",
                    f"{ref.kind} {ref.name!r} not found (known: {listing})",
                    hint=did_you_mean(ref.name, known) if len(known) <= MAX_HINTED else "",
                )
            )
    return out


def _across(spec: Spec, found: Spec, ref: Ref) -> Diagnostic:
    """A Redis, a volume's claim or a selected cluster must live where the referrer does:
    in-cluster addresses and claims are namespace-relative, NetworkPolicies admit pods of
    their own namespace only."""
    def where(one: Spec) -> str:
        return f"namespace {one.namespace!r}" if one.namespace else "no namespace (the overlay's)"

    return spec.doc.diagnostic(
        ref.path, "RG085", f"{spec.kind} {spec.name!r} in {where(spec)} refers to {found.kind} "
        f"{found.name!r} in {where(found)} ({found.doc.file}): it would not be reachable there",
        hint="give both the same namespace, or none and let the overlay set it")


def _resolved(index: SpecIndex, spec: Spec, name: str, at: FieldPath) -> Path | Diagnostic:
    """A path a spec names: relative to the spec file, inside the repository, a file."""
    root = (index.root or spec.path.parent).resolve()
    target = (spec.path.parent / name).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        return spec.doc.diagnostic(at, "RG045", f"{name!r} is outside the repository")
    if not target.is_file():
        return spec.doc.diagnostic(at, "RG014", f"file {name!r} not found "
                                   f"(paths are relative to {spec.doc.file})")
    if _never_copied(target.relative_to(root)):
        return spec.doc.diagnostic(at, "RG045", f"{name!r} is never copied into "
                                   "rendered/: git internals, .env files and keys stay where they are")
    return target


def _never_copied(path: Path) -> bool:
    """Files that hold credentials by their nature, whatever their content."""
    name = path.name.lower()
    return (any(part.lower() == ".git" for part in path.parts) or name.startswith(".env")
            or name in NEVER_COPIED or name.endswith(SECRET_SUFFIXES))


def _read_serve_config(index: SpecIndex, spec: Spec, ref: Ref) -> list[Diagnostic]:
    """A Serve config kept in its own file, loaded with positions (the rules check it)."""
    target = index.read_file(spec, ref.name, ref.path)
    if isinstance(target, Diagnostic):
        return [target]
    shown = target.relative_to(index.root.resolve()).as_posix() if index.root else str(target)
    try:
        docs = load_file(target, shown)
    except InvalidInput as exc:
        return exc.diagnostics
    if len(docs) != 1:
        return [spec.doc.diagnostic(ref.path, "RG078",
                                    f"{ref.name!r} must hold one YAML document, not {len(docs)}")]
    index.serve_docs[(spec.path, ref.name)] = docs[0]
    return []


def _read_file(index: SpecIndex, spec: Spec, ref: Ref) -> list[Diagnostic]:
    """A file a spec ships (a ConfigMap's code): inside the repository, UTF-8, not too large."""
    target = index.read_file(spec, ref.name, ref.path)
    if isinstance(target, Diagnostic):
        return [target]
    if target.stat().st_size > MAX_CONFIGMAP_BYTES:  # before reading it
        return [spec.doc.diagnostic(ref.path, "RG004", f"{ref.name!r} is larger than a ConfigMap "
                                    f"can hold ({MAX_CONFIGMAP_BYTES} bytes)")]
    raw = target.read_bytes()
    if len(raw) > MAX_CONFIGMAP_BYTES:
        return [spec.doc.diagnostic(ref.path, "RG004", f"{ref.name!r} is larger than a ConfigMap "
                                    f"can hold ({MAX_CONFIGMAP_BYTES} bytes)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [spec.doc.diagnostic(ref.path, "RG005", f"{ref.name!r} is not UTF-8 text")]
    kind = secret_in(text)
    if kind:  # the file is copied verbatim into rendered/
        return [spec.doc.diagnostic(ref.path, "RG044", f"{ref.name!r} holds what looks like a "
                                    f"secret ({kind}): keep it in a Secret, not in git")]
    index.files[(spec.path, ref.name)] = text
    return []
