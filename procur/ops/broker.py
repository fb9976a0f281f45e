"""What the Celery broker and workers say right now: queue depths and workers online.

Both are read live and bounded in time, so a dead Redis or a dead worker makes the ops page and
``/metrics`` report it instead of hanging.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from kombu.transport.redis import PRIORITY_STEPS, Channel

from procur.celery import app as celery_app

INSPECT_TIMEOUT = 1.0
# Workers seen by the ops page, so one that stops answering is shown offline, not forgotten.
SEEN_WORKERS_KEY = "procur:ops:workers-seen"
FORGET_OFFLINE_AFTER = timedelta(days=1)
# kombu's Redis transport keeps one list per priority step: "<queue>" and "<queue><sep><n>".
_PRIORITY_SEPARATOR = Channel.sep


class BrokerUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Worker:
    name: str
    online: bool
    last_seen: datetime | None = None
    active: list[dict] = field(default_factory=list)
    reserved: list[dict] = field(default_factory=list)


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)


def queue_names() -> list[str]:
    """The queues workers consume: the default one plus any the routes or settings declare."""
    names = {celery_app.conf.task_default_queue}
    names.update(celery_app.amqp.queues.keys())
    return sorted(names)


def queue_depths() -> dict[str, int]:
    """Messages waiting in each Celery queue (LLEN over the queue's priority lists)."""
    steps = celery_app.conf.broker_transport_options.get("priority_steps", PRIORITY_STEPS)
    try:
        client = _redis()
        with client.pipeline(transaction=False) as pipe:
            for name in queue_names():
                for step in steps:
                    pipe.llen(name if not step else f"{name}{_PRIORITY_SEPARATOR}{step}")
            lengths = iter(pipe.execute())
    except redis.RedisError as exc:
        raise BrokerUnavailable(str(exc)) from exc
    return {name: sum(next(lengths) for _ in steps) for name in queue_names()}


def _task_summary(task: dict) -> dict:
    return {
        "id": task.get("id", ""),
        "name": task.get("name", ""),
        "args": task.get("args", ""),
        "started": datetime.fromtimestamp(task["time_start"], UTC)
        if task.get("time_start")
        else None,
    }


def workers(now: datetime | None = None) -> list[Worker]:
    """Workers answering a ping within a second, with their tasks, then those seen before."""
    now = now or datetime.now(UTC)
    try:
        replies = celery_app.control.ping(timeout=INSPECT_TIMEOUT) or []
    except (redis.RedisError, OSError) as exc:
        raise BrokerUnavailable(str(exc)) from exc
    online = sorted(name for reply in replies for name in reply)
    active: dict = {}
    reserved: dict = {}
    if online:
        # Addressed to the workers that answered, so the calls return as soon as they all reply.
        inspector = celery_app.control.inspect(
            destination=online, timeout=INSPECT_TIMEOUT, limit=len(online)
        )
        active = inspector.active() or {}
        reserved = inspector.reserved() or {}
    client = _redis()
    try:
        if online:
            client.hset(SEEN_WORKERS_KEY, mapping={name: now.isoformat() for name in online})
        seen = {
            k.decode(): datetime.fromisoformat(v.decode())
            for k, v in client.hgetall(SEEN_WORKERS_KEY).items()
        }
        stale = [name for name, at in seen.items() if now - at > FORGET_OFFLINE_AFTER]
        if stale:
            client.hdel(SEEN_WORKERS_KEY, *stale)
    except redis.RedisError as exc:
        raise BrokerUnavailable(str(exc)) from exc
    result = [
        Worker(
            name=name,
            online=True,
            last_seen=now,
            active=[_task_summary(t) for t in active.get(name, [])],
            reserved=[_task_summary(t) for t in reserved.get(name, [])],
        )
        for name in online
    ]
    offline = sorted(name for name in seen if name not in online and name not in stale)
    result.extend(Worker(name=name, online=False, last_seen=seen[name]) for name in offline)
    return result
