from django.urls import path

from negotiations import notification_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", views.quote_room, name="quote_room"),
    path("quotes/<int:pk>/start/", views.quote_start, name="quote_start"),
    path("quotes/<int:pk>/clone/", views.quote_clone, name="quote_clone"),
    path("quotes/<int:pk>/guide/", views.quote_guide, name="quote_guide"),
    path("quotes/<int:pk>/award/", views.quote_award, name="quote_award"),
    path("quotes/<int:pk>/close/", views.quote_close, name="quote_close"),
    path("quotes/<int:pk>/<slug:action>/", views.quote_action, name="quote_action"),
    path("negotiations/<int:pk>/guide/", views.negotiation_guide, name="negotiation_guide"),
    path("negotiations/<int:pk>/answer/", views.negotiation_answer, name="negotiation_answer"),
    path(
        "negotiations/<int:pk>/to-supplier/",
        views.negotiation_message_supplier,
        name="negotiation_message_supplier",
    ),
    path(
        "negotiations/<int:pk>/invitation/link/",
        views.negotiation_invitation_link,
        name="negotiation_invitation_link",
    ),
    path(
        "negotiations/<int:pk>/invitation/resend/",
        views.negotiation_invitation_resend,
        name="negotiation_invitation_resend",
    ),
    path(
        "negotiations/<int:pk>/invitation/revoke/",
        views.negotiation_invitation_revoke,
        name="negotiation_invitation_revoke",
    ),
    # After the named routes above: its <action> would match them too.
    path(
        "negotiations/<int:pk>/<slug:action>/",
        views.negotiation_action,
        name="negotiation_action",
    ),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/read/", notification_views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
    path(
        "settings/notifications/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
]
