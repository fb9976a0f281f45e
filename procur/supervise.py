"""Run a command and start it again whenever it exits, until told to stop.

    python -m procur.supervise [--name worker] -- celery -A procur worker ...

honcho (``make run``) stops the whole app as soon as one of its processes exits. A Celery worker
can exit on its own (its main process gives up with "Could not start worker processes" when a
pool child dies soon after start-up, or it loses its broker for good); under this supervisor the
web server keeps serving while the worker comes back. A command that keeps failing is restarted
with a growing pause (``RESTART_PAUSE`` doubling up to ``MAX_RESTART_PAUSE``); one that ran for
``STEADY_SECONDS`` counts as healthy again.

SIGTERM or SIGINT (honcho's stop, Ctrl-C) stops it: the command gets SIGTERM, and the supervisor
waits for it and exits with its code instead of starting it again. The command stays in the
supervisor's process group, so a signal to the group (honcho's, a terminal's) reaches it too: it
must take a second SIGTERM as calmly as the first (a Celery worker does: both mean a warm
shutdown, where a second SIGINT would be a cold one).
"""

import argparse
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

RESTART_PAUSE = 1.0
MAX_RESTART_PAUSE = 30.0
STEADY_SECONDS = 60.0


def say(name: str, text: str) -> None:
    print(f"procur.supervise: {name} {text}", file=sys.stderr, flush=True)


class Supervisor:
    def __init__(self, command: list[str], name: str) -> None:
        self.command = command
        self.name = name
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()

    def stop(self, signum: int, frame: FrameType | None = None) -> None:
        """Terminate the command once, and start it no more."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def run(self) -> int:
        pause = RESTART_PAUSE
        while True:
            started = time.monotonic()
            self.process = subprocess.Popen(self.command)
            if self.stopping.is_set():  # a stop that came while it was being started
                self.process.terminate()
            code = self.process.wait()
            if self.stopping.is_set():
                return code
            if time.monotonic() - started >= STEADY_SECONDS:
                pause = RESTART_PAUSE
            say(self.name, f"exited with code {code}; starting it again in {pause:g} s")
            if self.stopping.wait(pause):
                return code
            pause = min(pause * 2, MAX_RESTART_PAUSE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m procur.supervise",
        description="Run a command; start it again whenever it exits, until SIGTERM or SIGINT.",
    )
    parser.add_argument("--name", help="what to call the command in messages (default: its name)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    supervisor = Supervisor(command, args.name or command[0])
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
