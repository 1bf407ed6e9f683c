"""What a renderer returns, and how a rendered field leads back to its spec line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.fieldpath import FieldPath
from generator.kuberay.kinds import COMPUTE_TEMPLATE
from generator.load.documents import Document
from generator.models.parse import Spec
from generator.models.references import SpecIndex
from generator.models.settings import Settings


@dataclass
class Origins:
    """Rendered path prefix -> the spec path it was built from.

    A rendered field found by a rule or a schema is reported at the spec line
    of its longest mapped prefix. With ``keep`` the rest of the rendered path
    is appended (the names agree below that point); without it the spec path
    stands for everything below (a pod template built from a group).
    """

    entries: dict[FieldPath, tuple[FieldPath, bool]] = field(default_factory=dict)
    # rendered prefix -> the document of another file whose root it holds (a Serve config file)
    documents: dict[FieldPath, Document] = field(default_factory=dict)

    def add(self, rendered: FieldPath, spec: FieldPath, *, keep: bool = True) -> None:
        self.entries[tuple(rendered)] = (tuple(spec), keep)

    def elsewhere(self, rendered: FieldPath) -> tuple[Document, FieldPath] | None:
        """The other file's document, and the path in it, when ``rendered`` is below a
        prefix that holds a whole document of another file."""
        for cut in range(len(rendered), 0, -1):
            doc = self.documents.get(tuple(rendered[:cut]))
            if doc is not None:
                return doc, tuple(rendered[cut:])
        return None

    def locate(self, rendered: FieldPath) -> FieldPath:
        for cut in range(len(rendered), -1, -1):
            found = self.entries.get(tuple(rendered[:cut]))
            if found is not None:
                spec, keep = found
                return (*spec, *rendered[cut:]) if keep else spec
        return ()


@dataclass
class Rendered:
    """One object of a rendered base, with the spec it came from."""

    obj: dict[str, Any]
    spec: Spec | None
    origins: Origins = field(default_factory=Origins)
    source: str = ""  # the file it came from, when not from a spec (ray-gitops.yaml)

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    @property
    def filename(self) -> str:
        return f"{self.kind.lower()}-{self.name}.yaml"


@dataclass
class Generated:
    """A ConfigMap that kustomize generates from files copied into the base.

    kustomize adds a hash of the content to its name and rewrites the references
    in the Ray objects, so changed code rolls the pods (with upgradeStrategy Recreate).
    """

    name: str
    files: dict[str, str]  # key -> content
    labels: dict[str, str]
    annotations: dict[str, str]
    spec: Spec


@dataclass(frozen=True)
class Context:
    settings: Settings
    index: SpecIndex

    def compute_template(self, name: str, namespace: str | None) -> Any:
        found = self.index.get(COMPUTE_TEMPLATE, name, namespace)
        assert found is not None, "references are checked before rendering"
        return found.model.spec


def metadata(name: str, namespace: str | None, labels: dict[str, str],
             annotations: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name}
    if namespace:
        out["namespace"] = namespace
    out["labels"] = labels
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out
