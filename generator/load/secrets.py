"""Literal secrets: a password typed into git is an error, wherever it stands.

Specs name Secrets (``secretKeyRef``, ``passwordSecret``) managed outside the
repository (Sealed Secrets, External Secrets, SOPS); they never hold a value. What
could reach ``rendered/`` or standard output is scanned: spec values, ray-gitops.yaml,
Serve config files, the files a ConfigMap copies, and what ``import`` writes.

Value detectors are detect-secrets' own (private keys, cloud and Git host tokens, JWTs,
URLs with credentials, OpenAI and Slack keys, ...), plus the Kubernetes and Ray places a
secret is typed into: env names such as ``DB_PASS`` or ``API_TOKEN_B64``, flags such as
``--password x`` in an entrypoint, and high-entropy env values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from generator.diagnostics import Diagnostic
from generator.fieldpath import FieldPath
from generator.load.documents import Document

# key names that hold secrets (normalized: lower case, no '-', '_' or '.'), with an
# encoding suffix allowed: DB_PASS, DB_PWD, API_TOKEN_B64, redisPassword
SECRET_KEY = re.compile(
    r"(password|passwd|passphrase|secret|secretkey|token|apikey|accesskey|privatekey"
    r"|credentials?)(b64|base64|hex)?$"
)
# short words, only as a whole part of the key: DB_PASS, db-pwd (not "compass")
SHORT_SECRET_KEY = re.compile(r"(^|[-_.])(pass|pwd|pw)([-_.]?(b64|base64|hex))?$", re.IGNORECASE)
# tokens detect-secrets 1.5 does not know: OpenAI project and service keys, fine-grained
# GitHub tokens, Hugging Face tokens (model downloads from Ray jobs), GitLab tokens
MORE_TOKENS = re.compile(r"\b(sk-(proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}|github_pat_\w{22,}"
                         r"|hf_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_-]{20,})")
# key names that *name* a secret rather than hold one
NAMING_KEY = re.compile(r"(secretkeyref|secretname|secretref|passwordsecret|usernamesecret"
                        r"|tokensecret|valuefrom)$")
# a secret passed on a command line: --password x, --token=x, --api-key x
SECRET_FLAG = re.compile(r"--?(password|passwd|pass|token|secret|api[-_]?key|auth[-_]?token)"
                         r"(=|\s+)(?!\$)(\S+)", re.IGNORECASE)
ENV_KEYS = ("env", "envVars", "env_vars")  # mappings of env names to values
MESSAGE = ("{what}: reference a Secret instead (secretKeyRef, passwordSecret); never put a "
           "password in git")


# what any detector could flag: long token-like runs, key headers, credentials in a URL,
# and the prefixes of the tokens detected. Values without one (names, images, paths)
# never load detect-secrets, which imports requests (~0.2 s) for its verification.
_CANDIDATE = re.compile(r"BEGIN|://[^/\s]*@|AKIA|ASIA|eyJ|xox|sk_|sk-|npm_|_authToken|pypi-"
                        r"|gh[pousr]_|github_pat|glpat|gldt|hf_|SG\.|AccountKey")
_NOT_A_VALUE = r"(?![$%{<]|\s|REDACTED)"  # $VAR, ${VAR}, %(x)s, {{ x }}, <placeholder>
# the forms detect-secrets 1.5 misses, each a test in tests/safety_test.py
OWN_FORMS = (
    # a URL's password with no user: redis://:pw@host (Redis has no user by default)
    ("credentials in a URL", re.compile(r"://:" + _NOT_A_VALUE + r"[^@/\s]+@")),
    # a password or token in a URL's query or a DSN: ?password=pw, &access_token=t
    ("a password in a connection string", re.compile(
        r"[?&;]\s*(password|passwd|pwd|access_token|token|api_?key|secret)=" + _NOT_A_VALUE
        + r"[^&;\s]+", re.IGNORECASE)),
    # libpq and ADO connection strings: password=pw, Password=pw;
    ("a password in a connection string", re.compile(
        r"(^|[\s;])(password|pwd)\s*=\s*" + _NOT_A_VALUE + r"[^;\s'\"]+", re.IGNORECASE)),
    # assignments in code and JSON: DB_PASSWORD = "pw", "password": "pw", api_key: 'k'
    ("a password assigned in code", re.compile(
        r"(?<![\w-])(?:[\w-]*[_-])?(password|passwd|secret|token|api_?key)[\"']?\s*[:=]\s*[\"']"
        + _NOT_A_VALUE + r"(?!(true|false|null|none)[\"'])[^\"'\s]{4,}[\"']", re.IGNORECASE)),
    # key material by content: a kubeconfig's client key, a PEM key split over lines,
    # a base64 PEM private key (LS0tLS1CRUdJTi is "-----BEGIN")
    ("a private key", re.compile(r"client-key-data:\s*[A-Za-z0-9+/=]{20,}"
                                 r"|-----BEGIN[\s\w]{0,40}PRIVATE\s+KEY")),
)
_OWN_CANDIDATE = re.compile(r"://:|pass|pwd|token|secret|api_?key|client-key|PRIVATE"
                            r"|LS0tLS1CRUdJTi", re.IGNORECASE)
_B64_PEM = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/=]{8,}")
_ENTROPY_CANDIDATE = re.compile(r"[A-Za-z0-9+/=]{20,}")


@cache
def _detectors() -> tuple[Any, ...]:
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.basic_auth import BasicAuthDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.private_key import PrivateKeyDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.stripe import StripeDetector

    return (PrivateKeyDetector(), AWSKeyDetector(), AzureStorageKeyDetector(),
            GitHubTokenDetector(), GitLabTokenDetector(), JwtTokenDetector(), BasicAuthDetector(),
            OpenAIDetector(), SlackDetector(), StripeDetector(), SendGridDetector(),
            NpmDetector(), PypiTokenDetector())


@cache
def _entropy() -> Any:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString

    return Base64HighEntropyString(limit=4.5)


def secret_in(text: str, *, entropy: bool = False) -> str | None:
    """What kind of secret ``text`` holds, if any (detect-secrets' detector name)."""
    own = _own_form(text) if _OWN_CANDIDATE.search(text) else None
    if own:
        return own
    if not _CANDIDATE.search(text) and not (entropy and _ENTROPY_CANDIDATE.search(text)):
        return _flag(text)
    for line in text.splitlines() or [text]:
        for detector in _detectors():
            found = detector.analyze_line(filename="", line=line, line_number=1)
            if found:
                return str(next(iter(found)).type)
        # the entropy detector reads quoted strings: quote the value whole
        if entropy and _entropy().analyze_line(filename="", line=f'v: "{line}"', line_number=1):
            return "a high-entropy string"
    if MORE_TOKENS.search(text):
        return "an access token"
    return _flag(text)


def _own_form(text: str) -> str | None:
    for kind, pattern in OWN_FORMS:
        if pattern.search(text):
            return kind
    for run in _B64_PEM.findall(text):
        import base64
        import binascii

        try:
            decoded = base64.b64decode(run + "=" * (-len(run) % 4), validate=False)
        except (binascii.Error, ValueError):
            continue
        if b"PRIVATE KEY" in decoded:
            return "a private key (base64)"
    return None


def _flag(text: str) -> str | None:
    flag = SECRET_FLAG.search(text)
    if flag:
        return f"a secret on a command line ({flag.group(0).split()[0].split('=')[0]})"
    return None


def literal_secrets(doc: Document) -> list[Diagnostic]:
    return [doc.diagnostic(path, "RG044", message) for path, message in find(doc.data)]


def find(node: Any) -> list[tuple[FieldPath, str]]:
    """Every literal secret in plain data, with its path."""
    return list(_walk(node, (), naming=False, env=False))


def _walk(node: Any, path: FieldPath, naming: bool, env: bool) -> Iterator[tuple[FieldPath, str]]:
    if isinstance(node, dict) and env and not naming and _named_secret(node):
        # an entry of a Kubernetes env list: {name: DB_PASSWORD, value: hunter2}
        yield (*path, "value"), MESSAGE.format(what=f"env {node['name']!r} holds a literal value")
        return
    if isinstance(node, dict):
        for key, value in node.items():
            norm = re.sub(r"[-_.]", "", str(key).lower())
            inner = naming or bool(NAMING_KEY.search(norm))
            at = (*path, key)
            secret_key = SECRET_KEY.search(norm) or SHORT_SECRET_KEY.search(str(key))
            if _is_literal(value) and not inner and secret_key:
                yield at, MESSAGE.format(what=f"{key!r} holds a literal value")
            else:
                # the values of an env mapping, or of an env list's entries, are env values
                child_env = str(key) in ENV_KEYS or (env and str(key) == "value")
                yield from _walk(value, at, inner, env=child_env or (env and not isinstance(
                    value, dict | list)))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, (*path, i), naming, env)
    elif isinstance(node, str) and not naming:
        kind = secret_in(node, entropy=env)
        if kind:
            yield path, MESSAGE.format(what=f"this looks like a secret ({kind})")


def _named_secret(entry: dict[Any, Any]) -> bool:
    name = entry.get("name")
    if not isinstance(name, str) or not _is_literal(entry.get("value")):
        return False
    norm = re.sub(r"[-_.]", "", name.lower())
    return bool(SECRET_KEY.search(norm) or SHORT_SECRET_KEY.search(name))


def _is_literal(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        return True
    # "$REDIS_PASSWORD" expands an env var (the legacy redis-password rayStartParam); "" sets nothing
    return isinstance(value, str) and value.strip() != "" and not value.startswith("$")


def redact(node: Any) -> tuple[Any, int]:
    """A copy of plain data with each literal secret replaced, and how many there were."""
    found = find(node)
    if not found:
        return node, 0
    import copy

    out = copy.deepcopy(node)
    for path, _ in found:
        parent: Any = out
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = "REDACTED: reference a Secret"
    return out, len(found)
