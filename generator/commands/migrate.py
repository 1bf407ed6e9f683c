"""``ray-gitops migrate --kuberay-version X [--ray-version Y] [--check] [PATH ...]``.

Rewrites what must change to move specs, settings and hand-written KubeRay manifests from
the operator release in ``ray-gitops.yaml`` (and its Ray) to another: ``ray.io/v1alpha1``
to ``ray.io/v1``, Serve's renamed fields (where the target Ray has the new name),
``rayVersion`` and Ray image tags, ``kuberayVersion``, and feature gates the target
release does not have. Every edit replaces the text of one scalar or one key where it
stands, so comments, order, quoting and layout stay; a second run changes nothing.

It prints a unified diff, then what will behave differently that no rewrite removes (per
object: gate defaults, the upgrade hash, and what the target release's rules say that the
source release's did not), with where each comes from. ``--check`` writes nothing and
exits 1 when something would change (for CI).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from generator.errors import Exit, UsageError
from generator.kuberay.kinds import cluster_of
from generator.kuberay.migrations import API_VERSIONS, Change, changes
from generator.kuberay.releases import LATEST, Release, Target, release
from generator.kuberay.vocabulary import image_tag, parse_version
from generator.load import plain
from generator.load.documents import Document, load_text, read_text
from generator.models.settings import CONFIG_FILE
from generator.project.repo import YAML_SUFFIXES, Repo, open_repo
from generator.rules import check_object
from generator.rules.serve import RENAMED, _fields, check_serve_config, releases
from generator.rules.versions import derived_for

RAY_IMAGES = ("ray", "ray-ml", "ray-llm")
_TAG_VERSION = re.compile(r"^(\d+\.\d+\.\d+)(.*)$")


@dataclass
class Plan:
    """What migrating one file does."""

    path: Path
    shown: str
    before: str
    lines: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def after(self) -> str:
        return "".join(self.lines)


def target(of: Release, pinned: dict[str, bool]) -> Target:
    """A release with the settings' gates that it has."""
    return Target.of(of.version, {k: v for k, v in pinned.items() if k in of.gates})


@dataclass(frozen=True)
class Goal:
    before: Release
    after: Release
    pinned: dict[str, bool]  # the settings' feature gates
    ray: str | None  # --ray-version
    settings_ray: str  # the Ray of the settings (after the migration)


def run(paths: tuple[Path, ...], root: Path | None, kuberay: str, ray: str | None,
        check: bool) -> int:
    repo = open_repo(root)
    settings = repo.settings
    try:
        after = release(kuberay)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if ray is not None and parse_version(ray) is None:
        raise UsageError(f"--ray-version {ray!r} is not a Ray version such as 2.52.0")
    goal = Goal(release(settings.kuberay_version), after, dict(settings.feature_gates), ray,
                ray or settings.ray_version)
    plans = [_plan(path, repo, goal) for path in _files(repo, paths)]
    config = repo.root / CONFIG_FILE
    if config.is_file():
        plans.append(_settings(config, repo, goal))
    changed = [p for p in plans if p.after != p.before]
    for plan in changed:
        click.echo("".join(difflib.unified_diff(
            plan.before.splitlines(keepends=True), plan.lines,
            f"a/{plan.shown}", f"b/{plan.shown}")), nl=False)
    for plan in plans:
        for note in plan.notes:
            click.echo(f"{plan.shown}: {note}", err=True)
    verb = "would change" if check else "changed"
    click.echo(f"{len(changed)} file(s) {verb}, for KubeRay {after.version}"
               + (f" and Ray {ray}" if ray else ""), err=True)
    if check:
        return Exit.INVALID if changed else Exit.OK
    for plan in changed:
        plan.path.write_text(plan.after, encoding="utf-8")
    return Exit.OK


def _files(repo: Repo, paths: tuple[Path, ...]) -> list[Path]:
    """The YAML files named (folders: the YAML files below them), else the specs; never a
    symbolic link, nor ray-gitops.yaml (migrated as the settings)."""
    chosen = list(paths) or [repo.specs_dir]
    out: list[Path] = []
    for path in chosen:
        if path.is_symlink():
            raise UsageError(f"{path} is a symbolic link: migrate edits files in place, and "
                             "names the files themselves")
        if path.is_file():
            out.append(path)
        elif path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES
                          and p.is_file() and not p.is_symlink())
        else:
            raise UsageError(f"no such file or folder: {path}")
    return [p for p in out if p.name != CONFIG_FILE]


