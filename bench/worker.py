"""A real Celery worker of the app, with time stamps around every turn task.

``python -m bench.worker <celery worker options>`` runs ``celery -A procur worker`` with two
signal handlers that push ``{negotiation, turn, start, end, pid}`` (wall-clock seconds) for
each ``negotiation_turn`` to the Redis list :data:`TIMINGS_KEY`, on the broker's Redis. The
app's code is unchanged: the stamps bracket exactly what the worker runs for a turn (the
claim, the agent, the commit and the after-commit pushes).

With ``BENCH_STAMP_COMMITS=1`` (the push measurement only: the stamp is a Redis round trip
inside the turn) it also stamps each commit that stores a message: ``live.publish_message`` is
the first after-commit callback of such a transaction, so a wrapper pushes ``{message,
commit}`` to :data:`COMMITS_KEY` as it is called, before the push is rendered.
"""

import json
import os
import sys
import time

import redis
from celery.signals import task_postrun, task_prerun

TIMINGS_KEY = "bench:turn-timings"
COMMITS_KEY = "bench:commits"
TURN_TASK = "negotiations.tasks.negotiation_turn"

_started: dict[str, float] = {}
_clients: dict[int, redis.Redis] = {}


def _redis() -> redis.Redis:
    """One client per process (prefork children must not share the parent's socket)."""
    pid = os.getpid()
    if pid not in _clients:
        _clients[pid] = redis.Redis.from_url(os.environ["REDIS_URL"])
    return _clients[pid]


def _stamp_commits() -> None:
    """Wrap ``live.publish_message`` (looked up at each commit) once per process."""
    from negotiations import live

    publish = live.publish_message
    if getattr(publish, "stamps_commits", False):
        return

    def stamped(message_id: int, quote_id: int | None = None) -> None:
        _redis().rpush(COMMITS_KEY, json.dumps({"message": message_id, "commit": time.time()}))
        publish(message_id, quote_id)

    stamped.stamps_commits = True
    live.publish_message = stamped


@task_prerun.connect
def _stamp_start(task_id=None, task=None, **_) -> None:
    if task is not None and task.name == TURN_TASK:
        if os.environ.get("BENCH_STAMP_COMMITS"):
            _stamp_commits()
        _started[task_id] = time.time()


@task_postrun.connect
def _stamp_end(task_id=None, task=None, args=None, state=None, **_) -> None:
    started = _started.pop(task_id, None)
    if started is None or task is None or task.name != TURN_TASK:
        return
    negotiation_id, turn = args
    record = {
        "negotiation": negotiation_id,
        "turn": turn,
        "start": started,
        "end": time.time(),
        "state": state,
        "pid": os.getpid(),
    }
    _redis().rpush(TIMINGS_KEY, json.dumps(record))


def main() -> None:
    from procur.celery import app

    app.worker_main(["worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
