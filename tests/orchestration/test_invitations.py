"""Invitations: link tokens (hashed, revocable, expiring with the negotiation), their emails
through a real SMTP server, and the token kept out of logs and the database."""

import logging
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from negotiations.models import (
    Invitation,
    Message,
    NegotiationStatus,
    QuoteStatus,
    Sender,
    SupplierMode,
)
from negotiations.services import ProcurError
from negotiations.services.invitations import (
    InvitationGone,
    InvitationNotFound,
    duration_text,
    invitation_for_token,
    invitation_issue,
    invitation_remind,
    invitation_revoke,
    portal_url,
    token_hash,
)
from procur.embedded_redis import free_port
from tests.factories import NegotiationFactory, QuoteFactory, SupplierFactory
from tests.mailbox import body_of

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/s/([A-Za-z0-9_-]+)/")


@pytest.fixture
def negotiation(organisation, user):
    quote = QuoteFactory(
        organisation=organisation,
        created_by=user,
        status=QuoteStatus.NEGOTIATING,
        reply_window=timedelta(hours=48),
    )
    supplier = SupplierFactory(
        organisation=organisation,
        name="Pacific Glassworks",
        contact_name="Dana Reyes",
        contact_email="dana@pacific.example",
    )
    return NegotiationFactory(
        quote=quote, supplier=supplier, slot=1, supplier_mode=SupplierMode.INVITED
    )


def issue(negotiation, **kwargs) -> str:
    """Issue a link without running the after-commit email (tests of the email run it)."""
    return invitation_issue(negotiation=negotiation, **kwargs)


def test_a_link_token_has_at_least_128_bits_and_only_its_hash_is_stored(negotiation):
    token = issue(negotiation)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    invitation = Invitation.objects.get()
    assert invitation.token_hash == token_hash(token) != token
    assert invitation.email == "dana@pacific.example"
    assert issue(negotiation) != token


def test_a_token_finds_its_invitation_with_everything_the_portal_shows(
    negotiation, django_assert_num_queries, settings
):
    settings.PROCUR_BASE_URL = "https://procur.example"
    token = issue(negotiation)
    with django_assert_num_queries(1):
        invitation = invitation_for_token(token)
        assert invitation.negotiation.quote.organisation == negotiation.quote.organisation
        assert invitation.negotiation.supplier.name == "Pacific Glassworks"
    assert portal_url(token) == f"https://procur.example/s/{token}/"


@pytest.mark.parametrize("token", ["", "nope", "x" * 43, "a" * 5000])
def test_an_unknown_token_is_not_found(negotiation, token):
    issue(negotiation)
    with pytest.raises(InvitationNotFound):
        invitation_for_token(token)


@pytest.mark.parametrize(
    ("negotiation_status", "quote_status"),
    [
        (NegotiationStatus.CANCELLED, QuoteStatus.NEGOTIATING),
        (NegotiationStatus.NO_REPLY, QuoteStatus.NEGOTIATING),
        (NegotiationStatus.AGREED, QuoteStatus.AWARDED),
        (NegotiationStatus.AGREED, QuoteStatus.CLOSED),
        (NegotiationStatus.ACTIVE, QuoteStatus.CANCELLED),
    ],
)
def test_a_link_is_gone_when_its_negotiation_or_quote_is_over(
    negotiation, negotiation_status, quote_status
):
    token = issue(negotiation)
    negotiation.status = negotiation_status
    negotiation.save()
    negotiation.quote.status = quote_status
    negotiation.quote.save()
    with pytest.raises(InvitationGone):
        invitation_for_token(token)


@pytest.mark.parametrize(
    "status", [NegotiationStatus.AGREED, NegotiationStatus.WALKED_AWAY, NegotiationStatus.IMPASSE]
)
def test_an_ended_negotiation_of_an_open_quote_stays_readable(negotiation, status):
    token = issue(negotiation)
    negotiation.status = status
    negotiation.save()
    negotiation.quote.status = QuoteStatus.AWAITING_APPROVAL
    negotiation.quote.save()
    assert invitation_for_token(token).negotiation == negotiation


def test_a_link_is_gone_past_the_reply_deadline(negotiation):
    token = issue(negotiation)
    negotiation.status = NegotiationStatus.WAITING_FOR_SUPPLIER
    negotiation.reply_due_at = timezone.now() + timedelta(minutes=1)
    negotiation.save()
    assert invitation_for_token(token)
    negotiation.reply_due_at = timezone.now() - timedelta(seconds=1)
    negotiation.save()
    with pytest.raises(InvitationGone):
        invitation_for_token(token)


def test_a_new_emailed_link_revokes_the_earlier_ones_and_a_copied_one_does_not(negotiation, user):
    first = issue(negotiation)
    copied = issue(negotiation, by=user, send=False)
    assert invitation_for_token(first) and invitation_for_token(copied)
    resent = issue(negotiation, by=user)
    for token in (first, copied):
        with pytest.raises(InvitationGone):
            invitation_for_token(token)
    assert invitation_for_token(resent)
    notes = list(negotiation.messages.filter(sender=Sender.SYSTEM).values_list("text", flat=True))
    assert notes[-1].endswith("(emailed to dana@pacific.example; 2 earlier links revoked).")
    assert "shown to copy" in notes[0]


