"""The admin: staff see and link only their organisation's rows; actions go through services."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db.models import ProtectedError
from django.urls import reverse

from negotiations.models import (
    Invitation,
    Message,
    Negotiation,
    NegotiationStatus,
    Notification,
    NotificationKind,
    Quote,
    QuoteStatus,
)
from tests.factories import OrganisationFactory, QuoteFactory, UserFactory
from tests.ops.conftest import add_turn, make_negotiation
from vendors.models import Supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def ours(organisation):
    negotiation = make_negotiation(organisation)
    negotiation.quote.product = "Our amber bottle"
    negotiation.quote.save()
    add_turn(negotiation, turn=1)
    return negotiation


@pytest.fixture
def theirs():
    negotiation = make_negotiation(OrganisationFactory(name="Rival Brand"))
    negotiation.quote.product = "Their secret serum"
    negotiation.quote.save()
    add_turn(negotiation, turn=1)
    return negotiation


def _changelist(client, model: str, **params) -> str:
    response = client.get(reverse(f"admin:{model}_changelist"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "model",
    [
        "negotiations_quote",
        "negotiations_negotiation",
        "negotiations_message",
        "negotiations_agentcall",
    ],
)
def test_staff_see_only_their_organisations_rows(client, org_admin, ours, theirs, model):
    client.force_login(org_admin)
    page = _changelist(client, model)
    assert "Our amber bottle" in page
    assert "Their secret serum" not in page


def test_staff_see_only_their_organisations_suppliers_users_and_organisation(
    client, org_admin, ours, theirs
):
    client.force_login(org_admin)
    suppliers = _changelist(client, "vendors_supplier")
    assert ours.supplier.name in suppliers and theirs.supplier.name not in suppliers
    outsider = UserFactory(organisation=theirs.quote.organisation, username="rival-buyer")
    assert outsider.username not in _changelist(client, "accounts_user")
    assert "Rival Brand" not in _changelist(client, "accounts_organisation")


def test_another_organisations_row_cannot_be_opened(client, org_admin, theirs):
    client.force_login(org_admin)
    url = reverse("admin:negotiations_negotiation_change", args=[theirs.pk])
    response = client.get(url)
    # The admin answers a row outside the queryset as missing: back to the index, no content.
    assert response.status_code == 302
    assert "Their secret serum" not in client.get(response["Location"]).content.decode()


def test_superusers_see_every_organisation_and_can_filter_by_it(client, superuser, ours, theirs):
    client.force_login(superuser)
    page = _changelist(client, "negotiations_negotiation")
    assert "Our amber bottle" in page and "Their secret serum" in page
    assert "quote__organisation__id__exact" in page


def test_the_organisation_filter_is_not_offered_to_staff(client, org_admin, ours, theirs):
    client.force_login(org_admin)
    page = _changelist(client, "negotiations_quote")
    assert "Rival Brand" not in page
    assert "organisation__id__exact" not in page


def _select(page: str, name: str) -> str:
    """The HTML of the form's ``<select name=...>``, options included."""
    match = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert match, f"no {name} select"
    return match.group(0)


