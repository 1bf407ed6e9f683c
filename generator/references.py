"""Layer 3: names unique per kind and namespace, and every reference resolved."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from generator.diagnostics import Diagnostic, did_you_mean
from generator.errors import InvalidInput
from generator.kinds import cluster_body
from generator.load.documents import Document, load_file
from generator.models.base import Ref
from generator.models.parse import Spec
from generator.secrets import secret_in

MAX_CONFIGMAP_BYTES = 1 << 20  # the API server's limit for one object
LISTED = 10  # names listed in a "not found" message
MAX_HINTED = 2000  # did-you-mean looks among at most this many names (it is quadratic)
MAX_UNRESOLVED = 200  # "not found" errors in one run; the rest are counted
NEVER_COPIED = {".netrc", ".npmrc", ".pypirc", ".git-credentials", "credentials", "id_rsa",
                "id_dsa", "id_ecdsa", "id_ed25519", ".dockercfg", "kubeconfig"}
SECRET_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".jks", ".keystore", ".kubeconfig")


class SpecIndex:
    """Every spec of the repository by kind, namespace and name; files specs ship."""

    def __init__(self, specs: Iterable[Spec], root: Path | None = None):
        self.specs = list(specs)
        self.root = root
        self.files: dict[tuple[Path, str], str] = {}  # (spec file, path as written) -> text
        self.serve_docs: dict[tuple[Path, str], Document] = {}
        self._by_key: dict[tuple[str, str | None, str], Spec] = {}
        self.duplicates: list[Diagnostic] = []
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

    def get(self, kind: str, name: str, namespace: str | None) -> Spec | None:
        """Same namespace first, then a spec with no namespace (one an overlay sets).

        ``kind`` may name several kinds, ``A|B``: the first found wins."""
        for one in kind.split("|"):
            found = self._by_key.get((one, namespace, name)) or self._by_key.get((one, None, name))
            if found is not None:
                return found
        return None

    def anywhere(self, kind: str, name: str) -> Spec | None:
        """A spec of that kind and name in any namespace (to say where it is)."""
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

        Read from the documents: a spec of another file need not be valid for its
        name to be admitted (its own file reports what is wrong with it)."""
        out = []
        for spec in self.specs:
            body = cluster_body(spec.kind, spec.doc.data)
            ft = body.get("faultTolerance") if body is not None else None
            name = ft.get("redis") if isinstance(ft, dict) else None
            if name == redis.name and self.get("Redis", name, spec.namespace) is redis:
                out.append(spec.name)
        return sorted(set(out))

    def of_kind(self, kind: str) -> Iterator[Spec]:
        return (spec for spec in self.specs if spec.kind == kind)

    def names(self, kind: str) -> list[str]:
        return sorted({spec.name for one in kind.split("|") for spec in self.of_kind(one)})


def check_references(index: SpecIndex, only: set[str] | None = None) -> list[Diagnostic]:
    """Duplicates anywhere; references of the specs in ``only`` (files), or of all."""
    out = list(index.duplicates)
    missing = 0
    for spec in index.specs:
        if spec.broken or (only is not None and spec.doc.file not in only):
            continue
        references = getattr(spec.model, "references", None)
        if references is None:
            continue
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
                missing += 1
                if missing > MAX_UNRESOLVED:
                    continue
                out.append(
                    spec.doc.diagnostic(
                        ref.path, "RG014",
                        f"{ref.kind} {ref.name!r} not found (known: {listing})",
                        hint=did_you_mean(ref.name, known) if len(known) <= MAX_HINTED else "",
                    )
                )
    if missing > MAX_UNRESOLVED:
        first = index.specs[0].doc
        out.append(Diagnostic(first.file, 1, 1, "RG014", "", f"{missing - MAX_UNRESOLVED} more "
                              f"references not found (the first {MAX_UNRESOLVED} are listed)"))
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


def _resolve(index: SpecIndex, spec: Spec, ref: Ref) -> Path | Diagnostic:
    """A path a spec names: relative to the spec file, inside the repository, a file."""
    root = (index.root or spec.path.parent).resolve()
    target = (spec.path.parent / ref.name).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        return spec.doc.diagnostic(ref.path, "RG045", f"{ref.name!r} is outside the repository")
    if not target.is_file():
        return spec.doc.diagnostic(ref.path, "RG014", f"file {ref.name!r} not found "
                                   f"(paths are relative to {spec.doc.file})")
    if _never_copied(target.relative_to(root)):
        return spec.doc.diagnostic(ref.path, "RG045", f"{ref.name!r} is never copied into "
                                   "rendered/: git internals, .env files and keys stay where they are")
    return target


def _never_copied(path: Path) -> bool:
    """Files that hold credentials by their nature, whatever their content."""
    name = path.name.lower()
    return (any(part.lower() == ".git" for part in path.parts) or name.startswith(".env")
            or name in NEVER_COPIED or name.endswith(SECRET_SUFFIXES))


def _read_serve_config(index: SpecIndex, spec: Spec, ref: Ref) -> list[Diagnostic]:
    """A Serve config kept in its own file, loaded with positions (the rules check it)."""
    target = _resolve(index, spec, ref)
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
    target = _resolve(index, spec, ref)
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
