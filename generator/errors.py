"""The one error root, and the diagnostics that validation collects."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    INVALID = 1  # invalid input, or drift
    ERROR = 2  # usage or internal error


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, at ``file:line:col``, about ``field`` (a dotted path)."""

    file: str
    line: int
    col: int
    code: str
    field: str
    message: str
    severity: str = "error"  # or "warning"
    hint: str = dataclasses.field(default="", compare=False)

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        subject = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity} {self.code}: {subject}{self.message}{hint}"


class RayGitopsError(Exception):
    """Raised for input the tool cannot go on with; carries its diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.text() for d in diagnostics))

    @classmethod
    def at(
        cls, file: str, line: int, col: int, code: str, message: str, field: str = ""
    ) -> RayGitopsError:
        return cls([Diagnostic(file, line, col, code, field, message)])


class UsageError(Exception):
    """Bad command-line use or environment (exit 2), such as an unknown git ref."""
