"""The output formats of each reporter table, by name: what the command line offers. The
tables (``diagnostics.REPORTERS``, ``changes.DIFF_SECTIONS``, ``capacity.CAPACITY``) are
checked against these names when they load; this module costs nothing to import."""

from __future__ import annotations

from collections.abc import Mapping

DIAGNOSTICS = ("text", "json", "github")
CHANGES = ("text", "markdown", "json", "github")
CAPACITY = ("text", "json", "markdown")


def check(table: Mapping[str, object], names: tuple[str, ...]) -> None:
    """A reporter table offers exactly the formats named here."""
    if tuple(table) != names:
        raise AssertionError(f"reporter table {tuple(table)} is not {names}")
