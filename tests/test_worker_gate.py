"""The suite's worker gate (tests/worker_gate.py): a teardown waits for the running tasks, and a
task that starts after it waits for the next test."""

import threading
import time

from tests.worker_gate import WorkerGate


def test_shut_waits_for_the_running_task_and_holds_the_next_until_open():
    gate = WorkerGate()
    gate.enter()
    shut = threading.Thread(target=gate.shut)
    shut.start()
    shut.join(timeout=0.3)
    assert shut.is_alive(), "shut returned while a task still ran"
    gate.leave()
    shut.join(timeout=5)
    assert not shut.is_alive()

    started = threading.Event()
    task = threading.Thread(target=lambda: (gate.enter(), started.set()))
    task.start()
    assert not started.wait(timeout=0.3), "a task started while the gate was shut"
    gate.open()
    assert started.wait(timeout=5)
    task.join(timeout=5)


def test_shut_gives_up_with_a_warning_when_a_task_never_ends(recwarn):
    gate = WorkerGate()
    gate.enter()
    began = time.monotonic()
    gate.shut(timeout=0.2)
    assert time.monotonic() - began >= 0.2
    assert "still running" in str(recwarn.pop(UserWarning).message)
