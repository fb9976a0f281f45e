"""Starting a quote: validation, supplier choice and shortlisting."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from negotiations import services
from negotiations.models import Invitation, Negotiation, QuoteStatus, SupplierMode
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_price": Decimal("1.00")}, "max_price"),
        ({"needed_by": date.today() - timedelta(days=3)}, "needed_by"),
        ({"quantity": 0}, "quantity"),
        ({"weight_price": 0, "weight_lead_time": 0, "weight_payment_terms": 0}, "weight_price"),
    ],
)
def test_an_invalid_quote_is_refused_with_field_errors(quote, suppliers, changes, field):
    for name, value in changes.items():
        setattr(quote, name, value)
    quote.save()
    with pytest.raises(services.ProcurError) as error:
        services.quote_start(quote=quote, suppliers=suppliers)
    assert field in error.value.field_errors
    assert not Negotiation.objects.exists()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT


def test_a_quote_starts_once(quote, suppliers):
    services.quote_start(quote=quote, suppliers=suppliers)
    with pytest.raises(services.ProcurError, match="already been started"):
        services.quote_start(quote=quote, suppliers=suppliers)
    assert Negotiation.objects.count() == 3


def test_staff_must_pick_three_different_suppliers(quote, suppliers):
    with pytest.raises(services.ProcurError, match="exactly 3"):
        services.quote_start(quote=quote, suppliers=[suppliers[0], suppliers[0], suppliers[1]])


def test_another_organisations_supplier_cannot_be_picked(quote, suppliers):
    outsider = SupplierFactory()
    with pytest.raises(services.ProcurError, match="not an active supplier"):
        services.quote_start(quote=quote, suppliers=[*suppliers[:2], outsider])


def test_the_shortlist_prefers_suppliers_that_fit(quote, organisation):
    fits = [SupplierFactory(organisation=organisation, reliability=Decimal("4")) for _ in range(3)]
    SupplierFactory(organisation=organisation, capacity=10, reliability=Decimal("5"))
    SupplierFactory(organisation=organisation, categories=["cartons"])
    SupplierFactory(organisation=organisation, is_active=False, reliability=Decimal("5"))
    assert set(services.shortlist_suppliers(quote=quote)) == set(fits)


def test_without_three_active_suppliers_the_quote_cannot_start(quote, organisation):
    SupplierFactory(organisation=organisation)
    with pytest.raises(services.ProcurError, match="needs 3 active suppliers"):
        services.quote_start(quote=quote)


def test_cancelling_a_quote_cancels_its_open_negotiations(quote, suppliers, user):
    services.quote_start(quote=quote, suppliers=suppliers)
    services.quote_cancel(quote=quote, author=user)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CANCELLED
    assert set(Negotiation.objects.values_list("status", flat=True)) == {"cancelled"}


def test_a_currency_no_supplier_uses_is_a_clear_error(quote, organisation):
    SupplierFactory.create_batch(3, organisation=organisation, currency="USD")
    quote.currency = "EUR"
    quote.save()
    with pytest.raises(services.ProcurError) as error:
        services.quote_start(quote=quote)
    assert "No active supplier of your organisation prices in EUR (they price in USD)" in (
        error.value.message
    )
    assert error.value.field_errors == {"currency": ["No active supplier prices in EUR."]}
    assert not Negotiation.objects.exists()


def test_the_shortlist_takes_only_suppliers_in_the_quotes_currency(quote, organisation):
    euro = SupplierFactory.create_batch(3, organisation=organisation, currency="EUR")
    SupplierFactory(organisation=organisation, currency="USD", reliability=Decimal("5"))
    quote.currency = "eur"  # as typed; compared case-blind
    quote.save()
    assert set(services.shortlist_suppliers(quote=quote)) == set(euro)
    SupplierFactory.create_batch(2, organisation=organisation, currency="GBP")
    quote.currency = "GBP"
    quote.save()
    with pytest.raises(services.ProcurError, match="needs 3 active suppliers that price in GBP"):
        services.quote_start(quote=quote)


def test_a_picked_supplier_in_another_currency_is_refused(quote, suppliers, organisation):
    yen = SupplierFactory(organisation=organisation, name="Kyoto Glass", currency="JPY")
    with pytest.raises(services.ProcurError, match="Kyoto Glass prices in JPY, not in the"):
        services.quote_start(quote=quote, suppliers=[*suppliers[:2], yen])
    assert not Negotiation.objects.exists()


def test_a_quote_can_mix_an_invited_supplier_and_two_simulated(
    quote, suppliers, mailbox, django_capture_on_commit_callbacks
):
    invited = suppliers[1]
    invited.contact_email = "sales@northwind.example"
    invited.save()
    with django_capture_on_commit_callbacks() as callbacks:
        negotiations = services.quote_start(quote=quote, suppliers=suppliers, invited=[invited])
    modes = {n.supplier.name: n.supplier_mode for n in negotiations}
    assert modes == {
        "Pacific Glassworks": SupplierMode.SIMULATED,
        "Northwind Packaging": SupplierMode.INVITED,
        "Lumen Bottle Co.": SupplierMode.SIMULATED,
    }
    [invitation] = Invitation.objects.all()
    assert invitation.negotiation.supplier == invited and invitation.created_by == quote.created_by
    # The email goes after commit (the turns' enqueue is left out: no worker here).
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "send_invitation_email":
            callback()
    [mail] = mailbox.wait_for(to="sales@northwind.example")
    assert quote.product in mail["Subject"]


def test_inviting_takes_an_explicit_pick_and_a_contact_email(quote, suppliers):
    with pytest.raises(services.ProcurError) as error:
        services.quote_start(quote=quote, invited=[suppliers[0]])
    assert "pick the three suppliers yourself" in error.value.field_errors["invite"][0]
    with pytest.raises(services.ProcurError) as error:
        services.quote_start(quote=quote, suppliers=suppliers, invited=[suppliers[0]])
    assert "Pacific Glassworks has no contact email" in error.value.field_errors["invite"][0]
    outsider = SupplierFactory(organisation=quote.organisation, contact_email="x@y.example")
    with pytest.raises(services.ProcurError) as error:
        services.quote_start(quote=quote, suppliers=suppliers, invited=[outsider])
    assert error.value.field_errors["invite"] == [
        f"{outsider.name} is not one of the suppliers picked."
    ]
    assert not Negotiation.objects.exists()


def test_without_invitations_every_supplier_is_simulated(quote, suppliers):
    negotiations = services.quote_start(quote=quote, suppliers=suppliers)
    assert {n.supplier_mode for n in negotiations} == {SupplierMode.SIMULATED}
    assert not Invitation.objects.exists()
