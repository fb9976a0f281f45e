"""Celery tasks: thin wrappers that take ids and call a service."""

from celery import shared_task

from negotiations import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def negotiation_turn(self, negotiation_id: int, turn: int) -> str:
    """Play one turn of one negotiation; the service makes a repeated delivery harmless.

    Retries are unbounded here because the service counts deliveries in the database and fails
    the negotiation after its limit: the count survives worker crashes, Celery's does not.
    """
    outcome = services.turn_run(
        negotiation_id=negotiation_id,
        turn=turn,
        redelivered=bool((self.request.delivery_info or {}).get("redelivered")),
    )
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result
