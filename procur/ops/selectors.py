"""Reads for the ops page and the sweep: stalled and failed negotiations, scoped to the user."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from negotiations.models import RUNNING_STATUSES, Negotiation, NegotiationStatus
from procur.accounts.tenancy import scope_to_user

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


def negotiation_for_operator(user, pk: int) -> Negotiation:
    """One negotiation the operator may act on, or 404."""
    return get_object_or_404(_visible_to(Negotiation.objects.all(), user), pk=pk)
