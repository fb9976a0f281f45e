"""`make run`'s worker survives its own exit: procur.supervise starts it again, and stops it when
told (real processes: a short script, then a real Celery worker on the suite's Redis)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from procur.celery import app as celery_app
from tests.test_negotiate_demo import database_url

ROOT = Path(__file__).resolve().parent.parent
# Records its pid, then exits with code 3 the first two times and waits for a signal the third.
FLAKY = """
import pathlib, signal, sys, os
log = pathlib.Path(sys.argv[1])
with log.open("a") as f:
    f.write(f"{os.getpid()}\\n")
if len(log.read_text().split()) < 3:
    sys.exit(3)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
"""


def supervise(*command: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "procur.supervise", "--name", "test", "--", *command],
        cwd=ROOT,
        env={**os.environ, **env},
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], object], timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_command_that_exits_is_started_again_until_the_supervisor_is_stopped(tmp_path):
    log = tmp_path / "pids"
    supervisor = supervise(sys.executable, "-c", FLAKY, str(log))
    try:
        pids = wait_for(lambda: log.exists() and [int(p) for p in log.read_text().split()][2:])
        time.sleep(0.5)  # the third one stays up: no fourth start
        assert len(log.read_text().split()) == 3
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=20) == 0  # the command's own code: it stopped cleanly
    finally:
        supervisor.kill()
    assert not alive(pids[0])
    messages = supervisor.stderr.read()
    assert messages.count("procur.supervise: test exited with code 3; starting it again") == 2


def test_ctrl_c_stops_the_command_instead_of_restarting_it(tmp_path):
    log = tmp_path / "pids"
    log.write_text("1\n2\n")  # the script's third start: it waits for a signal
    supervisor = supervise(sys.executable, "-c", FLAKY, str(log))
    try:
        [pid] = wait_for(lambda: [int(p) for p in log.read_text().split()][2:])
        supervisor.send_signal(signal.SIGINT)
        assert supervisor.wait(timeout=20) == 0
    finally:
        supervisor.kill()
    assert not alive(pid)
    assert len(log.read_text().split()) == 3
    assert "starting it again" not in supervisor.stderr.read()


def _worker_pid(name: str) -> int | None:
    replies = celery_app.control.inspect(destination=[name], timeout=1.0).stats() or {}
    return replies.get(name, {}).get("pid")


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_make_runs_celery_worker_comes_back_after_it_dies():
    name = f"supervised-{uuid.uuid4().hex[:8]}@localhost"
    supervisor = supervise(
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "procur",
        "worker",
        "--pool=solo",
        f"--hostname={name}",
        "--loglevel=WARNING",
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
    )
    try:
        first = wait_for(lambda: _worker_pid(name))
        os.kill(first, signal.SIGKILL)  # the worker's main process dies
        second = wait_for(lambda: (pid := _worker_pid(name)) != first and pid)
        assert alive(second) and supervisor.poll() is None
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=60) == 0
        wait_for(lambda: not alive(second), timeout=10)
    finally:
        supervisor.kill()
    assert "test exited with code -9; starting it again in 1 s" in supervisor.stderr.read()
