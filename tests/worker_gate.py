"""A gate in front of the session's in-process Celery worker, shut while a test's database is
torn down.

The worker outlives each test, and a test may end while turns it started are still running or
queued. A transactional test's teardown empties the tables (``TRUNCATE`` on PostgreSQL); a turn
that locks a negotiation's row meanwhile and then writes a message can deadlock with it, and
PostgreSQL may pick the flush to abort ("Database test_procur couldn't be flushed"). So each
test's teardown shuts the gate and waits for the tasks already past it, and the next test opens
it: a task that was waiting then runs on a database that no longer has its negotiation (ids are
never reused, on PostgreSQL or SQLite), and does nothing.
"""

import threading
import warnings

from celery.signals import task_postrun, task_prerun


class WorkerGate:
    """Counts the tasks running past the gate; ``shut`` holds new ones and waits for those."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._open = True
        self._running = 0

    def enter(self, **_signal) -> None:
        with self._condition:
            self._condition.wait_for(lambda: self._open)
            self._running += 1

    def leave(self, **_signal) -> None:
        with self._condition:
            self._running -= 1
            self._condition.notify_all()

    def shut(self, timeout: float = 60.0) -> None:
        """Hold tasks that start from now on and wait for the running ones to finish."""
        with self._condition:
            self._open = False
            if not self._condition.wait_for(lambda: self._running == 0, timeout):
                warnings.warn(
                    f"{self._running} Celery task(s) still running after {timeout} s at teardown",
                    stacklevel=2,
                )

    def open(self) -> None:
        with self._condition:
            self._open = True
            self._condition.notify_all()

    def connect(self) -> None:
        """Put the gate in front of every task a worker of this process runs."""
        task_prerun.connect(self.enter, weak=False)
        task_postrun.connect(self.leave, weak=False)


gate = WorkerGate()
