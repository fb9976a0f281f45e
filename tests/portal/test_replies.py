"""The supplier's replies: counter, accept, decline, with field-level errors and no 500."""

import pytest
from django.test import Client
from django.utils import timezone

from negotiations.models import NegotiationStatus, Sender
from tests.portal.conftest import assert_nothing_internal

pytestmark = pytest.mark.django_db


def counter(**changes) -> dict:
    fields = {
        "unit_price": "2.05",
        "quantity": "5000",
        "lead_time_days": "21",
        "payment_terms_days": "30",
        "warranty_months": "12",
        "message": "Our best for this volume.",
        "client_id": "c1",
    }
    return {**fields, **changes}


def supplier_messages(invited):
    return list(invited.negotiation.messages.filter(sender=Sender.SUPPLIER))


def test_a_counter_is_stored_and_the_page_says_it_was_sent(supplier_client, invited):
    response = supplier_client.post(invited.url + "counter/", counter(), follow=True)
    assert response.redirect_chain == [(invited.url, 302)]
    assert b"Your counter-offer was sent." in response.content
    [reply] = supplier_messages(invited)
    assert (reply.action, reply.terms["unit_price"], reply.text) == (
        "counter",
        "2.05",
        "Our best for this volume.",
    )
    assert invited.refresh().status != NegotiationStatus.WAITING_FOR_SUPPLIER


