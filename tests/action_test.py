"""The GitHub Action (action.yml): its metadata against GitHub's rules for a composite
action, and its steps run as a runner runs them (bash, the expressions evaluated, step
outputs through $GITHUB_OUTPUT) on a scratch repository with two commits, posting to a
local stand-in of GitHub's REST API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.commands.comment import MARKER
from generator.project import scaffold
from tests.helpers import ROOT, copy_repo, git

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
STEP_KEYS = {"name", "id", "if", "uses", "with", "run", "shell", "env", "working-directory",
             "continue-on-error"}
SHELLS = {"bash", "pwsh", "python", "sh", "cmd", "powershell"}
# the ray-gitops of this interpreter first on PATH, as the install step leaves it on a runner
PATH = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def test_metadata_follows_the_rules_for_a_composite_action() -> None:
    assert set(ACTION) <= {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
    assert ACTION["name"] and ACTION["description"]
    for name, spec in ACTION["inputs"].items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name)
        assert spec.get("description"), name
        assert set(spec) <= {"description", "required", "default", "deprecationMessage"}
        assert isinstance(spec.get("default", ""), str)  # inputs are strings
    runs = ACTION["runs"]
    assert runs["using"] == "composite"
    ids: set[str] = set()
    for step in runs["steps"]:
        assert set(step) <= STEP_KEYS, step
        assert ("uses" in step) != ("run" in step), step  # one or the other
        if "run" in step:
            assert step["shell"] in SHELLS  # composite run steps must name their shell
        else:
            assert "shell" not in step and re.fullmatch(r"[\w.-]+/[\w.-]+@[\w.-]+", step["uses"])
        if "id" in step:
            assert step["id"] not in ids and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", step["id"])
            ids.add(step["id"])
        text = json.dumps(step)
        for used in re.findall(r"inputs\.([A-Za-z0-9_-]+)", text):
            assert used in ACTION["inputs"], used
        for used in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", text):
            assert used in ids, f"{used} is not an earlier step"
    for spec in ACTION["outputs"].values():
        assert spec["description"] and spec["value"]
        for used in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", spec["value"]):
            assert used in ids


class Context:
    """The ``${{ }}`` expressions the action uses, evaluated as GitHub evaluates them."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, dotted: str) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node

    def evaluate(self, expression: str) -> Any:
        tokens = re.findall(r"'[^']*'|&&|\|\||==|!=|[()]|,|format|[A-Za-z_][\w.-]*", expression)
        python = []
        for token in tokens:
            if token in ("&&", "||"):
                python.append(" and " if token == "&&" else " or ")
            elif token in ("==", "!=", "(", ")", ","):
                python.append(token)
            elif token.startswith("'"):
                python.append(repr(token[1:-1]))
            elif token == "format":
                python.append("_format")
            else:
                python.append(repr(self.get(token)))
        return eval("".join(python), {"_format": lambda f, *a: f.format(*a)})  # noqa: S307

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: str(self.evaluate(m.group(1))), text)


class FakeGitHub(BaseHTTPRequestHandler):
    comments: list[dict[str, Any]] = []
    calls: list[tuple[str, str]] = []

    def _reply(self, code: int, data: Any) -> None:
        body = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.calls.append(("GET", self.path))
        assert self.headers["Authorization"] == "Bearer t0ken"
        if self.path.endswith("/user"):  # as GitHub answers a workflow's GITHUB_TOKEN
            self._reply(403, {"message": "Resource not accessible by integration"})
            return
        self._reply(200, self.comments if "page=1" in self.path else [])

    def _body(self) -> dict[str, Any]:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_POST(self) -> None:  # noqa: N802
        self.calls.append(("POST", self.path))
        comment = {"id": 100 + len(self.comments), "body": self._body()["body"],
                   "user": {"login": "github-actions[bot]", "type": "Bot"}}
        self.comments.append(comment)
        self._reply(201, comment)

    def do_PATCH(self) -> None:  # noqa: N802
        self.calls.append(("PATCH", self.path))
        number = int(self.path.rsplit("/", 1)[1])
        for comment in self.comments:
            if comment["id"] == number:
                comment["body"] = self._body()["body"]
        self._reply(200, {})

    def log_message(self, *args: Any) -> None:
        pass


