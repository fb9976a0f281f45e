"""Build what an agent sees for its turn from the database: the engine state and the transcript.

Everything here is derived from stored rows, so a redelivered turn sees exactly what the first
delivery saw.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from negotiations.agents import AgentContext, QuoteFacts, TranscriptLine
from negotiations.agents.disclosure import Confidential, price_figures
from negotiations.engine import (
    SUPPLIER_ASKS,
    Action,
    BrandPreferences,
    Directive,
    Guidance,
    Move,
    NegotiationState,
    Side,
    Terms,
    Turn,
    apply_guidance,
    partial_minimum,
)
from negotiations.models import (
    ENDED_STATUSES,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    Sender,
)
from negotiations.room.model import Audience, visible_messages
from negotiations.services.preferences import brand_preferences, supplier_preferences

AGENT_SENDERS = (Sender.BRAND, Sender.SUPPLIER)
OFFER_ACTIONS = (Action.PROPOSE.value, Action.COUNTER.value)


def next_side(agent_messages: Sequence[Message]) -> Side:
    """The brand opens and the sides alternate, except that the brand moves again after its
    own question to staff (ASK_INFO) has been answered."""
    if not agent_messages:
        return Side.BRAND
    last = agent_messages[-1]
    if last.sender == Sender.BRAND and last.action != Action.ASK_INFO:
        return Side.SUPPLIER
    return Side.BRAND


def round_for(side: Side, negotiation: Negotiation, agent_messages: Sequence[Message]) -> int:
    """The brand opens a new round when it answers the supplier (or opens the negotiation)."""
    opens_round = side is Side.BRAND and (
        not agent_messages or agent_messages[-1].sender == Sender.SUPPLIER
    )
    return negotiation.round + 1 if opens_round else max(negotiation.round, 1)


def move_of(message: Message) -> Move:
    return Move(
        action=Action(message.action),
        terms=Terms.from_dict(message.terms) if message.terms else None,
        strategies=tuple(message.strategies),
        rationale=tuple(message.rationale),
        question=message.question or None,
    )


def effective_brand(
    negotiation: Negotiation, messages: Sequence[Message], last_brand_seq: int
) -> tuple[BrandPreferences, tuple[str, ...], Directive | None]:
    """The quote's preferences with every staff guidance applied in order, and the quantity
    limit relaxed when staff answered that partial shipments are acceptable.

    Returns the preferences, the notes of guidance given since the brand last moved (its next
    message states how it applied them) and a pending staff directive, if any.
    """
    quote = negotiation.quote
    prefs = brand_preferences(negotiation)
    for clarification in quote.clarifications:  # staff allowing partial shipments
        least = partial_minimum(clarification["question"], clarification["answer"], quote.quantity)
        if least is not None:
            prefs = dataclasses.replace(prefs, min_quantity=least)
    notes: list[str] = []
    directive = None
    for message in messages:
        if message.sender != Sender.STAFF or not message.guidance:
            continue
        guidance = Guidance.from_dict(message.guidance)
        prefs, applied = apply_guidance(
            prefs, guidance, quote_target=quote.target_price, quote_max=quote.max_price
        )
        if message.seq > last_brand_seq:
            notes.extend(applied)
            directive = guidance.directive or directive
    return prefs, tuple(notes), directive


class OutsideOptions(NamedTuple):
    """What the quote's other negotiations put on the table for the brand."""

    agreed: tuple[Terms, ...]
    """Terms of the deals agreed there."""
    running: tuple[Terms, ...]
    """The latest supplier offer of each negotiation still running."""


def outside_options(negotiation: Negotiation) -> OutsideOptions:
    """What the quote's other negotiations put on the table for the brand: an agreed deal's
    terms, or a running negotiation's latest supplier offer. One that ended without a deal
    offers nothing any more. The brand never concedes past the best of them, and walks away
    rather than leave open an offer worth less to it than a deal agreed there."""
    others = list(
        Negotiation.objects.filter(quote_id=negotiation.quote_id)
        .exclude(pk=negotiation.pk)
        .values_list("pk", "status", "final_terms")
    )
    agreed = tuple(
        Terms.from_dict(terms)
        for _, status, terms in others
        if status == NegotiationStatus.AGREED and terms
    )
    running = [pk for pk, status, _ in others if status not in ENDED_STATUSES]
    offers = (
        Message.objects.filter(
            negotiation_id__in=running, sender=Sender.SUPPLIER, action__in=OFFER_ACTIONS
        )
        .exclude(terms=None)
        .order_by("negotiation_id", "-seq")
        .values_list("negotiation_id", "terms")
    )
    latest: dict[int, dict] = {}
    for negotiation_id, terms in offers:
        latest.setdefault(negotiation_id, terms)  # the first row of each is its latest offer
    return OutsideOptions(agreed, tuple(Terms.from_dict(terms) for terms in latest.values()))


def confidential(negotiation: Negotiation, messages: Sequence[Message]) -> Confidential:
    """What the brand's messages must not disclose: the quote's maximum and target, what staff
    wrote (guidance and answers, and every figure in it) and the other suppliers' names. An
    answer to the supplier's own question is meant for the supplier: the brand relays it."""
    quote = negotiation.quote
    relayed = {c["answer"] for c in _relayed_answers(negotiation)}
    staff = [m.text for m in messages if m.sender == Sender.STAFF and m.text not in relayed]
    staff += [
        c["answer"]
        for c in quote.clarifications
        if c["answer"] not in staff and c["answer"] not in relayed
    ]
    figures = {quote.max_price, quote.target_price}
    for text in staff:
        figures.update(price_figures(text, quote.unit))
    for message in messages:
        if message.guidance:
            guidance = Guidance.from_dict(message.guidance)
            figures.update(f for f in (guidance.max_price, guidance.target_price) if f is not None)
    names = (
        Negotiation.objects.filter(quote_id=quote.pk)
        .exclude(pk=negotiation.pk)
        .values_list("supplier__name", flat=True)
    )
    return Confidential(
        figures=tuple(sorted(figures)), names=tuple(names), staff_texts=tuple(staff)
    )


