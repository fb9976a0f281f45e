"""Another organisation's objects are never visible: lists leave them out, details are 404."""

import pytest

from negotiations.selectors import quotes_for_user
from procur.accounts.tenancy import get_for_user, scope_to_user
from tests.factories import QuoteFactory, SupplierFactory
from vendors.models import Supplier

pytestmark = pytest.mark.django_db


def test_dashboard_lists_only_the_users_organisation_quotes(staff_client, user):
    QuoteFactory(organisation=user.organisation, product="Our amber bottle")
    QuoteFactory(product="Their secret serum")
    page = staff_client.get("/").content.decode()
    assert "Our amber bottle" in page
    assert "Their secret serum" not in page


def test_supplier_directory_lists_only_the_users_suppliers(staff_client, user):
    SupplierFactory(organisation=user.organisation, name="Our Glassworks")
    SupplierFactory(name="Their Glassworks")
    page = staff_client.get("/suppliers/").content.decode()
    assert "Our Glassworks" in page
    assert "Their Glassworks" not in page


def test_selectors_scope_quotes_to_the_organisation(user, other_user):
    ours = QuoteFactory(organisation=user.organisation)
    QuoteFactory(organisation=other_user.organisation)
    assert list(quotes_for_user(user)) == [ours]


def test_get_for_user_is_404_for_another_organisations_row(user, other_user):
    from django.http import Http404

    theirs = SupplierFactory(organisation=other_user.organisation)
    with pytest.raises(Http404):
        get_for_user(Supplier.objects.all(), user, theirs.pk)
    assert get_for_user(Supplier.objects.all(), other_user, theirs.pk) == theirs


def test_a_user_without_organisation_sees_nothing(django_user_model):
    SupplierFactory()
    platform_admin = django_user_model.objects.create_user("root", password="x", organisation=None)
    assert not scope_to_user(Supplier.objects.all(), platform_admin).exists()


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_renders_and_logs_in(client, user):
    assert "Log in to Procur" in client.get("/login/").content.decode()
    response = client.post(
        "/login/", {"username": user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
