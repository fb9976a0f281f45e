"""Websocket routes of the supplier portal."""

from django.urls import path

from portal.consumers import PortalConsumer

websocket_urlpatterns = [
    path("ws/s/<str:token>/", PortalConsumer.as_asgi()),
]
