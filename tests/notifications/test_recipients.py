"""Who ``notify`` tells: the quote's organisation's active users who have not turned the kind
off; a quote awaiting approval goes to those who may approve, or everyone when nobody may."""

import pytest
from django.db import transaction

from negotiations import services
from negotiations.models import Notification, NotificationKind
from tests.factories import UserFactory
from tests.notifications.conftest import colleague

pytestmark = pytest.mark.django_db


def _told(kind=NotificationKind.QUESTION) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def test_it_tells_the_organisations_active_users_who_have_not_muted_the_kind(
    organisation, quote, negotiation
):
    colleague(organisation, "ana")
    colleague(organisation, "ben", muted_notifications=[NotificationKind.QUESTION])
    colleague(organisation, "cleo", muted_notifications=[NotificationKind.SUPPLIER_REPLIED])
    colleague(organisation, "gone", is_active=False)
    UserFactory(username="outsider")  # another organisation
    services.notify(
        quote=quote, kind=NotificationKind.QUESTION, text="Asks?", negotiation=negotiation
    )
    assert _told() == {quote.created_by.username, "ana", "cleo"}
    row = Notification.objects.get(user__username="ana")
    assert (row.quote, row.negotiation, row.text, row.read_at) == (
        quote,
        negotiation,
        "Asks?",
        None,
    )


def test_a_quote_awaiting_approval_goes_to_those_who_may_approve(
    organisation, quote, approver, approvers_group
):
    colleague(organisation, "watcher")
    in_group = colleague(organisation, "in-group")
    in_group.groups.add(approvers_group)
    colleague(organisation, "boss", is_superuser=True)
    colleague(organisation, "muted-approver").groups.add(approvers_group)
    muted = type(in_group).objects.get(username="muted-approver")
    muted.muted_notifications = [NotificationKind.AWAITING_APPROVAL]
    muted.save()
    other = UserFactory(username="other-approver")  # may approve, in another organisation
    other.groups.add(approvers_group)
    services.notify(quote=quote, kind=NotificationKind.AWAITING_APPROVAL, text="Awaits.")
    assert _told(NotificationKind.AWAITING_APPROVAL) == {"approver", "in-group", "boss"}


def test_with_nobody_who_may_approve_everyone_is_told_a_quote_awaits_approval(organisation, quote):
    colleague(organisation, "ana")
    services.notify(quote=quote, kind=NotificationKind.AWAITING_APPROVAL, text="Awaits.")
    assert _told(NotificationKind.AWAITING_APPROVAL) == {quote.created_by.username, "ana"}


def test_the_rows_roll_back_with_the_callers_transaction(quote):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(quote=quote, kind=NotificationKind.QUESTION, text="Asks?")
        assert Notification.objects.count() == 1
        raise RuntimeError
    assert Notification.objects.count() == 0


def test_the_text_is_one_line_within_the_columns_length(quote):
    services.notify(quote=quote, kind=NotificationKind.QUESTION, text="Line\n\nbreak " + "x" * 600)
    text = Notification.objects.get().text
    assert text.startswith("Line break x") and len(text) == 500 and text.endswith("…")


def test_a_garbled_mute_list_mutes_nothing(organisation, quote):
    colleague(organisation, "odd", muted_notifications="question")
    services.notify(quote=quote, kind=NotificationKind.QUESTION, text="Asks?")
    assert "odd" in _told()


def test_settings_accept_only_notification_kinds(user):
    services.notification_settings_save(user=user, muted=["question", "awaiting_approval"])
    user.refresh_from_db()
    assert user.muted_notifications == ["question", "awaiting_approval"]
    with pytest.raises(ValueError, match="bogus"):
        services.notification_settings_save(user=user, muted=["bogus"])
