"""The room's HTML: the same partials for the page and the push, so the two cannot drift.

Pushed fragments carry ``hx-swap-oob``; a message has id ``msg-<negotiation>-<number>``, its
number for the page's audience (:func:`negotiations.room.model.numbered_messages`).
"""

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from negotiations.models import Message, Quote
from negotiations.room.model import Audience, Column, Room, load_room, numbered_messages


def render_column_fragment(
    fragment: str, room: Room, column: Column, *, oob: bool, request=None, **extra
) -> str:
    """``status``, ``progress``, ``question``, ``invitation``, ``negotiation_guidance`` or
    ``to_supplier`` of one column."""
    context = {"room": room, "quote": room.quote, "column": column, "n": column.negotiation}
    return render_to_string(
        f"negotiations/room_{fragment}.html", {**context, "oob": oob, **extra}, request=request
    )


def render_quote_fragment(fragment: str, room: Room, *, oob: bool, request=None, **extra) -> str:
    """``header``, ``chart``, ``guidance`` or ``outcome`` of the quote."""
    context = {"room": room, "quote": room.quote, "oob": oob, **extra}
    return render_to_string(f"negotiations/room_{fragment}.html", context, request=request)


def render_messages(
    negotiation_id: int,
    messages: list[Message],
    *,
    audience: Audience = Audience.STAFF,
    brand_name: str = "",
) -> str:
    """Messages appended to their transcript; each has id ``msg-<negotiation>-<number>``.

    The supplier's audience reads them as the portal shows them: the brand by ``brand_name``,
    without the agents' reasoning (``messages`` must already be the ones it may see, numbered
    for it by :func:`negotiations.room.model.numbered_messages`).
    """
    if not messages:
        return ""
    context = {"audience": audience, "brand_name": brand_name}
    body = mark_safe(
        "".join(
            render_to_string("negotiations/room_message.html", {"message": m, **context})
            for m in messages
        )
    )
    return format_html('<div hx-swap-oob="beforeend:#transcript-{}">{}</div>', negotiation_id, body)


def messages_after(
    negotiation_id: int, after: int, *, audience: Audience = Audience.STAFF, brand_name: str = ""
) -> tuple[str, int]:
    """The stored messages that ``audience`` may read after the one it knows as ``after`` (0:
    none seen yet; see :func:`numbered_messages`), as a push, and the last number the client
    then has."""
    messages = list(numbered_messages(negotiation_id, audience, after=after))
    last = messages[-1].number if messages else after
    html = render_messages(negotiation_id, messages, audience=audience, brand_name=brand_name)
    return html, last


# Guidance forms ride along with every state push, so one disappears when its negotiation ends
# (the quote-wide one when all have). The room's script keeps a form that is still open as it is,
# with whatever is being typed in it.
QUOTE_STATE = ("header", "chart", "outcome", "guidance")
COLUMN_STATE = ("status", "progress", "invitation", "negotiation_guidance", "to_supplier")


def room_state(room: Room, *, questions: bool) -> str:
    """Every idempotent fragment of the room (header, chart, outcome, column heads, guidance).

    The question boxes only when asked for: re-rendering one would wipe an answer being typed,
    so a push about the quote leaves them alone (each negotiation pushes its own).
    """
    parts = [render_quote_fragment(f, room, oob=True) for f in QUOTE_STATE]
    fragments = (*COLUMN_STATE, "question") if questions else COLUMN_STATE
    for column in room.columns:
        parts.extend(render_column_fragment(f, room, column, oob=True) for f in fragments)
    return "".join(parts)


def catch_up(
    quote_id: int, after: dict[int, int], *, audience: Audience = Audience.STAFF
) -> tuple[str, dict[int, int]]:
    """What a (re)connecting room lacks: messages newer than its last seq per negotiation, then
    the current state of every fragment. Returns the push and the last seq per negotiation."""
    room = load_room(Quote.objects.get(pk=quote_id), audience=audience)
    parts, last_seqs = [], {}
    for negotiation in room.negotiations:
        seen = after.get(negotiation.pk, 0)
        html, last_seqs[negotiation.pk] = messages_after(negotiation.pk, seen, audience=audience)
        parts.append(html)
    parts.append(room_state(room, questions=True))
    return "".join(parts), last_seqs
