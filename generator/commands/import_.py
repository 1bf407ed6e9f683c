"""``ray-gitops import FILE ...``: KubeRay manifests, APIServer payloads, legacy clusters -> specs.

Import proves what it writes: the specs are validated in the repository they are written
to (a scratch one with the same settings when they go to standard output), rendered, and
each rendered object compared with the object it came from (``importer.faithful``).
Exit 0 means every object renders back the same; otherwise each difference is named.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from generator.commands.output import emit_report
from generator.diagnostics import Result
from generator.errors import Exit, InvalidInput, Unsupported, UsageError
from generator.importer import import_documents
from generator.importer.common import Imported
from generator.importer.faithful import differences
from generator.kuberay.kinds import API_VERSIONS, COMPUTE_TEMPLATE, KINDS
from generator.load.documents import Document, load_file
from generator.load.secrets import redact
from generator.models.parse import Spec, parse_document
from generator.models.settings import CONFIG_FILE
from generator.pipeline.build import build
from generator.project.repo import Repo, find_root, open_repo
from generator.render.emit import dump
from generator.schemas.outputs import OutputSchemas
from generator.validate.objects import validate_manifest

HEADER = ("# yaml-language-server: $schema=../schemas/ray-gitops.schema.json\n"
          "# Imported by ray-gitops from {sources}. Review, then render.\n")
# what a manifest meant to be filled in before use looks like
PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$"
                         r"|<(your|YOUR)[-_ ][^>]*>|\{\{[^}]*\}\}|\bPLACEHOLDER\w*")
SHELL_KEYS = {"command", "args", "entrypoint", "rayStartParams", "exec", "serveConfigV2",
              "runtimeEnvYAML"}


def run(files: tuple[Path, ...], output: Path | None, quiet: bool) -> int:
    if output is not None and (output.exists() or output.is_symlink()):
        # a dangling link too: writing through it would create a file wherever it points
        raise UsageError(f"{output} exists" + (" (a symbolic link)" if output.is_symlink() else "")
                         + ": import writes new files only")
    repo, into = _repository(output)
    sources: list[tuple[Path, list[Document]]] = []
    result = Result()
    for path in files:
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
        try:
            sources.append((path, load_file(path, str(path), kubernetes=True)))
        except InvalidInput as exc:
            result.extend(exc.diagnostics)
    schemas = OutputSchemas(repo.settings.kubernetes_version, repo.settings.target)
    for _, docs in sources:  # a manifest the API server would refuse is not imported
        for doc in docs:
            if isinstance(doc.data, dict) and doc.data.get("apiVersion") in API_VERSIONS:
                result.extend(d for d in validate_manifest(doc, schemas) if d.severity == "error")
    if not result.ok:
        holes = Imported()
        _placeholders(sources, holes)
        for note in holes.notes:
            click.echo(f"note: {note}", err=True)
        emit_report(result, "text", err=True)
        click.echo("ray-gitops: the input is not a valid manifest (above): nothing imported",
                   err=True)
        return Exit.INVALID
    imported = Imported(existing=_templates(repo) if into else {})
    try:
        for path, docs in sources:
            for doc in docs:
                import_documents([doc.data], str(path), imported)
    except Unsupported as exc:
        click.echo(f"ray-gitops: {exc}", err=True)
        return Exit.INVALID
    _placeholders(sources, imported)
    documents, redacted = redact(imported.documents())
    text = HEADER.format(sources=", ".join(p.name for p in files))
    text += "---\n".join(dump(doc) for doc in documents)
    checked = _prove(text, output, repo, into, sources, schemas)
    _report(imported, checked, redacted, quiet)
    if output:
        try:  # created, never followed: a link made since the check above is refused too
            with output.open("x", encoding="utf-8") as out:
                out.write(text)
        except FileExistsError:
            raise UsageError(f"{output} exists: import writes new files only") from None
    else:
        click.echo(text, nl=False)
    faithful = checked.ok and not checked.differences
    return Exit.OK if faithful and not redacted and not imported.dropped else Exit.INVALID


class Checked:
    """What proving an import found: the written specs' findings, and each object's
    differences from its rendering."""

    def __init__(self) -> None:
        self.result = Result()
        self.differences: list[str] = []

    @property
    def ok(self) -> bool:
        return self.result.ok


def _repository(output: Path | None) -> tuple[Repo, bool]:
    """The repository the specs are written into (and whether they are), else the one of
    the working folder, for its settings."""
    if output is not None:
        root = find_root(output.parent if output.parent.exists() else Path.cwd())
        if (root / CONFIG_FILE).is_file():
            repo = open_repo(root)
            return repo, output.resolve().is_relative_to(repo.specs_dir.resolve())
    return open_repo(None), False


def _templates(repo: Repo) -> dict[str, Any]:
    """The repository's compute templates: an import reuses them by their resources."""
    found: dict[str, Any] = {}
    for path in repo.spec_files():
        try:
            docs = load_file(path, repo.shown(path))
        except InvalidInput:
            continue
        for doc in docs:
            if isinstance(doc.data, dict) and doc.data.get("kind") == COMPUTE_TEMPLATE:
                parsed = parse_document(doc, path)
                if isinstance(parsed, Spec):
                    found[parsed.name] = parsed.model.spec
    return found


