"""Awarding and closing a quote: who may (the "approve awards" permission, granted by staff),
and the record of who did it, shown in the room. Everyone in the organisation watches and guides."""

import pytest
from django.contrib.auth.models import Permission
from django.forms import CheckboxInput, MultiWidget
from django.urls import reverse

from negotiations import services
from negotiations.models import Message, QuoteStatus, Sender
from tests.factories import UserFactory
from tests.ui.test_room_actions import HTMX, _awaiting_approval

pytestmark = pytest.mark.django_db


def approve_awards() -> Permission:
    return Permission.objects.get(content_type__app_label="negotiations", codename="approve_awards")


@pytest.mark.parametrize("decision", ["award", "close"])
def test_a_member_without_the_permission_cannot_decide(staff_client, started, decision):
    winner = _awaiting_approval(started)
    response = staff_client.post(
        f"/quotes/{started.quote.pk}/{decision}/", {"negotiation": winner.pk}, **HTMX
    )
    assert response.status_code == 200
    assert 'needs the "approve awards" permission' in response.content.decode()
    started.quote.refresh_from_db()
    assert started.quote.status == QuoteStatus.AWAITING_APPROVAL
    assert started.quote.awarded_by is None and started.quote.closed_by is None
    # Nothing was said to the suppliers either.
    assert not Message.objects.filter(negotiation=winner, text__contains="award").exists()


def test_the_service_refuses_an_author_without_the_permission(started, user):
    winner = _awaiting_approval(started)
    with pytest.raises(services.ProcurError, match="approve awards"):
        services.quote_award(quote=started.quote, negotiation=winner, author=user)
    with pytest.raises(services.ProcurError, match="approve awards"):
        services.quote_close_without_award(quote=started.quote, author=None)


def test_a_member_without_the_permission_still_watches_and_guides(staff_client, started):
    _awaiting_approval(started)
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    assert 'data-approve="no"' in page  # the decision buttons are hidden, the note shown
    negotiation = started.negotiations[1]
    response = staff_client.post(
        f"/negotiations/{negotiation.pk}/guide/", {"text": "Hold at 2.00", "client_id": "w-1"}
    )
    assert response.status_code == 302
    assert negotiation.messages.filter(sender=Sender.STAFF, text="Hold at 2.00").exists()


def test_an_award_records_who_approved_and_the_room_shows_it(approver_client, approver, started):
    winner = _awaiting_approval(started)
    page = approver_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    assert 'data-approve="yes"' in page
    approver.first_name, approver.last_name = "Ada", "Lovelace"
    approver.save()

    response = approver_client.post(
        f"/quotes/{started.quote.pk}/award/", {"negotiation": winner.pk}, **HTMX
    )
    quote = started.quote
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWARDED
    assert quote.awarded_by == approver and quote.awarded_at is not None
    assert quote.closed_by is None
    assert f"Awarded to {winner.supplier.name}</strong> by Ada Lovelace on" in (
        response.content.decode()
    )
    page = approver_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "by Ada Lovelace on" in page


def test_a_close_records_who_decided_and_the_room_shows_it(approver_client, approver, started):
    _awaiting_approval(started)
    approver_client.post(f"/quotes/{started.quote.pk}/close/")
    quote = started.quote
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.CLOSED
    assert quote.closed_by == approver and quote.closed_at is not None
    assert quote.awarded_by is None
    page = approver_client.get(f"/quotes/{quote.pk}/").content.decode()
    assert f"Closed without award</strong> by {approver.username} on" in page


# --- Staff grant the permission in the admin ------------------------------------------------------


def _form_data(response) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            parts = field.widget.decompress(value) if not isinstance(value, list) else value
            data.update({f"{name}_{i}": "" if p is None else str(p) for i, p in enumerate(parts)})
        elif isinstance(field.widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def _staff(organisation, *, may_approve: bool):
    staff = UserFactory(organisation=organisation, is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    if may_approve:
        staff.user_permissions.add(approve_awards())
    return staff


def _set_approval(client, colleague, value: bool):
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    data = _form_data(client.get(url))
    data.pop("approve_awards", None)
    if value:
        data["approve_awards"] = "on"
    return client.post(url, data)


def test_staff_who_approve_awards_grant_and_withdraw_it(client, organisation):
    colleague = UserFactory(organisation=organisation)
    client.force_login(_staff(organisation, may_approve=True))
    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk]))
    assert 'name="approve_awards"' in page.content.decode()

    assert _set_approval(client, colleague, True).status_code == 302
    colleague = type(colleague).objects.get(pk=colleague.pk)  # no cached permissions
    assert colleague.has_perm("negotiations.approve_awards")

    assert _set_approval(client, colleague, False).status_code == 302
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert not colleague.has_perm("negotiations.approve_awards")


def test_staff_without_it_see_it_but_cannot_grant_it(client, organisation):
    colleague = UserFactory(organisation=organisation)
    client.force_login(_staff(organisation, may_approve=False))
    url = reverse("admin:accounts_user_change", args=[colleague.pk])
    page = client.get(url).content.decode()
    assert 'name="approve_awards"' not in page and "Approve awards" in page
    data = _form_data(client.get(url))
    data["approve_awards"] = "on"
    assert client.post(url, data).status_code == 302
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert not colleague.has_perm("negotiations.approve_awards")


def test_a_superuser_edits_the_permissions_list_and_keeps_a_grant(client, organisation):
    from django.contrib.auth import get_user_model

    colleague = UserFactory(organisation=organisation)
    colleague.user_permissions.add(approve_awards())
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk]))
    assert 'name="approve_awards"' not in page.content.decode()
    data = _form_data(page)
    data["user_permissions"] = [p.pk for p in colleague.user_permissions.all()]
    assert client.post(reverse("admin:accounts_user_change", args=[colleague.pk]), data)["Location"]
    colleague = type(colleague).objects.get(pk=colleague.pk)
    assert colleague.has_perm("negotiations.approve_awards")
