"""``python -m procur.web``: several daphne processes sharing one port, stopped as one."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from procur import web

REPO = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"(\d+) daphne processes on http://127\.0\.0\.1:(\d+)/")


@dataclass
class Launcher:
    process: subprocess.Popen
    port: int

    def children(self) -> list[int]:
        pid = self.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _socket_count(pid: int) -> int:
    fds = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in fds.iterdir() if os.readlink(fd).startswith("socket:"))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _wait(condition, timeout: float = 60.0) -> None:  # start-up on a loaded machine
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@contextmanager
def launcher() -> Iterator[Launcher]:
    """Two daphne processes on a free port, once they serve."""
    # A database of its own: the scrape-time metrics read it (its tables are missing, which
    # /metrics reports as the database source down, at once); nothing else here needs one.
    database = REPO / "var" / "test-web-launcher.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    process = subprocess.Popen(
        web.command(port=0, processes=2),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = LISTENING.search(line)
        assert match, f"unexpected first line: {line!r}"
        running = Launcher(process, int(match[2]))

        def healthy() -> bool:
            try:
                url = f"http://127.0.0.1:{running.port}/healthz"
                return urllib.request.urlopen(url, timeout=1).status == 200
            except OSError:
                return False

        _wait(healthy)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=40)
        process.stdout.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_connections_are_spread_over_every_process():
    with launcher() as running:
        children = running.children()
        assert len(children) == 2
        before = {pid: _socket_count(pid) for pid in children}
        clients = []
        try:
            for _ in range(40):
                client = socket.create_connection(("127.0.0.1", running.port), timeout=5)
                client.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                assert client.recv(64).startswith(b"HTTP/1.1 200")  # served; kept alive
                clients.append(client)
            gained = {pid: _socket_count(pid) - before[pid] for pid in children}
        finally:
            for client in clients:
                client.close()
    # The kernel hashes each connection to one of the sockets: 40 all on one process would be
    # a 1 in 2^39 chance, and would mean the others never get any. (Counts are of open sockets,
    # so a database or Redis connection opened or closed meanwhile moves them by one or two.)
    assert all(n > 5 for n in gained.values()), gained


def _not_found_count(port: int) -> float:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    pattern = r'procur_http_requests_total\{method="GET",status="404",view="unresolved"\} (\S+)'
    return sum(float(n) for n in re.findall(pattern, body))


def test_metrics_count_the_requests_of_every_process():
    with launcher() as running:
        # Requests nothing else makes (the start-up wait polls /healthz, and a poll that timed
        # out may still be counted later).
        before = _not_found_count(running.port)
        for n in range(30):  # new connections each: the kernel spreads them over both processes
            with pytest.raises(urllib.error.HTTPError, match="404"):
                urllib.request.urlopen(f"http://127.0.0.1:{running.port}/nowhere-{n}", timeout=30)
        # Whichever process answers the scrape, it adds up both processes' counts.
        assert {_not_found_count(running.port) - before for _ in range(6)} == {30}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_every_process():
    with launcher() as running:
        children = running.children()
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=40) == 0
    assert not any(_alive(pid) for pid in children)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_process_that_dies_stops_the_server_so_its_supervisor_restarts_it():
    with launcher() as running:
        killed, other = running.children()
        os.kill(killed, signal.SIGKILL)
        assert running.process.wait(timeout=40) != 0
        _wait(lambda: not _alive(other))


def test_a_port_in_use_is_a_clear_error():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "procur.web", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_processes_must_be_positive():
    result = subprocess.run(
        [sys.executable, "-m", "procur.web", "--processes", "0"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--processes must be at least 1" in result.stderr
