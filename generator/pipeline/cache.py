"""What earlier runs learnt about a repository, so that a run costs what changed.

The cache is ``.ray-gitops/`` at the repository root (the folder carries
its own ``.gitignore``, so git never sees it). It is a hint, never a verdict:

- a file's digest comes from the cache only when the file's stat (size, mtime,
  ctime, inode, device) is what it was and the file was more than a second old
  then: an edit moves ctime, whatever mtime is set back to, and an edit within
  the second after a run is hashed again;
- what a spec file produced is reused only when the file's digest, the digest of
  everything it read (the specs it looked up, the files it shipped) and the
  settings are the same; ray-gitops's own code and schemas are part of the key,
  so a cache from another version is dropped whole;
- a cache that cannot be read, or is of another shape, is no cache, and so is one
  this user's key (``~/.cache/ray-gitops/key``) did not sign: a ``.ray-gitops/``
  committed to the repository is not believed by CI or by anyone else.

A fresh clone has no cache and behaves as before; ``--no-cache`` ignores it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.load.files import digest_bytes, read_regular

FOLDER = ".ray-gitops"
INDEX = "index.json"
UNITS = "units.json"
FORMAT = 1
YOUNG_NS = 1_000_000_000  # a file changed within this long of being looked at is hashed again
MAX_BYTES = 64 << 20  # a cache larger than this is not read
ENV_OFF = "RAY_GITOPS_NO_CACHE"


@cache
def tool_digest() -> str:
    """ray-gitops itself: its code by content, its schemas by name, size and mtime
    (as Python trusts its own bytecode), the installed distributions' versions, and the
    cache's format."""
    here = Path(__file__).resolve().parent.parent  # the package
    h = hashlib.blake2b(digest_size=16)
    h.update(f"format {FORMAT}\n".encode())
    for path in sorted(here.rglob("*.py")):
        h.update(path.relative_to(here).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    packaged = here / "_schemas"
    schemas = packaged if packaged.is_dir() else here.parent / "schemas"
    for path in sorted(schemas.rglob("*.json")):
        st = path.stat()
        h.update(f"{path.relative_to(schemas).as_posix()} {st.st_size} {st.st_mtime_ns}\n".encode())
    # the installed distributions, by name and version (their .dist-info folders): a
    # dependency upgraded (pydantic, kubernetes-validate's schemas, PyYAML) is another tool
    for folder in sorted({p for p in sys.path if p.endswith("-packages")}):
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".dist-info"))
        except OSError:
            continue
        h.update(f"{folder}\n{chr(10).join(names)}\n".encode())
    return h.hexdigest()


@dataclass
class Cache:
    """One repository's cache, read at the start of a run and written at its end.

    Two files: ``index.json`` (every spec file's facts, and the stamps of the files
    read) is all a hook on one file needs; ``units.json`` (what each spec file
    produced, and the stamps of rendered/) is read by runs over the whole repository."""

    root: Path
    settings: str = ""  # digest of the settings the units were made with
    facts: dict[str, list[list[Any]]] = field(default_factory=dict)  # file digest -> facts
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # spec file -> what it made
    stamps: dict[str, list[Any]] = field(default_factory=dict)  # path -> stat and digest
    outputs: dict[str, list[Any]] = field(default_factory=dict)  # the same, of rendered/
    used: dict[str, list[Any]] = field(default_factory=dict)  # stamps taken this run
    used_outputs: dict[str, list[Any]] = field(default_factory=dict)
    started_ns: int = field(default_factory=time.time_ns)

    # -- file digests ----------------------------------------------------------------------
    def digest(self, path: str | Path, key: str, *, follow: bool = True,
               limit: int | None = None, output: bool = False) -> str | None:
        """The digest of a regular file's bytes (``None`` when it is not one, or is
        larger than ``limit``), from its stamp when that can be trusted. ``output``:
        a file of rendered/."""
        try:
            st = os.stat(path, follow_symlinks=follow)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or (limit is not None and st.st_size > limit):
            return None
        old = (self.outputs if output else self.stamps).get(key)
        used = self.used_outputs if output else self.used
        if (type(old) is list and len(old) == 7 and old[6] is True and type(old[5]) is str
                and old[:5] == [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]):
            used[key] = old
            return old[5]
        try:
            raw = read_regular(path, follow)
        except OSError:
            return None
        found = digest_bytes(raw)
        newest = max(st.st_mtime_ns, st.st_ctime_ns)
        used[key] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, found,
                     newest < self.started_ns - YOUNG_NS]  # a young file: hashed again next time
        return found

    # -- reading and writing ---------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, *, units: bool = True) -> Cache:
        """The repository's cache, or an empty one (never an error: it is a hint).
        ``units=False``: the index only."""
        out = cls(root)
        index = _load_json(root / FOLDER / INDEX)
        if index is not None and isinstance(index.get("facts"), dict) \
                and isinstance(index.get("stamps"), dict):
            out.facts, out.stamps = index["facts"], index["stamps"]
        made = _load_json(root / FOLDER / UNITS) if units else None
        if made is not None and isinstance(made.get("settings"), str) \
                and isinstance(made.get("units"), dict) and isinstance(made.get("stamps"), dict) \
                and isinstance(made.get("questions"), list):
            out.settings, out.outputs = made["settings"], made["stamps"]
            out.units = _expanded(made["units"], made["questions"])
        return out

    def save(self, facts: dict[str, list[list[Any]]], *, partial: bool,
             settings: str | None = None, units: dict[str, dict[str, Any]] | None = None) -> None:
        """Write what changed, each file at once (a temporary file renamed over the old
        one). ``partial``: a run over part of the repository keeps the stamps it did not
        take. ``units``: what each spec file produced, made with ``settings``. A
        repository that cannot hold the cache (read-only, a symbolic link in the way)
        keeps none."""
        stamps = {**self.stamps, **self.used} if partial else self.used
        if facts != self.facts or stamps != self.stamps:
            _write_json(self.root, INDEX, {"tool": tool_digest(), "facts": facts, "stamps": stamps})
        if units is None or settings is None:
            return
        names = {name for unit in units.values() if isinstance(unit, dict)
                 for name in unit.get("outputs", ())}
        outputs = {k: v for k, v in {**self.outputs, **self.used_outputs}.items()
                   if k.split("/", 1)[-1] in names}
        if units != self.units or settings != self.settings or outputs != self.outputs:
            questions, compact = _compacted(units)
            _write_json(self.root, UNITS, {"tool": tool_digest(), "settings": settings,
                                           "questions": questions, "units": compact,
                                           "stamps": outputs})


