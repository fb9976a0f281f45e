"""An invited supplier in the room: the invitation panel (email sent or failed, copy link,
resend, revoke), "send to supplier", and the supplier's reply deadline; the page and the push
render the same partials."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from negotiations.models import (
    Invitation,
    Message,
    MessageAudience,
    NegotiationStatus,
    Sender,
    SupplierMode,
)
from negotiations.room import load_room, room_state
from negotiations.services.invitations import (
    InvitationGone,
    invitation_for_token,
    invitation_issue,
)
from tests.mailbox import body_of
from tests.ui.test_room_guidance import element

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LINK = re.compile(r"/s/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def invited(started):
    """The first of the started quote's negotiations, with its real supplier invited."""
    negotiation = started.negotiations[0]
    negotiation.supplier_mode = SupplierMode.INVITED
    negotiation.save(update_fields=["supplier_mode"])
    negotiation.supplier.contact_email = "dana@pacific.example"
    negotiation.supplier.save(update_fields=["contact_email"])
    return negotiation


def room_page(client, negotiation) -> str:
    return client.get(f"/quotes/{negotiation.quote_id}/").content.decode()


def pushed(negotiation) -> str:
    return room_state(load_room(negotiation.quote), questions=True)


def test_the_panel_and_the_supplier_form_show_only_for_the_invited_supplier(
    staff_client, started, invited
):
    Invitation.objects.create(
        negotiation=invited,
        token_hash="a" * 64,
        email="dana@pacific.example",
        sent_at=timezone.now(),
    )
    page, push = room_page(staff_client, invited), pushed(invited)
    for html in (page, push):
        panel = html[html.index(f'id="neg-invitation-{invited.pk}"') :]
        assert "Link emailed to dana@pacific.example" in panel
        assert "1 working link." in panel
        for action in ("link", "resend", "revoke"):
            assert f'action="/negotiations/{invited.pk}/invitation/{action}/"' in panel
        assert f'action="/negotiations/{invited.pk}/to-supplier/"' in html
        assert "data-open-form" in element(html, f"neg-to-supplier-{invited.pk}")
        for simulated in started.negotiations[1:]:
            assert " hidden" in element(html, f"neg-invitation-{simulated.pk}")
            assert f"/negotiations/{simulated.pk}/to-supplier/" not in html
    assert element(page, f"neg-invitation-{invited.pk}") == element(
        push, f"neg-invitation-{invited.pk}"
    )


def test_a_failed_email_shows_in_the_panel(staff_client, invited):
    Invitation.objects.create(
        negotiation=invited,
        token_hash="b" * 64,
        email="dana@pacific.example",
        send_error="SMTPRecipientsRefused: mailbox unavailable",
    )
    page = room_page(staff_client, invited)
    assert "could not be sent (SMTPRecipientsRefused: mailbox unavailable)" in page
    assert "Resend it, or copy the link" in page


def test_copy_link_shows_a_working_link_once_and_keeps_the_earlier_ones(staff_client, invited):
    earlier = invitation_issue(negotiation=invited, send=False)
    response = staff_client.post(f"/negotiations/{invited.pk}/invitation/link/", **HTMX)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    [token] = LINK.findall(response.content.decode())
    assert invitation_for_token(token).negotiation == invited
    assert invitation_for_token(earlier)
    assert "Copy to clipboard" in response.content.decode()
    # Never again: the page has no token, only its hash is stored.
    assert token not in room_page(staff_client, invited)
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_copy_link_without_htmx_is_a_page_with_the_link(staff_client, invited):
    response = staff_client.post(f"/negotiations/{invited.pk}/invitation/link/")
    assert response.status_code == 200 and LINK.search(response.content.decode())
    assert "Back to the negotiation room" in response.content.decode()


