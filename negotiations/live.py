"""Live push of stored rows to the negotiation room, and the room's read model.

The page and the push render the same partials (``templates/negotiations/room_<fragment>.html``),
so they cannot drift. Pushes go to group ``quote-<id>`` after the database commit; they are
at-most-once, so the consumer fills any gap from the database (the truth) by message ``seq``.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from negotiations import charts, selectors
from negotiations.models import (
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
)
from procur import redis_client

logger = logging.getLogger(__name__)


def group_name(quote_id: int) -> str:
    return f"quote-{quote_id}"


def group_channel(quote_id: int) -> str:
    """The Redis pub/sub channel of the quote's group (channels_redis's pub/sub layer names a
    group ``<prefix>__group__<group>``; the consumer tests receive what ``_send`` publishes)."""
    prefix = settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]
    return f"{prefix}__group__{group_name(quote_id)}"


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


@dataclass(frozen=True)
class Column:
    """One negotiation as the room shows it: the row (with LLM totals) and its open question."""

    negotiation: Negotiation
    question: Message | None
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True)
class Room:
    quote: Quote
    columns: list[Column]
    chart: SafeString
    llm_tokens: int
    llm_cost: Decimal

    @property
    def negotiations(self) -> list[Negotiation]:
        return [c.negotiation for c in self.columns]


def _open_question(negotiation: Negotiation) -> Message | None:
    if negotiation.status != NegotiationStatus.WAITING_FOR_STAFF:
        return None
    asked = negotiation.messages.filter(sender=Sender.BRAND, action="ask_info")
    return asked.order_by("-seq").first()


def _chart(quote: Quote, negotiations: list[Negotiation]) -> SafeString:
    series = charts.series_from_offers(negotiations, selectors.offer_prices_for_quotes([quote.pk]))
    return charts.price_chart_svg(
        series,
        max_round=quote.max_rounds,
        target=quote.target_price,
        ceiling=quote.max_price,
        currency=quote.currency,
    )


def load_room(quote: Quote, *, with_transcripts: bool = False) -> Room:
    """Everything the room page (``with_transcripts``) and its pushed fragments need."""
    negotiations = list(selectors.negotiations_for_quote(quote))
    return Room(
        quote=quote,
        columns=[
            Column(
                n,
                _open_question(n),
                tuple(selectors.messages_after(n.pk, 0)) if with_transcripts else (),
            )
            for n in negotiations
        ],
        chart=_chart(quote, negotiations),
        llm_tokens=sum(n.llm_tokens for n in negotiations),
        llm_cost=sum((n.llm_cost for n in negotiations), Decimal("0")),
    )


# --- Fragments: the same templates as the page, marked for out-of-band swaps ----------------------


def render_column_fragment(
    fragment: str, room: Room, column: Column, *, oob: bool, request=None, **extra
) -> str:
    """``status``, ``progress``, ``question`` or ``intervene`` of one negotiation column."""
    context = {"room": room, "quote": room.quote, "column": column, "n": column.negotiation}
    return render_to_string(
        f"negotiations/room_{fragment}.html", {**context, "oob": oob, **extra}, request=request
    )


def render_quote_fragment(fragment: str, room: Room, *, oob: bool, request=None, **extra) -> str:
    """``header``, ``chart``, ``guidance`` or ``outcome`` of the quote."""
    context = {"room": room, "quote": room.quote, "oob": oob, **extra}
    return render_to_string(f"negotiations/room_{fragment}.html", context, request=request)


def column_of(room: Room, negotiation_id: int) -> Column:
    return next(c for c in room.columns if c.negotiation.pk == negotiation_id)


def render_messages(negotiation_id: int, messages: list[Message]) -> str:
    """Messages appended to their transcript; each has id ``msg-<negotiation>-<seq>``."""
    if not messages:
        return ""
    body = mark_safe(
        "".join(
            render_to_string("negotiations/room_message.html", {"message": m}) for m in messages
        )
    )
    return format_html('<div hx-swap-oob="beforeend:#transcript-{}">{}</div>', negotiation_id, body)


def messages_after(negotiation_id: int, seq: int) -> tuple[str, int]:
    """The stored messages newer than ``seq`` (0: none seen yet; seqs start at 1) as a push,
    and the last seq the client then has."""
    messages = list(selectors.messages_after(negotiation_id, seq))
    last = messages[-1].seq if messages else seq
    return render_messages(negotiation_id, messages), last


def room_state(room: Room, *, questions: bool) -> str:
    """Every idempotent fragment of the room (header, chart, outcome, column heads).

    The question boxes only when asked for: re-rendering one would wipe an answer being typed,
    so a push about the quote leaves them alone (each negotiation pushes its own).
    """
    parts = [render_quote_fragment(f, room, oob=True) for f in ("header", "chart", "outcome")]
    fragments = ("status", "progress", "question") if questions else ("status", "progress")
    for column in room.columns:
        parts.extend(render_column_fragment(f, room, column, oob=True) for f in fragments)
    return "".join(parts)


def catch_up(quote_id: int, after: dict[int, int]) -> tuple[str, dict[int, int]]:
    """What a (re)connecting room lacks: messages newer than its last seq per negotiation, then
    the current state of every fragment. Returns the push and the last seq per negotiation."""
    room = load_room(Quote.objects.get(pk=quote_id))
    parts, last_seqs = [], {}
    for negotiation in room.negotiations:
        seen = after.get(negotiation.pk, 0)
        html, last_seqs[negotiation.pk] = messages_after(negotiation.pk, seen)
        parts.append(html)
    parts.append(room_state(room, questions=True))
    return "".join(parts), last_seqs


# --- Publishing: called by services in transaction.on_commit; never raise -----------------------


def _send(quote_id: int, event: dict) -> None:
    """``group_send`` as one synchronous PUBLISH: no event loop and connection per push."""
    redis_client.client().publish(group_channel(quote_id), get_channel_layer().serialize(event))


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
