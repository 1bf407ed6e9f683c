"""What earlier runs learnt about a repository, so that a run costs what changed.

The cache is ``.ray-gitops/cache.json`` at the repository root (the folder carries
its own ``.gitignore``, so git never sees it). It is a hint, never a verdict:

- a file's digest comes from the cache only when the file's stat (size, mtime,
  ctime, inode, device) is what it was and the file was more than a second old
  then: an edit moves ctime, whatever mtime is set back to, and an edit within
  the second after a run is hashed again;
- what a spec file produced is reused only when the file's digest, the digest of
  everything it read (the specs it looked up, the files it shipped) and the
  settings are the same; ray-gitops's own code and schemas are part of the key,
  so a cache from another version is dropped whole;
- a cache that cannot be read, or is of another shape, is no cache.

A fresh clone has no cache and behaves as before; ``--no-cache`` ignores it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

FOLDER = ".ray-gitops"
FILE = "cache.json"
FORMAT = 1
YOUNG_NS = 1_000_000_000  # a file changed within this long of being looked at is hashed again
MAX_BYTES = 64 << 20  # a cache larger than this is not read
ENV_OFF = "RAY_GITOPS_NO_CACHE"


def digest_bytes(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@cache
def tool_digest() -> str:
    """ray-gitops itself: its code by content, its schemas by name, size and mtime
    (as Python trusts its own bytecode), and the cache's format."""
    here = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    h.update(f"format {FORMAT}\n".encode())
    for path in sorted(here.rglob("*.py")):
        h.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    packaged = here / "_schemas"
    schemas = packaged if packaged.is_dir() else here.parent / "schemas"
    for path in sorted(schemas.rglob("*.json")):
        st = path.stat()
        h.update(f"{path.relative_to(schemas).as_posix()} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@dataclass
class Cache:
    """One repository's cache, read at the start of a run and written at its end."""

    root: Path
    settings: str = ""  # digest of the settings the units were made with
    facts: dict[str, list[list[Any]]] = field(default_factory=dict)  # file digest -> facts
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # spec file -> what it made
    stamps: dict[str, list[Any]] = field(default_factory=dict)  # path -> stat and digest
    used: dict[str, list[Any]] = field(default_factory=dict)  # stamps taken this run
    started_ns: int = field(default_factory=time.time_ns)

    # -- file digests ----------------------------------------------------------------------
    def digest(self, path: Path, key: str, *, follow: bool = True,
               limit: int | None = None) -> str | None:
        """The digest of a regular file's bytes (``None`` when it is not one, or is
        larger than ``limit``), from its stamp when that can be trusted."""
        try:
            st = os.stat(path, follow_symlinks=follow)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or (limit is not None and st.st_size > limit):
            return None
        mark = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
        old = self.stamps.get(key)
        if old is not None and old[:5] == mark and old[6]:
            self.used[key] = old
            return str(old[5])
        try:
            raw = _read_regular(path, follow)
        except OSError:
            return None
        found = digest_bytes(raw)
        self.remember(key, st, found)
        return found

    def remember(self, key: str, st: os.stat_result, digest: str) -> None:
        """A file's digest, trusted by stamp next time if it was not young now."""
        newest = max(st.st_mtime_ns, st.st_ctime_ns)
        trusted = newest < self.started_ns - YOUNG_NS
        self.used[key] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev,
                          digest, trusted]

    # -- reading and writing ---------------------------------------------------------------
    @classmethod
    def open(cls, root: Path) -> Cache:
        """The repository's cache, or an empty one (never an error: it is a hint)."""
        out = cls(root)
        try:
            data = json.loads(_read_regular(root / FOLDER / FILE, False, MAX_BYTES))
        except (OSError, ValueError):
            return out
        if not isinstance(data, dict) or data.get("tool") != tool_digest():
            return out
        facts, units, stamps = data.get("facts"), data.get("units"), data.get("stamps")
        if not (isinstance(facts, dict) and isinstance(units, dict) and isinstance(stamps, dict)
                and isinstance(data.get("settings"), str)):
            return out
        out.settings = data["settings"]
        out.facts = facts
        out.units = {k: v for k, v in units.items() if _unit_shape(v)}
        out.stamps = {k: v for k, v in stamps.items() if _stamp_shape(v)}
        return out

    def save(self, settings: str, units: dict[str, dict[str, Any]],
             facts: dict[str, list[list[Any]]], *, partial: bool = False) -> None:
        """Write the cache at once (a temporary file renamed over the old one); a
        repository that cannot hold it (read-only, a symbolic link in the way) keeps none."""
        folder = self.root / FOLDER
        try:
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                return
            folder.mkdir(exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists() and not ignore.is_symlink():
                ignore.write_text("# ray-gitops's cache: never committed\n*\n")
            # a run over part of the repository keeps the stamps it did not take
            stamps = {**self.stamps, **self.used} if partial else self.used
            data = {"tool": tool_digest(), "settings": settings, "facts": facts,
                    "units": units, "stamps": stamps}
            fd, temp = tempfile.mkstemp(prefix=".cache.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as stream:
                    stream.write(json.dumps(data, separators=(",", ":")))  # the C encoder
                os.replace(temp, folder / FILE)
            finally:
                if os.path.exists(temp):
                    os.unlink(temp)
        except OSError:
            return


def _read_regular(path: Path, follow: bool, limit: int | None = None) -> bytes:
    """A regular file's bytes, never through a symbolic link unless ``follow``."""
    flags = os.O_RDONLY | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (limit is not None and st.st_size > limit):
            raise OSError(f"{path}: not a regular file of a readable size")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            return stream.read()
    finally:
        os.close(fd)


def _unit_shape(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("digest"), str)
            and isinstance(value.get("reads"), dict) and isinstance(value.get("outputs"), dict)
            and isinstance(value.get("diagnostics"), list) and isinstance(value.get("scaling"), list))


def _stamp_shape(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 7
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value[:5])
            and isinstance(value[5], str) and isinstance(value[6], bool))


def enabled(flag: bool) -> bool:
    """The cache is used unless ``--no-cache`` or RAY_GITOPS_NO_CACHE says otherwise."""
    return flag and os.environ.get(ENV_OFF, "") in ("", "0")
