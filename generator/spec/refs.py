"""Layer 3: names unique per kind and namespace, and every reference resolved."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import Diagnostic
from .parse import Spec, did_you_mean


class SpecIndex:
    """Every spec of the repository by kind, namespace and name."""

    def __init__(self, specs: Iterable[Spec]):
        self.specs = list(specs)
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
        """Same namespace first, then a spec with no namespace (one an overlay sets)."""
        return self._by_key.get((kind, namespace, name)) or self._by_key.get((kind, None, name))

    def of_kind(self, kind: str) -> Iterator[Spec]:
        return (spec for spec in self.specs if spec.kind == kind)

    def names(self, kind: str) -> list[str]:
        return sorted({spec.name for spec in self.of_kind(kind)})


def check_references(index: SpecIndex) -> list[Diagnostic]:
    out = list(index.duplicates)
    for spec in index.specs:
        references = getattr(spec.model, "references", None)
        if references is None:
            continue
        for ref in references():
            if index.get(ref.kind, ref.name, spec.namespace) is None:
                known = index.names(ref.kind)
                listing = ", ".join(known) if known else "none in the repository"
                out.append(
                    spec.doc.diagnostic(
                        ref.path, "RG014",
                        f"{ref.kind} {ref.name!r} not found (known: {listing})",
                        hint=did_you_mean(ref.name, known),
                    )
                )
    return out
