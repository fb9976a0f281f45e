"""The new-quote form's per-supplier choice (simulated or invited) and the reply deadline."""

from datetime import UTC, datetime, timedelta

import pytest

from negotiations.models import Invitation, NegotiationStatus, Quote, SupplierMode
from tests.factories import NegotiationFactory, QuoteFactory, SupplierFactory
from tests.ui.test_quote_pages import valid_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(organisation):
    return [
        SupplierFactory(
            organisation=organisation, name="Pacific", contact_email="sales@pacific.ex"
        ),
        SupplierFactory(
            organisation=organisation, name="Northwind", contact_email="a@northwind.ex"
        ),
        SupplierFactory(organisation=organisation, name="Lumen", contact_email=""),
    ]


def test_staff_invite_one_supplier_and_the_others_stay_simulated(staff_client, three):
    response = staff_client.post(
        "/quotes/new/",
        valid_quote(suppliers=[s.pk for s in three], invite=[three[0].pk], reply_window="12.5"),
    )
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert quote.reply_window == timedelta(hours=12, minutes=30)
    modes = dict(quote.negotiations.values_list("supplier__name", "supplier_mode"))
    assert modes == {
        "Pacific": SupplierMode.INVITED,
        "Northwind": SupplierMode.SIMULATED,
        "Lumen": SupplierMode.SIMULATED,
    }
    assert Invitation.objects.get().email == "sales@pacific.ex"


def test_the_reply_deadline_defaults_to_48_hours_and_takes_seconds(staff_client, three):
    staff_client.post("/quotes/new/", valid_quote(suppliers=[s.pk for s in three]))
    assert Quote.objects.get(product="Amber bottle").reply_window == timedelta(hours=48)
    staff_client.post(
        "/quotes/new/",
        valid_quote(product="Quick", suppliers=[s.pk for s in three], reply_window="0.002"),
    )
    assert Quote.objects.get(product="Quick").reply_window == timedelta(seconds=7)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        ("0", "greater than or equal to 0.001"),
        ("721", "less than or equal to 720"),
        ("x", "number"),
    ],
)
def test_a_reply_deadline_out_of_bounds_is_a_field_error(staff_client, three, hours, text):
    response = staff_client.post("/quotes/new/", valid_quote(reply_window=hours))
    assert text in " ".join(response.context["form"].errors["reply_window"])
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("picks", "invites", "text"),
    [
        ([0, 1, 2], [2], "Lumen has no contact email"),
        ([], [0], "pick the three suppliers yourself"),
        ([0, 1, 2], [3], "is not one of the suppliers picked"),
    ],
)
def test_an_invitation_staff_cannot_send_is_a_field_error(
    staff_client, organisation, three, picks, invites, text
):
    suppliers = [*three, SupplierFactory(organisation=organisation, contact_email="d@d.ex")]
    data = valid_quote(
        suppliers=[suppliers[i].pk for i in picks], invite=[suppliers[i].pk for i in invites]
    )
    response = staff_client.post("/quotes/new/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors["invite"])
    assert text in response.content.decode()
    assert not Quote.objects.exists() and not Invitation.objects.exists()


def test_the_form_offers_invite_only_to_suppliers_with_a_contact_email(staff_client, three):
    page = staff_client.get("/quotes/new/").content.decode()
    assert "Invite these suppliers to answer themselves" in page
    assert "Supplier reply deadline (hours)" in page and 'value="48"' in page
    assert page.count('name="invite"') == 2
    assert "Simulated only: no contact email" in page


def test_a_clone_copies_which_suppliers_were_invited_and_the_deadline(
    staff_client, organisation, three
):
    source = QuoteFactory(organisation=organisation, reply_window=timedelta(minutes=90))
    for slot, supplier in enumerate(three, start=1):
        mode = SupplierMode.INVITED if slot == 1 else SupplierMode.SIMULATED
        NegotiationFactory(quote=source, supplier=supplier, slot=slot, supplier_mode=mode)
    form = staff_client.get(f"/quotes/{source.pk}/clone/").context["form"]
    assert form.initial["invite"] == [three[0].pk]
    assert sorted(form.initial["suppliers"]) == sorted(s.pk for s in three)
    assert form.initial["reply_window"] == timedelta(minutes=90)
    assert 'value="1.5"' in str(form["reply_window"])


def test_the_dashboard_shows_and_filters_quotes_waiting_for_a_supplier(
    staff_client, organisation, three
):
    waiting = QuoteFactory(organisation=organisation, product="Waiting one", status="negotiating")
    NegotiationFactory(
        quote=waiting,
        supplier=three[0],
        slot=1,
        supplier_mode=SupplierMode.INVITED,
        status=NegotiationStatus.WAITING_FOR_SUPPLIER,
        reply_due_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC),
    )
    busy = QuoteFactory(organisation=organisation, product="Busy one", status="negotiating")
    NegotiationFactory(quote=busy, supplier=three[1], slot=1)
    staff_client.cookies["tz"] = "Asia/Tokyo"
    page = staff_client.get("/").content.decode()
    assert "Waiting for Pacific" in page and "reply by 2 Dec 08:30 JST" in page
    filtered = staff_client.get("/?status=waiting_for_supplier").content.decode()
    assert "Waiting one" in filtered and "Busy one" not in filtered
    assert "Waiting for a supplier&#x27;s reply" in filtered