def _compacted(units: dict[str, dict[str, Any]]) -> tuple[list[Any], dict[str, Any]]:
    """Each unit's reads as numbers into one table of questions and answers: 5,000 clusters
    that read the same compute templates ask the same two questions."""
    table: dict[tuple[Any, ...], int] = {}
    questions: list[Any] = []
    out: dict[str, Any] = {}
    for file, unit in units.items():
        numbers = []
        for query, answer in unit["reads"]:
            key = (*query, answer)
            if key not in table:
                table[key] = len(questions)
                questions.append([query, answer])
            numbers.append(table[key])
        out[file] = {**unit, "reads": numbers}
    return questions, out


def _expanded(units: dict[str, Any], questions: list[Any]) -> dict[str, dict[str, Any]]:
    """The units with their reads back; a question of another shape is none (a unit that
    asks it is dropped)."""
    questions = [q if (isinstance(q, list) and len(q) == 2 and isinstance(q[0], list)
                       and isinstance(q[1], str)
                       and all(v is None or isinstance(v, str) for v in q[0])) else None
                 for q in questions]
    out = {}
    for file, unit in units.items():
        if not isinstance(unit, dict) or not isinstance(unit.get("reads"), list) \
                or any(not isinstance(i, int) or not 0 <= i < len(questions)
                       or questions[i] is None for i in unit["reads"]):
            continue
        try:
            out[file] = {**unit, "reads": [questions[i] for i in unit["reads"]]}
        except (TypeError, KeyError, IndexError):
            continue  # not of this shape: no unit
    return out


@cache
def _key() -> bytes | None:
    """This user's key for the cache (in ~/.cache/ray-gitops, made once): a cache
    file is believed only when this key signed it. A .ray-gitops/ committed to a
    repository (by a pull request, say) is then no cache to CI or to another user."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    # the home (or XDG_CACHE_HOME) must exist: ray-gitops makes its own folder in it, never
    # the home itself (HOME pointing at a missing folder means no cache, not a new folder)
    home = Path(xdg) if xdg else Path.home()
    base = (home if xdg else home / ".cache") / "ray-gitops"
    path = base / "key"
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 or st.st_uid != os.getuid():
            return None  # a key others may read or write signs nothing: no cache
        raw = read_regular(path, False, 1024)
        if len(raw) == 32:
            return raw
    except OSError:
        pass
    if not home.is_dir():
        return None
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as stream:
            stream.write(os.urandom(32))
        raw = read_regular(path, False, 1024)
    except OSError:
        return None
    return raw if len(raw) == 32 else None


def _signature(body: bytes) -> str | None:
    key = _key()
    return None if key is None else hashlib.blake2b(body, key=key, digest_size=32).hexdigest()


def _load_json(path: Path) -> dict[str, Any] | None:
    """A cache file of this version of ray-gitops, signed with this user's key, or None."""
    try:
        raw = read_regular(path, False, MAX_BYTES)
    except OSError:
        return None
    mark, _, body = raw.partition(b"\n")
    signature = _signature(body)
    if signature is None or not hmac.compare_digest(mark, signature.encode()):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("tool") == tool_digest() else None


def _write_json(root: Path, name: str, data: dict[str, Any]) -> None:
    folder = root / FOLDER
    body = json.dumps(data, separators=(",", ":")).encode()  # the C encoder
    signature = _signature(body)
    if signature is None:
        return  # no key to sign with: no cache
    try:
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists() and not ignore.is_symlink():
            ignore.write_text("# ray-gitops's cache: never committed\n*\n")
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(signature.encode() + b"\n" + body)
            os.replace(temp, folder / name)
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    except OSError:
        return


def enabled(flag: bool) -> bool:
    """The cache is used unless ``--no-cache`` or RAY_GITOPS_NO_CACHE says otherwise."""
    return flag and os.environ.get(ENV_OFF, "") in ("", "0")
