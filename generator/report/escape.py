"""One escaper per output format, shared by every reporter of that format."""

from __future__ import annotations

import html
import re


def github_data(text: str) -> str:
    """The message of a GitHub Actions workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property (file=, title=) of a GitHub Actions workflow command."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# one line: a line break would end a table row, a blockquote or a heading
_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
# CommonMark lets a backslash escape any ASCII punctuation: every one that can start or end
# markup (emphasis, links, images, code, HTML, headings, lists, tables, strikethrough)
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&\"'=:$^])")
WORD_JOINER = "\u2060"  # after '@': GitHub links no mention, the reader sees the same text


def _one_line(text: str) -> str:
    return _BREAKS.sub(" ", text)


def markdown_text(text: str) -> str:
    """User text as plain markdown text (a table cell, a blockquote, a heading): nothing in
    it can start markup, end the cell or the line, or mention anyone."""
    return _PUNCTUATION.sub(r"\\\1", _one_line(text)).replace("@", "@" + WORD_JOINER)


def markdown_cell(text: str) -> str:
    """User text in a cell of a markdown table."""
    return markdown_text(text)


def markdown_code(text: str, *, table: bool = True) -> str:
    """User text as an inline code span: fenced with more backticks than any run inside it,
    padded where it starts or ends with one; in a table, its pipes escaped (GFM splits
    cells before it reads code spans, and reads back ``\\|`` as ``|``)."""
    line = _one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if line.startswith(("`", " ")) or line.endswith(("`", " ")) or not line else ""
    body = line.replace("|", "\\|") if table else line
    return f"{fence}{pad}{body}{pad}{fence}"


def html_text(text: str) -> str:
    """User text inside an HTML element of a markdown document (``<code>`` in a summary)."""
    return html.escape(_one_line(text), quote=True).replace("@", "@" + WORD_JOINER)
