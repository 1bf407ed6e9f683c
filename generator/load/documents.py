"""YAML documents with a position for every key and value, within limits.

ruamel.yaml composes the node graph (with its libyaml-based C parser when
ruamel.yaml.clib is installed: ~0.4 ms for a 30-line spec, against ~5 ms for
the round-trip loader). We build plain dicts and lists from the nodes and keep
the positions beside them, keyed by path, so that pydantic validates plain data
fast and every error can still be pointed at ``file:line:col``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from generator.diagnostics import Diagnostic, Finding
from generator.errors import InvalidInput
from generator.fieldpath import FieldPath, dotted
from generator.load.limits import MAX_DEPTH, MAX_NODES, check_text
from generator.load.scalars import same_number, scalar_string

MAX_FILE_BYTES = 1 << 20  # 1 MiB: far above any real spec, far below trouble
MAX_DOCUMENTS = 1000  # per file
MAX_BLOCK = 256 * 1024  # YAML in a block scalar read again for positions: up to this size

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_OCTAL = re.compile(r"^[-+]?0(o[0-7]+|[0-7]+)$")
# go-yaml's YAML 1.1 booleans, which a YAML 1.2 reader takes for strings
_YAML11_BOOLS = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
                 **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False)}
MODE_KEYS = ("mode", "defaultMode")  # permission bits, octal in specs too


@dataclass(frozen=True, order=True)
class Pos:
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class Document:
    """One YAML document: plain data, and where each part of it stands."""

    file: str  # as shown to users: relative to the repository root when inside it
    index: int  # position of the document in its file, from 0
    data: Any
    start: Pos
    values: dict[FieldPath, Pos] = field(default_factory=dict)
    keys: dict[FieldPath, Pos] = field(default_factory=dict)
    # where values and keys come from when first needed: positions cost time and most of a
    # document's memory, and only a finding needs them
    source: Callable[[], tuple[dict[FieldPath, Pos], dict[FieldPath, Pos],
                               dict[FieldPath, Pos]]] | None = \
        field(default=None, repr=False, compare=False)
    # literal block scalars (``key: |``): where their first line of content starts, so that a
    # finding inside YAML held in a string (serveConfigV2) is placed at its own line
    blocks: dict[FieldPath, Pos] = field(default_factory=dict, repr=False, compare=False)
    # plain numbers and booleans whose text as a string is not what was written (3.10 reads
    # as 3.1, 1e3 as 1000.0, True as true): where a string is expected, the text is lost
    written: dict[FieldPath, str] = field(default_factory=dict, repr=False, compare=False)

    def pos(self, path: FieldPath, *, key: bool = False) -> Pos:
        """Where ``path`` stands, or its nearest ancestor when it is absent."""
        if self.source is not None:
            self.values, self.keys, self.blocks = self.source()
            self.source = None
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        if path not in self.values:
            inner = self._in_block(path)
            if inner is not None:
                return inner
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.start

    def _in_block(self, path: FieldPath) -> Pos | None:
        """Where ``path`` stands inside YAML held in a literal block scalar."""
        for cut in range(len(path) - 1, 0, -1):
            start = self.blocks.get(path[:cut])
            if start is None:
                continue
            node: Any = self.data
            for part in path[:cut]:
                node = node.get(part) if isinstance(node, dict) else None
            if not isinstance(node, str) or len(node) > MAX_BLOCK:
                return None
            try:
                inner = load_text(node, self.file)
            except InvalidInput:
                return None
            if len(inner) != 1:
                return None
            found = inner[0].pos(path[cut:])
            return Pos(start.line + found.line - 1, start.col + found.col - 1)
        return None

    def diagnostic(
        self, path: FieldPath, code: str, message: str, *, key: bool = False, **extra: Any
    ) -> Diagnostic:
        where = self.pos(path, key=key)
        return Diagnostic(
            self.file, where.line, where.col, code, dotted(path), message, **extra
        )

    def report(self, finding: Finding, at: FieldPath | None = None,
               message: str | None = None) -> Diagnostic:
        """A finding as a diagnostic of this document: at ``at`` (a path of this
        document) when the finding's path is of another object, with ``message``
        when the finding's needs more context."""
        return self.diagnostic(
            finding.path if at is None else at, finding.code,
            finding.message if message is None else message,
            severity=finding.severity, hint=finding.hint, key=finding.key)


