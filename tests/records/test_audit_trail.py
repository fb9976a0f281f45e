"""The audit trail: every human action on a quote, with who, when and what, on its page."""

from datetime import timedelta
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from negotiations.models import Message, Quote, Sender
from negotiations.services.invitations import invitation_issue, invitation_revoke
from records.audit import audit_trail
from tests.factories import QuoteFactory, SupplierFactory
from tests.orchestration.invited import start_invited
from tests.ui.test_quote_pages import valid_quote

pytestmark = pytest.mark.django_db


def _trail(quote: Quote) -> list[tuple[str, str, str]]:
    return [(e.who, e.action, e.supplier) for e in audit_trail(quote)]


def test_each_human_action_is_recorded_with_who_and_in_order(ended, user):
    me = user.username
    names = [n.supplier.name for n in ended.negotiations]
    assert _trail(ended.quote) == [
        (me, "Created the request", ""),
        (me, "Guidance", names[0]),
        (me, "Answered the brand agent's question", names[1]),
        (me, "Paused the negotiation", names[2]),
        (me, f"Awarded to {names[1]}", ""),
    ]
    [guidance] = [e for e in audit_trail(ended.quote) if e.action == "Guidance"]
    assert guidance.detail == "Hold firm on price"
    times = [e.at for e in audit_trail(ended.quote)]
    assert times == sorted(times)


def test_what_procur_did_on_its_own_is_not_a_human_action(ended):
    # The evaluation saved the quote (status, recommendation) without a person: not listed.
    assert ended.quote.history.filter(history_user__isnull=True).exists()
    assert not any(e.who == "Procur" for e in audit_trail(ended.quote))


def test_starting_cancelling_and_closing_are_recorded(staff_client, user, organisation):
    suppliers = [SupplierFactory(organisation=organisation) for _ in range(3)]
    response = staff_client.post("/quotes/new/", valid_quote(suppliers=[s.pk for s in suppliers]))
    assert response.status_code == 302
    quote = Quote.objects.get(product="Amber bottle")
    staff_client.post(f"/quotes/{quote.pk}/pause/")
    staff_client.post(f"/quotes/{quote.pk}/cancel/")
    trail = _trail(quote)
    me = user.username
    started = "Started: negotiating with " + ", ".join(s.name for s in suppliers)
    # One entry per action: the quote-wide pause names every supplier; the quote's cancellation
    # is one entry, not one more per negotiation it cancelled.
    paused = (me, "Paused the negotiation", ", ".join(s.name for s in suppliers))
    assert trail == [
        (me, "Created the request", ""),
        (me, started, ""),
        paused,
        (me, "Cancelled the quote", ""),
    ]


def test_pauses_of_two_negotiations_a_moment_apart_are_two_actions(ended, user):
    later = timezone.now() + timedelta(minutes=1)
    for offset, negotiation in enumerate(ended.negotiations[:2]):
        note = Message.objects.create(
            negotiation=negotiation,
            seq=100,
            sender=Sender.SYSTEM,
            text=f"Paused by {user.username}.",
            author=user,
        )
        Message.objects.filter(pk=note.pk).update(created_at=later + timedelta(seconds=5 * offset))
    paused = [e.supplier for e in audit_trail(ended.quote) if e.action == "Paused the negotiation"]
    assert paused == [n.supplier.name for n in (ended.negotiations[2], *ended.negotiations[:2])]


def test_supplier_links_issued_and_revoked_are_recorded(organisation, user):
    quote = QuoteFactory(organisation=organisation)
    suppliers = [SupplierFactory(organisation=organisation) for _ in range(3)]
    invited = start_invited(quote, suppliers, slots=(1,))[0]
    invitation_issue(negotiation=invited, by=user, send=False)
    invitation_revoke(negotiation=invited, by=user)

    me, name = user.username, invited.supplier.name
    assert _trail(quote)[-2:] == [
        (me, "Issued a supplier link (shown to copy)", name),
        (me, f"Supplier links revoked by {me} (2)", name),
    ]


def test_an_admin_edit_of_the_request_names_the_fields_it_changed(admin_client, organisation):
    quote = QuoteFactory(organisation=organisation, requirements="Amber glass")
    data = {
        "organisation": organisation.pk,
        "created_by": quote.created_by_id,
        "product": quote.product,
        "category": quote.category,
        "quantity": quote.quantity,
        "unit": quote.unit,
        "currency": quote.currency,
        "target_price": "1.90",
        "max_price": quote.max_price,
        "needed_by": quote.needed_by.isoformat(),
        "weight_price": quote.weight_price,
        "weight_lead_time": quote.weight_lead_time,
        "weight_payment_terms": quote.weight_payment_terms,
        "requirements": "Amber glass, food safe",
        "max_rounds": quote.max_rounds,
        "question_budget": quote.question_budget,
        "reply_window": "48:00:00",
        "clarifications": "[]",
        "negotiations-TOTAL_FORMS": 0,
        "negotiations-INITIAL_FORMS": 0,
    }
    url = reverse("admin:negotiations_quote_change", args=[quote.pk])
    assert admin_client.post(url, data).status_code == 302
    [edit] = [e for e in audit_trail(quote) if e.action == "Edited the request"]
    assert edit.who == "admin" and edit.detail == "target price, requirements"


def test_an_edit_of_a_supplier_while_the_quote_is_open_is_on_the_quote(staff_client, ended, user):
    supplier = ended.negotiations[0].supplier
    ended.quote.ended_at = None  # still open: the edit falls inside its life
    ended.quote.save(update_fields=["ended_at"])
    form = {
        "name": supplier.name,
        "categories": "bottles",
        "currency": "USD",
        "list_price": "2.60",
        "cost_floor": str(supplier.cost_floor),
        "fastest_lead_time_days": supplier.fastest_lead_time_days,
        "capacity": supplier.capacity,
        "preferred_payment_terms_days": supplier.preferred_payment_terms_days,
        "warranty_months": supplier.warranty_months,
        "reliability": str(supplier.reliability),
        "temperament": supplier.temperament,
        "is_active": "on",
    }
    assert staff_client.post(f"/suppliers/{supplier.pk}/edit/", form).status_code == 302
    [edit] = [e for e in audit_trail(ended.quote) if e.action == "Edited the supplier"]
    assert (edit.who, edit.supplier, edit.detail) == (user.username, supplier.name, "list price")


def test_the_quote_page_shows_the_trail_and_the_downloads(staff_client, ended, user):
    page = staff_client.get(f"/quotes/{ended.quote.pk}/").content.decode()
    assert 'id="quote-records"' in page
    assert escape(f"Awarded to {ended.winner.supplier.name}") in page
    assert "Hold firm on price" in page
    for name in ("transcript.csv", "record.json", "award.pdf"):
        assert f'href="/quotes/{ended.quote.pk}/{name}"' in page
    assert f'href="/negotiations/{ended.winner.pk}/transcript.csv"' in page
