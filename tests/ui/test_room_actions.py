"""Staff actions in the room: interventions, answers, buttons, approval. Never a 500."""

import pytest

from negotiations.models import Message, NegotiationStatus, QuoteStatus, Sender
from tests.ui.conftest import ask

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def staff_messages(negotiation):
    return list(Message.objects.filter(negotiation=negotiation, sender=Sender.STAFF))


def test_an_intervention_is_stored_once_per_client_id(staff_client, started):
    negotiation = started.negotiations[0]
    url = f"/negotiations/{negotiation.pk}/guide/"
    for _ in range(2):  # the same form sent twice (a retry)
        response = staff_client.post(url, {"text": "Push for net 45", "client_id": "c-1"}, **HTMX)
        assert response.status_code == 200
    [message] = staff_messages(negotiation)
    assert message.text == "Push for net 45" and message.client_id == "c-1"
    # The fresh form comes back empty, ready for the next intervention.
    assert f'id="neg-guidance-{negotiation.pk}"' in response.content.decode()
    assert "Push for net 45" not in response.content.decode()


def test_an_empty_intervention_shows_an_error_and_keeps_nothing(staff_client, started):
    negotiation = started.negotiations[0]
    response = staff_client.post(
        f"/negotiations/{negotiation.pk}/guide/", {"text": "   ", "client_id": "c-2"}, **HTMX
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert staff_messages(negotiation) == []


def test_an_overlong_client_id_is_an_error_not_a_500(staff_client, started):
    response = staff_client.post(
        f"/quotes/{started.quote.pk}/guide/", {"text": "Hold firm", "client_id": "x" * 200}, **HTMX
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()


def test_guidance_to_all_reaches_every_open_negotiation(staff_client, started):
    response = staff_client.post(
        f"/quotes/{started.quote.pk}/guide/", {"text": "Prioritise lead time", "client_id": "g-1"}
    )
    assert response.status_code == 302
    for negotiation in started.negotiations:
        [message] = staff_messages(negotiation)
        assert message.text == "Prioritise lead time"


def test_intervening_in_an_ended_negotiation_explains_why_not(staff_client, started):
    negotiation = started.negotiations[2]
    negotiation.status = NegotiationStatus.AGREED
    negotiation.save()
    response = staff_client.post(
        f"/negotiations/{negotiation.pk}/guide/", {"text": "Go lower"}, **HTMX
    )
    assert "has ended" in response.content.decode()
    assert staff_messages(negotiation) == []


def test_answering_the_agents_question_resumes_the_negotiation(staff_client, started):
    negotiation = started.negotiations[1]
    ask(negotiation, 3, "Can we accept net 15?")
    response = staff_client.post(
        f"/negotiations/{negotiation.pk}/answer/", {"text": "Yes", "client_id": "a-1"}, **HTMX
    )
    assert response.status_code == 200
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert [m.text for m in staff_messages(negotiation)] == ["Yes"]
    assert "The brand agent asks" not in response.content.decode()


def test_answering_without_a_question_is_refused_politely(staff_client, started):
    negotiation = started.negotiations[1]
    response = staff_client.post(f"/negotiations/{negotiation.pk}/answer/", {"text": "Yes"}, **HTMX)
    assert response.status_code == 200
    assert "no open question" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "before", "after"),
    [
        ("pause", NegotiationStatus.ACTIVE, NegotiationStatus.PAUSED),
        ("resume", NegotiationStatus.PAUSED, NegotiationStatus.ACTIVE),
        ("cancel", NegotiationStatus.ACTIVE, NegotiationStatus.CANCELLED),
    ],
)
def test_negotiation_buttons_change_its_status(staff_client, started, action, before, after):
    negotiation = started.negotiations[0]
    negotiation.status = before
    negotiation.save()
    response = staff_client.post(f"/negotiations/{negotiation.pk}/{action}/", **HTMX)
    assert response.status_code == 200
    negotiation.refresh_from_db()
    assert negotiation.status == after
    assert f'id="neg-status-{negotiation.pk}"' in response.content.decode()


