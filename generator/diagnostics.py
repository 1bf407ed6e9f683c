"""What validation finds: findings in an object, diagnostics at ``file:line:col``,
and the result that collects them for a reporter."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from generator.fieldpath import FieldPath


@dataclass(frozen=True)
class Finding:
    """What a rule or a schema found, at a path of the object it checked.

    ``Document.report`` turns it into a Diagnostic at the line of that path."""

    path: FieldPath
    code: str
    message: str
    severity: str = "error"
    hint: str = ""
    key: bool = False  # points at a key (an unknown field), not its value


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
        """One line, whatever a file or key name holds (a newline, a workflow command)."""
        where = f"{printable(self.file)}:{self.line}:{self.col}"
        subject = f"{printable(self.field)}: " if self.field else ""
        hint = f" ({printable(self.hint)})" if self.hint else ""
        return f"{where}: {self.severity} {self.code}: {subject}{printable(self.message)}{hint}"


@dataclass
class Result:
    """Diagnostics collected by a command, for one reporter to print."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def extend(self, found: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(found)

    def strict(self) -> Result:
        """Warnings become errors (``--strict``, or ``policy.strict`` in ray-gitops.yaml)."""
        return Result([replace(d, severity="error") for d in self.diagnostics])

    def with_policy(self, disable: Iterable[str], strict: bool) -> Result:
        """Warnings switched off in ray-gitops.yaml dropped; then ``strict`` applied."""
        off = set(disable)
        kept = Result([d for d in self.diagnostics
                       if not (d.severity == "warning" and d.code in off)])
        return kept.strict() if strict else kept

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.diagnostics), key=lambda d: (d.file, d.line, d.col, d.code, d.field))


def printable(text: str) -> str:
    """Control characters escaped, as Python writes them (a newline becomes \\n)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""
