"""The supplier directory: list, detail with past negotiations, create and edit."""

import pytest

from tests.factories import SupplierFactory
from vendors.models import Supplier

pytestmark = pytest.mark.django_db


def supplier_data(**changes) -> dict:
    data = {
        "name": "Cobalt Glass",
        "categories": "bottles, jars ,",
        "currency": "USD",
        "list_price": "2.50",
        "cost_floor": "1.80",
        "fastest_lead_time_days": "21",
        "capacity": "10000",
        "preferred_payment_terms_days": "30",
        "warranty_months": "12",
        "reliability": "4.2",
        "temperament": "balanced",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_list_shows_only_the_organisations_suppliers(staff_client, organisation):
    mine = SupplierFactory(organisation=organisation)
    theirs = SupplierFactory()
    page = staff_client.get("/suppliers/").content.decode()
    assert mine.name in page and theirs.name not in page


def test_the_detail_shows_past_negotiations(staff_client, started):
    negotiation = started.negotiations[0]
    page = staff_client.get(f"/suppliers/{negotiation.supplier_id}/").content.decode()
    assert f'href="/quotes/{started.quote.pk}/"' in page and started.quote.product in page


def test_creating_a_supplier(staff_client, organisation):
    response = staff_client.post("/suppliers/new/", supplier_data())
    supplier = Supplier.objects.get(name="Cobalt Glass")
    assert response.status_code == 302 and response["Location"] == f"/suppliers/{supplier.pk}/"
    assert supplier.organisation == organisation
    assert supplier.categories == ["bottles", "jars"]


def test_editing_a_supplier(staff_client, organisation):
    supplier = SupplierFactory(organisation=organisation, categories=["caps"])
    form = staff_client.get(f"/suppliers/{supplier.pk}/edit/").content.decode()
    assert 'value="caps"' in form
    staff_client.post(f"/suppliers/{supplier.pk}/edit/", supplier_data(name="Renamed"))
    supplier.refresh_from_db()
    assert supplier.name == "Renamed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cost_floor": "3.00"}, "cost_floor"),
        ({"list_price": "cheap"}, "list_price"),
        ({"reliability": "9"}, "reliability"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"temperament": "sneaky"}, "temperament"),
        ({"name": ""}, "name"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-5"}, "capacity"),
    ],
)
def test_bad_input_shows_errors(staff_client, organisation, changes, field):
    response = staff_client.post("/suppliers/new/", supplier_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Supplier.objects.exists()


def test_a_duplicate_name_is_an_error_not_a_500(staff_client, organisation):
    SupplierFactory(organisation=organisation, name="Cobalt Glass")
    response = staff_client.post("/suppliers/new/", supplier_data(name="cobalt glass"))
    assert response.status_code == 200
    assert "already has a supplier" in " ".join(response.context["form"].errors["name"])


def test_the_same_name_in_another_organisation_is_fine(staff_client, organisation):
    SupplierFactory(name="Cobalt Glass")
    assert staff_client.post("/suppliers/new/", supplier_data()).status_code == 302


@pytest.mark.parametrize("path", ["/suppliers/{pk}/", "/suppliers/{pk}/edit/"])
def test_another_organisations_supplier_is_not_found(staff_client, path):
    theirs = SupplierFactory()
    assert staff_client.get(path.format(pk=theirs.pk)).status_code == 404
    response = staff_client.post(path.format(pk=theirs.pk), supplier_data())
    assert response.status_code in (404, 405)
    theirs.refresh_from_db()
    assert theirs.name != "Cobalt Glass"


def test_the_database_refuses_a_supplier_without_capacity(organisation):
    from django.db import IntegrityError, transaction

    supplier = SupplierFactory(organisation=organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Supplier.objects.filter(pk=supplier.pk).update(capacity=0)
    supplier.refresh_from_db()
    assert supplier.capacity == 20000
