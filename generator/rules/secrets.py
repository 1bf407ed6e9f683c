"""Literal secrets in specs: a password typed into git is an error, wherever it stands.

Specs name Secrets (``secretKeyRef``, ``passwordSecret``) managed outside the
repository (Sealed Secrets, External Secrets, SOPS); they never hold a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Diagnostic
from generator.fieldpath import FieldPath
from generator.load.documents import Document

# key names that hold secrets (normalized: lower case, no '-', '_' or '.')
SECRET_KEY = re.compile(
    r"(password|passwd|passphrase|secret|secretkey|token|apikey|accesskey|privatekey|credentials?)$"
)
# key names that *name* a secret rather than hold one
NAMING_KEY = re.compile(r"(secretkeyref|secretname|secretref|passwordsecret|usernamesecret|tokensecret)$")
# values that are secrets whatever their key
SECRET_VALUE = re.compile(
    r"(-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b"
    r"|\bxox[abprs]-[A-Za-z0-9-]{10,})"
)


def literal_secrets(doc: Document) -> list[Diagnostic]:
    return [
        doc.diagnostic(path, "RG044", message)
        for path, message in _walk(doc.data, (), naming=False)
    ]


def _walk(node: Any, path: FieldPath, naming: bool) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            norm = re.sub(r"[-_.]", "", str(key).lower())
            inner = naming or bool(NAMING_KEY.search(norm))
            at = (*path, key)
            if _is_literal(value) and not inner and SECRET_KEY.search(norm):
                yield at, (f"{key!r} holds a literal value: reference a Secret instead "
                           "(secretKeyRef, passwordSecret); never put a password in git")
            else:
                yield from _walk(value, at, inner)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, (*path, i), naming)
    elif isinstance(node, str) and SECRET_VALUE.search(node):
        yield path, "looks like a private key or an access token: keep it in a Secret"


def _is_literal(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    # "$REDIS_PASSWORD" expands an env var (the legacy redis-password rayStartParam); "" sets nothing
    return isinstance(value, str) and value.strip() != "" and not value.startswith("$")
