"""Lists that scale: the dashboard's pages, search and filters; the supplier directory's pages,
search and totals; message times in the user's time zone; cloning a request."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from negotiations.models import Message, NegotiationStatus, Quote, QuoteStatus
from tests.factories import MessageFactory, NegotiationFactory, QuoteFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _products(response) -> list[str]:
    return [row.quote.product for row in response.context["rows"]]


def test_the_dashboard_pages_past_a_hundred_quotes(staff_client, organisation):
    for n in range(130):
        QuoteFactory(organisation=organisation, product=f"Item {n:03}")
    first = staff_client.get("/")
    assert first.context["page"].paginator.count == 130
    assert len(first.context["rows"]) == 25 and _products(first)[0] == "Item 129"
    last = staff_client.get("/?page=6")
    assert _products(last) == [f"Item {n:03}" for n in range(4, -1, -1)]
    assert 'rel="prev"' in last.content.decode() and 'rel="next"' not in last.content.decode()
    # A page past the end or not a number is the nearest real page, never an error.
    assert _products(staff_client.get("/?page=99")) == _products(last)
    assert _products(staff_client.get("/?page=abc")) == _products(first)


def test_the_dashboards_query_count_does_not_grow_with_the_page(
    staff_client, organisation, django_assert_max_num_queries
):
    for _ in range(25):
        quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
        for slot in (1, 2, 3):
            MessageFactory(negotiation=NegotiationFactory(quote=quote, slot=slot), seq=1)
    with django_assert_max_num_queries(12):
        assert len(staff_client.get("/").context["rows"]) == 25


def test_search_finds_quotes_by_product_or_supplier(staff_client, organisation):
    bottles = QuoteFactory(organisation=organisation, product="Amber bottles")
    caps = QuoteFactory(organisation=organisation, product="Screw caps")
    NegotiationFactory(
        quote=caps, slot=1, supplier=SupplierFactory(organisation=organisation, name="Vetro Nord")
    )
    QuoteFactory(organisation=organisation, product="Labels")
    assert _products(staff_client.get("/?q=AMBER")) == [bottles.product]
    assert _products(staff_client.get("/?q=vetro")) == [caps.product]
    page = staff_client.get("/?q=vetro&page=1").content.decode()
    assert "1 quote request matches" in page


def test_filters_by_status_and_creation_date(staff_client, organisation):
    old = QuoteFactory(organisation=organisation, product="Old", status=QuoteStatus.AWARDED)
    Quote.objects.filter(pk=old.pk).update(created_at=datetime(2026, 1, 10, 12, tzinfo=UTC))
    QuoteFactory(organisation=organisation, product="New", status=QuoteStatus.AWARDED)
    QuoteFactory(organisation=organisation, product="Running", status=QuoteStatus.NEGOTIATING)
    assert sorted(_products(staff_client.get("/?status=awarded"))) == ["New", "Old"]
    assert _products(staff_client.get("/?status=awarded&created_before=2026-01-31")) == ["Old"]
    today = date.today().isoformat()
    assert sorted(_products(staff_client.get(f"/?created_after={today}"))) == ["New", "Running"]


def test_bad_filter_values_are_shown_as_errors_not_a_500(staff_client, organisation):
    QuoteFactory(organisation=organisation, product="Kept")
    response = staff_client.get("/?status=bogus&created_after=31-31-2026")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "Enter a valid date" in response.content.decode()
    assert _products(response) == ["Kept"]  # an invalid filter narrows nothing


def test_needs_me_lists_open_questions_and_for_approvers_awaiting_awards(
    client, user, organisation
):
    asking = QuoteFactory(
        organisation=organisation, product="Asking", status=QuoteStatus.NEGOTIATING
    )
    NegotiationFactory(quote=asking, slot=1, status=NegotiationStatus.WAITING_FOR_STAFF)
    QuoteFactory(
        organisation=organisation, product="Awaiting", status=QuoteStatus.AWAITING_APPROVAL
    )
    quiet = QuoteFactory(organisation=organisation, product="Quiet", status=QuoteStatus.NEGOTIATING)
    NegotiationFactory(quote=quiet, slot=1, status=NegotiationStatus.ACTIVE)
    client.force_login(user)
    assert _products(client.get("/?status=needs_me")) == ["Asking"]
    user.user_permissions.add(Permission.objects.get(codename="approve_awards"))
    client.force_login(type(user).objects.get(pk=user.pk))  # permissions are cached per object
    assert sorted(_products(client.get("/?status=needs_me"))) == ["Asking", "Awaiting"]


def test_the_supplier_list_pages_searches_and_totals(staff_client, organisation):
    for n in range(30):
        SupplierFactory(organisation=organisation, name=f"Glass {n:02}")
    winner = SupplierFactory(organisation=organisation, name="Amber Works", categories=["caps"])
    for price, quantity, awarded in (
        ("2.00", 1000, True),
        ("1.50", 400, True),
        ("2.20", 10, False),
    ):
        quote = QuoteFactory(organisation=organisation, quantity=quantity)
        negotiation = NegotiationFactory(
            quote=quote,
            slot=1,
            supplier=winner,
            status=NegotiationStatus.AGREED,
            final_terms={"unit_price": price, "quantity": quantity},
        )
        if awarded:
            quote.awarded_negotiation = negotiation
            quote.save(update_fields=["awarded_negotiation"])
    NegotiationFactory(
        quote=QuoteFactory(organisation=organisation),
        slot=1,
        supplier=winner,
        status=NegotiationStatus.IMPASSE,
    )
    first = staff_client.get("/suppliers/")
    assert (
        first.context["page"].paginator.count == 31 and len(first.context["page"].object_list) == 25
    )
    [found] = staff_client.get("/suppliers/?q=caps").context["page"].object_list
    assert found == winner
    assert (found.negotiation_count, found.deal_count, found.award_count) == (4, 3, 2)
    assert found.awarded_spend == Decimal("2600.00")  # 2.00 x 1000 + 1.50 x 400
    assert "2,600.00 USD" in staff_client.get("/suppliers/?q=amber").content.decode()
    assert list(staff_client.get("/suppliers/?page=2").context["page"])[-1].name == "Glass 29"


def test_message_times_are_shown_in_the_users_time_zone(staff_client, organisation):
    quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
    message = MessageFactory(negotiation=NegotiationFactory(quote=quote, slot=1), seq=1)
    Message.objects.filter(pk=message.pk).update(
        created_at=datetime(2026, 3, 1, 23, 30, 5, tzinfo=UTC)
    )
    staff_client.cookies["tz"] = "Asia/Tokyo"
    page = staff_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert 'datetime="2026-03-02T08:30:05+09:00"' in page and ">08:30:05</time>" in page
    staff_client.cookies["tz"] = "Not/AZone"  # unknown: the server's zone (UTC in tests)
    page = staff_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert ">23:30:05</time>" in page
    assert timezone.get_current_timezone_name() == "UTC"  # the request's zone did not leak


def test_cloning_fills_the_form_from_the_quote_and_stores_nothing(staff_client, organisation):
    source = QuoteFactory(
        organisation=organisation, product="Amber bottle", requirements="Food safe", max_rounds=9
    )
    suppliers = [SupplierFactory(organisation=organisation) for _ in range(3)]
    for slot, supplier in enumerate(suppliers, start=1):
        NegotiationFactory(quote=source, slot=slot, supplier=supplier)
    created = timezone.now() - timedelta(days=400)  # for 60 days later: long past
    Quote.objects.filter(pk=source.pk).update(
        created_at=created, needed_by=created.date() + timedelta(days=60)
    )
    response = staff_client.get(f"/quotes/{source.pk}/clone/")
    form = response.context["form"]
    assert form.initial["product"] == "Amber bottle" and form.initial["max_rounds"] == 9
    assert form.initial["requirements"] == "Food safe"
    assert sorted(form.initial["suppliers"]) == sorted(s.pk for s in suppliers)
    assert form.initial["needed_by"] == date.today() + timedelta(days=60)
    assert Quote.objects.count() == 1
    assert 'action="/quotes/new/"' in response.content.decode()


def test_another_organisations_quote_cannot_be_cloned(client, other_user, organisation):
    quote = QuoteFactory(organisation=organisation)
    client.force_login(other_user)
    assert client.get(f"/quotes/{quote.pk}/clone/").status_code == 404
