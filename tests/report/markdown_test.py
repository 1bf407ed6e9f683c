"""The pull-request comment against hostile text: object names, field values, env names, the
base ref and notes that carry markdown, HTML, line breaks, backquotes and mentions. Each
report is parsed by a real CommonMark parser with GFM tables (markdown-it-py), and must have
the same structure as the report of harmless text: no heading, link, HTML, emphasis, row or
cell that the text brought, and every code span holding the text itself."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from markdown_it import MarkdownIt

from generator.capacity.usage import Rollout, Usage
from generator.diff.effects import Change
from generator.report.capacity import change_table, change_warnings
from generator.report.changes import BADGES, report_markdown
from generator.report.escape import WORD_JOINER

HOSTILE = [
    "x` | fits | **no change** |\n### all good",
    "<!-- hide everything below",
    "-->\n\n# Approved\n",
    "a\r\nb\u2028c",
    "``` \n```mermaid",
    "[click](https://example.com) ![i](https://example.com/i.png)",
    "@octocat please merge",
    "*bold* _it_ ~~gone~~ <b>html</b> &amp; \\| \\",
    "| --- | --- |",
    "`", "``", " ` ", "",
    "<details><summary>x</summary>",
    "> [!NOTE]\n> fake",
    "1. list\n- item",
    "https://example.com/auto",
]
PARSER = MarkdownIt("commonmark").enable("table")


def shape(markdown: str) -> tuple[list[str], Counter[str], list[str]]:
    """Block token types, inline token types (text aside), and the code spans' content."""
    blocks, inline, code = [], Counter[str](), []
    for token in PARSER.parse(markdown):
        blocks.append(token.type)
        for child in token.children or []:
            if child.type == "code_inline":
                code.append(child.content)
            if child.type != "text":
                inline[child.type] += 1
    return blocks, inline, code


def report(text: str, value: Any, base: str, note: str) -> str:
    changes = [Change(("RayCluster", text, text), "changed", effect, f"summary {text}",
                      [(f"spec.{text}", value, text)]) for effect in list(BADGES)[:3]]
    return report_markdown(changes, base, note)


def plain(text: str) -> str:
    """``text`` compared as a code span shows it: on one line, spaces collapsed."""
    return " ".join(text.split())


@pytest.mark.parametrize("text", HOSTILE + [random.Random(seed).choice(HOSTILE) + random.Random(
    seed + 1).choice(HOSTILE) for seed in range(40)])
def test_no_text_changes_the_comment_s_structure(text: str) -> None:
    harmless = shape(report("x", "x", "main", "note"))
    hostile = shape(report(text, text, text, f"n{text}"))  # an empty note is no note
    assert hostile[0] == harmless[0], text  # the same headings, tables, rows, details
    assert hostile[1] == harmless[1], text  # no link, image, emphasis or HTML it brought
    shown = plain(text.replace("\n", "\\n"))  # a field's value: its line breaks as \n
    title = "RayCluster " + plain(f"{text}/{text}")
    expected = {plain(text), plain(title), plain(shown), plain(f"spec.{text}")}
    for found in map(plain, hostile[2]):
        cut = found.removesuffix("...")  # a long value is shortened
        assert found in expected or any(e.startswith(cut) for e in expected), (found, text)


def test_no_text_mentions_anyone() -> None:
    """GitHub links a mention in text, not in a code span: no text token holds one."""
    rendered = report("@octocat", "@octocat", "main", "@octocat")
    texts = [child.content for token in PARSER.parse(rendered) for child in token.children or []
             if child.type in ("text", "html_inline")]
    assert any(f"@{WORD_JOINER}octocat" in t for t in texts)
    assert not any("@octocat" in t for t in texts)


@pytest.mark.parametrize("env", HOSTILE)
def test_environment_names_stay_in_their_cells(env: str) -> None:
    usage = Usage()
    table = change_table([Rollout(env, usage, usage, usage, None)])
    harmless = change_table([Rollout("dev", usage, usage, usage, None)])
    assert shape(table)[0] == shape(harmless)[0] and shape(table)[1] == shape(harmless)[1]


@pytest.mark.parametrize("env", HOSTILE)
def test_capacity_warnings_stay_one_list_item(env: str) -> None:
    """An environment name and a warning message (names from specs in it) are one item."""
    usage = Usage()
    listed = change_warnings([Rollout(env, usage, usage, usage, None, (f"RG115: {env} {env}",))])
    harmless = change_warnings([Rollout("dev", usage, usage, usage, None, ("RG115: dev",))])
    assert shape(listed) == shape(harmless)
