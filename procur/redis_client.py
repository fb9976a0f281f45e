"""One short-timeout Redis client for the app's own keys (rate limits, room viewers)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def client() -> redis.Redis:
    """A client of ``settings.REDIS_URL``: a Redis that does not answer fails fast."""
    return _client(settings.REDIS_URL)
