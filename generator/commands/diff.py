"""``ray-gitops diff``: what the specs render now against a git revision, and what it does."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import click

from ..build import Build, build, open_repo
from ..config import CONFIG_FILE, Repo
from ..diff import compare
from ..diff_report import DIFF_REPORTERS
from ..errors import Exit, RayGitopsError, UsageError
from ..overlays import kustomize_command
from ..render.base import Rendered
from ..render.kustomization import KUSTOMIZATION
from .output import emit_report


def run(root: Path | None, base: str, fmt: str, quiet: bool, env: str | None = None) -> int:
    repo = open_repo(root)
    now = build(repo)
    if not now.result.ok:
        emit_report(now.result, "github" if fmt == "github" else "text", quiet=quiet)
        return Exit.INVALID
    before = build_at(repo.root, base, env)
    after = now.objects
    if env is not None:
        if not (repo.overlays_dir / env / KUSTOMIZATION).is_file():
            raise UsageError(f"no overlay {repo.settings.overlays}/{env}")
        after = overlay_objects(repo, now, env)
    label = f"{base}, overlay {env}" if env else base
    click.echo(DIFF_REPORTERS[fmt](compare(before, after), label))
    return Exit.OK


def overlay_objects(repo: Repo, result: Build, env: str) -> list[Rendered]:
    """What kustomize builds from overlay ``env`` over the bases ``result`` renders."""
    with tempfile.TemporaryDirectory(prefix="ray-gitops-overlay-") as tmp:
        root = Path(tmp)
        shutil.copytree(repo.overlays_dir, root / repo.settings.overlays)
        for name, text in result.files.items():
            path = root / repo.settings.rendered / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        folder = root / repo.settings.overlays / env
        done = subprocess.run([*kustomize_command(), str(folder)], capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise UsageError(f"overlay {env} does not build: {' '.join(done.stderr.split())}")
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [Rendered(obj, None) for obj in yaml.load_all(done.stdout, Loader=loader)
            if isinstance(obj, dict)]


def git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def build_at(root: Path, ref: str, env: str | None = None) -> list[Rendered]:
    """The objects of the repository as it was at ``ref``, rendered with the code that
    runs now: the rendered bases, or what overlay ``env`` builds from them."""
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
            tar.extractall(tmp, filter="data")
        base_root = Path(tmp) / prefix
        base_root.mkdir(parents=True, exist_ok=True)
        if not (base_root / CONFIG_FILE).exists() and not any(base_root.iterdir()):
            return []
        try:
            base_repo = open_repo(base_root)
            result = build(base_repo)
        except RayGitopsError:
            result = None
        if result is None or not result.result.ok:
            click.echo(f"note: the specs at {ref} do not validate; everything counts as added",
                       err=True)
            return []
        if env is None:
            return result.objects
        if not (base_repo.overlays_dir / env / KUSTOMIZATION).is_file():
            return []  # a new environment: everything in it is added
        return overlay_objects(base_repo, result, env)
