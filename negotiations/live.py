"""Live push of stored rows to the negotiation room: group names, viewers, publishing.

What is pushed is read and rendered by ``negotiations.room``, the same read model and partials
as the page. Pushes go to group ``quote-<id>`` after the database commit (services schedule them
through ``negotiations.after_commit``); they are at-most-once, so the consumer fills any gap from
the database (the truth) by message ``seq``.

The supplier portal's sockets of a negotiation are in group ``portal-<negotiation id>``; they
get no HTML from here, only word that something the supplier may see changed
(:func:`publish_portal`), and read it themselves through the supplier's audience.
"""

import logging

import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import Max

from negotiations.models import Message, Negotiation, Quote
from negotiations.room import (
    Room,
    column_of,
    load_room,
    render_column_fragment,
    render_messages,
    render_quote_fragment,
    room_state,
)
from procur import redis_client

logger = logging.getLogger(__name__)


def group_name(quote_id: int) -> str:
    return f"quote-{quote_id}"


def portal_group_name(negotiation_id: int) -> str:
    return f"portal-{negotiation_id}"


def _pubsub_channel(group: str) -> str:
    """channels_redis's pub/sub layer names a group's channel ``<prefix>__group__<group>``."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    return f"{prefix}__group__{group}"


def group_channel(quote_id: int) -> str:
    """The Redis pub/sub channel of the quote's group (the consumer tests receive what ``_send``
    publishes)."""
    return _pubsub_channel(group_name(quote_id))


def has_viewers(quote_id: int) -> bool:
    """Whether any daphne process has a socket in the quote's group: rendering a push costs
    more than the rest of a turn, and a push to an empty group reaches no one. When Redis cannot
    say, assume so.

    A socket joins the group before its catch-up read, so a push skipped for an empty group was
    committed before that read and reaches the socket through it.
    """
    try:
        [(_, subscribers)] = redis_client.client().pubsub_numsub(group_channel(quote_id))
    except redis.RedisError:
        return True
    return subscribers > 0


# --- Publishing: called in transaction.on_commit (``negotiations.after_commit``); never raise ---


def _send(quote_id: int, event: dict) -> None:
    """``group_send`` as one synchronous PUBLISH: no event loop and connection per push."""
    redis_client.client().publish(group_channel(quote_id), get_channel_layer().serialize(event))


PORTAL_CHANGED = "portal.changed"


def publish_portal(negotiation_id: int) -> None:
    """Tell the negotiation's supplier portal sockets that something the supplier may see
    changed (a shared message, the status): they re-read it from the database. The event names
    nothing else, so nothing of the brand's side can travel in it."""
    try:
        event = {"type": PORTAL_CHANGED, "negotiation_id": negotiation_id}
        redis_client.client().publish(
            _pubsub_channel(portal_group_name(negotiation_id)),
            get_channel_layer().serialize(event),
        )
    except Exception:
        logger.exception("portal push of negotiation %s failed", negotiation_id)


def _latest_seqs(room: Room) -> dict[str, int]:
    """The last stored seq of each negotiation of the room, in one query."""
    latest = (
        Message.objects.filter(negotiation__in=room.negotiations)
        .values("negotiation_id")
        .annotate(last=Max("seq"))
    )
    # Channel-layer events are msgpack: string keys.
    return {str(row["negotiation_id"]): row["last"] for row in latest}


# A message's push re-renders these of its column; not the question box, which may hold an
# answer being typed (a change of status pushes that).
MESSAGE_COLUMN = ("status", "progress")


def publish_message(message_id: int, quote_id: int | None = None) -> None:
    """Push one stored message to its quote's room, with the progress and chart it moves.

    A caller that knows the quote passes ``quote_id``: an unwatched room then costs no query.
    """
    try:
        if quote_id is not None and not has_viewers(quote_id):
            return
        message = Message.objects.select_related("negotiation__quote", "author").get(pk=message_id)
        negotiation = message.negotiation
        if quote_id is None and not has_viewers(negotiation.quote_id):
            return
        room = load_room(negotiation.quote)
        column = column_of(room, negotiation.pk)
        # The column's status and the header's usage totals ride along, so a turn that changes
        # no status needs no other push.
        fragments = [render_column_fragment(f, room, column, oob=True) for f in MESSAGE_COLUMN]
        fragments += [render_quote_fragment(f, room, oob=True) for f in ("header", "chart")]
        _send(
            negotiation.quote_id,
            {
                "type": "room.message",
                "negotiation_id": negotiation.pk,
                "seq": message.seq,
                "html": render_messages(negotiation.pk, [message]),
                "fragments": "".join(fragments),
            },
        )
    except Exception:
        logger.exception("live push of message %s failed", message_id)


def publish_negotiation(negotiation_id: int, quote_id: int | None = None) -> None:
    """Push a negotiation's status, progress, question and the chart (``quote_id``: as above)."""
    try:
        if quote_id is not None and not has_viewers(quote_id):
            return
        negotiation = Negotiation.objects.select_related("quote").get(pk=negotiation_id)
        if quote_id is None and not has_viewers(negotiation.quote_id):
            return
        room = load_room(negotiation.quote)
        column = column_of(room, negotiation_id)
        fragments = [
            render_column_fragment(f, room, column, oob=True)
            for f in ("status", "progress", "question")
        ]
        fragments += [render_quote_fragment(f, room, oob=True) for f in ("header", "chart")]
        _send(
            negotiation.quote_id,
            {
                "type": "room.fragments",
                "fragments": "".join(fragments),
                "latest": _latest_seqs(room),
            },
        )
    except Exception:
        logger.exception("live push of negotiation %s failed", negotiation_id)


def publish_quote(quote_id: int) -> None:
    """Push the quote header, the comparison and recommendation, and every column's state."""
    try:
        if not has_viewers(quote_id):
            return
        room = load_room(Quote.objects.get(pk=quote_id))
        _send(
            quote_id,
            {
                "type": "room.fragments",
                "fragments": room_state(room, questions=False),
                "latest": _latest_seqs(room),
            },
        )
    except Exception:
        logger.exception("live push of quote %s failed", quote_id)
