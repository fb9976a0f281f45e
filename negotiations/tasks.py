"""Celery tasks: thin wrappers that take ids and call a service.

Services enqueue them by name, after commit (``negotiations.after_commit``).
"""

import structlog
from celery import shared_task
from celery.signals import worker_init
from django.conf import settings

from negotiations import services
from negotiations.after_commit import NOTIFICATION_EMAILS_TASK, TURN_TASK

logger = structlog.get_logger(__name__)


@worker_init.connect
def preload_anthropic_sdk(**_signal) -> None:
    """With an API key, import the Anthropic SDK in the worker's main process, before it forks
    its pool, so that every child starts with it.

    The voice imports it lazily (the scripted voice never needs it), and its import takes
    seconds on a small machine (3.3 s here from bytecode, 5.6 s from source): paid in a new
    child's first turn, after a child was killed or replaced, it ate that turn's soft time
    limit, and the turn failed and was requeued (tests/faults/test_worker_crash.py).
    """
    if settings.ANTHROPIC_API_KEY:
        from negotiations.agents import anthropic_voice  # noqa: F401


@shared_task(
    name=TURN_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
)
def negotiation_turn(self, negotiation_id: int, turn: int) -> str:
    """Play one turn of one negotiation; the service makes a repeated delivery harmless.

    Retries are unbounded here because the service counts deliveries in the database and fails
    the negotiation after its limit: the count survives worker crashes, Celery's does not.
    Nobody reads a turn's result (the database holds what it did), so none is stored: storing
    it and subscribing to it when enqueueing cost two Redis round trips a turn. The outcome is
    logged instead (with the negotiation's id, from the task's log context).
    """
    outcome = services.turn_run(
        negotiation_id=negotiation_id,
        turn=turn,
        redelivered=bool((self.request.delivery_info or {}).get("redelivered")),
    )
    logger.info("turn outcome", turn=turn, outcome=outcome.result, retry_in=outcome.retry_in)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result


# Tries after the first failed send: with the backoff doubling from PROCUR_EMAIL_RETRY_SECONDS
# (30 s by default), the last is about half an hour after the first.
NOTIFICATION_EMAIL_RETRIES = 6


@shared_task(
    name=NOTIFICATION_EMAILS_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=NOTIFICATION_EMAIL_RETRIES,
    ignore_result=True,
)
def notification_emails(self, notification_ids: list[int]) -> None:
    """Email these notifications; the ones the mail server refused are tried again, with
    backoff. Sending is idempotent (each notification records when it was emailed)."""
    failed = services.notification_emails_send(notification_ids=notification_ids)
    if not failed:
        return
    if self.request.retries >= self.max_retries:
        logger.error("notification emails given up", failed=failed, tries=self.request.retries + 1)
        return
    raise self.retry(countdown=settings.PROCUR_EMAIL_RETRY_SECONDS * 2**self.request.retries)


@shared_task(name="negotiations.tasks.sweep_reply_deadlines", ignore_result=True)
def sweep_reply_deadlines() -> None:
    """Beat's sweep of invited suppliers' reply deadlines (reminders, and missed ones)."""
    result = services.sweep_reply_deadlines()
    if result.ended or result.reminded:
        logger.info("reply deadlines swept", ended=result.ended, reminded=result.reminded)
