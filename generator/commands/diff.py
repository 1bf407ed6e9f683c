"""``ray-gitops diff``: what the specs render now against a git revision, and what it does."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

import click

from ..build import Build, build, open_repo
from ..config import CONFIG_FILE
from ..diff import compare
from ..diff_report import DIFF_REPORTERS
from ..errors import Exit, RayGitopsError, UsageError
from .output import emit_report


def run(root: Path | None, base: str, fmt: str, quiet: bool) -> int:
    repo = open_repo(root)
    now = build(repo)
    if not now.result.ok:
        emit_report(now.result, "github" if fmt == "github" else "text", quiet=quiet)
        return Exit.INVALID
    before = build_at(repo.root, base)
    click.echo(DIFF_REPORTERS[fmt](compare(before.objects, now.objects), base))
    return Exit.OK


def git(folder: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise UsageError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def build_at(root: Path, ref: str) -> Build:
    """Render the repository as it was at ``ref``, with the code that runs now."""
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
            return Build(open_repo(base_root))
        try:
            result = build(open_repo(base_root))
        except RayGitopsError:
            return Build(open_repo(base_root))
        if not result.result.ok:
            click.echo(f"note: the specs at {ref} do not validate; everything counts as added",
                       err=True)
            return Build(result.repo)
        return result
