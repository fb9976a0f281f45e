"""Fixed-window rate limits on Redis: per user for the actions that start work (quotes, staff
interventions), per client address and per username for login attempts, per link and per client
address for the supplier portal (its pages, its replies and its socket's connects).

A limit is ``"<count>/<period>"`` with the period ``sec``, ``min`` or ``hour`` (e.g. ``30/min``),
read from settings at each call so a test can change it. The counter lives in Redis (the one
every web process shares), one key per scope, user (or address, or username) and window. When
Redis cannot be reached the request is let through: throttling is a guard against floods, and
refusing every staff action because a counter is unavailable would be worse than not counting
for a moment.
"""

import hashlib
import logging
import re
import time
from dataclasses import dataclass

import redis
from django.conf import settings
from django.http import HttpResponse

from procur import redis_client

logger = logging.getLogger(__name__)

PERIODS = {"sec": 1, "s": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$")

# Scope name -> the setting that holds its limit.
SCOPES = {
    "interventions": "PROCUR_RATE_LIMIT_INTERVENTIONS",
    "quotes": "PROCUR_RATE_LIMIT_QUOTES",
    "login-address": "PROCUR_RATE_LIMIT_LOGIN_ADDRESS",
    "login-username": "PROCUR_RATE_LIMIT_LOGIN_USERNAME",
    "portal-token": "PROCUR_RATE_LIMIT_PORTAL_TOKEN",
    "portal-address": "PROCUR_RATE_LIMIT_PORTAL_ADDRESS",
}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    """``"30/min"`` -> ``Rate(30, 60)``; ``ValueError`` saying what is accepted otherwise."""
    match = _RATE.match(text.lower())
    if not match or match.group(2) not in PERIODS or int(match.group(1)) < 1:
        raise ValueError(
            f"{text!r} is not a rate: write <count>/<period>, a count of at least 1 and a period "
            "of sec, min or hour (e.g. 30/min)."
        )
    return Rate(int(match.group(1)), PERIODS[match.group(2)])


@dataclass(frozen=True)
class Limited:
    """A refused request: the message to show and the seconds until the window resets."""

    message: str
    retry_after: int


_WHAT = {
    "interventions": "messages to the agents",
    "quotes": "new quotes",
    "login-address": "login attempts from your address",
    "login-username": "login attempts for this username",
    "portal-token": "requests for this link",
    "portal-address": "requests from your address",
}


def hit(scope: str, user) -> Limited | None:
    """Count one request of ``user`` in ``scope``; ``Limited`` if it is over the limit."""
    return hit_key(scope, str(user.pk))


def hit_key(scope: str, who: str) -> Limited | None:
    """Count one request of ``who`` (a user id, an address, a username) in ``scope``."""
    rate = parse_rate(getattr(settings, SCOPES[scope]))
    now = time.time()
    window = int(now // rate.seconds)
    # Hashed: a username is any text the visitor typed, and keys stay short.
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    key = f"procur:ratelimit:{scope}:{digest}:{rate.seconds}:{window}"
    try:
        pipe = redis_client.client().pipeline()
        pipe.incr(key)
        pipe.expire(key, rate.seconds)
        count = pipe.execute()[0]
    except redis.RedisError:
        logger.warning("rate limit of %s not counted: Redis unavailable", scope, exc_info=True)
        return None
    if count <= rate.count:
        return None
    retry_after = max(1, int(rate.seconds - now % rate.seconds))
    return Limited(
        f"Too many {_WHAT[scope]}: at most {rate.count} every {_period_text(rate.seconds)}. "
        f"Try again in {retry_after} s.",
        retry_after,
    )


def _period_text(seconds: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour"}[seconds]


def too_many_requests(limited: Limited, response: HttpResponse | None = None) -> HttpResponse:
    """``response`` (a page or HTMX fragment showing the message), else the plain message, as a
    429 with ``Retry-After``."""
    if response is None:
        response = HttpResponse(limited.message, content_type="text/plain; charset=utf-8")
    response.status_code = 429
    response["Retry-After"] = str(limited.retry_after)
    return response
