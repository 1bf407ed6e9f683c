"""Spec documents -> immutable models, with every error at ``file:line:col``."""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from generator.diagnostics import Diagnostic, did_you_mean
from generator.errors import InvalidInput
from generator.fieldpath import FieldPath
from generator.kuberay.kinds import SPEC_API_VERSION, SPEC_NAMES, cluster_body
from generator.load.documents import Document
from generator.models.base import Strict
from generator.models.kinds import model_class
from generator.models.written import written_as


@dataclass(eq=False)
class Spec:
    """One spec document and where it came from; validated now, or when first used.

    Specs of files a command does not look at (a pre-commit hook on one file)
    are validated only if a spec it looks at refers to them."""

    doc: Document
    path: Path  # the spec file
    _model: Any = None  # one of the kinds' models
    # invalid, and reported as such: indexed by name all the same, so that what refers to
    # it gets no second, misleading "not found"
    broken: bool = False

    @property
    def model(self) -> Any:
        if self._model is None:
            parsed = parse_document(self.doc, self.path)
            if isinstance(parsed, list):
                raise InvalidInput(parsed)
            self._model = parsed._model
        return self._model

    def forget(self) -> None:
        """Let the model go (memory); ``model`` makes it again from the document."""
        if not self.broken:
            self._model = None

    @property
    def file(self) -> str:
        """The spec file, as shown to users."""
        return self.doc.file

    @property
    def kind(self) -> str:
        return str(self.doc.data["kind"])

    @property
    def name(self) -> str:
        return str(self.doc.data["metadata"]["name"])

    @property
    def namespace(self) -> str | None:
        namespace = self.doc.data["metadata"].get("namespace")
        return namespace if isinstance(namespace, str) else None

    @property
    def app(self) -> str:
        """The app a spec belongs to: its file's stem, the rendered folder's name."""
        return self.path.stem

    @property
    def facts(self) -> Facts:
        return facts_of(self.doc)  # type: ignore[return-value]  # indexed specs have facts


class Facts(NamedTuple):
    """What the index of a repository knows of a spec without reading its file again
    (kept in the cache as a JSON list, in this order)."""

    position: int  # the document's place in its file
    kind: str
    namespace: str | None
    name: str
    redis: str | None  # the Redis its cluster keeps GCS state in
    serve_file: str | None  # the Serve config file it names

    @classmethod
    def read(cls, saved: Any) -> Facts | None:
        """Facts from their cached form, or None when that is not their shape."""
        if not isinstance(saved, list) or len(saved) != len(cls._fields):
            return None
        index, kind, namespace, name, redis, serve = saved
        texts = (namespace, redis, serve)
        if not (isinstance(index, int) and isinstance(kind, str) and isinstance(name, str)
                and all(t is None or isinstance(t, str) for t in texts)):
            return None
        return cls(index, kind, namespace, name, redis, serve)


def facts_of(doc: Document) -> Facts | None:
    """A document's facts, or None when it is not one the index keeps."""
    if not envelope_ok(doc):
        return None
    data = doc.data
    kind = data["kind"]
    namespace = data["metadata"].get("namespace")
    body = cluster_body(kind, data)
    ft = body.get("faultTolerance") if body is not None else None
    redis = ft.get("redis") if isinstance(ft, dict) else None
    spec = data.get("spec")
    serve = spec.get("serveConfigFile") if isinstance(spec, dict) else None
    return Facts(doc.index, kind, namespace if isinstance(namespace, str) else None,
                 data["metadata"]["name"], redis if isinstance(redis, str) else None,
                 serve if isinstance(serve, str) else None)


class Indexed(Spec):
    """A spec known by its facts (from the cache) whose file has not changed: its
    document is read the first time something needs more than its facts."""

    def __init__(self, path: str, file: str, facts: Facts,
                 load: Callable[[str, str], list[Document]]):
        self._path = path
        self._file = file
        self._facts = facts
        self._load = load
        self._doc: Document | None = None
        self._model = None
        self.broken = False

    @property
    def doc(self) -> Document:
        if self._doc is None:
            found = [d for d in self._load(self._path, self._file) if d.index == self._facts.position]
            if not found or facts_of(found[0]) != self._facts:
                raise InvalidInput.at(self._file, 1, 1, "RG004", "the file changed while "
                                      "ray-gitops read it: run again")
            self._doc = found[0]
        return self._doc

    @doc.setter
    def doc(self, value: Document) -> None:
        self._doc = value

    @property
    def path(self) -> Path:
        return Path(self._path)

    @path.setter
    def path(self, value: Path) -> None:
        self._path = str(value)

    @property
    def app(self) -> str:
        """``Path(path).stem``, without making a Path."""
        name = os.path.basename(self._path)
        dot = name.rfind(".")
        return name[:dot] if 0 < dot < len(name) - 1 else name

    @property
    def file(self) -> str:
        return self._file

    @property
    def kind(self) -> str:
        return self._facts.kind

    @property
    def namespace(self) -> str | None:
        return self._facts.namespace

    @property
    def name(self) -> str:
        return self._facts.name

    @property
    def facts(self) -> Facts:
        return self._facts


def envelope_ok(doc: Document) -> bool:
    """A document that names a known kind and a name: enough to index it unvalidated."""
    data = doc.data
    if not isinstance(data, dict) or data.get("apiVersion") != SPEC_API_VERSION:
        return False
    metadata = data.get("metadata")
    return (data.get("kind") in SPEC_NAMES and isinstance(metadata, dict)
            and isinstance(metadata.get("name"), str))