def _relayed_answers(negotiation: Negotiation) -> list[dict]:
    """Staff answers to questions this negotiation's supplier asked (for the supplier)."""
    return [
        c
        for c in negotiation.quote.clarifications
        if c.get("for_supplier") and c.get("negotiation") == negotiation.pk
    ]


def relay(negotiation: Negotiation, agent_messages: Sequence[Message]) -> str:
    """What the brand's next message must pass on to the supplier: staff's answer to the
    supplier's question, when the brand's last move was to ask staff that question."""
    last = agent_messages[-1] if agent_messages else None
    if last is None or last.sender != Sender.BRAND or last.action != Action.ASK_INFO:
        return ""
    answer = next((c for c in reversed(_relayed_answers(negotiation))), None)
    if answer is None or answer["question"] != last.question:
        return ""
    question = last.question.removeprefix(SUPPLIER_ASKS)
    return f"On your question ({question}): {answer['answer']}"


def load_negotiation(negotiation_id: int) -> Negotiation:
    """The negotiation with what its context needs of the quote and the supplier."""
    return Negotiation.objects.select_related("quote", "supplier").get(pk=negotiation_id)


@dataclass(frozen=True)
class PreparedTurn:
    """A turn's context, the brand's effective preferences (after staff guidance) that the
    commit checks an agreement against, and the last seq of the transcript as it was read."""

    context: AgentContext
    brand: BrandPreferences
    last_seq: int


def build_context(negotiation: Negotiation, turn: int) -> AgentContext:
    """What the agent of the side to move sees (``negotiation`` from :func:`load_negotiation`)."""
    return prepare_turn(negotiation, turn).context


def prepare_turn(negotiation: Negotiation, turn: int) -> PreparedTurn:
    """Read the negotiation for a turn (see :class:`PreparedTurn`).

    The brand's context holds everything; the supplier's is built from the shared messages only
    (:func:`~negotiations.room.model.visible_messages`, which every supplier-side reader uses):
    no staff or system entry, no question of the brand to its staff, none of the brand's
    reasoning, no brand preference.
    """
    quote = negotiation.quote
    messages = list(negotiation.messages.order_by("seq"))
    last_seq = messages[-1].seq if messages else 0
    agent_messages = [m for m in messages if m.sender in AGENT_SENDERS]
    side = next_side(agent_messages)
    last_brand_seq = max((m.seq for m in agent_messages if m.sender == Sender.BRAND), default=0)
    brand, notes, directive = effective_brand(negotiation, messages, last_brand_seq)
    round_ = round_for(side, negotiation, agent_messages)
    if side is Side.BRAND:
        outside = outside_options(negotiation)
        state = NegotiationState(
            round=round_,
            max_rounds=quote.max_rounds,
            history=tuple(_turn(m) for m in agent_messages),
            competing_offers=(*outside.agreed, *outside.running),
            agreed_elsewhere=outside.agreed,
            questions_left=quote.questions_left,
            clarifications=tuple(c["answer"] for c in quote.clarifications),
            directive=directive,
        )
        context = AgentContext(
            side=side,
            turn=turn,
            state=state,
            brand=brand,
            supplier=supplier_preferences(negotiation.supplier),
            quote=quote_facts(quote),
            supplier_name=negotiation.supplier.name,
            transcript=tuple(_line(m) for m in messages),
            guidance_notes=notes,
            confidential=confidential(negotiation, messages),
            relay=relay(negotiation, agent_messages),
            seed=negotiation.seed * 1000 + turn,
        )
        return PreparedTurn(context, brand, last_seq)
    shared = list(visible_messages(negotiation.messages.order_by("seq"), Audience.SUPPLIER))
    context = AgentContext(
        side=side,
        turn=turn,
        state=NegotiationState(
            round=round_,
            max_rounds=quote.max_rounds,
            # Staff's messages to an invited supplier are shared, but are no move of a side.
            history=tuple(
                _turn(m, reasons=m.sender == Sender.SUPPLIER)
                for m in shared
                if m.sender in AGENT_SENDERS
            ),
        ),
        brand=None,
        supplier=supplier_preferences(negotiation.supplier),
        quote=quote_facts(quote),
        supplier_name=negotiation.supplier.name,
        transcript=tuple(_line(m) for m in shared),
        seed=negotiation.seed * 1000 + turn,
    )
    return PreparedTurn(context, brand, last_seq)


def quote_facts(quote: Quote) -> QuoteFacts:
    """What both sides know of the quote (the request the suppliers were sent)."""
    return QuoteFacts(
        product=quote.product,
        description=quote.description,
        quantity=quote.quantity,
        unit=quote.unit,
        currency=quote.currency,
        requirements=quote.requirements,
        needed_by=quote.needed_by,
    )


def _turn(message: Message, *, reasons: bool = True) -> Turn:
    """The message as a turn of the history; without ``reasons``, the move without its
    strategies and rationale (the other side's reasoning is not theirs to read)."""
    move = move_of(message)
    if not reasons:
        move = Move(move.action, move.terms, question=move.question)
    return Turn(Side(message.sender), move, max(message.round, 1))


def _line(message: Message) -> TranscriptLine:
    return TranscriptLine(
        seq=message.seq,
        round=message.round,
        sender=message.sender,
        action=message.action,
        text=message.text,
        terms=Terms.from_dict(message.terms) if message.terms else None,
    )