def test_revoking_stops_every_working_link(negotiation, user):
    tokens = [issue(negotiation), issue(negotiation, send=False)]
    assert invitation_revoke(negotiation=negotiation, by=user) == 2
    for token in tokens:
        with pytest.raises(InvitationGone):
            invitation_for_token(token)
    with pytest.raises(ProcurError, match="no working supplier link"):
        invitation_revoke(negotiation=negotiation, by=user)


def test_no_link_for_a_simulated_supplier_one_without_email_or_an_ended_negotiation(negotiation):
    negotiation.supplier_mode = SupplierMode.SIMULATED
    negotiation.save()
    with pytest.raises(ProcurError, match="simulated agent"):
        issue(negotiation)
    negotiation.supplier_mode = SupplierMode.INVITED
    negotiation.status = NegotiationStatus.CANCELLED
    negotiation.save()
    with pytest.raises(ProcurError, match="is over"):
        issue(negotiation)
    negotiation.status = NegotiationStatus.ACTIVE
    negotiation.save()
    negotiation.supplier.contact_email = ""
    negotiation.supplier.save()
    with pytest.raises(ProcurError, match="no contact email"):
        issue(negotiation)
    assert not Invitation.objects.exists()


def test_the_invitation_email_arrives_with_a_working_link(
    negotiation, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token = issue(negotiation)
    [mail] = mailbox.wait_for(to="dana@pacific.example")
    quote = negotiation.quote
    assert mail["Subject"] == (
        f"{quote.organisation.name} invites you to negotiate: 5000 units of {quote.product}"
    )
    text = body_of(mail)
    [linked] = LINK.findall(text)
    assert linked == token and invitation_for_token(linked).negotiation == negotiation
    for fact in (quote.organisation.name, quote.product, "5000 units", "48 hours", "Dana Reyes"):
        assert fact in text
    assert quote.needed_by.strftime("%Y") in text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f'href="{portal_url(token)}"' in html
    invitation = Invitation.objects.get()
    assert invitation.sent_at is not None and invitation.send_error == ""


def test_a_failed_email_is_recorded_for_staff_and_raises_nothing(
    negotiation, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with django_capture_on_commit_callbacks(execute=True):
        token = issue(negotiation)
    invitation = Invitation.objects.get()
    assert invitation.sent_at is None
    assert "ConnectionRefusedError" in invitation.send_error
    assert token not in invitation.send_error
    # The link itself stands: staff may copy it or resend.
    assert invitation_for_token(token) == invitation


def test_the_reminder_brings_a_fresh_link_and_the_first_keeps_working(
    negotiation, mailbox, django_capture_on_commit_callbacks
):
    first = issue(negotiation)
    negotiation.status = NegotiationStatus.WAITING_FOR_SUPPLIER
    negotiation.reply_due_at = timezone.now() + timedelta(hours=24)
    negotiation.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_remind(negotiation=negotiation)
    [mail] = mailbox.wait_for(to="dana@pacific.example", subject="Reminder")
    [linked] = LINK.findall(body_of(mail))
    assert linked != first
    assert invitation_for_token(linked) and invitation_for_token(first)
    assert "UTC" in body_of(mail)


def test_no_reminder_brings_back_a_supplier_whose_links_staff_revoked(
    negotiation, user, mailbox, django_capture_on_commit_callbacks
):
    """Revoke cuts the supplier off: the half-time reminder must not mail it a working link."""
    issue(negotiation, send=False)
    invitation_revoke(negotiation=negotiation, by=user)
    negotiation.status = NegotiationStatus.WAITING_FOR_SUPPLIER
    negotiation.reply_due_at = timezone.now() + timedelta(hours=24)
    negotiation.save()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ProcurError, match="revoked"),
    ):
        invitation_remind(negotiation=negotiation)
    assert not Invitation.objects.filter(revoked_at__isnull=True).exists()
    assert mailbox.messages == []


def _every_stored_value() -> str:
    """Every column of every row of every model, as text."""
    return "\n".join(
        str(row)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy  # tables that exist
        for row in model.objects.all().values_list()
    )


def test_the_token_is_in_no_log_record_and_nowhere_in_the_database(
    negotiation, user, mailbox, caplog, settings, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        tokens = [issue(negotiation, by=user), issue(negotiation, by=user, send=False)]
    mailbox.wait_for(to="dana@pacific.example")
    settings.EMAIL_PORT = free_port()  # and a failed send
    with django_capture_on_commit_callbacks(execute=True):
        tokens.append(issue(negotiation, by=user))
    assert Invitation.objects.exclude(send_error="").exists()
    # Not the records of the test's SMTP server (aiosmtpd's "mail.log"): the recipient's server
    # reads the mail, link and all.
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith("mail.log")
    )
    assert "could not be sent" in logged
    stored = _every_stored_value()
    assert Message.objects.filter(sender=Sender.SYSTEM).count() == 3  # something was stored
    for token in tokens:
        assert token not in logged
        assert token not in stored
        assert token_hash(token) in stored


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(hours=48), "48 hours"),
        (timedelta(days=7), "7 days"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "1.5 hours"),
        (timedelta(minutes=20), "20 minutes"),
        (timedelta(seconds=30), "30 seconds"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(hours=2, minutes=30), "2.5 hours"),
    ],
)
def test_reply_windows_in_words(duration, text):
    assert duration_text(duration) == text