def _shown(path: Path, repo: Repo) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(repo.root)) if resolved.is_relative_to(repo.root) else str(path)


def _plan(path: Path, repo: Repo, goal: Goal) -> Plan:
    shown = _shown(path, repo)
    text = read_text(path, shown)
    plan = Plan(path, shown, text, text.splitlines(keepends=True))
    docs = load_text(text, shown, kubernetes=True)
    ends = [d.start.line - 1 for d in docs[1:]] + [len(plan.lines)]
    for doc, end in zip(docs, ends, strict=True):
        if isinstance(doc.data, dict):
            _document(plan, doc, (doc.start.line, end), goal)
    if goal.ray and any(isinstance(d.data, dict) and _holds_serve(d.data) for d in docs):
        _serve_report(plan, docs, load_text(plan.after, shown, kubernetes=True), goal.ray)
    return plan


def _serve_config(data: Any) -> Any:
    """The Serve config a document holds: a Serve config file's, a spec's or a manifest's."""
    if not isinstance(data, dict):
        return None
    if "applications" in data:
        return data
    spec: dict[str, Any] = data["spec"] if isinstance(data.get("spec"), dict) else {}
    if isinstance(spec.get("serveConfigV2"), str):
        try:
            return plain.load_embedded(spec["serveConfigV2"])
        except plain.YAMLError:
            return None
    return spec.get("serveConfig")


def _serve_report(plan: Plan, old: list[Document], new: list[Document], ray: str) -> None:
    """What the target Ray's Serve says of each migrated config that the config's own Ray
    did not: fields it dropped (ignored or refused), types it reads otherwise."""
    target = parse_version(ray)
    for before, after in zip(old, new, strict=False):
        config = _serve_config(after.data)
        if config is None:
            continue
        own = parse_version(_own_ray(before.data) or "") if isinstance(before.data, dict) else None
        said = {(f.code, f.path, f.severity) for f in
                check_serve_config(_serve_config(before.data), own)}
        for finding in check_serve_config(config, target):
            if (finding.code, finding.path, finding.severity) not in said:
                where = ".".join(map(str, finding.path)) or "the Serve config"
                plan.notes.append(f"Serve of Ray {ray} says ({finding.severity} {finding.code}) "
                                  f"{where}: {finding.message} [schemas/ray-serve]")


def _document(plan: Plan, doc: Document, span: tuple[int, int], goal: Goal) -> None:
    data: dict[str, Any] = doc.data
    api = data.get("apiVersion")
    if isinstance(api, str) and api in API_VERSIONS:
        _scalar(plan, doc, ("apiVersion",), api, API_VERSIONS[api][0])
    ray = goal.ray or _own_ray(data) or goal.settings_ray
    if goal.ray:
        _ray_version(plan, doc, goal.ray)
    if _holds_serve(data):
        _serve_renames(plan, span, ray)
    _report(plan, data, goal)


def _own_ray(data: dict[str, Any]) -> str | None:
    found = cluster_of(data)
    version = found[1].get("rayVersion") if found else None
    return str(version) if version else None


def _holds_serve(data: dict[str, Any]) -> bool:
    spec = data.get("spec")
    return "applications" in data or (isinstance(spec, dict) and (
        "serveConfigV2" in spec or "serveConfig" in spec))


def _scalar(plan: Plan, doc: Document, at: tuple[Any, ...], old: str, new: str) -> None:
    """The scalar at ``at`` rewritten where it stands, in its own quotes."""
    pos = doc.pos(at)
    line = plan.lines[pos.line - 1]
    start = pos.col - 1
    quote = line[start] if line[start:start + 1] in ("'", '"') else ""
    found = line[start + len(quote):start + len(quote) + len(old)]
    if found != old:
        plan.notes.append(f"line {pos.line}: {'.'.join(map(str, at))} is not written on one "
                          f"line as {old!r}: change it to {new!r} by hand")
        return
    cut = start + len(quote)
    plan.lines[pos.line - 1] = line[:cut] + new + line[cut + len(old):]


