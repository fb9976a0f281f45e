"""Periodic tasks (celery beat, ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task

from procur.ops.services import stalled_negotiations_requeue


@shared_task(ignore_result=True)
def sweep_stalled_negotiations() -> list[int]:
    """A lost turn task must never leave a negotiation hanging: requeue the stalled ones."""
    return stalled_negotiations_requeue()