def _prove(text: str, output: Path | None, repo: Repo, into: bool,
           sources: list[tuple[Path, list[Document]]], schemas: OutputSchemas) -> Checked:
    """Validate and render the import where it goes; compare each object with its source."""
    checked = Checked()
    scratch = Path(tempfile.mkdtemp(prefix="ray-gitops-import-"))
    try:
        if not into:  # a scratch repository with the same settings
            if (repo.root / CONFIG_FILE).is_file():
                shutil.copyfile(repo.root / CONFIG_FILE, scratch / CONFIG_FILE)
            repo = open_repo(scratch)
        spec_file = scratch / "specs" / (output.name if output else "imported.yaml")
        spec_file.parent.mkdir(exist_ok=True)
        spec_file.write_text(text, encoding="utf-8")
        shown = repo.shown(spec_file)
        built = build(repo, extra=(spec_file,), only={shown}, emit=False)
        # said of the file as the user names it, not of the scratch copy
        named = repo.shown(output) if into and output else str(output or "<import>")
        checked.result.extend(
            replace(d, file=named if d.file == shown else d.file,
                    message=d.message.replace(shown, named))
            for d in built.result.diagnostics if d.file in (shown, "") or d.severity == "error")
        if not built.result.ok:
            return checked
        rendered = {(o.obj.get("kind"), o.obj["metadata"].get("name")): o.obj
                    for o in built.objects if o.spec is not None and o.spec.file == shown}
        for path, docs in sources:
            for doc in docs:
                _compare(doc, path, rendered, schemas, checked)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return checked


def _compare(doc: Document, path: Path, rendered: dict[Any, dict[str, Any]],
             schemas: OutputSchemas, checked: Checked) -> None:
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") not in KINDS \
            or data.get("apiVersion") not in API_VERSIONS:
        return
    meta = data.get("metadata") or {}
    name = meta.get("name") or str(meta.get("generateName") or "").rstrip("-.")
    where = f"{path}:{doc.start.line}: {data['kind']} {name}"
    found = rendered.get((data["kind"], name))
    if found is None:
        checked.differences.append(f"{where}: not rendered")
        return
    for line in differences(data, found, schemas):
        checked.differences.append(f"{where}: {line}")


def _placeholders(sources: list[tuple[Path, list[Document]]], out: Imported) -> None:
    """Text meant to be filled in (``${VAR}``, ``<your-bucket>``, ``{{ .Values.x }}``)
    outside shell commands: named with its line."""
    for path, docs in sources:
        for doc in docs:
            for at, value in _scalars(doc.data, ()):
                found = PLACEHOLDER.search(value) if isinstance(value, str) else None
                if found:
                    pos = doc.pos(at)
                    out.notes.append(f"{path}:{pos.line}:{pos.col}: {'.'.join(map(str, at))} "
                                     f"is a placeholder ({found.group(0)}): fill it in before "
                                     "rendering")


def _scalars(node: Any, at: tuple[Any, ...]) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in SHELL_KEYS:
                yield from _scalars(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _scalars(value, (*at, i))
    else:
        yield at, node


def _report(imported: Imported, checked: Checked, redacted: int, quiet: bool) -> None:
    if not quiet:
        for note in dict.fromkeys(imported.notes):
            click.echo(f"note: {note}", err=True)
    for line in checked.differences:
        click.echo(f"differs: {line}", err=True)
    if imported.dropped or checked.differences:
        click.echo("ray-gitops: the specs do not render what the input says (above): they "
                   "would behave differently; review them before rendering", err=True)
    if redacted:
        click.echo(f"ray-gitops: {redacted} literal secret(s) replaced by REDACTED: create "
                   "Secrets for them and reference those", err=True)
    if checked.result.diagnostics:
        emit_report(checked.result, "text", err=True)
    if not checked.ok:
        click.echo("ray-gitops: the specs do not validate where they are written (above): "
                   "fix those fields by hand", err=True)
