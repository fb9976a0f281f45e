"""Invited suppliers' reply deadlines: the half-time reminder, and the end when one is missed.

Waiting costs nothing: no task or timer runs per waiting negotiation. Celery beat runs
:func:`sweep_reply_deadlines` every ``PROCUR_REPLY_SWEEP_SECONDS``; it finds what is due through
the partial indexes on ``reply_due_at`` and ``remind_at`` (waiting negotiations only), in
batches locked with ``SKIP LOCKED``: two sweeps at once share the work and never do it twice,
and a supplier's reply holding the row is never waited on (that row is no longer due once it
commits). docs/benchmarks.md measures the sweep over 10,000 waiting negotiations.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from negotiations.after_commit import push_state
from negotiations.models import Negotiation, NegotiationStatus, NotificationKind, Sender
from negotiations.services.errors import ProcurError
from negotiations.services.evaluation import negotiation_ended
from negotiations.services.invitations import invitation_remind
from negotiations.services.notifications import notify
from negotiations.services.transcript import append_message

logger = logging.getLogger(__name__)

BATCH = 100


@dataclass(frozen=True)
class SweepResult:
    ended: int
    reminded: int


def sweep_reply_deadlines(*, now: datetime | None = None) -> SweepResult:
    """End the negotiations whose supplier missed its deadline, then send the reminders due.

    Missed deadlines go first: a negotiation past both gets no pointless reminder.
    """
    now = now or timezone.now()
    return SweepResult(ended=_in_batches(_overdue(now), _no_reply), reminded=_remind(now))


def waiting() -> QuerySet[Negotiation]:
    return Negotiation.objects.filter(status=NegotiationStatus.WAITING_FOR_SUPPLIER)


def _overdue(now: datetime) -> QuerySet[Negotiation]:
    return waiting().filter(reply_due_at__lte=now).order_by("reply_due_at")


def _reminder_due(now: datetime) -> QuerySet[Negotiation]:
    return waiting().filter(remind_at__isnull=False, remind_at__lte=now).order_by("remind_at")


def _in_batches(due: QuerySet[Negotiation], handle) -> int:
    """Lock up to ``BATCH`` due rows at a time (skipping rows locked elsewhere) and ``handle``
    them in one transaction, until a batch comes up short. Handled in quote order: ending a
    negotiation locks its quote, and two sweeps taking quote locks in one order never deadlock.
    """
    done = 0
    while True:
        with transaction.atomic():
            batch = list(due.select_for_update(skip_locked=True)[:BATCH])
            for negotiation in sorted(batch, key=attrgetter("quote_id", "pk")):
                handle(negotiation)
        done += len(batch)
        if len(batch) < BATCH:
            return done


def _no_reply(negotiation: Negotiation) -> None:
    due = negotiation.reply_due_at
    negotiation.status = NegotiationStatus.NO_REPLY
    negotiation.ended_at = timezone.now()
    negotiation.reply_due_at = negotiation.remind_at = None
    append_message(
        negotiation,
        sender=Sender.SYSTEM,
        text=f"The supplier did not reply by {due:%Y-%m-%d %H:%M} UTC.",
    )
    negotiation.save(
        update_fields=["status", "ended_at", "reply_due_at", "remind_at", "last_activity_at"]
    )
    push_state(negotiation, supplier_sees=True)
    negotiation_ended(negotiation)
    notify(
        quote=negotiation.quote,
        kind=NotificationKind.SUPPLIER_MISSED,
        text=f"{negotiation.supplier.name} did not reply by {due:%Y-%m-%d %H:%M} UTC: "
        "the negotiation has ended.",
        negotiation=negotiation,
    )


def _remind(now: datetime) -> int:
    def remind(negotiation: Negotiation) -> None:
        try:
            invitation_remind(negotiation=negotiation)
        except ProcurError as exc:  # e.g. the supplier's contact address was removed
            logger.warning("no reminder for negotiation %s: %s", negotiation.pk, exc.message)
        negotiation.remind_at = None
        negotiation.save(update_fields=["remind_at"])

    return _in_batches(_reminder_due(now), remind)
