"""The room's read model: a quote, its three columns, the chart and the LLM usage totals."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.safestring import SafeString

from negotiations import charts, selectors
from negotiations.models import (
    Invitation,
    Message,
    MessageAudience,
    Negotiation,
    NegotiationStatus,
    Quote,
    SupplierMode,
)


class Audience(StrEnum):
    """Who reads the room. Staff read every message; each audience reads the room through
    :func:`visible_messages`, so what it may not see is left out in one place."""

    STAFF = "staff"
    SUPPLIER = "supplier"
    """The supplier side (its agent today, the supplier portal and exports next)."""


def visible_messages(messages: QuerySet[Message], audience: Audience) -> QuerySet[Message]:
    """The messages of ``messages`` that ``audience`` may read: staff all of them, the supplier
    side the shared ones only (see :func:`negotiations.models.message_audience`)."""
    if audience is Audience.STAFF:
        return messages
    return messages.filter(audience=MessageAudience.SHARED)


def numbered_messages(
    negotiation_id: int, audience: Audience, *, after: int = 0
) -> QuerySet[Message]:
    """The negotiation's messages that ``audience`` reads, in order, after the ``after``-th,
    each with its ``number``: what the audience's page knows it by (its element id, and the last
    one a reconnecting page says it has).

    Staff read every message: their number is the seq. The supplier's counts the shared
    messages only (1, 2, ...): numbered by seq, the gaps would tell it how many internal entries
    lie between two of them.
    """
    visible = visible_messages(selectors.messages_after(negotiation_id, 0), audience)
    if audience is Audience.STAFF:
        return visible.annotate(number=F("seq")).filter(seq__gt=after)
    place = Window(RowNumber(), order_by=F("seq").asc())
    return visible.annotate(number=place).filter(number__gt=after)


@dataclass(frozen=True)
class Column:
    """One negotiation as the room shows it: the row (with LLM totals), its open question, and
    an invited supplier's links (newest first)."""

    negotiation: Negotiation
    question: Message | None
    messages: tuple[Message, ...] = ()
    invitations: tuple[Invitation, ...] = ()

    @property
    def invited(self) -> bool:
        return self.negotiation.supplier_mode == SupplierMode.INVITED

    @property
    def working_links(self) -> int:
        return sum(i.revoked_at is None for i in self.invitations)

    @property
    def last_email(self) -> Invitation | None:
        """The newest invitation whose email went out or failed (a copied link is not one)."""
        return next((i for i in self.invitations if i.sent_at or i.send_error), None)


@dataclass(frozen=True)
class Room:
    quote: Quote
    columns: list[Column]
    chart: SafeString
    llm_tokens: int
    llm_cost: Decimal
    audience: Audience = Audience.STAFF

    @property
    def negotiations(self) -> list[Negotiation]:
        return [c.negotiation for c in self.columns]

    @property
    def guidable(self) -> bool:
        """Whether any negotiation still takes guidance (the quote-wide form shows while so)."""
        return any(not n.is_ended for n in self.negotiations)


def column_of(room: Room, negotiation_id: int) -> Column:
    return next(c for c in room.columns if c.negotiation.pk == negotiation_id)


def _question(negotiation: Negotiation) -> Message | None:
    if negotiation.status != NegotiationStatus.WAITING_FOR_STAFF:
        return None
    return selectors.open_question(negotiation)


def _chart(quote: Quote, negotiations: list[Negotiation]) -> SafeString:
    series = charts.series_from_offers(negotiations, selectors.offer_prices_for_quotes([quote.pk]))
    return charts.price_chart_svg(
        series,
        max_round=quote.max_rounds,
        target=quote.target_price,
        ceiling=quote.max_price,
        currency=quote.currency,
    )


def _invitations(negotiations: list[Negotiation]) -> dict[int, tuple[Invitation, ...]]:
    """The invitations of the invited negotiations, newest first (no query when none is)."""
    invited = [n.pk for n in negotiations if n.supplier_mode == SupplierMode.INVITED]
    by_negotiation: dict[int, list[Invitation]] = {}
    for invitation in Invitation.objects.filter(negotiation__in=invited).order_by("-created_at"):
        by_negotiation.setdefault(invitation.negotiation_id, []).append(invitation)
    return {pk: tuple(found) for pk, found in by_negotiation.items()}


def load_room(
    quote: Quote, *, audience: Audience = Audience.STAFF, with_transcripts: bool = False
) -> Room:
    """Everything the room page (``with_transcripts``) and its pushed fragments need."""
    negotiations = list(selectors.negotiations_for_quote(quote))
    invitations = _invitations(negotiations) if audience is Audience.STAFF else {}

    def transcript(negotiation: Negotiation) -> tuple[Message, ...]:
        if not with_transcripts:
            return ()
        return tuple(visible_messages(selectors.messages_after(negotiation.pk, 0), audience))

    return Room(
        quote=quote,
        columns=[
            Column(n, _question(n), transcript(n), invitations.get(n.pk, ())) for n in negotiations
        ],
        chart=_chart(quote, negotiations),
        llm_tokens=sum(n.llm_tokens for n in negotiations),
        llm_cost=sum((n.llm_cost for n in negotiations), Decimal("0")),
        audience=audience,
    )
