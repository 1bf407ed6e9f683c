"""How commands print: reports on stdout, notes on stderr."""

from __future__ import annotations

from dataclasses import replace

import click

from generator.diagnostics import Result
from generator.project.repo import Repo
from generator.report.diagnostics import REPORTERS


def emit_report(result: Result, fmt: str, *, quiet: bool = False, err: bool = False,
                repo: Repo | None = None) -> None:
    """The report on standard output, or on standard error where stdout is the product
    (``import`` writes specs there). GitHub annotations name files from the top of the git
    work tree, where the pull request's lines are, however deep ``--root`` is."""
    if quiet:
        result = Result(result.errors)
    if fmt == "github" and repo is not None and (prefix := repo.git_prefix()):
        result = Result([replace(d, file=prefix + d.file) for d in result.diagnostics])
    text = REPORTERS[fmt](result)
    if text:
        click.echo(text, err=err)


def note(message: str, *, quiet: bool = False) -> None:
    if not quiet:
        click.echo(message, err=True)
