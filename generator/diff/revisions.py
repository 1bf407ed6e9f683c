"""The objects of a repository at a git revision, rendered with the code that runs now."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import InvalidInput, UsageError
from generator.models.settings import CONFIG_FILE
from generator.pipeline.build import Build, build
from generator.project import kustomize
from generator.project.repo import Repo, open_repo
from generator.render.base import Rendered
from generator.validate.overlays import escapes


@dataclass
class Revision:
    objects: list[Rendered] = field(default_factory=list)
    note: str = ""  # why the objects are missing, when they are


def overlay_objects(repo: Repo, result: Build, env: str) -> list[Rendered]:
    """What kustomize builds from overlay ``env`` over the bases ``result`` renders."""
    try:
        built = kustomize.build_over(repo.overlays_dir, repo.settings.overlays,
                                     repo.settings.rendered, result.files, env)
    except kustomize.BuildFailed as exc:
        raise UsageError(f"overlay {env} does not build: {exc}") from None
    return [Rendered(obj, None) for obj in built]


def extract(tar: tarfile.TarFile, folder: Path) -> None:
    """Unpack a git archive: regular files and folders only, each inside ``folder``.

    The ``data`` extraction filter does this from Python 3.11.4 on; Debian 12's Python is
    3.11.2, so the same rule is kept here for every version."""
    root = folder.resolve()
    for member in tar.getmembers():
        target = (folder / member.name).resolve()
        if not target.is_relative_to(root):
            raise UsageError(f"git archive member {member.name!r} leads outside the scratch folder")
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with source, target.open("wb") as out:
                out.write(source.read())
        # symbolic links, devices and the like are not carried over: a revision's specs
        # are read as files


def git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def build_at(root: Path, ref: str, env: str | None = None) -> Revision:
    """The objects of the repository as it was at ``ref``: the rendered bases, or what
    overlay ``env`` builds from them."""
    try:
        inside = git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except UsageError:
        inside = False
    if not inside:
        raise UsageError(f"{root} is not inside a git repository")
    try:
        commit = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except UsageError:
        raise UsageError(f"unknown git revision {ref!r}") from None
    prefix = git(root, "rev-parse", "--show-prefix").decode().strip()
    with tempfile.TemporaryDirectory(prefix="ray-gitops-diff-") as tmp:
        archive = git(root, "archive", "--format=tar", commit, "--", prefix or ".")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            extract(tar, Path(tmp))
        base_root = Path(tmp) / prefix
        base_root.mkdir(parents=True, exist_ok=True)
        if not (base_root / CONFIG_FILE).exists() and not any(base_root.iterdir()):
            return Revision()
        try:
            base_repo = open_repo(base_root)
            result: Build | None = build(base_repo)
        except InvalidInput:
            result = None
        if result is None or not result.result.ok:
            return Revision(note=f"the specs at {ref} do not validate; everything counts as added")
        if env is None:
            return Revision(result.objects)
        if not kustomize.has_overlay(base_repo.overlays_dir / env):
            return Revision()  # a new environment: everything in it is added
        if escapes(base_root, base_repo.overlays_dir / env):
            return Revision(note=f"overlay {env} at {ref} builds from outside the repository: "
                                 "not built, everything counts as added")
        return Revision(overlay_objects(base_repo, result, env))
