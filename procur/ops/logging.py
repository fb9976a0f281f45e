"""Structured JSON logs: a request id on every web line, a negotiation id on every task line.

Every log line, ours or a library's, goes through the standard library and is rendered by
structlog's ``ProcessorFormatter``, which merges the context variables bound here. Context
variables follow a request through Django's sync/async hops and stay private to a worker thread,
so concurrent requests and turns never see each other's ids.

Supplier portal links (``/s/<token>/``, ``/ws/s/<token>/``) are secrets: every log record has
them redacted (:func:`install_token_redaction`), and so do Sentry's events (:func:`redact`).
"""

import inspect
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is echoed only when it is short and plain, so it cannot forge log fields.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Task parameters bound to the task's log lines when a task takes them.
_TASK_CONTEXT_PARAMETERS = ("negotiation_id", "quote_id")

_SHARED_PROCESSORS: list[Callable] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]

logger = structlog.get_logger("procur.request")

# A portal link's token: the path segment after ``/s/`` (the page and its actions) or ``/ws/s/``
# (its socket). Anything that looks like one goes, wherever in a line it is.
_PORTAL_TOKEN = re.compile(r"(/(?:ws/)?s/)[^/?#\s\"'<>]+")
REDACTED = "[redacted]"


def redact(value: Any) -> Any:
    """``value`` with portal tokens replaced, through strings, lists, tuples and dicts (a
    structlog event, a Sentry event); anything else as it is."""
    if isinstance(value, str):
        return _PORTAL_TOKEN.sub(rf"\g<1>{REDACTED}", value) if "s/" in value else value
    if isinstance(value, dict):
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(item) for item in value)
    return value


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record's message and arguments (a structlog record's message is its event dict).
    Arguments that are not text are left as they are: the portal logs none with a token."""
    record.msg = redact(record.msg)
    if record.args:
        record.args = redact(record.args)
    return record


def install_token_redaction() -> None:
    """Redact every log record as it is created, whoever logs it (ours, Django's request and
    security loggers, daphne's, Celery's) and wherever it goes (our console handler, pytest's
    caplog, Sentry's breadcrumbs). A filter on one handler would miss the others; on a logger,
    the records its children propagate."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "redacts_tokens", False):
        return

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    redacting_factory.redacts_tokens = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting_factory)


def logging_config(*, level: str, json: bool = True) -> dict:
    """The ``LOGGING`` dict for settings: one console handler, JSON (or a console renderer).
    Portal tokens are redacted from every record from here on."""
    install_token_redaction()
    renderer = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter_config(renderer)},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        # The PDF export's font subsetting logs a line per table it prunes.
        "loggers": {"fontTools": {"level": "WARNING"}},
    }


def formatter_config(renderer: Callable | None = None) -> dict:
    """A ``dictConfig`` formatter entry that renders stdlib and structlog records alike."""
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer or structlog.processors.JSONRenderer(),
        ],
        "foreign_pre_chain": _SHARED_PROCESSORS,
    }


@contextmanager
def bind_negotiation(negotiation_id: int) -> Iterator[None]:
    """Every log line inside carries ``negotiation_id`` (e.g. around the body of a turn)."""
    with structlog.contextvars.bound_contextvars(negotiation_id=negotiation_id):
        yield


def request_id_for(request: HttpRequest) -> str:
    """The caller's X-Request-ID when it is plain and short, otherwise a fresh one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds a request id to every log line of the request, echoes it, logs one access line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id
        started = time.perf_counter()
        # Bound for the rest of the request, not just this block: Django logs 4xx/5xx responses
        # after the middleware chain returns. The next request starts from a clean context.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        response = self.get_response(request)
        logger.info(
            "request",
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        response[REQUEST_ID_HEADER] = request_id
        return response


def _task_context(task: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The negotiation/quote id among a task's arguments, matched by parameter name."""
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))
    except (TypeError, ValueError):
        return {}
    return {
        name: bound.arguments[name] for name in _TASK_CONTEXT_PARAMETERS if name in bound.arguments
    }


def _on_task_prerun(task_id: str, task: Any, args: tuple, kwargs: dict, **_: Any) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        task_id=task_id, task=task.name, **_task_context(task, args, kwargs)
    )


def _on_task_postrun(**_: Any) -> None:
    # Worker threads are reused: the next task must not inherit this one's ids.
    structlog.contextvars.clear_contextvars()


def connect_task_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_on_task_prerun, weak=False, dispatch_uid="procur-log-prerun")
    signals.task_postrun.connect(_on_task_postrun, weak=False, dispatch_uid="procur-log-postrun")
