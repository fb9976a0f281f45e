"""Notification emails through the real worker to a real local SMTP server: what they say,
the room's link, once per notification however often the task is delivered, and retried when
the mail server asks to try later."""

import time

import pytest
from django.db import transaction

from negotiations import services
from negotiations.models import Notification, NotificationKind
from negotiations.tasks import NOTIFICATION_EMAIL_RETRIES, notification_emails
from tests.mailbox import body_of
from tests.notifications.conftest import colleague
from tests.orchestration.conftest import wait_for
from tests.test_settings import load_settings

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def base_url(settings):
    settings.PROCUR_BASE_URL = "https://procur.example.com"
    return settings.PROCUR_BASE_URL


def test_the_email_names_the_quote_what_happened_and_links_the_room(
    celery_worker, mailbox, base_url, organisation, quote, negotiation
):
    ana = colleague(organisation, "ana", first_name="Ana")
    services.notify(
        quote=quote,
        kind=NotificationKind.QUESTION,
        text="The brand agent negotiating with Vetro asks: can you take partial shipments?",
        negotiation=negotiation,
    )
    [message] = mailbox.wait_for(to="ana@brand.example")
    assert message["Subject"] == "The brand agent asks you a question: Amber bottle"
    body = body_of(message)
    assert body.startswith("Hello Ana,")
    assert "asks: can you take partial shipments?" in body
    assert f"Quote: {quote.quantity} units of Amber bottle (negotiating)" in body
    assert "Supplier: Vetro" in body
    assert f"{base_url}/quotes/{quote.pk}/#column-{negotiation.pk}" in body
    assert f"{base_url}/settings/notifications/" in body
    wait_for(lambda: Notification.objects.get(user=ana).emailed_at is not None)


def test_users_without_an_address_get_the_badge_and_no_email(
    celery_worker, mailbox, organisation, quote
):
    creator = quote.created_by  # the factory gives no email address
    assert creator.email == ""
    colleague(organisation, "ana")
    services.notify(quote=quote, kind=NotificationKind.AWAITING_APPROVAL, text="Awaits approval.")
    [message] = mailbox.wait_for(to="ana@brand.example")
    assert message["Subject"] == "A quote awaits approval: Amber bottle"
    assert [m["To"] for m in mailbox.messages] == ["ana@brand.example"]
    assert Notification.objects.get(user=creator).emailed_at is None


def test_a_redelivered_task_sends_each_email_once(celery_worker, mailbox, organisation, quote):
    for name in ("ana", "ben"):
        colleague(organisation, name)
    with transaction.atomic():
        services.notify(quote=quote, kind=NotificationKind.QUESTION, text="Asks?")
        ids = list(Notification.objects.exclude(user__email="").values_list("pk", flat=True))
    # The enqueue after commit, and two more deliveries of the same ids at once.
    notification_emails.delay(ids)
    notification_emails.delay(ids)
    mailbox.wait_for(count=1, to="ana@brand.example")
    mailbox.wait_for(count=1, to="ben@brand.example")
    wait_for(lambda: not Notification.objects.filter(pk__in=ids, emailed_at=None).exists())
    time.sleep(1.0)  # room for a duplicate to arrive
    # Once more in this thread, after all were sent: nothing to send.
    notification_emails.apply(args=[ids])
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        "ana@brand.example",
        "ben@brand.example",
    ]


def test_a_refused_email_is_sent_again_later(celery_worker, mailbox, settings, organisation, quote):
    settings.PROCUR_EMAIL_RETRY_SECONDS = 0.2
    mailbox.refuse_next = 1
    colleague(organisation, "ana")
    colleague(organisation, "ben")
    services.notify(quote=quote, kind=NotificationKind.QUESTION, text="Asks?")
    mailbox.wait_for(count=1, to="ana@brand.example")
    mailbox.wait_for(count=1, to="ben@brand.example")
    assert mailbox.refused == 1
    assert len(mailbox.messages) == 2  # the one that went first is not sent again
    wait_for(lambda: not Notification.objects.filter(emailed_at=None, user__email__gt="").exists())


def test_an_email_the_server_keeps_refusing_is_given_up_after_the_last_retry(
    celery_worker, mailbox, settings, organisation, quote
):
    settings.PROCUR_EMAIL_RETRY_SECONDS = 0.01
    mailbox.refuse_next = 1000
    colleague(organisation, "ana")
    services.notify(quote=quote, kind=NotificationKind.QUESTION, text="Asks?")
    tries = NOTIFICATION_EMAIL_RETRIES + 1
    wait_for(lambda: mailbox.refused >= tries, timeout=30)
    time.sleep(1.0)  # room for a try too many
    assert mailbox.refused == tries and mailbox.messages == []
    assert Notification.objects.get(user__username="ana").emailed_at is None


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_retry_delay_that_is_not_positive_says_what_to_set(value):
    result = load_settings(PROCUR_EMAIL_RETRY_SECONDS=value)
    assert result.returncode != 0
    assert "PROCUR_EMAIL_RETRY_SECONDS" in result.stderr and "positive number" in result.stderr
