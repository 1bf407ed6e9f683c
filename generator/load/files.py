"""Files as bytes: a content digest, and a regular file read without following links."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def digest_bytes(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def read_regular(path: str | Path, follow: bool, limit: int | None = None) -> bytes:
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