def _ray_version(plan: Plan, doc: Document, ray: str) -> None:
    """rayVersion, and the tags of Ray's images, moved to Ray ``ray``."""
    found = cluster_of(doc.data)
    if found and isinstance(found[1].get("rayVersion"), str) and found[1]["rayVersion"] != ray:
        _scalar(plan, doc, (*found[0], "rayVersion"), found[1]["rayVersion"], ray)
    for at, image in _images(doc.data, ()):
        tag = image_tag(image) or ""
        match = _TAG_VERSION.match(tag)
        repository = image.split("@")[0].rsplit(":", 1)[0].rsplit("/", 1)[-1]
        if match and repository in RAY_IMAGES and match.group(1) != ray and "@" not in image:
            _scalar(plan, doc, at, image, image[:-len(tag)] + ray + match.group(2))


def _images(node: Any, at: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image" and isinstance(value, str):
                out.append(((*at, key), value))
            else:
                out += _images(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _images(value, (*at, i))
    return out


def _serve_renames(plan: Plan, span: tuple[int, int], ray: str) -> None:
    """Serve's deprecated names, as keys, renamed where the target Ray has the new name."""
    minor = derived_for(parse_version(ray), releases())
    fields = _fields(minor)
    for old, new in RENAMED.items():
        if new not in fields:
            continue
        pattern = re.compile(rf"(?<![\w-])([\"']?){old}\1(\s*):")
        for i in range(span[0] - 1, span[1]):
            plan.lines[i] = pattern.sub(rf"\g<1>{new}\g<1>\g<2>:", plan.lines[i])


def _report(plan: Plan, data: dict[str, Any], goal: Goal) -> None:
    """What will behave differently for this object, that no rewrite removes."""
    kind = str(data.get("kind"))
    name = (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
    label = f"{kind} {name}" if name else kind
    found = changes(goal.before, goal.after, goal.pinned)
    for change in (c for c in found if c.concerns(data)):
        plan.notes.append(f"{label}: {change.text} [{change.source}]")
    if str(data.get("apiVersion", "")).startswith("ray.io/") and goal.before != goal.after:
        _new_findings(plan, data, label, goal)


def _new_findings(plan: Plan, data: dict[str, Any], label: str, goal: Goal) -> None:
    migrated = {**data, "apiVersion": API_VERSIONS.get(str(data.get("apiVersion")),
                                                       (data.get("apiVersion"),))[0]}
    old = {(f.code, f.path) for f in check_object(data, target(goal.before, goal.pinned))}
    for finding in check_object(migrated, target(goal.after, goal.pinned)):
        if (finding.code, finding.path) not in old:
            where = ".".join(map(str, finding.path))
            plan.notes.append(f"{label}: KubeRay {goal.after.version} says ({finding.severity} "
                              f"{finding.code}) {where}: {finding.message} [validation.go of "
                              f"{goal.after.tag}]")


def _settings(path: Path, repo: Repo, goal: Goal) -> Plan:
    """ray-gitops.yaml: kuberayVersion, its gates, and rayVersion with --ray-version."""
    text = read_text(path, CONFIG_FILE)
    plan = Plan(path, CONFIG_FILE, text, text.splitlines(keepends=True))
    doc = load_text(text, CONFIG_FILE)[0] if text.strip() else None
    data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    _setting(plan, doc, data, "kuberayVersion", goal.after.version)
    if goal.ray:
        _setting(plan, doc, data, "rayVersion", goal.ray)
    gates = data.get("featureGates")
    for gate in gates if isinstance(gates, dict) else {}:
        if gate not in goal.after.gates and doc is not None:
            line = doc.pos(("featureGates", gate), key=True).line
            plan.notes.append(f"featureGates.{gate}: KubeRay {goal.after.version} has no such "
                              "gate; removed")
            plan.lines[line - 1] = ""
    return plan


def _setting(plan: Plan, doc: Document | None, data: dict[str, Any], key: str, value: str) -> None:
    current = data.get(key)
    if doc is not None and current is not None:
        written = current if isinstance(current, str) else doc.written.get((key,), str(current))
        same = written == value or (key == "kuberayVersion" and release(written).version == value)
        if not same:
            _scalar(plan, doc, (key,), written, value)
        return
    if key == "kuberayVersion" and value == LATEST:
        return  # the default
    if current is None:
        if plan.lines and not plan.lines[-1].endswith("\n"):
            plan.lines[-1] += "\n"
        plan.lines.append(f'{key}: "{value}"\n')


__all__ = ["Change", "run"]
