"""Liveness and readiness probes for load balancers, docker and ops."""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from procur.celery import app as celery_app

WORKER_PING_TIMEOUT = 2.0
# Who may read why a check fails (exception text names hosts, ports and versions).
DETAILS_PERMISSION = "ops.view_operations"

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and serving; says nothing of its dependencies."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"database unreachable: {exc}"
    return None


def _check_redis() -> str | None:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except Exception as exc:
        return f"redis unreachable: {exc}"
    return None


def _check_worker() -> str | None:
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT)
    except Exception as exc:
        return f"celery unreachable: {exc}"
    if not replies:
        return f"no celery worker answered a ping within {WORKER_PING_TIMEOUT:g} s"
    return None


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to do real work: database and Redis reachable, and a Celery worker answers.

    Load balancers and anonymous callers learn which part fails, not why: the reason is logged,
    and shown to operators (the ops page's permission) only.
    """
    checks = {"database": _check_database(), "redis": _check_redis()}
    # Without Redis a worker ping would only repeat the Redis failure, after a timeout.
    checks["worker"] = _check_worker() if checks["redis"] is None else "redis unreachable"
    failing = {name: problem for name, problem in checks.items() if problem}
    for name, problem in failing.items():
        logger.warning("readyz: %s failing: %s", name, problem)
    detailed = request.user.is_authenticated and request.user.has_perm(DETAILS_PERMISSION)
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": {
            name: (problem if detailed else "failing") if problem else "ok"
            for name, problem in checks.items()
        },
    }
    return JsonResponse(body, status=503 if failing else 200)
