"""Staff notifications: the list (each opening its quote's room), "mark all read", and the
per-user settings of which kinds they get. A user sees and changes only their own."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from negotiations import selectors, services
from negotiations.forms import NotificationSettingsForm
from negotiations.models import Notification
from negotiations.services.notifications import room_path
from procur.paging import query_without_page

NOTIFICATIONS_PER_PAGE = 25


def _get_notification_for_user(request: HttpRequest, pk: int) -> Notification:
    """The user's own notification, or 404 (someone else's is as missing as no notification)."""
    queryset = Notification.objects.select_related("quote")
    return get_object_or_404(queryset, pk=pk, user=request.user)


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notifications_for_user(request.user)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "query": query_without_page(request)}
    return render(request, "negotiations/notification_list.html", context)


@login_required
@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to its quote's room (at its negotiation's column)."""
    notification = _get_notification_for_user(request, pk)
    services.notification_mark_read(notification=notification)
    return redirect(room_path(notification.quote, notification.negotiation))


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm.for_user(
        request.user, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        services.notification_settings_save(user=request.user, muted=form.muted())
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    return render(request, "negotiations/notification_settings.html", {"form": form})
