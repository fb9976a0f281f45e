"""Websocket routes (the live negotiation room)."""

from django.urls import path

from negotiations.consumers import QuoteRoomConsumer

websocket_urlpatterns = [
    path("ws/quotes/<int:quote_id>/", QuoteRoomConsumer.as_asgi()),
]