def run_action(repo: Path, tmp: Path, api: str, inputs: dict[str, str]) -> dict[str, str]:
    """Every step of the action, as the runner runs a composite action's steps."""
    github = {"action_path": str(ROOT), "event_name": "pull_request", "base_ref": "main",
              "token": "t0ken", "event": {"pull_request": {"number": 7}}}
    defaults = Context({"github": github})  # a default may be an expression
    given = {name: inputs.get(name, defaults.substitute(spec.get("default", "")))
             for name, spec in ACTION["inputs"].items()}
    steps: dict[str, Any] = {}
    (tmp / "runner").mkdir(exist_ok=True)
    for step in ACTION["runs"]["steps"]:
        context = Context({"inputs": given, "github": github, "steps": steps})
        if "if" in step and not context.evaluate(step["if"]):
            continue
        assert "run" in step, f"with install none, no other action runs: {step}"
        output = tmp / "runner" / f"output-{len(steps)}"
        output.write_text("")
        env = {**os.environ, "PATH": PATH, "RUNNER_TEMP": str(tmp / "runner"), "GITHUB_OUTPUT": str(output),
               "GITHUB_REPOSITORY": "acme/platform", "GITHUB_API_URL": api,
               **{k: context.substitute(str(v)) for k, v in step.get("env", {}).items()}}
        cwd = repo / context.substitute(step.get("working-directory", "."))
        done = subprocess.run(["bash", "-e", "-c", context.substitute(step["run"])], cwd=cwd,
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{step.get('name')}: {done.stdout}{done.stderr}"
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        if "id" in step:
            steps[step["id"]] = {"outputs": outputs}
    return {name: Context({"steps": steps}).substitute(spec["value"])
            for name, spec in ACTION["outputs"].items()}


@pytest.fixture
def github():
    FakeGitHub.comments, FakeGitHub.calls = [], []
    server = HTTPServer(("127.0.0.1", 0), FakeGitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_action_checks_validates_and_comments(tmp_path: Path, github: str) -> None:
    repo = copy_repo(tmp_path / "platform")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # what checkout fetches
    spec = repo / "specs" / "llm-serve.yaml"
    spec.write_text(spec.read_text().replace("num_replicas: 2", "num_replicas: 3"))
    subprocess.run(["ray-gitops", "render", "-q", "--root", str(repo)], check=True,
                   env={**os.environ, "PATH": PATH})
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "more routers")

    outputs = run_action(repo, tmp_path, github, {"install": "none"})
    [posted] = FakeGitHub.comments
    assert posted["body"].startswith("<!-- ray-gitops")
    assert "RayService llm-serve" in posted["body"] and "```mermaid" in posted["body"]
    assert "capacity the pods request" in posted["body"]
    assert Path(outputs["comment-file"]).is_file()
    # a second push updates the same comment instead of adding one
    run_action(repo, tmp_path, github, {"install": "none"})
    assert len(FakeGitHub.comments) == 1
    assert [m for m, _ in FakeGitHub.calls].count("PATCH") == 1


def test_a_stale_rendered_tree_fails_the_action(tmp_path: Path, github: str) -> None:
    repo = copy_repo(tmp_path / "platform")
    spec = repo / "specs" / "llm-serve.yaml"
    spec.write_text(spec.read_text().replace("num_replicas: 2", "num_replicas: 3"))
    with pytest.raises(AssertionError, match="rendered/ is what specs/ produce"):
        run_action(repo, tmp_path, github, {"install": "none", "comment": "false"})
    assert FakeGitHub.comments == []


def test_init_workflow_uses_the_action_with_inputs_it_has() -> None:
    workflow = yaml.safe_load(scaffold.WORKFLOW.format(package="ray-gitops", action="o/r@v1"))
    [step] = [s for s in workflow["jobs"]["ray-gitops"]["steps"] if s["uses"] == "o/r@v1"]
    assert set(step["with"]) <= set(ACTION["inputs"])


def test_comment_needs_a_token_and_reports_http_errors(tmp_path: Path, github: str, cli) -> None:
    report = tmp_path / "r.md"
    report.write_text("x" * 70000)
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"} | {"PATH": PATH}
    done = subprocess.run(["ray-gitops", "comment", str(report), "--pr", "1"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 2 and "GITHUB_TOKEN" in done.stderr
    env = {**env, "GITHUB_TOKEN": "t0ken", "GITHUB_REPOSITORY": "acme/platform",
           "GITHUB_API_URL": github}
    done = subprocess.run(["ray-gitops", "comment", str(report), "--pr", "1"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [posted] = FakeGitHub.comments
    assert len(posted["body"]) < 65536 and "cut" in posted["body"]
    env["GITHUB_API_URL"] = "http://127.0.0.1:9"  # nothing listens
    done = subprocess.run(["ray-gitops", "comment", str(report), "--pr", "1"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 3 and "cannot reach" in done.stderr


def test_a_comment_that_copies_the_marker_is_not_ours(tmp_path: Path, github: str) -> None:
    """Anyone may start a comment with ray-gitops's marker: only the bot's own is edited, the
    other is left alone and ray-gitops posts its own."""
    report = tmp_path / "r.md"
    report.write_text("what this change does")
    FakeGitHub.comments.append({"id": 1, "body": MARKER + "\nno change, fits",
                                "user": {"login": "mallory", "type": "User"}})
    env = {**os.environ, "PATH": PATH, "GITHUB_TOKEN": "t0ken",
           "GITHUB_REPOSITORY": "acme/platform", "GITHUB_API_URL": github}
    for _ in range(2):  # posted, then updated: the same comment
        done = subprocess.run(["ray-gitops", "comment", str(report), "--pr", "1"], env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    forged, ours = FakeGitHub.comments
    assert forged["body"].endswith("no change, fits")
    assert ours["user"]["login"] == "github-actions[bot]" and "what this change does" in ours["body"]
    assert [m for m, _ in FakeGitHub.calls].count("POST") == 1


def test_the_token_never_follows_a_redirect_to_another_host(tmp_path: Path) -> None:
    """An API that answers with a redirect to another host: not followed (exit 3), and the
    other host never sees the token."""
    seen: list[str | None] = []

    class Elsewhere(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.headers["Authorization"])
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args: Any) -> None:
            pass

    other = HTTPServer(("127.0.0.2", 0), Elsewhere)

    class Redirecting(Elsewhere):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.2:{other.server_port}{self.path}")
            self.end_headers()

    api = HTTPServer(("127.0.0.1", 0), Redirecting)
    for server in (other, api):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = tmp_path / "r.md"
        report.write_text("x")
        env = {**os.environ, "PATH": PATH, "GITHUB_TOKEN": "t0ken",
               "GITHUB_REPOSITORY": "acme/platform",
               "GITHUB_API_URL": f"http://127.0.0.1:{api.server_port}"}
        done = subprocess.run(["ray-gitops", "comment", str(report), "--pr", "1"], env=env,
                              capture_output=True, text=True)
    finally:
        api.shutdown()
        other.shutdown()
    assert done.returncode == 3 and "another host" in done.stderr, done.stderr
    assert seen == []


def test_a_scaffolded_repository_gets_its_overlay_only_change_commented(
        tmp_path: Path, github: str, cli) -> None:
    """What `init` writes, with the action its workflow uses: a second commit that changes
    an overlay alone shows up in that overlay's section of the comment."""
    repo = tmp_path / "platform"
    assert cli("init", repo, "-q").exit_code == 0
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    overlay = repo / "overlays" / "prod" / "kustomization.yaml"
    text = overlay.read_text()
    assert "newTag: 2.52.0-py311" in text
    overlay.write_text(text.replace("newTag: 2.52.0-py311", "newTag: 2.52.0-gpu"))
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "two")
    run_action(repo, tmp_path, github, {"install": "none"})
    [posted] = FakeGitHub.comments
    body = posted["body"]
    assert "(against `origin/main`)" in body and "No object changes." in body  # the bases
    prod = body.split("overlay prod`)")[1]
    assert "2.52.0-gpu" in prod and "pods restart" in prod


def _pages(per_page: list[list[Any]] | Any):
    """GitHub's comment list, a page per call (``page=N`` in the path)."""
    def call(method: str, path: str, token: str, body: Any = None) -> Any:
        if not isinstance(per_page, list):
            return per_page
        page = int(re.search(r"[?&]page=(\d+)", path).group(1))
        return per_page[page - 1] if page <= len(per_page) else []
    return call


def _comment(i: int, login: str, body: str = "x") -> dict[str, Any]:
    return {"id": i, "user": {"login": login}, "body": body}


def test_our_comment_is_found_past_three_thousand_comments(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.commands import comment
    full = [[_comment(p * 100 + i, "someone") for i in range(100)] for p in range(35)]
    full[34][50] = _comment(99999, "github-actions[bot]", comment.MARKER + "\nold")
    monkeypatch.setattr(comment, "_call", _pages(full))
    assert comment._ours("repos/a/b/issues", 7, "t", "github-actions[bot]") == 99999


@pytest.mark.parametrize("reply", [{"message": "rate limited"}, "text", None])
def test_a_reply_that_is_no_list_is_a_clean_error(monkeypatch: pytest.MonkeyPatch, reply: Any) -> None:
    from generator.commands import comment
    from generator.errors import ServiceError
    monkeypatch.setattr(comment, "_call", _pages(reply))
    with pytest.raises(ServiceError, match="answered the list of comments"):
        comment._ours("repos/a/b/issues", 7, "t", "github-actions[bot]")


def test_past_the_last_page_looked_at_is_an_error_not_a_second_comment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.commands import comment
    from generator.errors import ServiceError
    monkeypatch.setattr(comment, "_call", lambda *a, **k: [_comment(1, "someone")] * comment.PER_PAGE)
    with pytest.raises(ServiceError, match="more than 10000 comments"):
        comment._ours("repos/a/b/issues", 7, "t", "github-actions[bot]")
