"""Storing a move, whoever made it: an agent's turn (``turns``) or an invited supplier's reply
through the portal (``supplier_replies``). Both check an accept, grade the supplier's offer and
settle the negotiation's status with the same rules here.
"""

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone

from negotiations.after_commit import enqueue_turn, push_state
from negotiations.engine import (
    Action,
    Move,
    Side,
    Terms,
    Turn,
    agreement_violations,
    brand_utility,
    referee,
    standing_offer,
    supplier_utility,
)
from negotiations.models import (
    Negotiation,
    NegotiationStatus,
    NotificationKind,
    Sender,
    SupplierMode,
    status_for_supplier,
)
from negotiations.services.context import PreparedTurn
from negotiations.services.evaluation import negotiation_ended
from negotiations.services.notifications import notify
from negotiations.services.preferences import brand_preferences
from negotiations.services.transcript import append_message

# What a move that changes the negotiation's status also stores.
STATUS_FIELDS = [
    "status",
    "final_terms",
    "brand_utility",
    "supplier_utility",
    "last_activity_at",
    "ended_at",
    "reply_due_at",
    "remind_at",
]


def is_invited(negotiation: Negotiation) -> bool:
    """Whether a person answers for the supplier (through the portal), not its agent."""
    return negotiation.supplier_mode == SupplierMode.INVITED


def accept_problems(
    negotiation: Negotiation, prepared: PreparedTurn, side: Side, terms: Terms | None
) -> list[str]:
    """Why ``side`` accepting ``terms`` is no agreement (empty when it is one): the engine's
    agreement checks against the other side's offer on the table and the brand's effective
    limits. An invited supplier's limits are its own: its offers and accepts are not checked
    against the simulated profile."""
    context = prepared.context
    return agreement_violations(
        terms,
        standing_offer(context.state.history, side.other),
        prepared.brand,
        None if is_invited(negotiation) else context.supplier,
        context.quote.quantity,
    )


def supplier_verdict(prepared: PreparedTurn, move: Move) -> str:
    """How the supplier's standing offer sits against the brand's limits after ``move``."""
    state = prepared.context.state
    history = (*state.history, Turn(Side.SUPPLIER, move, state.round))
    return referee(standing_offer(history, Side.SUPPLIER), prepared.brand).value


def await_supplier(negotiation: Negotiation, now: datetime | None = None) -> None:
    """The invited supplier has the turn: no task runs, the deadline sweep watches the clock
    (a reminder at half the quote's reply window, the end at its close)."""
    now = now or timezone.now()
    window = negotiation.quote.reply_window
    negotiation.status = NegotiationStatus.WAITING_FOR_SUPPLIER
    negotiation.reply_due_at = now + window
    negotiation.remind_at = now + window / 2


def settle(
    negotiation: Negotiation,
    *,
    side: Side,
    action: Action,
    terms: Terms | None,
    prepared: PreparedTurn,
    question_asked: bool,
    status_before: str,
    question: str = "",
    also_save: Sequence[str] = (),
) -> None:
    """Set the status a stored move leads to, save it, and set off what follows.

    An accept agrees, a walk-away ends, a question asked waits for staff (notified of
    ``question``), the supplier's move in the last round ends in an impasse, and the brand's move
    to an invited supplier waits for it; otherwise the negotiation stays active and its next
    turn is enqueued after commit.
    ``also_save`` names further fields the caller changed on the locked row.
    """
    negotiation.reply_due_at = negotiation.remind_at = None
    max_rounds = prepared.context.state.max_rounds
    if action is Action.ACCEPT:
        negotiation.status = NegotiationStatus.AGREED
        negotiation.final_terms = terms.to_dict()
        negotiation.brand_utility = brand_utility(terms, brand_preferences(negotiation))
        # An invited supplier's utility is its own: the directory profile does not bind it.
        negotiation.supplier_utility = (
            None if is_invited(negotiation) else supplier_utility(terms, prepared.context.supplier)
        )
    elif action is Action.WALK_AWAY:
        negotiation.status = NegotiationStatus.WALKED_AWAY
    elif question_asked:
        negotiation.status = NegotiationStatus.WAITING_FOR_STAFF
        notify(
            quote=negotiation.quote,
            kind=NotificationKind.QUESTION,
            text=f"The brand agent negotiating with {negotiation.supplier.name} asks: {question}",
            negotiation=negotiation,
        )
    elif side is Side.SUPPLIER and negotiation.round >= max_rounds:
        negotiation.status = NegotiationStatus.IMPASSE
        append_message(
            negotiation,
            sender=Sender.SYSTEM,
            text=f"No agreement after {max_rounds} rounds: impasse.",
        )
    elif side is Side.BRAND and is_invited(negotiation):
        await_supplier(negotiation)
    ended = negotiation.is_ended
    if ended:
        negotiation.ended_at = timezone.now()
    changed = negotiation.status != status_before
    if changed or also_save:
        negotiation.save(update_fields=[*STATUS_FIELDS, *also_save])
    # The message's push carries its column's status and progress, the header and the chart:
    # only a change of status (question box, comparison, every column) needs the state pushes.
    if changed:
        seen = status_for_supplier(status_before) != status_for_supplier(negotiation.status)
        push_state(negotiation, supplier_sees=seen)
    if ended:
        negotiation_ended(negotiation)
    elif negotiation.status == NegotiationStatus.ACTIVE:
        enqueue_turn(negotiation, negotiation.turns_taken + 1)