def test_htmx_gets_every_state_fragment_out_of_band(supplier_client, invited):
    response = supplier_client.post(
        invited.url + "counter/", counter(), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    for fragment in ("portal-status", "portal-offers", "portal-actions", "portal-alert"):
        assert f'<section id="{fragment}"' in html or f'<div id="{fragment}"' in html
    assert html.count('hx-swap-oob="true"') == 4
    assert "Your counter-offer was sent." in html
    assert 'id="counter-form"' not in html  # no longer the supplier's turn
    assert_nothing_internal(html)


def test_htmx_gets_the_forms_back_with_their_errors(supplier_client, invited):
    response = supplier_client.post(
        invited.url + "counter/", counter(unit_price="0"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "data-open-form data-answer" in html  # replaces the forms on the page
    assert "Enter a unit price above zero." in html


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("unit_price", "0", "Enter a unit price above zero."),
        ("unit_price", "-3", "Enter a unit price above zero."),
        ("unit_price", "abc", "Enter the unit price as a number"),
        ("unit_price", "1e12", "beyond any real offer"),
        ("unit_price", "NaN", "Enter the unit price as a number"),
        ("unit_price", "2.055", "two decimals"),
        ("unit_price", "", "Enter your unit price."),
        ("quantity", "5001", "offer that many or fewer"),
        ("quantity", "0", "Offer at least one unit."),
        ("quantity", "12.5", "whole number of units"),
        ("lead_time_days", "2.5", "whole number of days"),
        ("lead_time_days", "-1", "cannot be negative"),
        ("lead_time_days", "99999", "more than 3,650 days"),
        ("payment_terms_days", "31", "Choose payment terms from the list."),
        ("warranty_months", "x", "whole number of months"),
        ("warranty_months", "100000", "more than 240 months"),
        ("message", "x" * 2001, "under 2,000 characters"),
    ],
)
def test_a_bad_figure_is_an_error_on_its_field(supplier_client, invited, field, value, error):
    response = supplier_client.post(invited.url + "counter/", counter(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    # The error is announced and linked to its field, which gets the focus.
    assert f'<p class="field-error" id="counter-{field}-error" role="alert">' in html
    field_tag = html.split(f'id="counter-{field}"')[0].rsplit("<", 1)[1]
    field_tag += html.split(f'id="counter-{field}"')[1].split(">")[0]
    assert f"counter-{field}-error" in field_tag and "aria-invalid" in field_tag
    assert "autofocus" in field_tag
    assert supplier_messages(invited) == []


def test_a_fewer_units_counter_is_sent_as_a_partial_offer(supplier_client, invited):
    response = supplier_client.post(invited.url + "counter/", counter(quantity="3000"), follow=True)
    assert b"(a partial quantity)" in response.content
    assert b"partial: 3000 of 5000" in response.content
    assert supplier_messages(invited)[0].terms["quantity"] == 3000


def test_a_lead_time_past_the_needed_by_date_asks_to_confirm(supplier_client, invited):
    late = (invited.quote.needed_by - timezone.localdate()).days + 10
    response = supplier_client.post(invited.url + "counter/", counter(lead_time_days=str(late)))
    html = response.content.decode()
    assert "after the buyer&#x27;s needed-by date" in html
    assert 'name="confirm_late"' in html
    assert supplier_messages(invited) == []

    confirmed = counter(lead_time_days=str(late), confirm_late="on")
    response = supplier_client.post(invited.url + "counter/", confirmed, follow=True)
    assert b"Your counter-offer was sent." in response.content
    assert supplier_messages(invited)[0].terms["lead_time_days"] == late


def test_a_double_submit_is_stored_once(supplier_client, invited):
    first = supplier_client.post(invited.url + "counter/", counter(client_id="same"))
    second = supplier_client.post(invited.url + "counter/", counter(client_id="same"))
    assert (first.status_code, second.status_code) == (302, 302)
    assert len(supplier_messages(invited)) == 1


def test_replying_out_of_turn_says_why(supplier_client, invited):
    supplier_client.post(invited.url + "counter/", counter(client_id="one"))
    response = supplier_client.post(invited.url + "counter/", counter(client_id="two"))
    assert response.status_code == 200
    assert b"wait for its reply" in response.content or b"You cannot reply now" in response.content
    assert len(supplier_messages(invited)) == 1


def test_replying_after_the_end_says_it_has_ended(supplier_client, invited):
    supplier_client.post(invited.url + "decline/", {"reason": "Capacity is gone", "client_id": "d"})
    response = supplier_client.post(invited.url + "counter/", counter(client_id="late"))
    assert response.status_code == 200
    assert b"has ended" in response.content
    assert invited.refresh().status == NegotiationStatus.WALKED_AWAY


def test_accept_takes_exactly_the_brands_standing_offer(supplier_client, invited):
    offer = invited.negotiation.messages.exclude(terms=None).get().terms
    page = supplier_client.get(invited.url).content.decode()
    accept_form = page.split('id="accept-form"')[1].split("</form>")[0]
    assert "You agree to exactly these terms" in accept_form and offer["unit_price"] in accept_form
    key = accept_form.split('name="offer" value="')[1].split('"')[0]
    response = supplier_client.post(invited.url + "accept/", {"offer": key, "client_id": "a"})
    assert response.status_code == 302
    negotiation = invited.refresh()
    assert negotiation.status == NegotiationStatus.AGREED
    assert negotiation.final_terms["unit_price"] == offer["unit_price"]


def test_accepting_an_offer_that_changed_is_refused(supplier_client, invited):
    response = supplier_client.post(invited.url + "accept/", {"offer": "stale", "client_id": "a"})
    assert b"offer changed since you opened this page" in response.content
    assert invited.refresh().status == NegotiationStatus.WAITING_FOR_SUPPLIER


def test_decline_needs_a_reason(supplier_client, invited):
    response = supplier_client.post(invited.url + "decline/", {"reason": "  ", "client_id": "d"})
    assert b"Tell the buyer why you decline" in response.content
    assert invited.refresh().status == NegotiationStatus.WAITING_FOR_SUPPLIER


def test_replies_are_csrf_protected(invited):
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(invited.url).status_code == 200
    refused = browser.post(invited.url + "decline/", {"reason": "No", "client_id": "d"})
    assert refused.status_code == 403
    assert invited.refresh().status == NegotiationStatus.WAITING_FOR_SUPPLIER
    # The page's form carries the token, and with it the same post goes through.
    page = browser.get(invited.url).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    accepted = browser.post(
        invited.url + "decline/", {"reason": "No", "client_id": "d", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert invited.refresh().status == NegotiationStatus.WALKED_AWAY


def test_the_portal_takes_no_other_methods(supplier_client, invited):
    assert supplier_client.put(invited.url + "counter/").status_code == 405
    assert supplier_client.get(invited.url + "counter/").status_code == 405
    assert supplier_client.post(invited.url).status_code == 405
