"""Appending to a negotiation's transcript, and the locks and scheduling that go with it.

Every write to a negotiation happens with its row locked (``lock_negotiation``) inside a
transaction, so the next ``seq`` is taken by one writer at a time and never twice.
"""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from negotiations import live
from negotiations.models import Message, Negotiation, Quote, Sender


def lock_negotiation(negotiation_id: int) -> Negotiation:
    """The negotiation, row-locked until the transaction ends. Its quote and supplier load on
    first use: the turn's commit, the most frequent caller, needs neither."""
    return Negotiation.objects.select_for_update().get(pk=negotiation_id)


def lock_quote(quote_id: int) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote_id)


def append_message(
    negotiation: Negotiation,
    *,
    sender: Sender,
    text: str,
    action: str = "message",
    seq: int | None = None,
    **fields,
) -> Message:
    """Store the next message of a locked negotiation and push it to the room after commit.

    ``seq`` is the next seq when the caller knows it; otherwise it is read. The caller saves
    ``last_activity_at`` (set here) with the negotiation: a turn's commit relies on that value
    changing whenever a message is appended, to know that none came in while its agent moved.
    """
    if seq is None:
        seq = (negotiation.messages.aggregate(last=Max("seq"))["last"] or 0) + 1
    message = Message.objects.create(
        negotiation=negotiation,
        seq=seq,
        round=negotiation.round,
        sender=sender,
        action=action,
        text=text,
        **fields,
    )
    negotiation.last_activity_at = timezone.now()
    transaction.on_commit(partial(live.publish_message, message.id, negotiation.quote_id))
    return message


def publish_state(negotiation: Negotiation) -> None:
    """Push the negotiation's status, progress and question, and its quote's state, after commit."""
    transaction.on_commit(partial(live.publish_negotiation, negotiation.id, negotiation.quote_id))
    transaction.on_commit(partial(live.publish_quote, negotiation.quote_id))


def schedule_turn(negotiation: Negotiation, turn: int) -> None:
    """Enqueue the turn after commit; a copy already queued is harmless (turns are idempotent)."""
    from negotiations.tasks import negotiation_turn  # tasks import services: import at call time

    delay = settings.PROCUR_TURN_DELAY or None
    # Robust: with the broker down, the turn is not enqueued, but what was just committed stands
    # and no error reaches the user or the turn task; the stall sweep requeues the turn later.
    # (A function, not a partial: Django logs a robust callback's failure by its __qualname__.)
    negotiation_id = negotiation.id

    def enqueue_turn() -> None:
        negotiation_turn.apply_async((negotiation_id, turn), countdown=delay)

    transaction.on_commit(enqueue_turn, robust=True)
