"""Websocket routes (the live negotiation room)."""

websocket_urlpatterns: list = []
