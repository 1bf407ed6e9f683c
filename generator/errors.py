"""The one error root, its subclasses, and the exit codes the CLI turns them into."""

from __future__ import annotations

from enum import IntEnum

from generator.diagnostics import Diagnostic


class Exit(IntEnum):
    OK = 0
    INVALID = 1  # invalid input, or drift
    ERROR = 2  # usage or internal error
    SERVICE = 3  # an outside service (GitHub's API) failed or could not be reached


class RayGitopsError(Exception):
    """Anything ray-gitops cannot go on with; ``exit`` is how the command ends."""

    exit = Exit.ERROR


class InvalidInput(RayGitopsError):
    """Input that is wrong at ``file:line:col``: carries its diagnostics (exit 1)."""

    exit = Exit.INVALID

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.text() for d in diagnostics))

    @classmethod
    def at(cls, file: str, line: int, col: int, code: str, message: str,
           field: str = "") -> InvalidInput:
        return cls([Diagnostic(file, line, col, code, field, message)])


class Unsupported(RayGitopsError):
    """Input that is well formed but that ray-gitops cannot take (exit 1), such as a
    kind `import` does not know."""

    exit = Exit.INVALID


class UsageError(RayGitopsError):
    """Bad command-line use or environment (exit 2), such as an unknown git ref."""


class ServiceError(RayGitopsError):
    """An outside service failed or could not be reached (exit 3), such as GitHub's API
    answering an error: neither the input nor the command line is at fault."""

    exit = Exit.SERVICE


class SchemaNotFound(RayGitopsError):
    """No output schema for an object's kind, or an unsupported version."""
