"""The dashboard and the new-quote form."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from negotiations.engine import BRAND_PROFILES
from negotiations.models import BRIEF_TEXT_MAX_LENGTH, Negotiation, Quote, QuoteStatus, Sender
from negotiations.services.quotes import BENCHMARK_ONLY_PROFILES, brand_strategy_for
from tests.factories import NegotiationFactory, QuoteFactory, SupplierFactory
from tests.ui.conftest import offer

pytestmark = pytest.mark.django_db


def valid_quote(**changes) -> dict:
    data = {
        "product": "Amber bottle",
        "category": "bottles",
        "quantity": "5000",
        "unit": "units",
        "currency": "USD",
        "target_price": "1.95",
        "max_price": "2.40",
        "needed_by": (date.today() + timedelta(days=60)).isoformat(),
        "weight_price": "50",
        "weight_lead_time": "30",
        "weight_payment_terms": "20",
        "max_rounds": "8",
        "question_budget": "2",
    }
    data.update(changes)
    return data


def test_the_dashboard_shows_best_offer_and_savings(staff_client, organisation):
    quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING, quantity=1000)
    cheap, dear = (
        NegotiationFactory(
            quote=quote, slot=slot, supplier=SupplierFactory(organisation=organisation)
        )
        for slot in (1, 2)
    )
    offer(cheap, 1, "2.50")
    offer(cheap, 2, "1.90", sender=Sender.BRAND)  # the brand's counter is not an offer
    offer(cheap, 3, "2.20")
    offer(dear, 1, "2.45")
    response = staff_client.get("/")
    [row] = response.context["rows"]
    assert row.best_price == Decimal("2.20") and row.best_supplier == cheap.supplier.name
    assert row.savings == 300  # (2.50 - 2.20) x 1000
    page = response.content.decode()
    assert "2.20 USD" in page and "300.00 USD" in page and 'href="/quotes/new/"' in page


def test_the_dashboard_lists_only_the_organisations_quotes(staff_client, organisation):
    mine = QuoteFactory(organisation=organisation, product="Mine")
    QuoteFactory(product="Theirs")
    page = staff_client.get("/").content.decode()
    assert f'href="/quotes/{mine.pk}/"' in page and "Theirs" not in page


def test_creating_a_quote_starts_it_with_the_shortlist(staff_client, organisation):
    SupplierFactory.create_batch(4, organisation=organisation)
    response = staff_client.post("/quotes/new/", valid_quote())
    quote = Quote.objects.get(product="Amber bottle")
    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.pk}/"
    assert quote.status == QuoteStatus.NEGOTIATING and quote.organisation == organisation
    assert Negotiation.objects.filter(quote=quote).count() == 3


def test_creating_with_htmx_redirects_the_client(staff_client, organisation):
    SupplierFactory.create_batch(3, organisation=organisation)
    response = staff_client.post("/quotes/new/", valid_quote(), HTTP_HX_REQUEST="true")
    quote = Quote.objects.get(product="Amber bottle")
    assert response["HX-Redirect"] == f"/quotes/{quote.pk}/"


def test_picked_suppliers_are_the_ones_negotiated_with(staff_client, organisation):
    picked = SupplierFactory.create_batch(3, organisation=organisation)
    SupplierFactory.create_batch(2, organisation=organisation)
    staff_client.post("/quotes/new/", valid_quote(suppliers=[s.pk for s in picked]))
    quote = Quote.objects.get(product="Amber bottle")
    assert {n.supplier_id for n in quote.negotiations.all()} == {s.pk for s in picked}


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"max_price": "1.50"}, "max_price", "cannot be below the target price"),
        ({"needed_by": date.today().isoformat()}, "needed_by", "at least 2 days"),
        ({"quantity": "0"}, "quantity", ""),
        ({"quantity": "lots"}, "quantity", "whole number"),
        ({"target_price": "abc"}, "target_price", "number"),
        ({"needed_by": "31/02/2020"}, "needed_by", "valid date"),
        ({"product": ""}, "product", "required"),
        (
            {"weight_price": "0", "weight_lead_time": "0", "weight_payment_terms": "0"},
            "weight_price",
            "weight above zero",
        ),
    ],
)
def test_bad_input_shows_inline_errors(staff_client, organisation, changes, field, text):
    SupplierFactory.create_batch(3, organisation=organisation)
    response = staff_client.post("/quotes/new/", valid_quote(**changes), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and text in " ".join(form.errors[field])
    assert 'id="quote-form"' in response.content.decode()
    assert not Quote.objects.exists()


def test_picking_two_suppliers_is_an_error_and_saves_nothing(staff_client, organisation):
    picked = SupplierFactory.create_batch(2, organisation=organisation)
    response = staff_client.post("/quotes/new/", valid_quote(suppliers=[s.pk for s in picked]))
    assert response.status_code == 200
    assert "Pick exactly 3" in " ".join(response.context["form"].errors["suppliers"])
    assert not Quote.objects.exists()


def test_another_organisations_supplier_cannot_be_picked(staff_client, organisation):
    mine = SupplierFactory.create_batch(2, organisation=organisation)
    theirs = SupplierFactory()
    response = staff_client.post(
        "/quotes/new/", valid_quote(suppliers=[*(s.pk for s in mine), theirs.pk])
    )
    assert "suppliers" in response.context["form"].errors
    assert not Quote.objects.exists()


def test_too_few_suppliers_to_shortlist_is_explained(staff_client, organisation):
    SupplierFactory(organisation=organisation)
    response = staff_client.post("/quotes/new/", valid_quote())
    assert "needs 3 active suppliers" in response.content.decode()
    assert not Quote.objects.exists()


def test_the_form_page_renders_with_the_supplier_picker(staff_client, organisation):
    supplier = SupplierFactory(organisation=organisation)
    page = staff_client.get("/quotes/new/").content.decode()
    assert supplier.name in page and "csrfmiddlewaretoken" in page


def test_starting_a_draft_from_the_room(staff_client, organisation):
    SupplierFactory.create_batch(3, organisation=organisation)
    quote = QuoteFactory(organisation=organisation)
    response = staff_client.post(f"/quotes/{quote.pk}/start/")
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.NEGOTIATING


def test_starting_twice_explains_instead_of_failing(staff_client, started):
    response = staff_client.post(f"/quotes/{started.quote.pk}/start/", follow=True)
    assert "already been started" in response.content.decode()


def test_the_form_offers_each_negotiating_profile_with_a_sentence(staff_client):
    page = staff_client.get("/quotes/new/").content.decode()
    assert 'name="brand_profile"' in page
    assert (
        "Recommended: the profile Procur&#x27;s tournament measured best (now "
        f"{brand_strategy_for(Quote()).replace('_', ' ').capitalize()})."
    ) in page
    for profile in BRAND_PROFILES.values():
        shown = f'value="{profile.id}"' in page and escape(profile.description) in page
        assert shown == (profile.id not in BENCHMARK_ONLY_PROFILES), profile.id
    # The recommended choice is the one ticked.
    assert re.search(r'<input type="radio" name="brand_profile" value=""[^>]* checked', page)


@pytest.mark.parametrize(("picked", "weight_price"), [("conceder", "50"), ("tit_for_tat", "80")])
def test_staffs_pick_is_the_profile_the_brand_agent_negotiates_with(
    staff_client, organisation, picked, weight_price
):
    SupplierFactory.create_batch(3, organisation=organisation)
    staff_client.post("/quotes/new/", valid_quote(brand_profile=picked, weight_price=weight_price))
    quote = Quote.objects.get(product="Amber bottle")
    assert quote.brand_profile == picked
    assert {n.brand_strategy for n in quote.negotiations.all()} == {picked}


@pytest.mark.parametrize("weight_price", ["50", "80"])
def test_without_a_pick_the_measured_best_profile_is_used(staff_client, organisation, weight_price):
    SupplierFactory.create_batch(3, organisation=organisation)
    staff_client.post("/quotes/new/", valid_quote(weight_price=weight_price))
    quote = Quote.objects.get(product="Amber bottle")
    assert quote.brand_profile == ""
    assert {n.brand_strategy for n in quote.negotiations.all()} == {brand_strategy_for(quote)}


@pytest.mark.parametrize("profile", ["naive_split", "shark", "<b>"])
def test_a_profile_not_on_the_list_is_an_inline_error(staff_client, organisation, profile):
    SupplierFactory.create_batch(3, organisation=organisation)
    response = staff_client.post("/quotes/new/", valid_quote(brand_profile=profile))
    assert response.status_code == 200
    assert "brand_profile" in response.context["form"].errors


@pytest.mark.parametrize("field", ["description", "requirements"])
def test_an_overlong_brief_is_a_form_error(staff_client, organisation, field):
    SupplierFactory.create_batch(3, organisation=organisation)
    page = staff_client.get("/quotes/new/").content.decode()
    assert f'maxlength="{BRIEF_TEXT_MAX_LENGTH}"' in page
    response = staff_client.post(
        "/quotes/new/", valid_quote(**{field: "x" * (BRIEF_TEXT_MAX_LENGTH + 1)})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Quote.objects.exists()
    accepted = staff_client.post(
        "/quotes/new/", valid_quote(**{field: "x" * BRIEF_TEXT_MAX_LENGTH})
    )
    assert accepted.status_code == 302


@pytest.mark.parametrize("field", ["description", "requirements"])
def test_the_model_refuses_an_overlong_brief(organisation, field):
    quote = QuoteFactory.build(organisation=organisation, created_by=None)
    setattr(quote, field, "x" * (BRIEF_TEXT_MAX_LENGTH + 1))
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert field in error.value.message_dict


def test_a_currency_no_supplier_uses_is_shown_in_the_form(staff_client, organisation):
    SupplierFactory.create_batch(3, organisation=organisation, currency="USD")
    response = staff_client.post("/quotes/new/", valid_quote(currency="eur"))
    assert response.status_code == 200
    assert response.context["form"].errors["currency"] == ["No active supplier prices in EUR."]
    assert "Procur does not negotiate across currencies" in response.content.decode()
    assert not Quote.objects.exists()
