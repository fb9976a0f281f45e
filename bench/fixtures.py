"""The benchmark's data: the demo organisation and suppliers, and quotes rebuilt at every run."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from negotiations import services
from negotiations.demo import seed_demo
from negotiations.models import ENDED_STATUSES, Negotiation, Quote, QuoteStatus
from negotiations.services.quotes import brand_strategy_for
from negotiations.tasks import negotiation_turn
from procur.accounts.models import Organisation, User


def reset() -> tuple[Organisation, User]:
    """The demo organisation, user and suppliers (``seed_demo``), without any quote."""
    data = seed_demo()
    # The bench's own database: its transcripts go first (they protect a quote from deletion).
    Negotiation.objects.filter(quote__organisation=data.organisation).delete()
    Quote.objects.filter(organisation=data.organisation).delete()
    return data.organisation, data.user


def draft_quote(organisation: Organisation, user: User, *, max_rounds: int) -> Quote:
    """A quote like the demo's; no questions to staff, so no negotiation waits for a person."""
    return Quote.objects.create(
        organisation=organisation,
        created_by=user,
        product="Custom 500 ml amber glass bottle",
        category="bottles",
        quantity=5000,
        target_price=Decimal("1.95"),
        max_price=Decimal("2.40"),
        needed_by=date.today() + timedelta(days=60),
        max_rounds=max_rounds,
        question_budget=0,
    )


def start(quote: Quote, seed: int) -> list[Negotiation]:
    """Start the quote's three negotiations with reproducible seeds."""
    random.seed(seed)
    return services.quote_start(quote=quote)


def start_alone(template: Negotiation, organisation: Organisation, user: User) -> Negotiation:
    """The same supplier and seed as ``template``, negotiating alone in a quote of its own.

    Quotes always fan out three negotiations, so this one is set up here, as ``quote_start``
    would set up one of them, and its first turn enqueued after commit.
    """
    with transaction.atomic():
        quote = draft_quote(organisation, user, max_rounds=template.quote.max_rounds)
        quote.status, quote.started_at = QuoteStatus.NEGOTIATING, timezone.now()
        quote.save(update_fields=["status", "started_at"])
        negotiation = Negotiation.objects.create(
            quote=quote,
            supplier=template.supplier,
            slot=1,
            brand_strategy=brand_strategy_for(quote),
            seed=template.seed,
            last_activity_at=quote.started_at,
        )
        negotiation_turn.apply_async_on_commit((negotiation.pk, 1))
    return negotiation


def wait_ended(quote_ids: list[int], timeout: float) -> None:
    """Poll until every negotiation of the quotes has ended (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    negotiations = Negotiation.objects.filter(quote_id__in=quote_ids)
    while negotiations.exclude(status__in=ENDED_STATUSES).exists():
        if time.monotonic() > deadline:
            left = negotiations.exclude(status__in=ENDED_STATUSES).count()
            raise TimeoutError(f"{left} negotiations still running after {timeout:g} s")
        time.sleep(0.02)
