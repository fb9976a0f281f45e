"""Reads for the ops page and the sweep: stalled and failed negotiations and the turns workers
hold, scoped to the user."""

import ast
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from negotiations.after_commit import TURN_TASK
from negotiations.models import RUNNING_STATUSES, Negotiation, NegotiationStatus
from procur.accounts.tenancy import scope_to_user
from procur.ops.broker import Worker

RECENT_FAILURES = 20


def _visible_to(queryset: QuerySet[Negotiation], user) -> QuerySet[Negotiation]:
    """Platform superusers operate every organisation; other staff only their own."""
    if user is None or user.is_superuser:
        return queryset
    return scope_to_user(queryset, user, field="quote__organisation")


def stalled_negotiations(user=None, *, now: datetime | None = None) -> QuerySet[Negotiation]:
    """Running negotiations with no new message for longer than ``PROCUR_STALL_SECONDS``.

    Queued ones count too: a lost first turn leaves a negotiation queued for ever. A turn still
    holding a live lease is working (a slow model call), not stalled.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PROCUR_STALL_SECONDS)
    stalled = Negotiation.objects.filter(
        Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True, created_at__lt=cutoff),
        status__in=RUNNING_STATUSES,
    ).exclude(lease_expires_at__gt=now)
    return (
        _visible_to(stalled, user)
        .select_related("quote__organisation", "supplier")
        .order_by("last_activity_at", "pk")
    )


def failed_negotiations(user=None, *, limit: int = RECENT_FAILURES) -> QuerySet[Negotiation]:
    """The most recent failed negotiations, with the error that ended them."""
    failed = Negotiation.objects.filter(status=NegotiationStatus.FAILED)
    return (
        _visible_to(failed, user)
        .select_related("quote__organisation", "supplier")
        .order_by("-ended_at", "-pk")[:limit]
    )


NEXT_DEADLINES = 10


@dataclass(frozen=True)
class WaitingForSuppliers:
    """Negotiations waiting on an invited supplier's reply: how many, and the soonest due."""

    count: int
    next_due: list[Negotiation]


def waiting_for_suppliers(user=None, *, limit: int = NEXT_DEADLINES) -> WaitingForSuppliers:
    """The count and the ``limit`` nearest reply deadlines (the sweep's partial index on
    ``reply_due_at`` orders them)."""
    waiting = _visible_to(
        Negotiation.objects.filter(status=NegotiationStatus.WAITING_FOR_SUPPLIER), user
    )
    next_due = waiting.select_related("quote__organisation", "supplier").order_by(
        "reply_due_at", "pk"
    )[:limit]
    return WaitingForSuppliers(count=waiting.count(), next_due=list(next_due))


def negotiation_for_operator(user, pk: int) -> Negotiation:
    """One negotiation the operator may act on, or 404."""
    return get_object_or_404(_visible_to(Negotiation.objects.all(), user), pk=pk)


@dataclass(frozen=True)
class HeldTurn:
    """A turn task a worker is running or has reserved, with the negotiation it plays."""

    negotiation: Negotiation
    turn: int | None
    running: bool
    started: datetime | None


def _turn_args(task: dict) -> tuple[int, int | None] | None:
    """(negotiation id, turn) of a turn task; None for any other task or unreadable args."""
    args = task.get("args")
    if isinstance(args, str):  # older workers report the repr
        try:
            args = ast.literal_eval(args)
        except (ValueError, SyntaxError):
            return None
    if task.get("name") != TURN_TASK or not isinstance(args, list | tuple) or not args:
        return None
    if not all(isinstance(a, int) for a in args[:2]):
        return None
    return args[0], args[1] if len(args) > 1 else None


def held_turns(user, workers: list[Worker]) -> list[HeldTurn]:
    """The turns of the user's organisation that workers are running or hold reserved (the
    workers themselves, their hosts and other organisations' tasks are the platform's)."""
    held = [
        (parsed, running, task)
        for worker in workers
        for running, tasks in ((True, worker.active), (False, worker.reserved))
        for task in tasks
        if (parsed := _turn_args(task)) is not None
    ]
    ids = {negotiation_id for (negotiation_id, _), _, _ in held}
    negotiations = _visible_to(Negotiation.objects.filter(pk__in=ids), user).select_related(
        "quote", "supplier"
    )
    by_id = {n.pk: n for n in negotiations}
    return [
        HeldTurn(by_id[negotiation_id], turn, running, task.get("started"))
        for (negotiation_id, turn), running, task in held
        if negotiation_id in by_id
    ]