def read_text(path: Path, shown: str) -> str:
    """The file's text, or an error for files that are too large or not UTF-8 text."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidInput.at(
            shown, 1, 1, "RG004", f"file is {size} bytes; the limit is {MAX_FILE_BYTES}"
        )
    raw = path.read_bytes()
    nul = raw.find(b"\0")
    if nul >= 0:
        line, col = _line_col(raw, nul)
        raise InvalidInput.at(shown, line, col, "RG005", "binary file (NUL byte); expected YAML text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise InvalidInput.at(
            shown, line, col, "RG005", f"not UTF-8 text (byte 0x{raw[exc.start]:02x})"
        ) from None


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def load_file(path: Path, shown: str, *, kubernetes: bool = False) -> list[Document]:
    return load_text(read_text(path, shown), shown, kubernetes=kubernetes)


def load_text(text: str, shown: str, *, kubernetes: bool = False) -> list[Document]:
    """Every non-empty document of a YAML stream.

    Specs are YAML 1.2, but for the permission bits of ``mode`` and ``defaultMode``
    (``0644`` is octal there, as everyone writes it). ``kubernetes=True`` reads a
    manifest as the API server's YAML reader does (go-yaml): ``0644`` and ``0o644``
    are octal, ``yes``/``no``/``on``/``off`` are booleans."""
    check_text(text, shown)
    try:
        return _documents(text, shown, kubernetes, positions=False)
    except InvalidInput:  # said again with positions, where they are needed
        return _documents(text, shown, kubernetes, positions=True)


def _documents(text: str, shown: str, kubernetes: bool, *, positions: bool) -> list[Document]:
    yaml = _yaml("%YAML" in text)
    try:
        nodes = []
        for node in yaml.compose_all(text):
            nodes.append(node)
            if len(nodes) > MAX_DOCUMENTS:
                raise InvalidInput.at(shown, node.start_mark.line + 1, 1, "RG004",
                                      f"more than {MAX_DOCUMENTS} documents in one file")
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InvalidInput.at(shown, line, col, "RG001", f"YAML syntax: {problem}") from None
    except RecursionError:
        raise InvalidInput.at(shown, 1, 1, "RG004", "nesting is too deep") from None
    finally:
        yaml.doc_infos.clear()  # ruamel keeps one per stream read: 5 KB a file, for ever
    docs = []
    for index, node in enumerate(nodes):
        if node is None:
            continue
        builder = _Builder(shown, yaml.constructor, kubernetes, positions,
                           text.splitlines() if positions else None)
        try:
            data = builder.build(node, (), 0)
        finally:  # ruamel's constructor keeps every node it made a number of, for ever
            yaml.constructor.constructed_objects.clear()
        if data is None:
            continue
        start = _pos(node)
        later = None if positions else partial(_positions, text, shown, kubernetes, index)
        docs.append(Document(shown, index, data, start, builder.values, builder.keys, later,
                             builder.blocks, builder.written))
    return docs


@lru_cache(maxsize=8)
def _all_positions(text: str, shown: str, kubernetes: bool) -> dict[int, Document]:
    return {d.index: d for d in _documents(text, shown, kubernetes, positions=True)}


def _positions(text: str, shown: str, kubernetes: bool, index: int
               ) -> tuple[dict[FieldPath, Pos], dict[FieldPath, Pos], dict[FieldPath, Pos]]:
    doc = _all_positions(text, shown, kubernetes)[index]
    return doc.values, doc.keys, doc.blocks


@cache
def _yaml(directive: bool = False) -> Any:
    """One loader for the whole run: making a ruamel YAML object costs ~1 ms. Without a
    %YAML directive in the text, plain scalars resolve as YAML 1.2 says, once each."""
    yaml = YAML(typ="safe", pure=False)
    if not directive:
        yaml.Resolver = _Resolver
    return yaml


class _Resolver(VersionedResolver):
    """ruamel's resolver, with its answer for each plain scalar kept: it asks for the YAML
    version of the text for every scalar, most of the cost of reading a spec."""

    _plain: dict[str, Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode or not implicit[0]:
            return super().resolve(kind, value, implicit)
        found = self._plain.get(value)
        if found is None:
            found = super().resolve(kind, value, implicit)
            if len(self._plain) < 100_000:
                self._plain[value] = found
        return found


def _pos(node: Any) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a node graph into plain data, recording positions, within limits."""

    def __init__(self, shown: str, constructor: Any, kubernetes: bool = False,
                 positions: bool = True, lines: list[str] | None = None):
        self.shown = shown
        self.lines = lines  # the text, for where a literal block scalar's content starts
        self.blocks: dict[FieldPath, Pos] = {}
        self.kubernetes = kubernetes
        self.positions = positions  # False: data only (any error is made again with them)
        self.constructor = constructor
        self.values: dict[FieldPath, Pos] = {}
        self.keys: dict[FieldPath, Pos] = {}
        self.written: dict[FieldPath, str] = {}
        self.count = 0

    def fail(self, node: Any, code: str, message: str) -> InvalidInput:
        where = _pos(node)
        return InvalidInput.at(self.shown, where.line, where.col, code, message)

    def build(self, node: Any, path: FieldPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            # aliased nodes carry their anchor's position: name the top-level key instead
            where = self.keys.get(path[:1]) or _pos(node)
            raise InvalidInput.at(
                self.shown, where.line, where.col, "RG004",
                f"document expands to more than {MAX_NODES} nodes (aliases?)",
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, "RG004", f"nesting deeper than {MAX_DEPTH} levels")
        if self.positions:
            self.values[path] = _pos(node)
        kind = node.id
        if kind == "scalar":
            return self.scalar(node, path)
        if kind == "sequence":
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.mapping(node, path, depth)

    def mapping(self, node: Any, path: FieldPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.value == "<<" and key_node.tag == _MERGE:
                for source in self._merge_sources(value_node):
                    sub = self.build(source, path, depth)
                    merged.update({k: v for k, v in sub.items() if k not in merged})
                continue
            if key_node.id != "scalar":
                raise self.fail(key_node, "RG001", "a mapping key must be a plain scalar")
            key = self.scalar(key_node)
            key = key if isinstance(key, str) else _scalar_text(key)
            if key in out:
                if not self.positions:
                    raise self.fail(key_node, "RG002", "duplicate key")  # said with positions
                first = self.keys[(*path, key)]
                raise self.fail(
                    key_node, "RG002", f"duplicate key {key!r} (first at line {first.line})"
                )
            if not self.positions:
                out[key] = self.build(value_node, (*path, key), depth + 1)
                continue
            self.keys[(*path, key)] = _pos(key_node)
            out[key] = self.build(value_node, (*path, key), depth + 1)
            if value_node.id != "scalar" or value_node.value == "":
                # a block collection starts on the line after its key, and an empty value
                # has no place of its own (each parser puts it elsewhere): point at the key
                self.values[(*path, key)] = self.keys[(*path, key)]
        if merged:
            if self.positions:
                self.values[path] = _pos(node)  # the merge sources recorded their own
            for key, value in merged.items():
                out.setdefault(key, value)
        return out

    def _merge_sources(self, node: Any) -> Iterator[Any]:
        items = node.value if node.id == "sequence" else [node]
        for item in items:
            if item.id != "mapping":
                raise self.fail(item, "RG001", "a merge key (<<) takes a mapping or a list of them")
            yield item

    def scalar(self, node: Any, path: FieldPath = ()) -> Any:
        if node.style == "|" and path and self.lines is not None:
            self._block(node, path)
        tag = node.tag  # a property of ruamel's nodes that makes a string: read it once
        if not node.style and tag in (_INT, _STR, _BOOL):  # plain: None, or "" from libyaml
            found = self._yaml11(node.value, path)
            if found is not None:
                return found
        if tag == _NULL:
            return None
        if tag == _BOOL:
            value: Any = node.value.lower() == "true"
        elif tag in (_INT, _FLOAT):
            try:
                value = self.constructor.construct_object(node)
            except ValueError:  # Python refuses int() of more than 4300 digits
                raise self.fail(node, "RG004", "a number too long to be one "
                                f"({len(node.value)} characters)") from None
        else:
            return node.value  # strings; timestamps and binary stay as written
        if path and scalar_string(value) != node.value and not same_number(value, node.value):
            self.written[path] = node.value
        return value  # strings; timestamps and binary stay as written


    def _block(self, node: Any, path: FieldPath) -> None:
        """Where a literal block's content starts: the line after its indicator (blank lines
        are content too), at the indentation of its first line that is not blank (an
        explicit indentation indicator is not followed)."""
        assert self.lines is not None
        first = node.start_mark.line + 1  # 0-based: the line after the indicator
        for text in self.lines[first:first + 1000]:
            if text.strip():
                self.blocks[path] = Pos(first + 1, len(text) - len(text.lstrip(" ")) + 1)
                return

    def _yaml11(self, text: str, path: FieldPath) -> Any:
        """A plain scalar as go-yaml reads it, where YAML 1.2 reads it otherwise."""
        if (self.kubernetes or (path and path[-1] in MODE_KEYS)) and _OCTAL.match(text):
            sign = -1 if text.startswith("-") else 1
            return sign * int(text.lstrip("+-").replace("o", "", 1), 8)
        if self.kubernetes and text in _YAML11_BOOLS:
            return _YAML11_BOOLS[text]
        return None


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
