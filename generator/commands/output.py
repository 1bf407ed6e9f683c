"""How commands print: reports on stdout, notes on stderr."""

from __future__ import annotations

import click

from generator.diagnostics import Result
from generator.report.diagnostics import REPORTERS


def emit_report(result: Result, fmt: str, *, quiet: bool = False, err: bool = False) -> None:
    """The report on standard output, or on standard error where stdout is the product
    (``import`` writes specs there)."""
    if quiet:
        result = Result(result.errors)
    text = REPORTERS[fmt](result)
    if text:
        click.echo(text, err=err)


def note(message: str, *, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message, err=True)
