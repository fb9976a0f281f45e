"""Processes the benchmarks drive: Celery workers (bench.worker) and the web server, on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from procur.web import command as web_command

ROOT = Path(__file__).resolve().parent.parent
BENCH_SECRET_KEY = "procur-bench-secret-key-loopback-only-not-for-production-use"


def app_env(**overrides: object) -> dict[str, str]:
    """The environment of every app process: production mode (no DEBUG query log), quiet."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "PROCUR_METRICS_TOKEN": BENCH_SECRET_KEY,
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PROCUR_LLM": "scripted",
        "PROCUR_TURN_DELAY": "0",
        "PROCUR_SIMULATED_LLM_LATENCY": "0",  # unless a measurement sets a pace of its own
    }
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # Celery: warm shutdown; daphne: graceful
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def workers(count: int, *, pool: str, concurrency: int, **env: object) -> Iterator[None]:
    """``count`` Celery worker processes (bench.worker), ready when all answer a ping."""
    from procur.celery import app

    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                f"--hostname=bench{i}-{os.getpid()}@%h",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=app_env(**env),
            stdout=subprocess.DEVNULL,  # the banner; warnings and errors still go to stderr
        )
        for i in range(count)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=0.5) or []) < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError("the bench workers did not start (see their output above)")
        yield
    finally:
        for process in processes:
            _stop(process)


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen

    def cpu_seconds(self) -> float:
        """User + system CPU time the server's daphne processes have used so far (Linux /proc)."""
        return sum(_cpu_seconds(child) for child in self.children())

    def children(self) -> list[int]:
        """The daphne processes (Linux /proc)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def web(**env: object) -> Iterator[Server]:
    """The ASGI server as production runs it (``procur.web``: one daphne process per CPU) on a
    free loopback port, once it accepts connections."""
    port = free_port()
    process = subprocess.Popen(
        web_command(port=port),
        cwd=ROOT,
        env=app_env(**env),
        stdout=subprocess.DEVNULL,  # the access log: a line per websocket connect/disconnect
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the web server did not start") from None
                time.sleep(0.1)
        yield Server(port, process)
    finally:
        _stop(process)
