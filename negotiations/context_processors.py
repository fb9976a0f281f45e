"""What every page's template gets: the notification badge's count."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from negotiations import selectors


def notifications(request: HttpRequest) -> dict:
    """``unread_notifications``: counted only when a template shows it (a fragment that does
    not costs no query), once per response."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return {}
    count = SimpleLazyObject(lambda: selectors.unread_notification_count(user))
    return {"unread_notifications": count}