def test_staff_cannot_pick_another_organisations_user_or_supplier(
    client, org_admin, organisation, theirs
):
    client.force_login(org_admin)
    outsider = UserFactory(organisation=theirs.quote.organisation)
    form = client.get(reverse("admin:negotiations_quote_add")).content.decode()
    # As choices of each select: a user's id can equal an organisation's, and on SQLite a bare
    # value="3" matches other inputs.
    assert f'<option value="{outsider.pk}"' not in _select(form, "created_by")
    assert f'<option value="{theirs.quote.organisation_id}"' not in _select(form, "organisation")

    response = client.post(
        reverse("admin:negotiations_quote_add"),
        {
            "organisation": theirs.quote.organisation_id,
            "created_by": outsider.pk,
            "product": "Smuggled",
            "quantity": 10,
            "unit": "units",
            "currency": "USD",
            "target_price": "1.00",
            "max_price": "2.00",
            "needed_by": "2030-01-01",
            "weight_price": 50,
            "weight_lead_time": 30,
            "weight_payment_terms": 20,
            "max_rounds": 8,
            "question_budget": 3,
            "reply_window": "48:00:00",
            "clarifications": "[]",
            "negotiations-TOTAL_FORMS": 0,
            "negotiations-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200, "the form must be refused, not saved"
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"organisation", "created_by"}
    assert not theirs.quote.organisation.quotes.filter(product="Smuggled").exists()


def test_a_supplier_added_by_staff_belongs_to_their_organisation(client, org_admin, organisation):
    client.force_login(org_admin)
    response = client.post(
        reverse("admin:vendors_supplier_add"),
        {
            "organisation": organisation.pk,
            "name": "New Glassworks",
            "categories": '["bottles"]',
            "currency": "USD",
            "list_price": "2.50",
            "cost_floor": "1.50",
            "fastest_lead_time_days": 10,
            "capacity": 1000,
            "preferred_payment_terms_days": 30,
            "warranty_months": 12,
            "reliability": "4.00",
            "temperament": "balanced",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Supplier.objects.get(name="New Glassworks").organisation == organisation


def test_staff_cannot_make_a_colleague_superuser(client, org_admin, organisation):
    colleague = UserFactory(organisation=organisation)
    client.force_login(org_admin)
    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="is_staff"' in page


def test_a_negotiation_shows_its_transcript_read_only_with_its_usage(client, superuser, ours):
    Message.objects.create(
        negotiation=ours, seq=2, round=1, sender="supplier", action="counter", text="We can do 2.10"
    )
    client.force_login(superuser)
    page = client.get(
        reverse("admin:negotiations_negotiation_change", args=[ours.pk])
    ).content.decode()
    assert "We can do 2.10" in page
    assert 'name="messages-0-text"' not in page, "the transcript must not be editable"
    assert "1 traced calls" in page
    assert "1200" in page  # tokens of its one agent call


def test_a_quote_lists_its_negotiations_with_token_and_cost_totals(client, superuser, ours):
    add_turn(ours, turn=2, input_tokens=500, output_tokens=100)
    client.force_login(superuser)
    page = client.get(
        reverse("admin:negotiations_quote_change", args=[ours.quote.pk])
    ).content.decode()
    assert f"#{ours.pk} (slot 1)" in page
    assert "1800" in page  # 1200 + 600 tokens over the quote's one negotiation
    assert "0.0120" in page  # two calls at 0.006 USD


def test_the_quote_admin_shows_and_offers_the_negotiating_profile(
    client, superuser, ours, organisation
):
    ours.brand_strategy = "boulware"
    ours.save()
    client.force_login(superuser)
    listing = _changelist(client, "negotiations_quote")
    assert "recommended" in listing  # no pick: the measured best
    draft = QuoteFactory(organisation=organisation)  # a started quote's brief is read-only
    page = client.get(reverse("admin:negotiations_quote_change", args=[draft.pk])).content.decode()
    assert 'type="radio" name="brand_profile" value="conceder"' in page
    assert "Concedes early to close quickly." in page
    assert 'value="naive_split"' not in page
    page = client.get(
        reverse("admin:negotiations_quote_change", args=[ours.quote.pk])
    ).content.decode()
    assert 'name="brand_profile"' not in page
    assert re.search(r'class="field-brand_strategy">\s*<p>boulware</p>', page)


def _act(client, model: str, action: str, rows) -> list[str]:
    response = client.post(
        reverse(f"admin:{model}_changelist"),
        {"action": action, "_selected_action": [row.pk for row in rows]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_cancel_action_cancels_the_selected_negotiations(
    client, org_admin, organisation, django_capture_on_commit_callbacks
):
    negotiation = make_negotiation(organisation)
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks():
        notes = _act(client, "negotiations_negotiation", "cancel_negotiations", [negotiation])
    negotiation.refresh_from_db()
    assert negotiation.status == NegotiationStatus.CANCELLED
    assert notes == ["Negotiations cancelled: 1."]


def test_an_action_reports_a_refusal_and_changes_nothing(client, org_admin, organisation):
    agreed = make_negotiation(organisation, status=NegotiationStatus.AGREED)
    client.force_login(org_admin)
    notes = _act(client, "negotiations_negotiation", "retry_failed_turns", [agreed])
    agreed.refresh_from_db()
    assert agreed.status == NegotiationStatus.AGREED
    assert notes == [f"{agreed}: Only a failed negotiation can be retried."]


def test_retry_action_reactivates_a_failed_negotiation_and_queues_its_turn(
    client, org_admin, organisation, django_capture_on_commit_callbacks
):
    failed = make_negotiation(
        organisation, status=NegotiationStatus.FAILED, error="boom", turns_taken=3
    )
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks() as callbacks:
        _act(client, "negotiations_negotiation", "retry_failed_turns", [failed])
    failed.refresh_from_db()
    assert failed.status == NegotiationStatus.ACTIVE
    assert failed.error == ""
    assert callbacks, "the retried turn must be enqueued after commit"


def test_resend_action_requeues_a_stalled_turn_and_refuses_an_ended_one(
    client, org_admin, organisation, django_capture_on_commit_callbacks
):
    stalled = make_negotiation(organisation, idle_seconds=600)
    ended = make_negotiation(organisation, status=NegotiationStatus.IMPASSE)
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks() as callbacks:
        notes = _act(client, "negotiations_negotiation", "resend_stalled_turns", [stalled, ended])
    assert len(callbacks) == 1
    assert "Stalled turns resent: 1." in notes
    assert any(note.startswith(f"{ended}: Only a running negotiation") for note in notes)


def test_staff_cannot_act_on_another_organisations_negotiation(
    client, org_admin, theirs, django_capture_on_commit_callbacks
):
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks():
        _act(client, "negotiations_negotiation", "cancel_negotiations", [theirs])
    theirs.refresh_from_db()
    assert theirs.status == NegotiationStatus.ACTIVE


def test_rerun_evaluation_action_ranks_the_quotes_negotiations(
    client, org_admin, organisation, django_capture_on_commit_callbacks
):
    negotiation = make_negotiation(organisation, status=NegotiationStatus.IMPASSE)
    quote = negotiation.quote
    quote.status = QuoteStatus.AWAITING_APPROVAL
    quote.save()
    client.force_login(org_admin)
    with django_capture_on_commit_callbacks():
        notes = _act(client, "negotiations_quote", "rerun_evaluation", [quote])
    quote.refresh_from_db()
    assert notes == ["Evaluations re-run: 1."]
    assert [e["negotiation_id"] for e in quote.recommendation["ranking"]] == [negotiation.pk]


def test_staff_without_change_permission_are_not_offered_the_actions(client, organisation):
    viewer = UserFactory(organisation=organisation, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_negotiation"))
    make_negotiation(organisation)
    client.force_login(viewer)
    page = _changelist(client, "negotiations_negotiation")
    assert "cancel_negotiations" not in page
    assert Negotiation.objects.count() == 1


def _quote_form_data(quote, **changes) -> dict:
    data = {
        "organisation": quote.organisation_id,
        "created_by": quote.created_by_id,
        "product": quote.product,
        "category": quote.category,
        "description": quote.description,
        "quantity": quote.quantity,
        "unit": quote.unit,
        "currency": quote.currency,
        "target_price": quote.target_price,
        "max_price": quote.max_price,
        "needed_by": quote.needed_by.isoformat(),
        "weight_price": quote.weight_price,
        "weight_lead_time": quote.weight_lead_time,
        "weight_payment_terms": quote.weight_payment_terms,
        "requirements": quote.requirements,
        "max_rounds": quote.max_rounds,
        "question_budget": quote.question_budget,
        "reply_window": str(quote.reply_window),
        "clarifications": "[]",
        "negotiations-TOTAL_FORMS": 0,
        "negotiations-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_started_quotes_limits_are_read_only_in_the_admin(client, org_admin, ours):
    quote = ours.quote  # negotiating
    client.force_login(org_admin)
    url = reverse("admin:negotiations_quote_change", args=[quote.pk])
    page = client.get(url).content.decode()
    assert 'name="max_price"' not in page and 'name="target_price"' not in page
    assert str(quote.max_price) in page  # shown, not editable
    response = client.post(url, _quote_form_data(quote, max_price="99.00", quantity=1))
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.max_price == Decimal("2.40") and quote.quantity == 5000


def test_a_draft_quote_is_still_edited_in_the_admin(client, org_admin, organisation):
    draft = QuoteFactory(organisation=organisation)
    client.force_login(org_admin)
    url = reverse("admin:negotiations_quote_change", args=[draft.pk])
    assert 'name="max_price"' in client.get(url).content.decode()
    response = client.post(url, _quote_form_data(draft, max_price="2.60"))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.max_price == Decimal("2.60")


def test_deleting_a_negotiated_quote_is_refused_with_the_reason(client, org_admin, ours):
    quote = ours.quote
    client.force_login(org_admin)
    url = reverse("admin:negotiations_quote_delete", args=[quote.pk])
    page = client.get(url).content.decode()
    assert "has been negotiated: its transcripts are the record" in page
    client.post(url, {"post": "yes"})
    assert Quote.objects.filter(pk=quote.pk).exists()
    assert Message.objects.filter(negotiation=ours).exists()
    # The bulk action says the same and deletes nothing.
    changelist = reverse("admin:negotiations_quote_changelist")
    data = {"action": "delete_selected", "_selected_action": [quote.pk]}
    assert "has been negotiated" in client.post(changelist, data).content.decode()
    client.post(changelist, {**data, "post": "yes"})
    assert Quote.objects.filter(pk=quote.pk).exists()
    with pytest.raises(ProtectedError):
        quote.delete()


def test_a_draft_quote_can_be_deleted(client, org_admin, organisation):
    draft = QuoteFactory(organisation=organisation)
    client.force_login(org_admin)
    client.post(reverse("admin:negotiations_quote_delete", args=[draft.pk]), {"post": "yes"})
    assert not Quote.objects.filter(pk=draft.pk).exists()


def test_a_negotiation_shows_its_invitations_read_only_and_no_token(client, superuser, ours):
    Invitation.objects.create(
        negotiation=ours,
        token_hash="ab12" * 16,
        email="dana@pacific.example",
        send_error="SMTPRecipientsRefused: no such mailbox",
    )
    client.force_login(superuser)
    page = client.get(
        reverse("admin:negotiations_negotiation_change", args=[ours.pk])
    ).content.decode()
    assert "dana@pacific.example" in page and "no such mailbox" in page
    assert "ab12" * 16 not in page and "token_hash" not in page
    assert 'name="invitations-0-email"' not in page, "invitations must not be editable"


def test_staff_see_only_their_organisations_notifications(client, org_admin, ours, theirs):
    for negotiation, text in ((ours, "Our supplier replied"), (theirs, "Rival supplier replied")):
        Notification.objects.create(
            user=UserFactory(organisation=negotiation.quote.organisation),
            kind=NotificationKind.SUPPLIER_REPLIED,
            quote=negotiation.quote,
            negotiation=negotiation,
            text=text,
        )
    client.force_login(org_admin)
    page = _changelist(client, "negotiations_notification")
    assert "Our supplier replied" in page and "Rival supplier replied" not in page