def parse_document(doc: Document, path: Path) -> Spec | list[Diagnostic]:
    data = doc.data
    if not isinstance(data, dict):
        return [doc.diagnostic((), "RG006", "a spec document must be a mapping")]
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    if isinstance(api_version, str) and api_version.split("/")[0].endswith("ray.io"):
        return [
            doc.diagnostic(
                ("apiVersion",), "RG007",
                f"this is a KubeRay manifest ({api_version} {kind}), not a ray-gitops spec; "
                "convert it with `ray-gitops import` or keep it outside specs/",
            )
        ]
    if api_version != SPEC_API_VERSION:
        return [
            doc.diagnostic(
                ("apiVersion",), "RG008", f"expected apiVersion {SPEC_API_VERSION!r}, got {api_version!r}"
            )
        ]
    if kind not in SPEC_NAMES:
        return [
            doc.diagnostic(
                ("kind",), "RG008",
                f"unknown kind {kind!r}; expected one of {', '.join(SPEC_NAMES)}",
                hint=did_you_mean(str(kind), SPEC_NAMES),
            )
        ]
    model_cls = model_class(kind)
    try:
        model = model_cls.model_validate(data)
    except ValidationError as exc:
        return errors_to_diagnostics(exc, doc, model_cls)
    lost = written_as(doc, model)
    return lost if lost else Spec(doc, path, model)


def parse_model(doc: Document, model_cls: type[Strict]) -> Any | list[Diagnostic]:
    """Validate a whole document against one model (used for ray-gitops.yaml)."""
    if not isinstance(doc.data, dict):
        return [doc.diagnostic((), "RG006", "expected a mapping")]
    try:
        return model_cls.model_validate(doc.data)
    except ValidationError as exc:
        return errors_to_diagnostics(exc, doc, model_cls)


def errors_to_diagnostics(
    exc: ValidationError, doc: Document, model_cls: type[BaseModel], base: FieldPath = ()
) -> list[Diagnostic]:
    out = []
    for error in exc.errors(include_url=False):
        path = (*base, *_data_path(doc.data, error["loc"], base))
        kind = error["type"]
        if kind == "extra_forbidden":
            name = path[-1]
            allowed = _fields_at(model_cls, path[len(base):-1])
            out.append(
                doc.diagnostic(
                    path, "RG009", f"unknown field {name!r}", key=True,
                    hint=did_you_mean(str(name), allowed),
                )
            )
        elif kind == "missing":
            out.append(doc.diagnostic(path, "RG010", "required field is missing"))
        elif kind == "string_type" and isinstance(error.get("input"), bool | int | float):
            out.append(doc.diagnostic(path, "RG010", _unquoted(doc, path, error["input"])))
        else:
            code = kind if kind.startswith("RG") else "RG010"
            out.append(doc.diagnostic(path, code, _message(error)))
    return out


def _unquoted(doc: Document, path: FieldPath, value: bool | int | float) -> str:
    """A number or boolean where a string is expected: YAML typed it (kuberayVersion: 1.10
    is the number 1.1); the quotes that keep it as written."""
    read = str(value).lower() if isinstance(value, bool) else repr(value)
    text = doc.written.get(tuple(path), read)
    return (f"{text} is read as a {'boolean' if isinstance(value, bool) else 'number'} "
            f"({read}), not as text: write it in quotes, '{text}'")


def _message(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] in ("literal_error", "enum") or error["type"].startswith("RG"):
        return message
    value = error.get("input")
    if isinstance(value, dict | list):
        return message
    return f"{message} (got {value!r})"


def _data_path(data: Any, loc: tuple[Any, ...], base: FieldPath) -> FieldPath:
    """Keep the parts of a pydantic location that are keys of the data.

    pydantic adds the tags of union members and validators to a location;
    they are not in the document, so a walk over the data drops them.
    """
    node = data
    for part in base:
        node = _child(node, part)[1]
    out: list[str | int] = []
    for part in loc:
        found, child = _child(node, part)
        if found:
            node = child
            out.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and _looks_like_field(part):
            # a missing or unknown key: it ends the path
            out.append(part)
            node = None
    return tuple(out)


def _child(node: Any, part: Any) -> tuple[bool, Any]:
    if isinstance(node, dict) and part in node:
        return True, node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return True, node[part]
    return False, None


def _looks_like_field(part: str) -> bool:
    # union tags look like type names (str, EnvSource, function-after[...])
    return part[:1].islower() and "[" not in part and part not in ("str", "int", "float", "bool")


def _fields_at(model_cls: Any, path: FieldPath) -> list[str]:
    """The keys allowed at ``path`` below ``model_cls`` (for did-you-mean hints)."""
    tp: Any = model_cls
    for part in path:
        tp = _step(tp, part)
        if tp is None:
            return []
    model = _model_in(tp)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _step(tp: Any, part: str | int) -> Any:
    tp = _strip(tp)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        for arg in get_args(tp):
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if origin is list and isinstance(part, int):
        return get_args(tp)[0]
    if origin is dict and isinstance(part, str):
        return get_args(tp)[1]
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str):
        for name, field in tp.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
    return None


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _model_in(tp: Any) -> type[BaseModel] | None:
    tp = _strip(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if get_origin(tp) in (Union, types.UnionType):
        for arg in get_args(tp):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
