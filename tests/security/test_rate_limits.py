"""Per-user rate limits on interventions (guidance and answers) and on creating quotes."""

import time

import pytest
from django.test import Client

from negotiations.models import Message, Quote, Sender
from procur import embedded_redis
from procur.ratelimit import Rate, parse_rate
from tests.factories import SupplierFactory, UserFactory
from tests.ui.conftest import ask
from tests.ui.test_quote_pages import valid_quote

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def within_one_window(scenario, seconds: int = 3600) -> None:
    """Run ``scenario``; again if a fixed window happened to end during it (its counts would
    straddle two windows), so the outcome never depends on the clock."""
    for _ in range(2):
        window = int(time.time() // seconds)
        scenario()
        if int(time.time() // seconds) == window:
            return
    raise AssertionError("two window boundaries in two runs")


@pytest.fixture
def limits(settings):
    settings.PROCUR_RATE_LIMIT_INTERVENTIONS = "3/hour"
    settings.PROCUR_RATE_LIMIT_QUOTES = "2/hour"
    return settings


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("text", "rate"),
    [("30/min", Rate(30, 60)), (" 5 / sec ", Rate(5, 1)), ("100/hour", Rate(100, 3600))],
)
def test_rates_are_read_as_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "30", "0/min", "30/fortnight", "-1/min", "x/min"])
def test_a_malformed_rate_says_what_is_accepted(text):
    with pytest.raises(ValueError, match="count>/<period"):
        parse_rate(text)


def test_interventions_beyond_the_limit_get_429_with_the_message_in_the_form(limits, ours):
    ask(ours.negotiation, 2, "Is a partial shipment acceptable?")
    guide = f"/negotiations/{ours.negotiation.pk}/guide/"
    answer = f"/negotiations/{ours.negotiation.pk}/answer/"

    def scenario():
        user = UserFactory(organisation=ours.organisation)
        client = logged_in(user)
        statuses = [
            client.post(guide, {"text": "Push on price"}, **HTMX).status_code,
            client.post(answer, {"text": "Yes, in two lots"}, **HTMX).status_code,
            client.post(f"/quotes/{ours.quote.pk}/guide/", {"text": "Hold"}, **HTMX).status_code,
        ]
        refused = client.post(guide, {"text": "One more"}, **HTMX)
        assert statuses == [200, 200, 200]
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 3600
        body = refused.content.decode()
        # The fragment the page swaps in: the same form, the text kept, and the reason.
        assert f'id="neg-guidance-{ours.negotiation.pk}"' in body
        assert "One more" in body
        assert "Too many messages to the agents: at most 3 every hour." in body
        plain = client.post(guide, {"text": "Again"})
        assert plain.status_code == 429
        assert plain.content.decode().startswith("Too many messages to the agents")
        staff_lines = Message.objects.filter(author=user, sender=Sender.STAFF)
        assert sorted(staff_lines.values_list("text", flat=True)) == [
            "Hold",
            "Push on price",
            "Yes, in two lots",
        ]
        # Per user: a colleague still gets through.
        colleague = logged_in(UserFactory(organisation=ours.organisation))
        assert colleague.post(guide, {"text": "Mine"}, **HTMX).status_code == 200

    within_one_window(scenario)


def quote_post(suppliers, product: str) -> dict:
    return valid_quote(product=product, suppliers=[s.pk for s in suppliers])


def test_quotes_beyond_the_limit_get_429_and_are_not_created(limits, ours):
    suppliers = [ours.supplier, *SupplierFactory.create_batch(2, organisation=ours.organisation)]

    def scenario():
        user = UserFactory(organisation=ours.organisation)
        client = logged_in(user)
        made = [
            client.post("/quotes/new/", quote_post(suppliers, f"Bottle {i}"), **HTMX)
            for i in (1, 2)
        ]
        assert [r.status_code for r in made] == [200, 200]
        assert all(r["HX-Redirect"].startswith("/quotes/") for r in made), made[0].content
        refused = client.post("/quotes/new/", quote_post(suppliers, "Bottle 3"), **HTMX)
        assert refused.status_code == 429
        assert 'id="quote-form"' in refused.content.decode()
        assert "Too many new quotes: at most 2 every hour." in refused.content.decode()
        page = client.post("/quotes/new/", quote_post(suppliers, "Bottle 4"))
        assert page.status_code == 429
        assert "Too many new quotes" in page.content.decode()
        products = Quote.objects.filter(created_by=user).values_list("product", flat=True)
        assert sorted(products) == ["Bottle 1", "Bottle 2"]

    within_one_window(scenario)


def test_without_redis_requests_are_not_limited(limits, settings, ours):
    """Throttling is a guard; a counter that cannot be reached must not refuse staff."""
    settings.REDIS_URL = f"redis://127.0.0.1:{embedded_redis.free_port()}/0"  # nothing listens
    client = logged_in(ours.user)
    guide = f"/negotiations/{ours.negotiation.pk}/guide/"
    statuses = [client.post(guide, {"text": f"Note {i}"}, **HTMX).status_code for i in range(5)]
    assert statuses == [200] * 5
