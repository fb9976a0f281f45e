"""The negotiation room's websocket: one per quote, at ``/ws/quotes/<id>/``.

It authenticates, checks the organisation, joins ``quote-<id>`` (through ``fanout``: one channel
per process and quote) and forwards the pushed HTML. Group sends are at-most-once, so it also
keeps, per negotiation, the last message seq this client has and fills any gap from the
database: the client gets every message once, in order. It closes when its session ends: on
logout (``procur.accounts.sessions``) or when a periodic re-read finds the session gone.
"""

import asyncio
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from negotiations import fanout, live, room
from negotiations.models import Quote
from procur.accounts import sessions

# Closing before accept() refuses the handshake (HTTP 403); the code is for our own logs.
UNAUTHORISED = 4403
# The session that opened the socket ended (logout, expiry): the page reloads, to the login.
SESSION_ENDED = 4401


def parse_after(query_string: bytes) -> dict[int, int]:
    """``after=12:5,13:7`` (negotiation id: last seq the page shows) -> ``{12: 5, 13: 7}``.

    Malformed pairs are ignored: the worst outcome is a catch-up that sends more than needed.
    """
    after: dict[int, int] = {}
    for value in parse_qs(query_string.decode("latin-1")).get("after", []):
        for pair in value.split(","):
            negotiation, _, seq = pair.partition(":")
            if negotiation.isdigit() and seq.isdigit():
                after[int(negotiation)] = int(seq)
    return after


@database_sync_to_async
def _may_watch(user, quote_id: int) -> bool:
    return (
        user.is_authenticated
        and user.organisation_id is not None
        and Quote.objects.filter(pk=quote_id, organisation_id=user.organisation_id).exists()
    )


class QuoteRoomConsumer(AsyncWebsocketConsumer):
    # No channel layer by this alias: Channels gives the socket no channel of its own. The
    # room's pushes come through ``fanout``, one channel per process and quote.
    channel_layer_alias = "room sockets have no channel of their own"

    async def connect(self) -> None:
        self.quote_id = int(self.scope["url_route"]["kwargs"]["quote_id"])
        self.group = live.group_name(self.quote_id)
        if not await _may_watch(self.scope["user"], self.quote_id):
            await self.close(code=UNAUTHORISED)
            return
        # Pushes that arrive before the catch-up is sent wait here, in order.
        self.held: list[dict] | None = []
        self.session_id = sessions.session_id(self.scope["session"].session_key)
        await fanout.join(sessions.SESSIONS_GROUP, self.session_event)
        self.session_watch = asyncio.create_task(self._watch_session())
        # Join first, then read: anything committed after the read also arrives via the group.
        try:
            await fanout.join(self.group, self.deliver)
        except BaseException:
            await self._leave_sessions()
            raise
        self.joined = True
        await self.accept()
        html, self.last_seqs = await database_sync_to_async(room.catch_up)(
            self.quote_id, parse_after(self.scope["query_string"])
        )
        await self.send(text_data=html)
        while self.held:
            await self.push(self.held.pop(0))
        self.held = None

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            await fanout.leave(self.group, self.deliver)
        await self._leave_sessions()

    async def _leave_sessions(self) -> None:
        if getattr(self, "session_watch", None):
            self.session_watch.cancel()
            await fanout.leave(sessions.SESSIONS_GROUP, self.session_event)

    async def session_event(self, event: dict) -> None:
        """A logout: the sockets of that session close."""
        if event["type"] == sessions.SESSION_ENDED and event["session"] == self.session_id:
            await self.close(code=SESSION_ENDED)

    async def _watch_session(self) -> None:
        """Re-read the session now and then: an expired or deleted one closes the socket."""
        user_id = self.scope["user"].pk
        while True:
            await asyncio.sleep(sessions.RECHECK_SECONDS)
            alive = await database_sync_to_async(sessions.session_alive)(
                self.scope["session"], user_id
            )
            if not alive:
                await self.close(code=SESSION_ENDED)
                return

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The room sends nothing over the socket: staff actions are ordinary HTMX POSTs."""

    async def deliver(self, event: dict) -> None:
        """Called by the room's fan-out with each event, in order."""
        if self.held is not None:
            self.held.append(event)
        else:
            await self.push(event)

    async def push(self, event: dict) -> None:
        """One frame: the messages the event brings (or a gap's, from the database), then the
        fragments it re-renders."""
        if event["type"] == "room.message":
            messages = await self._messages_through(
                event["negotiation_id"], event["seq"], event["html"]
            )
        else:  # room.fragments: the latest seq of each negotiation, to check for gaps
            messages = "".join(
                [
                    await self._messages_through(int(negotiation_id), seq, "")
                    for negotiation_id, seq in event["latest"].items()
                ]
            )
        await self.send(text_data=messages + event["fragments"])

    async def _messages_through(self, negotiation_id: int, seq: int, html: str) -> str:
        """The push that brings the client up to ``seq``: nothing if it has it, the event's own
        HTML if it is the next one, else everything newer than the client's last from the
        database (a dropped event left a gap)."""
        last = self.last_seqs.get(negotiation_id, 0)  # a negotiation started after the catch-up
        if seq <= last:
            return ""
        if seq == last + 1 and html:
            self.last_seqs[negotiation_id] = seq
            return html
        html, self.last_seqs[negotiation_id] = await database_sync_to_async(room.messages_after)(
            negotiation_id, last
        )
        return html
