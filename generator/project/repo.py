"""A repository that uses ray-gitops: its root, its settings, its spec files."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from generator.errors import InvalidInput, UsageError
from generator.kuberay.releases import Target, parse_gates, release
from generator.load.documents import Document, load_file
from generator.models.parse import parse_model
from generator.models.settings import CONFIG_FILE, Settings

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Repo:
    """A repository that uses ray-gitops: its root and its settings."""

    root: Path
    settings: Settings
    doc: Document | None = None  # ray-gitops.yaml, for positions

    @property
    def specs_dir(self) -> Path:
        return self.root / self.settings.specs

    @property
    def rendered_dir(self) -> Path:
        return self.root / self.settings.rendered

    @property
    def overlays_dir(self) -> Path:
        return self.root / self.settings.overlays

    def shown(self, path: Path) -> str:
        """A path as users see it in messages: relative to the root when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    def check_folders(self) -> None:
        """specs/, rendered/ and overlays/ stay inside the repository, symbolic links too,
        and are three different folders."""
        root = self.root.resolve()
        seen: dict[Path, str] = {}
        for key in ("specs", "rendered", "overlays"):
            folder = (self.root / getattr(self.settings, key)).resolve()
            if not folder.is_relative_to(root) or folder == root:
                raise UsageError(f"{key} folder {getattr(self.settings, key)!r} leads outside the "
                                 f"repository ({folder}): ray-gitops reads and writes inside it only")
            if folder.is_relative_to((self.root / ".git").resolve()) \
                    or ".git" in folder.relative_to(root).parts:
                raise UsageError(f"{key} folder {getattr(self.settings, key)!r} leads into .git "
                                 f"(through a symbolic link): ray-gitops never writes there")
            clash = next((k for f, k in seen.items()
                          if f == folder or f.is_relative_to(folder) or folder.is_relative_to(f)), None)
            if clash:
                raise UsageError(f"the {key} and {clash} folders overlap: give each its own folder")
            seen[folder] = key

    def git_prefix(self) -> str:
        """This repository's folder below the top of its git work tree (``platform/``), or
        "" at the top or outside git."""
        try:
            done = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=self.root,
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    def targeting(self, version: str | None, gates: str | None) -> Repo:
        """This repository validated for another operator (``--kuberay-version``,
        ``--feature-gates``): the flags win over ray-gitops.yaml."""
        if version is None and gates is None:
            return self
        try:
            wanted = release(version or self.settings.kuberay_version).version
            flags = parse_gates(gates) if gates else {}
            merged = {**(self.settings.feature_gates if version is None else {}), **flags}
            Target.of(wanted, merged)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        settings = self.settings.model_copy(
            update={"kuberay_version": wanted, "feature_gates": merged})
        return replace(self, settings=settings)

    def spec_files(self) -> list[Path]:
        """Every YAML file below specs/ (a symbolic link to a folder is not followed)."""
        return [Path(p) for p in self.spec_paths()]

    def spec_paths(self) -> list[str]:
        """The same, as strings, sorted as Paths sort (a Path costs ~15 us; a large
        repository's hook pays that for every file)."""
        if not self.specs_dir.is_dir():
            return []
        found: list[str] = []

        def walk(folder: str) -> None:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        walk(entry.path)
                    elif _suffix(entry.name) in YAML_SUFFIXES and entry.is_file():
                        found.append(entry.path)

        walk(str(self.specs_dir))
        return sorted(found, key=lambda p: p.split(os.sep))

    def _any_spec(self, folder: str) -> bool:
        """A YAML file below ``folder``: the walk of spec_paths, stopped at the first."""
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if self._any_spec(entry.path):
                        return True
                elif _suffix(entry.name) in YAML_SUFFIXES and entry.is_file():
                    return True
        return False

    def require_specs(self) -> None:
        """Commands over the whole repository refuse to pass vacuously in the wrong folder."""
        if not (self.specs_dir.is_dir() and self._any_spec(str(self.specs_dir))):
            raise UsageError(
                f"no spec files in {self.settings.specs}/ under {self.root}: run in a "
                "ray-gitops repository, pass --root, or start one with `ray-gitops init`")


def _suffix(name: str) -> str:
    """``Path(name).suffix``, without making a Path."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` with a ray-gitops.yaml, else ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def open_repo(root: Path | None) -> Repo:
    """The repository at ``root`` (or found above the working folder), with its settings."""
    folder = root.resolve() if root else find_root(Path.cwd())
    config = folder / CONFIG_FILE
    if not config.is_file():
        return Repo(folder, Settings())
    docs = load_file(config, CONFIG_FILE)
    if not docs:
        return Repo(folder, Settings())
    parsed = parse_model(docs[0], Settings)
    if isinstance(parsed, list):
        raise InvalidInput(parsed)
    repo = Repo(folder, parsed, docs[0])
    repo.check_folders()
    return repo
