"""Property: whatever is posted to any form (quote, supplier, intervention, answer, award,
login), the answer is never a server error."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negotiations.forms import AwardForm, InterventionForm, QuoteForm
from negotiations.models import Quote
from tests.factories import SupplierFactory
from tests.ui.conftest import ask
from tests.ui.test_quote_pages import valid_quote
from vendors.forms import SupplierForm
from vendors.models import Supplier

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "9" * 40,
        "1e400",
        "NaN",
        "-Infinity",
        "2.5.1",
        "0x10",
        "2026-02-30",
        "99999-01-01",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\ud7ff\U0010ffff",
        "x" * 5000,
        "on",
        "true",
    ]
)
VALUES = st.one_of(
    NASTY,
    st.text(max_size=300),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
)


def form_data(field_names) -> st.SearchStrategy[dict]:
    """Any subset of the form's fields (and a stranger), each with one or several values."""
    names = st.sampled_from([*field_names, "client_id", "unexpected"])
    return st.dictionaries(names, st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=20)


def fields_of(form_class) -> list[str]:
    return list(form_class.base_fields)


def mutants(valid: dict) -> st.SearchStrategy[dict]:
    """A valid submission with up to four fields replaced by anything, or dropped: reaches the
    validation behind the form (the services', the database's) that random junk never does."""
    replaced = st.dictionaries(st.sampled_from(sorted(valid)), VALUES, max_size=4)
    dropped = st.sets(st.sampled_from(sorted(valid)), max_size=2)
    return st.builds(
        lambda new, gone: {k: v for k, v in {**valid, **new}.items() if k not in gone},
        replaced,
        dropped,
    )


VALID_QUOTE = valid_quote()
VALID_SUPPLIER = {
    "name": "Fuzz Glass",
    "contact_email": "sales@example.com",
    "categories": "bottles",
    "currency": "USD",
    "list_price": "2.50",
    "cost_floor": "1.70",
    "fastest_lead_time_days": "20",
    "capacity": "20000",
    "preferred_payment_terms_days": "30",
    "warranty_months": "12",
    "reliability": "0.9",
    "temperament": "balanced",
}


@pytest.fixture
def client_of(ours, settings):
    """Our user, with suppliers enough for a shortlist and no rate limit in the way."""
    SupplierFactory.create_batch(2, organisation=ours.organisation)
    settings.PROCUR_RATE_LIMIT_INTERVENTIONS = "1000000/hour"
    settings.PROCUR_RATE_LIMIT_QUOTES = "1000000/hour"
    client = Client()
    client.force_login(ours.user)
    return client


def post(client: Client, url: str, data: dict, htmx: bool) -> None:
    # The test client raises a view's exception, and a handled one must not be a 5xx either.
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(url, data, **headers)
    assert response.status_code < 500, (url, data, response.status_code)


def test_the_mutated_submissions_start_from_valid_ones(client_of, ours):
    """The control: unmutated, the quote and supplier posts are accepted and saved."""
    response = client_of.post("/quotes/new/", VALID_QUOTE, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/quotes/")
    assert Quote.objects.filter(product="Amber bottle", organisation=ours.organisation).exists()
    assert client_of.post("/suppliers/new/", VALID_SUPPLIER).status_code == 302
    assert Supplier.objects.filter(name="Fuzz Glass", organisation=ours.organisation).exists()


@FUZZ
@given(data=form_data(fields_of(QuoteForm)) | mutants(VALID_QUOTE), htmx=st.booleans())
def test_the_quote_form_never_fails(client_of, data, htmx):
    post(client_of, "/quotes/new/", data, htmx)


@pytest.mark.parametrize("supplier_id", ["9" * 40, "-" + "9" * 40, str(2**63)])
def test_a_supplier_id_beyond_the_database_range_is_an_invalid_choice(client_of, supplier_id):
    # Found by the fuzz above on SQLite: OverflowError, a 500.
    response = client_of.post("/quotes/new/", {**VALID_QUOTE, "suppliers": [supplier_id]})
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    assert not Quote.objects.filter(product="Amber bottle").exists()


@FUZZ
@given(
    data=form_data(fields_of(SupplierForm)) | mutants(VALID_SUPPLIER),
    htmx=st.booleans(),
    edit=st.booleans(),
)
def test_the_supplier_form_never_fails(client_of, ours, data, htmx, edit):
    url = f"/suppliers/{ours.supplier.pk}/edit/" if edit else "/suppliers/new/"
    post(client_of, url, data, htmx)


@FUZZ
@given(data=form_data(fields_of(InterventionForm)), htmx=st.booleans(), quote_wide=st.booleans())
def test_the_intervention_forms_never_fail(client_of, ours, data, htmx, quote_wide):
    url = (
        f"/quotes/{ours.quote.pk}/guide/"
        if quote_wide
        else f"/negotiations/{ours.negotiation.pk}/guide/"
    )
    post(client_of, url, data, htmx)


@FUZZ
@given(data=form_data(fields_of(InterventionForm)), htmx=st.booleans())
def test_the_answer_form_never_fails(client_of, ours, data, htmx):
    if not ours.negotiation.messages.filter(action="ask_info").exists():
        ask(ours.negotiation, 2, "Is a partial shipment acceptable?")
    post(client_of, f"/negotiations/{ours.negotiation.pk}/answer/", data, htmx)


@FUZZ
@given(data=form_data(fields_of(AwardForm)), htmx=st.booleans())
def test_the_award_form_never_fails(client_of, ours, data, htmx):
    post(client_of, f"/quotes/{ours.quote.pk}/award/", data, htmx)


@FUZZ
@given(data=form_data(["username", "password", "next"]))
def test_the_login_form_never_fails(data):
    post(Client(), "/login/", data, htmx=False)
