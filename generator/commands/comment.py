"""``ray-gitops comment FILE --pr N``: post FILE as the pull request's ray-gitops comment,
or update the one posted before (found by a marker), through GitHub's REST API.

Reads GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name) and GITHUB_API_URL (GitHub Enterprise),
as a GitHub Actions runner sets them.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import click

from generator.errors import Exit, ServiceError, UsageError

MARKER = "<!-- ray-gitops: what this change does on the cluster -->"
MAX_BODY = 65000  # GitHub refuses comments over 65,536 characters
PER_PAGE = 100
MAX_PAGES = 100  # 10,000 comments: past that, an error rather than a second comment
BOT = "github-actions[bot]"  # who a workflow's GITHUB_TOKEN comments as
ENV_AUTHOR = "RAY_GITOPS_COMMENT_AUTHOR"  # the login ray-gitops comments as, where it differs


def run(file: Path, pr: int, repository: str | None = None) -> int:
    token = os.environ.get("GITHUB_TOKEN", "")
    repository = repository or os.environ.get("GITHUB_REPOSITORY", "")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    if not token or "/" not in repository:
        raise UsageError("comment needs GITHUB_TOKEN and GITHUB_REPOSITORY (owner/name)")
    body = f"{MARKER}\n{file.read_text(encoding='utf-8')}"
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY] + "\n\n_(cut: the full report is in the job's log)_"
    issues = f"{api}/repos/{repository}/issues"
    found = _ours(issues, pr, token, _author(api, token))
    if found is None:
        _call("POST", f"{issues}/{pr}/comments", token, {"body": body})
        click.echo(f"posted the ray-gitops comment on #{pr}", err=True)
    else:
        _call("PATCH", f"{issues}/comments/{found}", token, {"body": body})
        click.echo(f"updated the ray-gitops comment on #{pr}", err=True)
    return Exit.OK


def _author(api: str, token: str) -> str:
    """Whose comments are ray-gitops's: the token's own user (a personal token can ask), else
    the workflow's bot (GITHUB_TOKEN cannot ask), or RAY_GITOPS_COMMENT_AUTHOR."""
    explicit = os.environ.get(ENV_AUTHOR, "").strip()
    if explicit:
        return explicit
    try:
        me = _call("GET", f"{api}/user", token)
    except ServiceError:
        return BOT
    login = me.get("login") if isinstance(me, dict) else None
    return login if isinstance(login, str) and login else BOT


def _ours(issues: str, pr: int, token: str, author: str) -> int | None:
    """The id of the comment ray-gitops posted before: its marker, and its author (anyone can
    write the marker; only ray-gitops's own comment is edited)."""
    for page in range(1, MAX_PAGES + 1):
        comments = _call("GET", f"{issues}/{pr}/comments?per_page={PER_PAGE}&page={page}", token)
        if not isinstance(comments, list):
            raise ServiceError(f"GitHub answered the list of comments with {type(comments).__name__}")
        for comment in comments:
            if not isinstance(comment, dict):
                continue
            user = comment.get("user")
            mine = isinstance(user, dict) and user.get("login") == author
            if mine and str(comment.get("body", "")).startswith(MARKER):
                return int(comment["id"])
        if len(comments) < PER_PAGE:
            return None
    raise ServiceError(f"pull request #{pr} has more than {MAX_PAGES * PER_PAGE} comments: "
                       "ray-gitops did not look for its own past them")


class _SameHost(urllib.request.HTTPRedirectHandler):
    """Redirects within the API's host only: the token is never sent to another host."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            raise ServiceError(f"GitHub redirected {req.full_url} to another host ({newurl}): "
                               "not followed, the token stays with the API")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameHost)


def _call(method: str, url: str, token: str, data: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        url, method=method, data=json.dumps(data).encode() if data is not None else None,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                 "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
                 "User-Agent": "ray-gitops"})
    try:
        with _OPENER.open(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"GitHub answered {exc.code} to {method} {url}: "
                         f"{exc.read().decode(errors='replace')[:300]}") from None
    except urllib.error.URLError as exc:
        raise ServiceError(f"cannot reach {url}: {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise ServiceError(f"{method} {url} failed: {type(exc).__name__}: {exc}") from None
