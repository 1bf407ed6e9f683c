"""What a YAML text may be before it is parsed: no tab in indentation, not too many
values, no nesting deeper than ``MAX_DEPTH``. Scanners over the text, not parsers: the
parser itself is what too much input would hurt (libyaml recurses on flow nesting; ruamel's
C loader crashes on deep block nesting)."""

from __future__ import annotations

import re

from generator.errors import InvalidInput

MAX_DEPTH = 64  # nesting of mappings and sequences
MAX_NODES = 20_000  # per file, counting every alias expansion: ~2 s of parsing, far above any spec
_NODE_MARKS = re.compile(r":(?=\s)|^\s*- |,", re.MULTILINE)  # what starts or separates a node
_LEADING_TAB = re.compile(r"^ *\t", re.MULTILINE)


def check_text(text: str, shown: str) -> None:
    """Refuse, before parsing, what the parser would choke on or take too long over."""
    # A tab in indentation is the most common YAML mistake; libyaml's message
    # ("found character that cannot start any token") does not say so.
    tab = _LEADING_TAB.search(text)
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        col = tab.end() - tab.start()
        raise InvalidInput.at(shown, line, col, "RG003", "tab in indentation; indent with spaces")
    # libyaml's composer recurses without a limit on flow nesting: a megabyte
    # of "[" crashes the interpreter. Find deep flow nesting before parsing.
    # parsing is the cost: refuse what would be too many nodes before parsing it
    marks = len(_NODE_MARKS.findall(text))
    if marks > MAX_NODES:
        raise InvalidInput.at(shown, 1, 1, "RG004", f"about {marks} values in one file; the limit "
                              f"is {MAX_NODES} (split it into several spec files)")
    deep = flow_too_deep(text)
    if deep is None:
        deep = block_too_deep(text)
    if deep is not None:
        line = text.count("\n", 0, deep) + 1
        col = deep - (text.rfind("\n", 0, deep) + 1) + 1
        raise InvalidInput.at(
            shown, line, col, "RG004", f"nesting deeper than {MAX_DEPTH} levels"
        )


def flow_too_deep(text: str) -> int | None:
    """Offset of the first bracket nested deeper than MAX_DEPTH, if any.

    A scanner, not a parser: it skips quoted scalars and comments, which is
    enough to never reject real specs while catching every deep nesting.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    offset = 0
    size = len(text)
    previous = "\n"  # the last character that was not a space or a tab
    while offset < size:
        char = text[offset]
        if char in "'\"" and previous in "\n:,[{-?":
            offset = _end_of_quoted(text, offset)
        elif char == "#" and (offset == 0 or text[offset - 1] in " \t\n"):
            newline = text.find("\n", offset)
            offset = size if newline < 0 else newline
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return offset
        elif char in "]}":
            depth = max(0, depth - 1)
        if char not in " \t":
            previous = char
        offset += 1
    return None


_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(#.*)?$")


def block_too_deep(text: str) -> int | None:
    """Offset of the first line nested deeper than MAX_DEPTH block collections, if any.

    ruamel's C-accelerated loader (ruamel.yaml.clib) crashes the interpreter on deep
    block nesting, where the pure-Python one raises RecursionError: count the levels
    first. Each deeper indentation opens a level, and so does each ``- `` of a compact
    nested sequence (``- - - x``); the lines of a block scalar (``|``, ``>``) are text."""
    if len(text) < 2 * MAX_DEPTH:
        return None
    stack: list[int] = []
    scalar_indent = -1  # inside a block scalar: lines indented deeper than this are text
    offset = 0
    for line in text.split("\n"):
        start = offset
        offset += len(line) + 1
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if scalar_indent >= 0:
            if indent > scalar_indent:
                continue
            scalar_indent = -1
        while stack and stack[-1] >= indent:
            stack.pop()
        stack.append(indent)
        column = indent
        while stripped.startswith("- ") or stripped == "-":
            stripped = stripped[2:].lstrip(" ")
            column += 2
            stack.append(column)
        if len(stack) > MAX_DEPTH + 1:  # the root collection is level 0
            return start
        if _BLOCK_SCALAR.search(stripped):
            scalar_indent = indent
    return None


def _end_of_quoted(text: str, start: int) -> int:
    quote = text[start]
    offset = start + 1
    while offset < len(text):
        char = text[offset]
        if quote == '"' and char == "\\":
            offset += 2
            continue
        if char == quote:
            if quote == "'" and text.startswith("''", offset):
                offset += 2
                continue
            return offset
        offset += 1
    return len(text)
