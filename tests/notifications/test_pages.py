"""The badge, the notifications page, opening one, "mark all read", the settings page, the room
marking its quote's notifications read, and the dashboard's "needs me" with its marker."""

import pytest
from django.utils import timezone

from negotiations.context_processors import notifications
from negotiations.models import Notification, NotificationKind, QuoteStatus
from tests.factories import QuoteFactory, UserFactory
from tests.notifications.conftest import colleague, notification_for

pytestmark = pytest.mark.django_db


def _badge(response) -> str:
    page = response.content.decode()
    start = page.index('id="notification-badge"')
    return page[start : page.index("</a>", start)]


def test_the_badge_counts_the_users_unread_notifications(staff_client, user, organisation, quote):
    assert 'class="count"' not in _badge(staff_client.get("/"))
    for _ in range(3):
        notification_for(user, quote)
    notification_for(user, quote, read_at=timezone.now())
    notification_for(colleague(organisation, "ana"), quote)  # someone else's
    badge = _badge(staff_client.get("/suppliers/"))
    assert (
        '<span class="count">3</span>' in badge and 'aria-label="Notifications: 3 unread"' in badge
    )


def test_the_badge_shows_99_plus_past_a_hundred(staff_client, user, quote):
    Notification.objects.bulk_create(
        Notification(user=user, quote=quote, kind=NotificationKind.QUESTION, text="?")
        for _ in range(120)
    )
    assert '<span class="count">99+</span>' in _badge(staff_client.get("/"))


def test_the_badge_is_one_query_made_only_when_shown(rf, user, quote, django_assert_num_queries):
    notification_for(user, quote)
    request = rf.get("/")
    request.user = user
    with django_assert_num_queries(0):  # a fragment that shows no badge counts nothing
        count = notifications(request)["unread_notifications"]
    with django_assert_num_queries(1):
        assert str(count) == "1" and count > 0 and not count > 99


def test_the_list_shows_the_users_own_newest_first_and_pages(
    staff_client, user, organisation, quote
):
    for n in range(30):
        notification_for(user, quote, text=f"Note {n:02}")
    notification_for(colleague(organisation, "ana"), quote, text="Not for you")
    first = staff_client.get("/notifications/")
    texts = [n.text for n in first.context["page"]]
    assert texts[:2] == ["Note 29", "Note 28"] and len(texts) == 25
    page = first.content.decode()
    assert "Not for you" not in page and "Amber bottle" in page
    newest = Notification.objects.get(text="Note 29")
    assert f'href="/notifications/{newest.pk}/"' in page
    second = staff_client.get("/notifications/?page=2")
    assert [n.text for n in second.context["page"]][-1] == "Note 00"


def test_opening_one_marks_it_read_and_goes_to_its_room(staff_client, user, quote, negotiation):
    notification = notification_for(user, quote, negotiation=negotiation)
    other = notification_for(user, QuoteFactory(organisation=quote.organisation))
    response = staff_client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/quotes/{quote.pk}/#column-{negotiation.pk}"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None


def test_another_users_notification_is_not_found(client, user, organisation, quote):
    theirs = notification_for(colleague(organisation, "ana"), quote)
    client.force_login(user)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_the_room_marks_that_quotes_notifications_read(
    staff_client, user, organisation, quote
):
    mine = notification_for(user, quote)
    elsewhere = notification_for(user, QuoteFactory(organisation=organisation))
    colleagues = notification_for(colleague(organisation, "ana"), quote)
    response = staff_client.get(f"/quotes/{quote.pk}/")
    assert response.status_code == 200
    assert '<span class="count">1</span>' in _badge(response)  # counted after marking
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {mine.pk} and {elsewhere.pk, colleagues.pk}.isdisjoint(read)


def test_mark_all_read_is_a_post_for_the_users_own(staff_client, user, organisation, quote):
    for _ in range(2):
        notification_for(user, quote)
    colleagues = notification_for(colleague(organisation, "ana"), quote)
    assert staff_client.get("/notifications/read/").status_code == 405
    response = staff_client.post("/notifications/read/", follow=True)
    assert "Marked 2 notifications read." in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at=None).exists()
    colleagues.refresh_from_db()
    assert colleagues.read_at is None


def test_the_settings_page_saves_the_kinds_turned_off(staff_client, user):
    page = staff_client.get("/settings/notifications/").content.decode()
    assert page.count('type="checkbox"') == len(NotificationKind.values)
    assert page.count("checked") == len(NotificationKind.values)  # all on by default
    response = staff_client.post(
        "/settings/notifications/", {"kinds": ["question", "awaiting_approval"]}, follow=True
    )
    assert "Your notification settings are saved." in response.content.decode()
    user.refresh_from_db()
    assert user.muted_notifications == ["supplier_replied", "supplier_declined", "supplier_missed"]
    page = staff_client.get("/settings/notifications/").content.decode()
    assert page.count("checked") == 2
    staff_client.post("/settings/notifications/", {})  # nothing ticked: everything off
    user.refresh_from_db()
    assert user.muted_notifications == NotificationKind.values


def test_the_settings_form_refuses_an_unknown_kind(staff_client, user):
    response = staff_client.post("/settings/notifications/", {"kinds": ["question", "spam"]})
    assert response.status_code == 200
    assert "Select a valid choice. spam is not one of the available choices." in (
        response.content.decode()
    )
    user.refresh_from_db()
    assert user.muted_notifications == []


def test_needs_me_includes_quotes_with_unread_notifications_and_marks_them(
    staff_client, user, organisation
):
    told = QuoteFactory(organisation=organisation, product="Told", status=QuoteStatus.NEGOTIATING)
    seen = QuoteFactory(organisation=organisation, product="Seen", status=QuoteStatus.NEGOTIATING)
    QuoteFactory(organisation=organisation, product="Quiet", status=QuoteStatus.NEGOTIATING)
    notification_for(user, told)
    notification_for(user, seen, read_at=timezone.now())
    notification_for(colleague(organisation, "ana"), seen)  # unread, but not the user's
    response = staff_client.get("/?status=needs_me")
    assert [row.quote.product for row in response.context["rows"]] == ["Told"]
    everything = staff_client.get("/")
    marked = {row.quote.product for row in everything.context["rows"] if row.quote.has_unread}
    assert marked == {"Told"}
    assert everything.content.decode().count('class="badge notify"') == 1


def test_the_pages_ask_anonymous_visitors_to_log_in(client, user, quote):
    notification = notification_for(user, quote)
    for url in (
        "/notifications/",
        f"/notifications/{notification.pk}/",
        "/settings/notifications/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/notifications/read/")["Location"].startswith("/login/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_user_without_an_organisation_has_no_badge(client):
    client.force_login(UserFactory(organisation=None, is_superuser=True, is_staff=True))
    assert 'id="notification-badge"' not in client.get("/").content.decode()
