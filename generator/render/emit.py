"""Deterministic YAML: the same objects give the same bytes on every machine.

The style is PyYAML's (block style, 2-space indent, sequences in mappings not
indented, libyaml's choice of plain, quoted or literal scalars). Most objects
are written by ``_Writer``, which writes exactly what PyYAML writes for the
scalars it knows, ~8x faster than PyYAML's representer; an object with any
other scalar (a float, a tab, a non-ASCII character, a key that needs quotes)
is written by PyYAML itself. tests/render/emit_test.py compares the two on
random objects.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Dumper(_Dumper):
    """Block style, 2-space indent, keys in the order the renderer built them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a shared dict is written out twice, never as &anchor / *alias


# Numbers to a YAML 1.2 reader (kubectl, Argo CD, Flux) that PyYAML's 1.1 rules would leave
# plain, such as "1e3" or "0o17": quoted, so that they stay strings.
_YAML12_NUMBER = re.compile(
    r"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"
)


_GO_OCTAL = re.compile(r"^[-+]?0[0-7]+$")
_GO_HEX_FLOAT = re.compile(r"^[-+]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][-+]?[0-9]+$")


def read_as_number(value: str) -> bool:
    """A string that some reader between git and the API server would take for a number: a
    YAML 1.2 reader (kubectl, Argo CD, Flux), or go-yaml, which kustomize and Kubernetes'
    sigs.k8s.io/yaml use and which drops underscores and hands what may be a number to Go's
    strconv (0o1_7, 0b101, 017 octal, 1_000, +Inf, hex floats). Such a string is quoted."""
    if _YAML12_NUMBER.match(value):
        return True
    if not value or value[0] not in "-+.0123456789":
        return False
    plain = value.replace("_", "")
    try:
        int(plain, 0)
        return True
    except ValueError:
        pass
    if _GO_OCTAL.match(plain) or _GO_HEX_FLOAT.match(plain):
        return True
    try:
        float(plain)
    except ValueError:
        return False
    return True


def _str(dumper: Any, value: str) -> Any:
    # Multi-line strings (serveConfigV2, redis.conf) as literal blocks, readable in review.
    if "\n" in value and not _trailing_space(value):
        style: str | None = "|"
    elif read_as_number(value):
        style = "'"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _trailing_space(value: str) -> bool:
    return any(line != line.rstrip(" \t") for line in value.split("\n"))


Dumper.add_representer(str, _str)


def dump(obj: Any) -> str:
    if isinstance(obj, dict) and obj:
        try:
            return "".join(_Writer().mapping(obj, ""))
        except _Unknown:
            pass
    return pyyaml_dump(obj)


def pyyaml_dump(obj: Any) -> str:
    return yaml.dump(
        obj, Dumper=Dumper, sort_keys=False, default_flow_style=False,
        indent=2, width=1 << 16, allow_unicode=True, explicit_start=False,
    )


class _Unknown(Exception):
    """A value ``_Writer`` does not write the way PyYAML would: PyYAML writes the object."""


# One line of printable ASCII is written plain when libyaml allows it in block context (no
# leading or trailing space, no indicator first, no ": " or " #", no ":" last) and neither a
# YAML 1.1 reader (PyYAML's resolver) nor a YAML 1.2 one (_YAML12_NUMBER) would take it for
# something else than a string; else it is single-quoted.
_PRINTABLE = re.compile(r"^[\x20-\x7e]*$")
_LITERAL = re.compile(r"^[\x20-\x7e\n]*$")  # printable ASCII lines, for a literal block
_FIRST = frozenset("#,[]{}&*!|>'\"%@`")
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_scalars: dict[str, str] = {}  # a string -> how it is written, plain or quoted, once a run


def _simple(value: str) -> str:
    """A one-line string as PyYAML writes it, or _Unknown."""
    found = _scalars.get(value)
    if found is not None:
        return found
    if value == "":
        return "''"
    if not _PRINTABLE.match(value):
        raise _Unknown(value)
    first = value[0]
    indicator = (first in _FIRST or (first in "?:-" and (len(value) == 1 or value[1] == " "))
                 or value.startswith(("---", "...")) or ": " in value or " #" in value
                 or value[-1] == ":")
    if indicator or first == " " or value[-1] == " ":
        found = "'" + value.replace("'", "''") + "'"
    elif (_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
          and not read_as_number(value)):
        found = value
    else:
        found = "'" + value.replace("'", "''") + "'"
    _scalars[value] = found
    return found


class _Writer:
    """PyYAML's block style, for mappings, sequences and the scalars ``_simple`` knows."""

    def scalar(self, value: Any) -> str | None:
        """A scalar on its line, or None for a literal block (a string with lines)."""
        if isinstance(value, str):
            if "\n" in value:
                return None
            return _simple(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if type(value) is int:
            return str(value)
        raise _Unknown(value)

    def literal(self, value: str, indent: str) -> list[str]:
        """``|`` and its hints, then each line at ``indent`` (blank lines bare)."""
        if not _LITERAL.match(value) or _trailing_space(value) or value.endswith("\n\n"):
            raise _Unknown(value)
        hints = "2" if value[0] in " \n" else ""
        if not value.endswith("\n"):
            hints += "-"
        elif value == "\n":
            raise _Unknown(value)
        lines = value[:-1].split("\n") if value.endswith("\n") else value.split("\n")
        return [f"|{hints}\n", *(f"{indent}{line}\n" if line else "\n" for line in lines)]

    def value(self, value: Any, indent: str, prefix: str) -> list[str]:
        """``prefix`` (``key:`` or ``-``), then the value, its lines at ``indent``."""
        if isinstance(value, dict):
            if not value:
                return [f"{prefix} {{}}\n"]
            return [f"{prefix}\n", *self.mapping(value, indent)]
        if isinstance(value, list):
            if not value:
                return [f"{prefix} []\n"]
            return [f"{prefix}\n", *self.sequence(value, indent)]
        text = self.scalar(value)
        if text is None:
            block = self.literal(value, indent)
            return [f"{prefix} {block[0]}", *block[1:]]
        return [f"{prefix} {text}\n"]

    def mapping(self, mapping: dict[str, Any], indent: str) -> list[str]:
        out: list[str] = []
        for key, value in mapping.items():
            if not isinstance(key, str) or "\n" in key:
                raise _Unknown(key)
            name = _simple(key)
            if name != key:
                raise _Unknown(key)  # a quoted key: PyYAML's business
            if isinstance(value, list) and value:  # a sequence in a mapping is not indented
                out.append(f"{indent}{name}:\n")
                out.extend(self.sequence(value, indent))
            else:
                lines = self.value(value, indent + "  ", f"{indent}{name}:")
                out.extend(lines)
        return out

    def sequence(self, items: list[Any], indent: str) -> list[str]:
        out: list[str] = []
        inner = indent + "  "
        for item in items:
            if isinstance(item, dict) and item:
                lines = self.mapping(item, inner)
                lines[0] = f"{indent}- {lines[0][len(inner):]}"
                out.extend(lines)
            elif isinstance(item, list) and item:
                lines = self.sequence(item, inner)
                lines[0] = f"{indent}- {lines[0][len(inner):]}"
                out.extend(lines)
            else:
                out.extend(self.value(item, inner, f"{indent}-"))
        return out


def render_file(source: str, objects: list[dict[str, Any]]) -> str:
    """One rendered file: the header line, then the object(s)."""
    header = f"# Generated by ray-gitops from {source}. Do not edit.\n"
    return header + "---\n".join(dump(obj) for obj in objects)