def test_an_illegal_button_shows_the_reason(staff_client, started):
    negotiation = started.negotiations[0]
    response = staff_client.post(f"/negotiations/{negotiation.pk}/resume/", **HTMX)
    assert "Only a paused negotiation can be resumed." in response.content.decode()
    plain = staff_client.post(f"/negotiations/{negotiation.pk}/resume/", follow=True)
    assert "Only a paused negotiation can be resumed." in plain.content.decode()


def test_an_unknown_action_is_not_found(staff_client, started):
    assert (
        staff_client.post(f"/negotiations/{started.negotiations[0].pk}/explode/").status_code == 404
    )
    assert staff_client.post(f"/quotes/{started.quote.pk}/explode/").status_code == 404


def test_quote_buttons_pause_and_resume_every_negotiation(staff_client, started):
    staff_client.post(f"/quotes/{started.quote.pk}/pause/", **HTMX)
    assert {n.status for n in started.quote.negotiations.all()} == {NegotiationStatus.PAUSED}
    response = staff_client.post(f"/quotes/{started.quote.pk}/resume/", **HTMX)
    assert {n.status for n in started.quote.negotiations.all()} == {NegotiationStatus.ACTIVE}
    assert 'id="quote-header"' in response.content.decode()


def _awaiting_approval(started):
    winner = started.negotiations[0]
    winner.status = NegotiationStatus.AGREED
    winner.final_terms = {
        "unit_price": "2.05",
        "quantity": 5000,
        "lead_time_days": 21,
        "payment_terms_days": 30,
        "warranty_months": 12,
        "currency": "USD",
    }
    winner.save()
    started.quote.status = QuoteStatus.AWAITING_APPROVAL
    started.quote.recommendation = {
        "recommended_negotiation_id": winner.pk,
        "summary": "Award",
        "reasons": [],
        "ranking": [],
    }
    started.quote.save()
    return winner


def test_approving_awards_the_quote(approver_client, started):
    winner = _awaiting_approval(started)
    response = approver_client.post(
        f"/quotes/{started.quote.pk}/award/", {"negotiation": winner.pk}, **HTMX
    )
    assert response.status_code == 200
    started.quote.refresh_from_db()
    assert started.quote.status == QuoteStatus.AWARDED
    assert started.quote.awarded_negotiation_id == winner.pk
    assert f"Awarded to {winner.supplier.name}" in response.content.decode()


@pytest.mark.parametrize("value", ["", "abc", "-3", "999999"])
def test_approving_a_bad_choice_is_an_error_not_a_500(approver_client, started, value):
    _awaiting_approval(started)
    response = approver_client.post(
        f"/quotes/{started.quote.pk}/award/", {"negotiation": value}, **HTMX
    )
    assert response.status_code == 200
    assert "Choose one of this quote" in response.content.decode()
    started.quote.refresh_from_db()
    assert started.quote.status == QuoteStatus.AWAITING_APPROVAL


def test_rejecting_closes_without_award(approver_client, started):
    _awaiting_approval(started)
    response = approver_client.post(f"/quotes/{started.quote.pk}/close/")
    assert response.status_code == 302
    started.quote.refresh_from_db()
    assert started.quote.status == QuoteStatus.CLOSED


@pytest.mark.parametrize(
    "path",
    [
        "/quotes/{q}/guide/",
        "/quotes/{q}/pause/",
        "/quotes/{q}/award/",
        "/quotes/{q}/close/",
        "/quotes/{q}/start/",
        "/negotiations/{n}/guide/",
        "/negotiations/{n}/answer/",
        "/negotiations/{n}/cancel/",
    ],
)
def test_another_organisation_gets_404_and_changes_nothing(client, other_user, started, path):
    client.force_login(other_user)
    negotiation = started.negotiations[0]
    url = path.format(q=started.quote.pk, n=negotiation.pk)
    response = client.post(url, {"text": "Hi", "negotiation": negotiation.pk})
    assert response.status_code == 404
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.ACTIVE
    assert staff_messages(negotiation) == []


def test_posts_need_the_csrf_token(user, started):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(f"/quotes/{started.quote.pk}/guide/", {"text": "Hi"})
    assert response.status_code == 403
