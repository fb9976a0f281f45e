"""The web server as production runs it (``procur.web``: daphne processes serving the real ASGI
app), started by a test on the suite's database and this run's Redis."""

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.conf import settings

from procur import embedded_redis, web
from tests.test_negotiate_demo import database_url

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def running_web_server(
    *, processes: int, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """``procur.web`` on a free port, its links (``PROCUR_BASE_URL``) pointing at itself, with
    ``env`` added to its environment and what it prints going to the file ``log`` (else to the
    test's output); yields its URL once it answers."""
    port = embedded_redis.free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "true",
        "PYTHONUNBUFFERED": "1",
        "PROCUR_BASE_URL": url,
        **(env or {}),
    }
    with log.open("w") if log else nullcontext() as output:
        process = subprocess.Popen(
            web.command(port=port, processes=processes),
            cwd=REPO,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    try:
        deadline = time.monotonic() + 60  # start-up on a loaded machine
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                assert process.poll() is None, "the web server exited during start-up" + (
                    f": {log.read_text()}" if log else ""
                )
                assert time.monotonic() < deadline, "the web server did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
