"""The rendered Redis, run for real: a redis-server started exactly as the rendered
StatefulSet starts it (its command, its redis.conf), on loopback in a temporary folder."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.pipeline.build import build
from generator.project.repo import open_repo
from tests.helpers import ROOT


def rendered() -> tuple[dict[str, Any], str]:
    found = {(o.kind, o.name): o.obj for o in build(open_repo(ROOT)).objects}
    container = found[("StatefulSet", "redis")]["spec"]["template"]["spec"]["containers"][0]
    return container, found[("ConfigMap", "redis-config")]["data"]["redis.conf"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PASSWORDS = {
    "hex": secrets.token_hex(16),
    "quote": 'pa"ss',
    "backslash": "back\\slash\\",
    "newline": "new\nline",
    "injection": "x\nappendonly no\nrequirepass y",
    "shell": "$HOME `id` $(id) ' ;",
    "unicode": "pässwörd ✓",
    "spaces": "  two  spaces  ",
}


@pytest.fixture(params=sorted(PASSWORDS))
def redis(tmp_path: Path, request: pytest.FixtureRequest
          ) -> Iterator[tuple[int, str, subprocess.Popen[bytes]]]:
    assert shutil.which("redis-server"), "redis-server is needed (.ci/run installs it)"
    container, conf = rendered()
    port = free_port()
    # the only changes: a free loopback port and a temporary folder for /data and /etc/redis
    conf = (conf.replace("port 6379", f"port {port}").replace("bind 0.0.0.0", "bind 127.0.0.1")
            .replace("/data", str(tmp_path)))
    (tmp_path / "redis.conf").write_text(conf)
    script = container["command"][2].replace("/etc/redis", str(tmp_path))
    password = PASSWORDS[request.param]
    env = {**os.environ, "REDIS_PASSWORD": password}
    proc = subprocess.Popen(["sh", "-c", script], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        raise AssertionError("redis-server did not start")
    yield port, password, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def cli(port: int, *args: str, auth: str | None = None) -> str:
    env = {**os.environ, **({"REDISCLI_AUTH": auth} if auth else {})}
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, env=env, timeout=10)
    return done.stdout.strip()


def test_password_is_required_and_works(redis: tuple[int, str, Any]) -> None:
    port, password, _ = redis
    assert "NOAUTH" in cli(port, "ping")
    assert cli(port, "ping", auth="not-the-password") != "PONG"
    assert cli(port, "ping", auth=password) == "PONG"
    assert cli(port, "config", "get", "appendonly", auth=password).split() == ["appendonly", "yes"]


def test_probe_command_authenticates(redis: tuple[int, str, Any]) -> None:
    port, password, _ = redis
    container, _ = rendered()
    probe = container["readinessProbe"]["exec"]["command"][2].replace("6379", str(port))
    env = {**os.environ, "REDIS_PASSWORD": password}
    assert subprocess.run(["sh", "-c", probe], env=env, timeout=10).returncode == 0
    env["REDIS_PASSWORD"] = "wrong"
    assert subprocess.run(["sh", "-c", probe], env=env, timeout=10).returncode != 0


def test_password_is_in_no_process_arguments(redis: tuple[int, str, Any]) -> None:
    _, password, proc = redis
    seen = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != proc.pid:
                continue
            args = (entry / "cmdline").read_bytes()
        except (OSError, ProcessLookupError):
            continue
        seen += 1
        assert password.encode() not in args
    assert seen >= 1  # redis-server itself, exec'd in place of the shell


def test_redis_is_pid_1_and_stops_on_sigterm(redis: tuple[int, str, Any]) -> None:
    """The process the container starts is redis-server itself (exec): SIGTERM to it, as the
    kubelet sends it to PID 1, stops Redis at once and cleanly."""
    _, _, proc = redis
    assert Path(f"/proc/{proc.pid}/comm").read_text().strip() == "redis-server"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
