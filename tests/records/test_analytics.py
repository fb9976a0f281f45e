"""Every analytics figure against a small fixture computed by hand (numbers in the comments)."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from negotiations.models import (
    ENDED_STATUSES,
    AgentCall,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    QuoteStatus,
    Sender,
    SupplierMode,
)
from negotiations.services.summary import figures_changed, negotiations_summarise
from records.analytics.figures import analytics_for
from records.models import DailySummary
from tests.factories import NegotiationFactory, QuoteFactory, SupplierFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 3, 31)
JAN, FEB = datetime(2026, 1, 15, 9, tzinfo=UTC), datetime(2026, 2, 10, 9, tzinfo=UTC)


def _quote(organisation, created, *, quantity, target, status, decided_after=None):
    quote = QuoteFactory(
        organisation=organisation, quantity=quantity, target_price=Decimal(target), status=status
    )
    Quote.objects.filter(pk=quote.pk).update(
        created_at=created,
        started_at=created if status != QuoteStatus.DRAFT else None,
        awarded_at=created + decided_after if decided_after else None,
    )
    quote.refresh_from_db()
    return quote


def _negotiation(
    quote, supplier, slot, *, status, rounds, offers=(), final=None, cost=None, **fields
):
    negotiation = NegotiationFactory(
        quote=quote,
        supplier=supplier,
        slot=slot,
        status=status,
        round=rounds,
        final_terms={"unit_price": final, "quantity": quote.quantity} if final else None,
        **fields,
    )
    for seq, (sender, price) in enumerate(offers, start=1):
        Message.objects.create(
            negotiation=negotiation,
            seq=seq,
            sender=sender,
            action="counter",
            text=f"{price}",
            terms={"unit_price": price},
        )
    if cost:
        AgentCall.objects.create(
            negotiation=negotiation, turn=1, side="brand", voice="x", cost_usd=Decimal(cost)
        )
    return negotiation


def _award(quote, negotiation):
    quote.awarded_negotiation = negotiation
    quote.save(update_fields=["awarded_negotiation"])


def _staff(negotiation, count):
    last = negotiation.messages.count()
    for seq in range(last + 1, last + count + 1):
        Message.objects.create(
            negotiation=negotiation, seq=seq, sender=Sender.STAFF, action="guidance", text="x"
        )


S, B = Sender.SUPPLIER, Sender.BRAND
AGREED, ACTIVE = NegotiationStatus.AGREED, NegotiationStatus.ACTIVE


@pytest.fixture
def fixture(organisation):
    s1 = SupplierFactory(organisation=organisation, name="Amber", list_price=Decimal("2.50"))
    s2 = SupplierFactory(organisation=organisation, name="Bottlers", list_price=Decimal("2.60"))
    s3 = SupplierFactory(organisation=organisation, name="Crown", list_price=Decimal("2.45"))
    # Q1, January: 1000 units, target 2.00; awarded to Amber at 2.10, decided 2 h after start.
    q1 = _quote(
        organisation,
        JAN,
        quantity=1000,
        target="2.00",
        status=QuoteStatus.AWARDED,
        decided_after=timedelta(hours=2),
    )
    n1 = _negotiation(
        q1,
        s1,
        1,
        status=AGREED,
        rounds=4,
        final="2.10",
        cost="0.10",
        offers=[(B, "1.50"), (S, "2.40"), (S, "2.20")],
    )  # first supplier offer 2.40
    n2 = _negotiation(
        q1, s2, 2, status=AGREED, rounds=5, final="2.30", cost="0.05", offers=[(S, "2.50")]
    )
    _negotiation(q1, s3, 3, status=NegotiationStatus.WALKED_AWAY, rounds=3, offers=[(S, "2.45")])
    _award(q1, n1)
    _staff(n1, 1)
    _staff(n2, 1)
    # Q2, February: 500 units, target 1.00; awarded to Amber at 0.90, decided 4 h after start.
    q2 = _quote(
        organisation,
        FEB,
        quantity=500,
        target="1.00",
        status=QuoteStatus.AWARDED,
        decided_after=timedelta(hours=4),
    )
    n4 = _negotiation(
        q2, s1, 1, status=AGREED, rounds=6, final="0.90", cost="0.15", offers=[(S, "1.20")]
    )
    _negotiation(q2, s2, 2, status=NegotiationStatus.IMPASSE, rounds=8, offers=[(S, "1.30")])
    _negotiation(q2, s3, 3, status=AGREED, rounds=2, final="1.05", offers=[(S, "1.10")])
    _award(q2, n4)
    _staff(n4, 1)
    # Q3, still negotiating: counts as started, nothing else ended.
    q3 = _quote(organisation, FEB, quantity=100, target="3.00", status=QuoteStatus.NEGOTIATING)
    running = _negotiation(q3, s1, 1, status=ACTIVE, rounds=1, offers=[(S, "3.00")], cost="0.03")
    _staff(running, 1)  # a running negotiation's effort is read live, not from a summary
    # Outside the figures: a draft, a quote of April, another organisation's quote.
    _quote(organisation, FEB, quantity=7, target="1.00", status=QuoteStatus.DRAFT)
    april = _quote(
        organisation,
        datetime(2026, 4, 2, tzinfo=UTC),
        quantity=9999,
        target="9.00",
        status=QuoteStatus.AWARDED,
        decided_after=timedelta(days=9),
    )
    _award(
        april,
        _negotiation(
            april, s1, 1, status=AGREED, rounds=20, final="1.00", offers=[(S, "5.00")], cost="9.00"
        ),
    )
    theirs = _quote(
        SupplierFactory().organisation,
        JAN,
        quantity=5000,
        target="9.00",
        status=QuoteStatus.AWARDED,
        decided_after=timedelta(days=3),
    )
    _award(
        theirs,
        _negotiation(
            theirs,
            SupplierFactory(organisation=theirs.organisation),
            1,
            status=AGREED,
            rounds=30,
            final="1.00",
            offers=[(S, "8.00")],
        ),
    )
    # What negotiation_ended and the award store as each negotiation ends and each quote is
    # decided: the negotiations' summaries, then the day's summary rows.
    negotiations_summarise(Negotiation.objects.filter(status__in=ENDED_STATUSES))
    for quote in Quote.objects.all():
        figures_changed(quote)
    return organisation


def test_the_money_figures_with_each_baseline(fixture):
    # The ended negotiations are read from the daily summary rows, the running one live.
    assert DailySummary.objects.filter(organisation=fixture).count() == 7
    figures = analytics_for(fixture, START, END)
    assert figures.quotes == 3  # Q1, Q2, Q3 (the draft never started)
    [usd] = figures.money
    assert usd.currency == "USD" and usd.awarded_quotes == 2
    assert usd.spend == Decimal("2550.00")  # 2.10 x 1000 + 0.90 x 500
    assert usd.savings_vs_target == Decimal("-50.00")  # (2.00-2.10) x 1000 + (1.00-0.90) x 500
    assert usd.savings_vs_first_offer == Decimal("450.00")  # (2.40-2.10) x 1000 + (1.20-0.90) x 500
    assert usd.savings_vs_list_price == Decimal("1200.00")  # (2.50-2.10) x 1000 + (2.50-0.90) x 500


def test_the_outcome_and_effort_figures(fixture):
    figures = analytics_for(fixture, START, END)
    assert (figures.negotiations_ended, figures.negotiations_agreed) == (6, 4)
    assert figures.agreement_rate == pytest.approx(4 / 6)
    assert figures.mean_rounds == Decimal("4.7")  # (4 + 5 + 3 + 6 + 8 + 2) / 6
    assert figures.mean_time_to_close == timedelta(hours=3)  # (2 h + 4 h) / 2
    assert figures.interventions == 4  # 3 in ended negotiations, 1 in Q3's running one
    assert figures.interventions_per_quote == pytest.approx(4 / 3)
    assert figures.llm_cost == Decimal("0.33")  # 0.10 + 0.05 + 0.15 ended, 0.03 running
    assert figures.llm_cost_per_quote == Decimal("0.1100")
    assert figures.outcome_mix == [("Agreed", 4), ("Impasse", 1), ("Walked away", 1)]
    assert figures.savings_by_month == [
        (date(2026, 1, 1), Decimal("-100.00")),  # (2.00 - 2.10) x 1000
        (date(2026, 2, 1), Decimal("50.00")),  # (1.00 - 0.90) x 500
    ]


def test_the_per_supplier_figures(fixture):
    rows = {s.name: s for s in analytics_for(fixture, START, END).suppliers}
    assert set(rows) == {"Amber", "Bottlers", "Crown"}
    amber, bottlers, crown = rows["Amber"], rows["Bottlers"], rows["Crown"]
    assert (amber.negotiations, amber.deals, amber.awards) == (3, 2, 2)  # with Q3's
    assert amber.win_rate == pytest.approx(2 / 3)
    assert amber.mean_discount == Decimal("18.8")  # (12.5 % + 25 %) / 2, 12.5 = 0.30 / 2.40
    assert (bottlers.negotiations, bottlers.deals, bottlers.awards) == (2, 1, 0)
    assert bottlers.win_rate == 0 and bottlers.mean_discount == Decimal("8.0")  # 0.20 / 2.50
    assert crown.mean_discount == Decimal("4.5")  # 0.05 / 1.10 = 4.545 %


def test_an_empty_period_has_no_figures_and_no_errors(fixture, staff_client):
    figures = analytics_for(fixture, date(2025, 1, 1), date(2025, 1, 31))
    assert figures.quotes == 0 and figures.money == [] and figures.suppliers == []
    assert figures.agreement_rate is None and figures.llm_cost_per_quote is None
    page = staff_client.get("/analytics/?start=2025-01-01&end=2025-01-31").content.decode()
    assert "No quote awarded in this period." in page and "Nothing in this period yet." in page


def test_the_page_shows_the_figures_the_baselines_and_the_charts(fixture, staff_client):
    page = staff_client.get("/analytics/?start=2026-01-01&end=2026-03-31").content.decode()
    assert "2,550.00 USD" in page and "450.00 USD" in page and "1,200.00 USD" in page
    for baseline in ("your target price", "the supplier&#x27;s first offer", "list price"):
        assert baseline in page
    assert page.count('<svg class="bar-chart"') == 3
    assert "67%" in page and "3 h 0 min" in page and "$0.1100" in page and "18.8%" in page


def test_the_csv_holds_every_figure(fixture, staff_client):
    response = staff_client.get("/analytics/export.csv?start=2026-01-01&end=2026-03-31")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_key = {(r[0], r[1], r[2]): r[4] for r in rows[1:]}
    assert by_key[("spend", "spend negotiated", "agreed price x quantity")] == "2550.00"
    assert by_key[("savings", "savings", "the supplier's first offer")] == "450.00"
    assert by_key[("savings", "savings", "your target price")] == "-50.00"
    assert by_key[("outcomes", "agreement rate (%)", "agreed / ended")] == "66.7"
    assert by_key[("outcomes", "mean time to close (hours)", "start to award or close")] == "3.00"
    assert by_key[("effort", "LLM cost per quote", "all agent calls")] == "0.1100"
    assert by_key[("effort", "staff interventions per quote", "guidance and answers")] == "1.33"
    assert by_key[("supplier", "win rate (%)", "Amber")] == "66.7"
    assert by_key[("supplier", "mean discount from first offer (%)", "Crown")] == "4.5"


def test_another_organisation_sees_none_of_these_figures(fixture, client, other_user):
    client.force_login(other_user)
    page = client.get("/analytics/?start=2026-01-01&end=2026-03-31").content.decode()
    assert "Amber" not in page and "2,550.00" not in page
    body = client.get("/analytics/export.csv?start=2026-01-01&end=2026-03-31").content.decode()
    assert "Amber" not in body and "2550.00" not in body


def test_a_bad_period_is_explained_and_the_default_shown(staff_client, fixture):
    response = staff_client.get("/analytics/?start=2026-03-31&end=2026-01-01")
    assert response.status_code == 200
    assert "on or before its end" in response.content.decode()
    figures = response.context["figures"]
    assert (figures.end - figures.start).days == 89


def test_the_date_fields_show_the_default_period(staff_client, fixture):
    response = staff_client.get("/analytics/")
    figures = response.context["figures"]
    page = response.content.decode()
    assert f'value="{figures.start.isoformat()}"' in page
    assert f'value="{figures.end.isoformat()}"' in page


def test_a_quote_created_near_midnight_counts_in_the_users_own_day_and_month(organisation):
    """31 January 23:30 UTC is 1 February in Paris: that UTC day straddles Paris's months, so it
    is read live rather than from its summary row."""
    supplier = SupplierFactory(organisation=organisation, list_price=Decimal("2.50"))
    late = _quote(
        organisation,
        datetime(2026, 1, 31, 23, 30, tzinfo=UTC),
        quantity=100,
        target="2.00",
        status=QuoteStatus.AWARDED,
        decided_after=timedelta(hours=1),
    )
    deal = _negotiation(late, supplier, 1, status=AGREED, rounds=2, final="1.50", offers=[(S, "2")])
    _award(late, deal)
    negotiations_summarise(Negotiation.objects.filter(pk=deal.pk))
    figures_changed(late)
    february = (date(2026, 2, 1), date(2026, 2, 28))
    with timezone.override(ZoneInfo("Europe/Paris")):
        figures = analytics_for(organisation, *february)
        assert figures.savings_by_month == [(date(2026, 2, 1), Decimal("50.00"))]  # 0.50 x 100
        assert (figures.quotes, figures.mean_time_to_close) == (1, timedelta(hours=1))
        assert figures.suppliers[0].mean_discount == Decimal("25.0")  # 0.50 / 2.00
        assert figures.money[0].savings_vs_list_price == Decimal("100.00")  # 1.00 x 100
    assert analytics_for(organisation, *february).quotes == 0  # UTC: still January
    figures = analytics_for(organisation, date(2026, 1, 1), date(2026, 2, 28))
    assert figures.savings_by_month == [(date(2026, 1, 1), Decimal("50.00"))]


def test_the_on_time_reply_rate_counts_invited_suppliers_only(organisation, staff_client):
    amber, bottlers, crown = (
        SupplierFactory(organisation=organisation, name=name)
        for name in ("Amber", "Bottlers", "Crown")
    )
    invited = {"supplier_mode": SupplierMode.INVITED}
    q1 = _quote(organisation, JAN, quantity=10, target="1.00", status=QuoteStatus.CLOSED)
    _negotiation(q1, amber, 1, status=AGREED, rounds=3, final="1.00", **invited)
    _negotiation(q1, bottlers, 2, status=NegotiationStatus.NO_REPLY, rounds=1, **invited)
    _negotiation(q1, crown, 3, status=AGREED, rounds=3, final="1.00")  # simulated
    q2 = _quote(organisation, FEB, quantity=10, target="1.00", status=QuoteStatus.CLOSED)
    _negotiation(q2, amber, 1, status=NegotiationStatus.NO_REPLY, rounds=2, **invited)
    q3 = _quote(organisation, FEB, quantity=10, target="1.00", status=QuoteStatus.NEGOTIATING)
    waiting = NegotiationStatus.WAITING_FOR_SUPPLIER  # not ended: not counted yet
    _negotiation(q3, amber, 1, status=waiting, rounds=1, **invited)
    negotiations_summarise(Negotiation.objects.filter(status__in=ENDED_STATUSES))
    for quote in (q1, q2, q3):
        figures_changed(quote)
    suppliers = analytics_for(organisation, START, END).suppliers
    rates = {s.name: s.on_time_reply_rate for s in suppliers}
    # Amber: 1 of its 2 ended invited negotiations answered in time; Bottlers 0 of 1; Crown was
    # simulated.
    assert rates == {"Amber": 0.5, "Bottlers": 0.0, "Crown": None}
    page = staff_client.get("/analytics/?start=2026-01-01&end=2026-03-31").content.decode()
    last_cell = {  # each supplier's row ends with its on-time reply rate
        name: re.search(rf">{name}</a>(.*?)</tr>", page, re.S).group(1).split("<td>")[-1]
        for name in rates
    }
    assert last_cell["Amber"] == "50%</td>" and last_cell["Bottlers"] == "0%</td>"
    assert "—" in last_cell["Crown"]
    response = staff_client.get("/analytics/export.csv?start=2026-01-01&end=2026-03-31")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    on_time = {r[2]: r[4] for r in rows if r[1] == "on-time reply rate (%)"}
    assert on_time == {"Amber": "50.0", "Bottlers": "0.0", "Crown": ""}
