"""Serve the ASGI app with several daphne processes on one port.

    python -m procur.web [--host 0.0.0.0] [--port 8000] [--processes 2] [daphne options...]

A daphne process runs one event loop on one core, and a live push is written to every socket of
the room in turn: with many viewers, one process is the bottleneck. Each process here gets its
own listening socket bound to the same address with ``SO_REUSEPORT``, so the kernel spreads new
connections evenly across them; the channel layer (Redis pub/sub) reaches every process, so a
viewer on any of them gets every push.

Defaults come from ``PROCUR_HOST``, ``PROCUR_PORT`` and ``PROCUR_WEB_PROCESSES`` (the number of
CPUs, at most 4). The processes count HTTP requests for ``/metrics`` together, through
prometheus_client's multiprocess files in a directory made here (``PROMETHEUS_MULTIPROC_DIR``,
unless already set) and removed at exit.

SIGTERM or SIGINT stops every process gracefully; if one exits on its own the others are stopped
and the launcher exits with its code, so a supervisor (honcho, Docker's restart policy) restarts
the whole server.
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from types import FrameType

APPLICATION = "procur.asgi:application"
MAX_DEFAULT_PROCESSES = 4
STOP_TIMEOUT = 30.0


def command(*, port: int, processes: int | None = None, host: str = "127.0.0.1") -> list[str]:
    """The command line that serves Procur on ``host:port`` (tests and benchmarks start it)."""
    count = [] if processes is None else ["--processes", str(processes)]
    return [sys.executable, "-m", "procur.web", "--host", host, "--port", str(port), *count]


def default_processes() -> int:
    return min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES)


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` IPv4 sockets listening on ``host:port``: one each with ``SO_REUSEPORT`` where
    the platform has it, else one shared by every process (the kernel then wakes one of them)."""
    reuse_port = count > 1 and hasattr(socket, "SO_REUSEPORT")
    first = socket.create_server((host, port), reuse_port=reuse_port, backlog=1024)
    if not reuse_port:
        return [first] * count
    # Port 0 asks for a free port: the others must join the one the first got.
    port = first.getsockname()[1]
    return [first] + [
        socket.create_server((host, port), reuse_port=True, backlog=1024) for _ in range(count - 1)
    ]


def daphne_command(fd: int, extra: list[str]) -> list[str]:
    # Daphne, with supplier portal tokens redacted from its access log.
    return [sys.executable, "-m", "procur.daphne_server", "--fd", str(fd), *extra, APPLICATION]


def stop(processes: list[subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM (daphne closes its sockets gracefully); SIGKILL what outlives ``timeout``."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m procur.web",
        description="Serve Procur with several daphne processes on one port.",
        epilog="Other options are passed to every daphne process (see daphne --help).",
    )
    parser.add_argument("--host", default=os.environ.get("PROCUR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PROCUR_PORT", "8000")))
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("PROCUR_WEB_PROCESSES") or default_processes()),
        help="daphne processes (default: PROCUR_WEB_PROCESSES, else the CPUs, at most 4)",
    )
    args, extra = parser.parse_known_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    return args, extra


def main(argv: list[str] | None = None) -> int:
    args, extra = parse_args(argv)
    try:
        sockets = listening_sockets(args.host, args.port, args.processes)
    except OSError as exc:
        print(f"procur.web: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    host, port = sockets[0].getsockname()[:2]
    metrics_dir = None
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = tempfile.mkdtemp(prefix="procur-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    processes = [
        subprocess.Popen(daphne_command(s.fileno(), extra), pass_fds=[s.fileno()]) for s in sockets
    ]
    print(f"procur.web: {len(processes)} daphne processes on http://{host}:{port}/", flush=True)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        pid, status = os.wait()  # the first daphne to exit ends the server
        code = os.waitstatus_to_exitcode(status)
        for process in processes:
            if process.pid == pid:
                process.returncode = code  # reaped here: Popen must not signal it again
        print(f"procur.web: daphne process {pid} exited ({code}); stopping", file=sys.stderr)
        return code or 1
    except SystemExit:
        return 0
    finally:
        stop(processes)
        for s in set(sockets):
            s.close()
        if metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
