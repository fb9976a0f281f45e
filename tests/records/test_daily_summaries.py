"""The analytics' daily summary rows, kept up to date by the services that change the figures:
each event recomputes its day, a second event of the same day does not count twice, an award
moves the win, and every state equals a rebuild from scratch."""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from negotiations import services
from negotiations.models import Negotiation, NegotiationStatus, Quote, QuoteStatus, Sender
from negotiations.services.evaluation import negotiation_ended
from records.analytics.figures import analytics_for, split_period
from records.analytics.summaries import summaries_rebuild
from records.models import DailyQuoteSummary, DailySummary
from tests.factories import MessageFactory, QuoteFactory, SupplierFactory
from tests.records.conftest import terms

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)
CREATED = datetime(2026, 3, 10, 14, tzinfo=UTC)


@pytest.fixture
def quote(organisation) -> Quote:
    """A quote of 1000 units (target 2.00) negotiating with three suppliers, list price 2.50;
    each supplier first offered 2.40."""
    quote = QuoteFactory(
        organisation=organisation,
        quantity=1000,
        target_price=Decimal("2.00"),
        status=QuoteStatus.NEGOTIATING,
    )
    Quote.objects.filter(pk=quote.pk).update(created_at=CREATED, started_at=CREATED)
    quote.refresh_from_db()
    for slot, name in enumerate(("Amber", "Bottlers", "Crown"), start=1):
        negotiation = Negotiation.objects.create(
            quote=quote,
            supplier=SupplierFactory(organisation=organisation, name=name),
            slot=slot,
            status=NegotiationStatus.ACTIVE,
            round=3,
        )
        MessageFactory(negotiation=negotiation, seq=1, terms=terms("2.40"))
    return quote


def _end(quote: Quote, supplier: str, status: str, price: str | None = None) -> None:
    """End one negotiation the way the turn service does: its state, then negotiation_ended."""
    with transaction.atomic():
        negotiation = quote.negotiations.get(supplier__name=supplier)
        negotiation.status = status
        negotiation.final_terms = terms(price) if price else None
        negotiation.ended_at = timezone.now()
        negotiation.save()
        negotiation_ended(negotiation)


def _rows() -> dict[str, dict]:
    return {
        row.pop("supplier__name"): row
        for row in DailySummary.objects.values(
            "supplier__name", "day", "negotiations", "agreed", "awards", "spend", "failed"
        )
    }


def _snapshot() -> list:
    """Every summary row's values, without ids."""
    fields = [f.name for f in DailySummary._meta.fields if f.name != "id"]
    quote_fields = [f.name for f in DailyQuoteSummary._meta.fields if f.name != "id"]
    return [
        sorted(DailySummary.objects.values_list(*fields)),
        sorted(DailyQuoteSummary.objects.values_list(*quote_fields)),
    ]


def _equals_a_rebuild() -> bool:
    before = _snapshot()
    summaries_rebuild()
    return _snapshot() == before


def test_each_ending_recomputes_its_day_once(quote):
    _end(quote, "Amber", NegotiationStatus.AGREED, "2.10")
    assert _rows() == {
        "Amber": {"day": DAY, "negotiations": 1, "agreed": 1, "awards": 0, "spend": 0, "failed": 0}
    }
    assert not DailyQuoteSummary.objects.exists()  # the quote is still negotiating
    # A second event on the same day: Amber's row is recomputed, not counted twice.
    _end(quote, "Bottlers", NegotiationStatus.AGREED, "2.05")
    rows = _rows()
    assert (rows["Amber"]["negotiations"], rows["Bottlers"]["negotiations"]) == (1, 1)
    assert _equals_a_rebuild()
    _end(quote, "Crown", NegotiationStatus.WALKED_AWAY)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    day = DailyQuoteSummary.objects.get()
    assert (day.day, day.quotes, day.decided) == (DAY, 1, 0)
    assert _equals_a_rebuild()


def test_the_award_moves_the_win_to_the_awarded_supplier(quote, approver):
    _end(quote, "Amber", NegotiationStatus.AGREED, "2.10")
    _end(quote, "Bottlers", NegotiationStatus.AGREED, "2.05")
    _end(quote, "Crown", NegotiationStatus.IMPASSE)
    quote.refresh_from_db()
    recommended = quote.recommendation["recommended_negotiation_id"]
    amber = quote.negotiations.get(supplier__name="Amber")
    assert recommended != amber.pk  # the award overrides the recommendation
    services.quote_award(quote=quote, negotiation=amber, author=approver)
    rows = _rows()
    assert (rows["Amber"]["awards"], rows["Amber"]["spend"]) == (1, Decimal("2100.00"))
    assert (rows["Bottlers"]["awards"], rows["Bottlers"]["spend"]) == (0, 0)
    day = DailyQuoteSummary.objects.get()
    assert (day.quotes, day.decided) == (1, 1)
    assert _equals_a_rebuild()
    figures = analytics_for(quote.organisation, DAY, DAY)
    [usd] = figures.money
    assert usd.spend == Decimal("2100.00")  # 2.10 x 1000
    assert usd.savings_vs_target == Decimal("-100.00")  # (2.00 - 2.10) x 1000
    assert usd.savings_vs_first_offer == Decimal("300.00")  # (2.40 - 2.10) x 1000
    assert usd.savings_vs_list_price == Decimal("400.00")  # (2.50 - 2.10) x 1000
    winners = {s.name: s.win_rate for s in figures.suppliers}
    assert winners == {"Amber": 1.0, "Bottlers": 0.0, "Crown": 0.0}


