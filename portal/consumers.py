"""The supplier portal's websocket, at ``/ws/s/<token>/``: the page's live updates.

The token authenticates it, with the page's rules (``portal.access``, ``invitation_for_token``):
over a rate limit, an unknown link or one that no longer works, the handshake is refused. It
joins ``portal-<negotiation id>`` (through ``negotiations.fanout``), whose events say only that
something the supplier may see changed; on each it re-reads the negotiation through the
supplier's audience and sends the messages after the last one the client has (by their number
among the shared messages, never the seq) and the page's state fragments. It never receives
the staff room's HTML. A link revoked or expired meanwhile closes it (checked on every event,
and every ``RECHECK_SECONDS``); the page then reloads to say so.
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from negotiations import fanout, live
from negotiations.consumers import parse_after
from negotiations.services.invitations import (
    InvitationGone,
    InvitationNotFound,
    invitation_for_token,
)
from portal import access, fragments
from portal.page import load_page

# Closing before accept() refuses the handshake (HTTP 403); the codes are for our own logs.
NOT_FOUND = 4404
LIMITED = 4429
# The link stopped working while the page was open (static/js/room.js reloads the page).
LINK_GONE = 4410
RECHECK_SECONDS = 30.0


def _open(token: str, address: str) -> tuple[int, int]:
    """The negotiation ``token`` opens, or why not: ``(negotiation id, 0)`` or ``(0, code)``."""
    if access.limited(token, address):
        return 0, LIMITED
    try:
        return invitation_for_token(token).negotiation_id, 0
    except InvitationNotFound:
        return 0, NOT_FOUND
    except InvitationGone:
        return 0, LINK_GONE


def _read(token: str, after: int) -> tuple[str, int] | None:
    """The push that brings a client showing messages up to number ``after`` up to date (the
    new shared messages, then every state fragment) and its last number; None if the link is
    gone."""
    try:
        invitation = invitation_for_token(token)
    except (InvitationNotFound, InvitationGone):
        return None
    page = load_page(invitation, token)
    messages, last = fragments.messages_since(page, after)
    return messages + fragments.state(page), last


def _link_works(token: str) -> bool:
    try:
        invitation_for_token(token)
    except (InvitationNotFound, InvitationGone):
        return False
    return True


class PortalConsumer(AsyncWebsocketConsumer):
    # Like the room's sockets: pushes come through ``fanout``, not a channel per socket.
    channel_layer_alias = "portal sockets have no channel of their own"

    async def connect(self) -> None:
        self.token = self.scope["url_route"]["kwargs"]["token"]
        address = (self.scope.get("client") or ("",))[0]
        negotiation_id, refusal = await database_sync_to_async(_open)(self.token, address)
        if refusal:
            await self.close(code=refusal)
            return
        self.lock = asyncio.Lock()
        self.last_number = parse_after(self.scope["query_string"]).get(negotiation_id, 0)
        self.group = live.portal_group_name(negotiation_id)
        # Join first, then read: anything committed after the read also arrives as an event.
        await fanout.join(self.group, self.changed)
        self.joined = True
        await self.accept()
        await self.refresh()
        self.watch = asyncio.create_task(self._watch())

    async def disconnect(self, code: int) -> None:
        if getattr(self, "watch", None):
            self.watch.cancel()
        if getattr(self, "joined", False):
            await fanout.leave(self.group, self.changed)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The page sends nothing over the socket: replies are ordinary POSTs."""

    async def changed(self, event: dict) -> None:
        """Called by the fan-out with each event of the negotiation's portal group."""
        await self.refresh()

    async def refresh(self) -> None:
        # One at a time: each read starts from the last number the previous one sent.
        async with self.lock:
            push = await database_sync_to_async(_read)(self.token, self.last_number)
            if push is None:
                await self.close(code=LINK_GONE)
                return
            html, self.last_number = push
            await self.send(text_data=html)

    async def _watch(self) -> None:
        """Re-check the link now and then: revoked, expired or its quote over closes the
        socket even when nothing is pushed."""
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            if not await database_sync_to_async(_link_works)(self.token):
                await self.close(code=LINK_GONE)
                return
