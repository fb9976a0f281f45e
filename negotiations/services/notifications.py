"""Telling staff what needs them: notification rows (the badge, the notifications page, the
dashboard's "needs me") and one email per row, sent by a Celery task after commit.

Who is told: the quote's organisation's active users who have not turned the kind off; a quote
awaiting approval goes to those who may approve awards (everyone, when nobody may).
"""

from smtplib import SMTPException

import structlog
from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from negotiations.after_commit import enqueue_notification_emails
from negotiations.models import (
    APPROVE_AWARDS,
    Negotiation,
    Notification,
    NotificationKind,
    Quote,
)
from procur.accounts.models import User

logger = structlog.get_logger(__name__)

TEXT_MAX_LENGTH = Notification._meta.get_field("text").max_length
# What an email's subject says happened, before the quote it names.
HEADLINES = {
    NotificationKind.QUESTION: "The brand agent asks you a question",
    NotificationKind.SUPPLIER_REPLIED: "A supplier replied",
    NotificationKind.SUPPLIER_DECLINED: "A supplier declined",
    NotificationKind.SUPPLIER_MISSED: "A supplier missed its reply deadline",
    NotificationKind.AWAITING_APPROVAL: "A quote awaits approval",
}
# Sending failures worth another try (the task retries with backoff): the mail server or the
# provider refused or could not be reached.
SEND_ERRORS = (SMTPException, OSError, AnymailError)


def notify(
    *, quote: Quote, kind: NotificationKind, text: str, negotiation: Negotiation | None = None
) -> None:
    """Notify the quote's staff that ``text`` happened, inside the caller's transaction: the rows
    roll back with it, and the emails go out only once it commits."""
    recipients = notification_recipients(quote=quote, kind=kind)
    if not recipients:
        return
    text = Truncator(" ".join(text.split())).chars(TEXT_MAX_LENGTH)
    rows = Notification.objects.bulk_create(
        Notification(user=user, kind=kind, quote=quote, negotiation=negotiation, text=text)
        for user in recipients
    )
    emailed = [row.pk for row, user in zip(rows, recipients, strict=True) if user.email]
    if emailed:
        enqueue_notification_emails(emailed)


def notification_recipients(*, quote: Quote, kind: NotificationKind) -> list[User]:
    """Who is told of ``kind`` on ``quote`` (see the module's docstring)."""
    people = User.objects.filter(organisation_id=quote.organisation_id, is_active=True)
    if kind == NotificationKind.AWAITING_APPROVAL:
        approvers = people.filter(pk__in=User.objects.with_perm(APPROVE_AWARDS).values("pk"))
        if approvers.exists():
            people = approvers
    return [user for user in people.order_by("pk") if kind not in muted_kinds(user)]


def muted_kinds(user: User) -> list[str]:
    """The kinds the user turned off."""
    # A list when saved through the settings page; anything else (an admin's typo) mutes nothing.
    muted = user.muted_notifications
    return muted if isinstance(muted, list) else []


def notifications_mark_read(*, user: User, quote: Quote | None = None) -> int:
    """Mark the user's unread notifications read (those of ``quote`` only, when given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if quote is not None:
        unread = unread.filter(quote=quote)
    return unread.update(read_at=timezone.now())


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_settings_save(*, user: User, muted: list[str]) -> User:
    """Turn off the notification kinds in ``muted`` for the user (and every other kind on)."""
    unknown = set(muted) - set(NotificationKind.values)
    if unknown:
        raise ValueError(f"not notification kinds: {sorted(unknown)}")
    user.muted_notifications = [kind for kind in NotificationKind.values if kind in muted]
    user.save(update_fields=["muted_notifications"])
    return user


# --- Email ---------------------------------------------------------------------------------------


def notification_emails_send(*, notification_ids: list[int]) -> int:
    """Email each of these notifications that was not emailed yet; the number that failed to go
    (the task tries those again). A notification is emailed at most once, however often this
    runs: a redelivered task finds the ones already sent and skips them."""
    failed = 0
    for notification_id in notification_ids:
        try:
            _email_one(notification_id)
        except SEND_ERRORS as error:
            failed += 1
            logger.warning(
                "notification email failed", notification_id=notification_id, error=repr(error)
            )
    return failed


@transaction.atomic
def _email_one(notification_id: int) -> None:
    # The row stays locked while its email is sent: a second delivery of the same task waits,
    # then finds it sent. A worker killed after sending and before committing sends it again.
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("user", "quote__organisation", "negotiation__supplier")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None or not notification.user.email or not notification.user.is_active:
        return
    notification_email(notification).send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    logger.info("notification emailed", notification_id=notification_id, kind=notification.kind)


def room_path(quote: Quote, negotiation: Negotiation | None = None) -> str:
    """The quote's room (at the negotiation's column, when given)."""
    path = reverse("quote_room", args=[quote.pk])
    return f"{path}#column-{negotiation.pk}" if negotiation is not None else path


def notification_email(notification: Notification) -> EmailMessage:
    """The email of one notification: what happened, to which quote, and the room's link."""
    quote, user = notification.quote, notification.user
    subject = f"{HEADLINES[NotificationKind(notification.kind)]}: {quote.product}"
    body = render_to_string(
        "negotiations/notification_email.txt",
        {
            "notification": notification,
            "user": user,
            "quote": quote,
            "negotiation": notification.negotiation,
            "room_url": settings.PROCUR_BASE_URL + room_path(quote, notification.negotiation),
            "settings_url": settings.PROCUR_BASE_URL + reverse("notification_settings"),
        },
    )
    # A header is one line: a product name pasted with a line break must not break the mail.
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])
