"""The negotiation room's read model and its HTML: what a reader of a quote's room sees.

Everything that shows a room reads it here: the staff page and its HTMX fragments, the live
pushes (``negotiations.live``) and the websocket's catch-up. Who reads is a parameter
(:class:`Audience`), so another audience reads the same room through the same functions.

- ``model``: :class:`Room`, :class:`Column`, :func:`load_room`, the messages an audience reads.
- ``fragments``: the partials (``templates/negotiations/room_<fragment>.html``) rendered for the
  page and for the push alike, the messages after a seq, and the catch-up of a (re)connecting room.
"""

from negotiations.room.fragments import (
    catch_up,
    messages_after,
    render_column_fragment,
    render_messages,
    render_quote_fragment,
    room_state,
)
from negotiations.room.model import Audience, Column, Room, column_of, load_room

__all__ = [
    "Audience",
    "Column",
    "Room",
    "catch_up",
    "column_of",
    "load_room",
    "messages_after",
    "render_column_fragment",
    "render_messages",
    "render_quote_fragment",
    "room_state",
]
