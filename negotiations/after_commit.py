"""What a write sets off once its transaction commits: the room's pushes, the next turns and
notification emails.

Services call these inside their transaction; if it rolls back, nothing is pushed or enqueued.
Every service publishes and enqueues through here, never through ``live`` or the tasks.

Turns are enqueued by task name: ``negotiations.tasks`` imports the services to run a turn, so
the services (and this module) never import the tasks, and imports point one way.
"""

from dataclasses import dataclass
from functools import partial

from celery import current_app, group
from django.conf import settings
from django.db import transaction

from negotiations import live
from negotiations.models import Message, MessageAudience, Negotiation, SupplierMode

TURN_TASK = "negotiations.tasks.negotiation_turn"
NOTIFICATION_EMAILS_TASK = "negotiations.tasks.notification_emails"


def push_message(message: Message) -> None:
    """Push a stored message to its room, with the progress and chart it moves; a shared one
    also to the invited supplier's portal."""
    negotiation = message.negotiation
    transaction.on_commit(partial(live.publish_message, message.id, negotiation.quote_id))
    if message.audience == MessageAudience.SHARED:
        _push_portal(negotiation)


def push_state(negotiation: Negotiation, *, supplier_sees: bool) -> None:
    """Push the negotiation's status, progress and question, and its quote's state; to the
    invited supplier's portal too when ``supplier_sees`` the change (its status as the portal
    shows it, see :func:`negotiations.models.status_for_supplier`, or its link).

    The portal is told nothing of a change it does not show: its socket re-reading the page
    right after staff answered the brand agent would tell the supplier, by its timing alone,
    that something happened on the brand's side.
    """
    transaction.on_commit(partial(live.publish_negotiation, negotiation.id, negotiation.quote_id))
    push_quote(negotiation.quote_id)
    if supplier_sees:
        _push_portal(negotiation)


@dataclass(frozen=True)
class _PortalPing:
    """The word to a negotiation's portal sockets that what they show changed."""

    negotiation_id: int

    def __call__(self) -> None:
        live.publish_portal(self.negotiation_id)


def _push_portal(negotiation: Negotiation) -> None:
    """At most one ping per negotiation and commit: on each, the portal re-reads everything the
    supplier sees, so a second one (a shared move that also changes the status) would only
    have it read the same again, and show the supplier how many writes the commit made.

    The supplier portal exists for invited suppliers only: a simulated one costs nothing.
    """
    if negotiation.supplier_mode != SupplierMode.INVITED:
        return
    ping = _PortalPing(negotiation.id)
    # A ping still listed runs on this commit: a savepoint's rollback drops only its own.
    pending = transaction.get_connection().run_on_commit
    if not any(callback == ping for _, callback, _ in pending):
        transaction.on_commit(ping)


def push_quote(quote_id: int) -> None:
    """Push the quote's header, comparison and recommendation, and every column's state."""
    transaction.on_commit(partial(live.publish_quote, quote_id))


def _turn(negotiation_id: int, turn: int):
    # Nobody reads a turn's result: not storing it saves the enqueue a subscription.
    return current_app.signature(
        TURN_TASK, args=(negotiation_id, turn), immutable=True, options={"ignore_result": True}
    )


def _countdown() -> float | None:
    return settings.PROCUR_TURN_DELAY or None


def enqueue_turn(negotiation: Negotiation, turn: int) -> None:
    """Enqueue the turn; a copy already queued is harmless (turns are idempotent)."""
    # Robust: with the broker down, the turn is not enqueued, but what was just committed stands
    # and no error reaches the user or the turn task; the stall sweep requeues the turn later.
    # (A function, not a partial: Django logs a robust callback's failure by its __qualname__.)
    negotiation_id = negotiation.id

    def enqueue_turn() -> None:
        _turn(negotiation_id, turn).apply_async(countdown=_countdown())

    transaction.on_commit(enqueue_turn, robust=True)


def enqueue_first_turns(negotiations: list[Negotiation]) -> None:
    """The first turns of a quote's negotiations as one group: each then runs its own chain."""
    # Robust, like every enqueue: a broker that is down leaves the negotiations queued for the
    # stall sweep, never a server error after the quote was stored.
    negotiation_ids = [n.pk for n in negotiations]

    def enqueue_first_turns() -> None:
        group(_turn(pk, 1) for pk in negotiation_ids).apply_async(countdown=_countdown())

    transaction.on_commit(enqueue_first_turns, robust=True)


def enqueue_notification_emails(notification_ids: list[int]) -> None:
    """Email these notifications once the rows are committed (the task takes their ids only)."""
    # Robust: a broker that is down costs the emails (the badge still shows them), never the
    # write that notified.
    ids = list(notification_ids)

    def enqueue_notification_emails() -> None:
        current_app.signature(
            NOTIFICATION_EMAILS_TASK, args=(ids,), options={"ignore_result": True}
        ).apply_async()

    transaction.on_commit(enqueue_notification_emails, robust=True)