@pytest.mark.django_db(transaction=True)  # the email goes when the resend commits
def test_resend_emails_a_new_link_and_the_earlier_ones_stop_working(staff_client, invited, mailbox):
    earlier = invitation_issue(negotiation=invited, send=False)
    response = staff_client.post(f"/negotiations/{invited.pk}/invitation/resend/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Link emailed to dana@pacific.example" in html  # sent before the response
    assert f'id="neg-invite-link-{invited.pk}" class="invite-link" hx-swap-oob="true"' in html
    [mail] = mailbox.wait_for(to="dana@pacific.example")
    [token] = LINK.findall(body_of(mail))
    assert invitation_for_token(token).negotiation == invited
    with pytest.raises(InvitationGone):
        invitation_for_token(earlier)


def test_revoke_stops_every_link_and_says_so(staff_client, invited):
    token = invitation_issue(negotiation=invited, send=False)
    response = staff_client.post(f"/negotiations/{invited.pk}/invitation/revoke/", **HTMX)
    assert "No working link" in response.content.decode()
    with pytest.raises(InvitationGone):
        invitation_for_token(token)
    again = staff_client.post(f"/negotiations/{invited.pk}/invitation/revoke/", **HTMX)
    assert again.status_code == 200
    assert "no working supplier link to revoke" in again.content.decode()


def test_links_of_a_simulated_supplier_are_refused_with_a_reason(staff_client, started):
    simulated = started.negotiations[1]
    for action in ("link", "resend"):
        response = staff_client.post(f"/negotiations/{simulated.pk}/invitation/{action}/", **HTMX)
        assert response.status_code == 200 and "simulated agent" in response.content.decode()
    assert not Invitation.objects.exists()


def test_staff_write_to_the_supplier_once_per_client_id(staff_client, user, invited):
    url = f"/negotiations/{invited.pk}/to-supplier/"
    data = {"text": "Can you hold this price until Friday?", "client_id": "c-1"}
    for _ in range(2):
        response = staff_client.post(url, data, **HTMX)
        assert response.status_code == 200
    [message] = Message.objects.filter(negotiation=invited, action=Message.TO_SUPPLIER)
    assert (message.sender, message.audience, message.author) == (
        Sender.STAFF,
        MessageAudience.SHARED,
        user,
    )
    assert invited.messages.filter(action=Message.GUIDANCE).count() == 0


@pytest.mark.parametrize(
    ("which", "text", "reason"),
    [
        ("simulated", "Hello", "This supplier is simulated"),
        ("invited", "", "Write something first"),
        ("invited", "x" * 2001, "Write something first"),
        ("ended", "Hello", "has ended"),
    ],
)
def test_a_message_to_the_supplier_that_cannot_go_says_why(
    staff_client, started, invited, which, text, reason
):
    negotiation = started.negotiations[1] if which == "simulated" else invited
    if which == "ended":
        negotiation.status = NegotiationStatus.AGREED
        negotiation.save(update_fields=["status"])
    response = staff_client.post(
        f"/negotiations/{negotiation.pk}/to-supplier/", {"text": text}, **HTMX
    )
    assert response.status_code == 200 and reason in response.content.decode()
    assert not Message.objects.filter(action=Message.TO_SUPPLIER).exists()


def test_the_invitation_posts_are_rate_limited(staff_client, invited, settings):
    settings.PROCUR_RATE_LIMIT_INTERVENTIONS = "2/hour"
    urls = [f"/negotiations/{invited.pk}/invitation/link/"] * 2 + [
        f"/negotiations/{invited.pk}/invitation/resend/",
        f"/negotiations/{invited.pk}/to-supplier/",
    ]
    statuses = [staff_client.post(url, {"text": "hi"}, **HTMX).status_code for url in urls]
    assert statuses == [200, 200, 429, 429]
    assert Invitation.objects.count() == 2


def test_another_organisation_gets_404(client, other_user, invited):
    client.force_login(other_user)
    for path in ("invitation/link/", "invitation/resend/", "invitation/revoke/", "to-supplier/"):
        assert client.post(f"/negotiations/{invited.pk}/{path}", {"text": "x"}).status_code == 404
    assert not Invitation.objects.exists()


def test_waiting_for_supplier_shows_the_reply_deadline_in_the_users_time_zone(
    staff_client, invited
):
    invited.status = NegotiationStatus.WAITING_FOR_SUPPLIER
    invited.reply_due_at = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    invited.save(update_fields=["status", "reply_due_at"])
    staff_client.cookies["tz"] = "Asia/Tokyo"
    page = room_page(staff_client, invited)
    status = page[page.index(f'id="neg-status-{invited.pk}"') :]
    assert "Waiting for supplier" in status
    assert "reply is due by" in status and "2 Dec 08:30 JST" in status
    assert 'datetime="2026-12-01T23:30:00+00:00"' in pushed(invited)  # the push: localised by JS
