"""``ray-gitops import FILE ...``: KubeRay manifests, APIServer payloads, legacy clusters -> specs."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.output import emit_report
from generator.diagnostics import Result
from generator.errors import Exit, InvalidInput, Unsupported, UsageError
from generator.importer import import_documents
from generator.load.documents import load_file, load_text
from generator.load.secrets import redact
from generator.models.parse import Spec, parse_document
from generator.render.emit import dump

HEADER = ("# yaml-language-server: $schema=../schemas/ray-gitops.schema.json\n"
          "# Imported by ray-gitops from {sources}. Review, then render.\n")


def run(files: tuple[Path, ...], output: Path | None, quiet: bool) -> int:
    docs = []
    for path in files:
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
        docs.append((path, [d.data for d in load_file(path, str(path), kubernetes=True)]))
    imported = None
    try:
        for path, data in docs:
            part = import_documents(data, str(path))
            if imported is None:
                imported = part
            else:
                for name, spec in part.templates.items():
                    imported.add_template(spec, name)
                imported.specs += part.specs
                imported.notes += part.notes
                imported.dropped += part.dropped
    except Unsupported as exc:
        click.echo(f"ray-gitops: {exc}", err=True)
        return Exit.INVALID
    assert imported is not None
    documents, redacted = redact(imported.documents())
    text = HEADER.format(sources=", ".join(p.name for p in files))
    text += "---\n".join(dump(doc) for doc in documents)
    # what import writes must be a valid spec file: check it as one
    shown = str(output) if output else "<import>"
    result = Result()
    try:
        for doc in load_text(text, shown):
            parsed = parse_document(doc, Path(shown))
            if not isinstance(parsed, Spec):
                result.extend(parsed)
    except InvalidInput as exc:  # pragma: no cover - dump writes valid YAML
        result.extend(exc.diagnostics)
    if not quiet:
        for note in dict.fromkeys(imported.notes):
            click.echo(f"note: {note}", err=True)
    if imported.dropped:
        click.echo("ray-gitops: the specs cannot say all the input says (notes above): they "
                   "would behave differently; review them before rendering", err=True)
    if redacted:
        click.echo(f"ray-gitops: {redacted} literal secret(s) replaced by REDACTED: create "
                   "Secrets for them and reference those", err=True)
    if not result.ok:
        emit_report(result, "text", err=True)
        click.echo("ray-gitops: the import is incomplete: fix the fields above by hand", err=True)
    if output:
        if output.exists():
            raise UsageError(f"{output} exists: import writes new files only")
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    return Exit.OK if result.ok and not redacted and not imported.dropped else Exit.INVALID