def test_a_retried_negotiation_leaves_the_summary_until_it_ends_again(quote, user):
    _end(quote, "Amber", NegotiationStatus.FAILED)
    assert _rows()["Amber"]["failed"] == 1
    services.negotiation_retry(negotiation=quote.negotiations.get(supplier__name="Amber"))
    assert "Amber" not in _rows()
    figures = analytics_for(quote.organisation, DAY, DAY)
    assert figures.negotiations_ended == 0
    assert {s.name: s.negotiations for s in figures.suppliers}["Amber"] == 1  # running, live
    assert _equals_a_rebuild()


def test_cancelling_the_quote_summarises_its_negotiations(quote, user):
    MessageFactory(
        negotiation=quote.negotiations.get(supplier__name="Amber"),
        seq=2,
        sender=Sender.STAFF,
        action="guidance",
        terms=None,
    )
    services.quote_cancel(quote=quote, author=user)
    rows = DailySummary.objects.values_list("supplier__name", "cancelled", "staff_messages")
    assert sorted(rows) == [("Amber", 1, 1), ("Bottlers", 1, 0), ("Crown", 1, 0)]
    assert DailyQuoteSummary.objects.get().quotes == 1
    figures = analytics_for(quote.organisation, DAY, DAY)
    assert (figures.quotes, figures.negotiations_ended, figures.interventions) == (1, 3, 1)
    assert _equals_a_rebuild()


def test_the_backfill_command_rebuilds_lost_rows(quote):
    from django.core.management import call_command

    _end(quote, "Amber", NegotiationStatus.AGREED, "2.10")
    before = _snapshot()
    DailySummary.objects.all().delete()
    call_command("rebuild_analytics_summaries", verbosity=0)
    assert _snapshot() == before


def test_the_period_is_whole_utc_days_and_the_edges_read_live():
    with timezone.override(UTC):
        since = datetime(2026, 1, 1, tzinfo=UTC)
        period = split_period(since, since + timedelta(days=90))
        assert period.runs == [(date(2026, 1, 1), date(2026, 4, 1))] and period.live == []
    paris = ZoneInfo("Europe/Paris")  # UTC+1 in winter
    with timezone.override(paris):
        since = datetime(2026, 1, 1, tzinfo=paris)
        until = datetime(2026, 3, 1, tzinfo=paris)
        period = split_period(since, until)
        # 31 Dec 23:00 UTC to 1 Jan: live; the UTC day of 31 January straddles the local month.
        assert period.runs == [
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2026, 2, 1), date(2026, 2, 28)),
        ]
        assert period.live == [
            (since, datetime(2026, 1, 1, tzinfo=UTC)),
            (datetime(2026, 1, 31, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)),
            (datetime(2026, 2, 28, tzinfo=UTC), until),
        ]


@pytest.mark.django_db(transaction=True)
def test_two_endings_of_the_same_day_at_once_both_count(organisation):
    """Two quotes of the same day with the same supplier end in two transactions open at once:
    the second recompute waits for the first to commit and counts both."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: two cannot be open at once")
    supplier = SupplierFactory(organisation=organisation, name="Amber")
    negotiations = []
    for _ in range(2):
        quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
        Quote.objects.filter(pk=quote.pk).update(created_at=CREATED, started_at=CREATED)
        negotiations.append(
            Negotiation.objects.create(
                quote=quote, supplier=supplier, slot=1, status=NegotiationStatus.ACTIVE
            )
        )
    both_open = threading.Barrier(2, timeout=20)
    errors = []

    def end(negotiation: Negotiation) -> None:
        try:
            with transaction.atomic():
                negotiation.status = NegotiationStatus.IMPASSE
                negotiation.save(update_fields=["status"])
                both_open.wait()  # neither has committed its ending yet
                negotiation_ended(negotiation)
        except Exception as error:  # reported below, from the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=end, args=(n,)) for n in negotiations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    row = DailySummary.objects.get()
    assert (row.negotiations, row.impasse) == (2, 2)
    assert DailyQuoteSummary.objects.get().quotes == 2
    assert _equals_a_rebuild()
