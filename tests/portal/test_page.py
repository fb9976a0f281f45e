"""The portal page: what a link opens, what the supplier sees, and what it never sees."""

import pytest
from django.db import transaction
from django.utils import timezone

from negotiations.models import Message, NegotiationStatus, QuoteStatus, Sender
from negotiations.services.invitations import invitation_revoke
from negotiations.services.transcript import append_message, lock_negotiation
from tests.factories import OrganisationFactory
from tests.portal.conftest import INTERNAL, assert_nothing_internal, make_invited

pytestmark = pytest.mark.django_db


def test_an_unknown_link_is_a_404_page(supplier_client, invited):
    response = supplier_client.get("/s/" + "x" * 43 + "/")
    assert response.status_code == 404
    assert b"This link is not valid" in response.content
    assert response["Cache-Control"] == "no-store"


def test_a_revoked_link_is_gone(supplier_client, invited, user):
    invitation_revoke(negotiation=invited.negotiation, by=user)
    response = supplier_client.get(invited.url)
    assert response.status_code == 410
    assert b"This link no longer works" in response.content


@pytest.mark.parametrize("status", [QuoteStatus.AWARDED, QuoteStatus.CLOSED, QuoteStatus.CANCELLED])
def test_a_link_to_a_decided_quote_is_gone(supplier_client, invited, status):
    invited.quote.status = status
    invited.quote.save(update_fields=["status"])
    assert supplier_client.get(invited.url).status_code == 410


@pytest.mark.parametrize("status", [NegotiationStatus.CANCELLED, NegotiationStatus.NO_REPLY])
def test_a_link_to_a_cancelled_or_missed_negotiation_is_gone(supplier_client, invited, status):
    invited.negotiation.status = status
    invited.negotiation.save(update_fields=["status"])
    assert supplier_client.get(invited.url).status_code == 410


def test_a_link_past_its_reply_deadline_is_gone(supplier_client, invited):
    invited.negotiation.reply_due_at = timezone.now() - timezone.timedelta(seconds=1)
    invited.negotiation.save(update_fields=["reply_due_at"])
    assert supplier_client.get(invited.url).status_code == 410
    assert supplier_client.post(invited.url + "decline/", {"reason": "x"}).status_code == 410


def test_the_page_shows_the_request_the_offers_and_the_deadline(supplier_client, invited):
    response = supplier_client.get(invited.url)
    assert response.status_code == 200
    html = response.content.decode()
    quote, negotiation = invited.quote, invited.refresh()
    for fact in [
        quote.organisation.name,
        quote.product,
        "Amber glass, 500 ml, screw neck.",
        "Food-grade; pallets of 1,000.",
        f"{quote.quantity} {quote.unit}",
        quote.needed_by.strftime("%B %Y").split()[0],
        f"{quote.max_rounds} rounds",
        "Your turn",
        "Reply by",
        "left",
        negotiation.supplier.name,
    ]:
        assert fact in html, fact
    brand_offer = negotiation.messages.exclude(terms=None).get().terms
    assert brand_offer["unit_price"] in html
    assert 'id="counter-form"' in html and 'id="accept-form"' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_page_shows_only_the_shared_transcript(supplier_client, invited):
    html = supplier_client.get(invited.url).content.decode()
    assert_nothing_internal(html)
    # The brand's shared message is there, under the brand's name.
    assert f'<span class="sender">{invited.quote.organisation.name}</span>' in html
    assert "Brand agent" not in html


def test_staff_messages_to_the_supplier_show_as_the_brands_staff(supplier_client, invited, user):
    # As "send to supplier" stores it (negotiations/services/staff.py).
    with transaction.atomic():
        negotiation = lock_negotiation(invited.negotiation.pk)
        append_message(
            negotiation,
            sender=Sender.STAFF,
            action=Message.TO_SUPPLIER,
            text="Hello from our buyer",
            author=user,
        )
    html = supplier_client.get(invited.url).content.decode()
    assert "Hello from our buyer" in html
    assert f"{invited.quote.organisation.name} (staff)" in html
    assert user.username not in html


def test_a_link_opens_only_its_own_negotiation(supplier_client, invited):
    theirs = make_invited(OrganisationFactory(name="Other Buyer Ltd"), product="Tin can 330 ml")
    mine = supplier_client.get(invited.url).content.decode()
    other = supplier_client.get(theirs.url).content.decode()
    assert "Tin can 330 ml" not in mine and "Other Buyer Ltd" not in mine
    assert invited.quote.product not in other
    # Another negotiation's ids in the URL or the body open nothing of it.
    assert supplier_client.get(f"/s/{theirs.negotiation.pk}/").status_code == 404
    assert supplier_client.get(f"/s/{invited.token}/{theirs.negotiation.pk}/").status_code == 404
    supplier_client.post(
        invited.url + "decline/",
        {"reason": "Not for us", "negotiation": theirs.negotiation.pk, "client_id": "d1"},
    )
    assert invited.refresh().status == NegotiationStatus.WALKED_AWAY
    theirs.negotiation.refresh_from_db()
    assert theirs.negotiation.status == NegotiationStatus.WAITING_FOR_SUPPLIER


def test_an_agreed_negotiation_stays_readable_without_reply_forms(supplier_client, invited):
    offer = invited.negotiation.messages.exclude(terms=None).get().terms
    page = supplier_client.get(invited.url).content.decode()
    key = page.split('name="offer" value="')[1].split('"')[0]
    supplier_client.post(invited.url + "accept/", {"offer": key, "client_id": "a1"})
    response = supplier_client.get(invited.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Agreed terms" in html and offer["unit_price"] in html
    assert 'id="counter-form"' not in html
    assert_nothing_internal(html)
    assert INTERNAL["other offer"] not in html


def test_an_htmx_post_to_a_link_that_went_reloads_the_page(supplier_client, invited, user):
    invitation_revoke(negotiation=invited.negotiation, by=user)
    response = supplier_client.post(
        invited.url + "decline/", {"reason": "No"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 410
    assert response["HX-Refresh"] == "true"


@pytest.mark.parametrize("status", [NegotiationStatus.WAITING_FOR_STAFF, NegotiationStatus.FAILED])
def test_the_page_does_not_tell_the_brands_internal_state(supplier_client, invited, status):
    """The brand asking its staff (or its turn failing) reads as "preparing its reply" / "stopped":
    not even the markup's status class names it."""
    invited.negotiation.status = status
    invited.negotiation.save(update_fields=["status"])
    html = supplier_client.get(invited.url).content.decode()
    assert status.value not in html
    assert "staff" not in html.lower().replace(f"{invited.quote.organisation.name} (staff)", "")
