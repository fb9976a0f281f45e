"""Celery tasks: thin wrappers that take ids and call a service.

Services enqueue them by name, after commit (``negotiations.after_commit``).
"""

import structlog
from celery import shared_task

from negotiations import services
from negotiations.after_commit import TURN_TASK

logger = structlog.get_logger(__name__)


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
