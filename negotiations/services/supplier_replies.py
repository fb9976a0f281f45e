"""An invited supplier's moves, made through the portal: counter, accept, decline.

A person answers for the supplier, so its reply is stored as the supplier agent's move would be
(sender SUPPLIER, the engine's action, the terms, the referee's verdict, its text shared) and
settled by the same rules (``moves``): the round limit's impasse, an accept checked with the
engine's agreement checks, and the brand's turn enqueued after commit. The engine reads only the
structured offer; the supplier's words reach the brand agent as untrusted supplier text (the
prompt's ``<supplier_message>``), like the supplier agent's.

Each reply is posted once per ``client_id`` (a repeat returns the stored message), with the
negotiation's row locked: of two different replies to the same brand message, the second is
refused, the brand not having answered the first.
"""

from django.utils import timezone

from negotiations.engine import PAYMENT_TERMS_DAYS, Action, Move, Side, Terms, standing_offer
from negotiations.models import Message, Negotiation, NegotiationStatus, NotificationKind, Sender
from negotiations.room.model import Audience, visible_messages
from negotiations.services.context import OFFER_ACTIONS, prepare_turn
from negotiations.services.errors import ProcurError
from negotiations.services.moves import accept_problems, is_invited, settle, supplier_verdict
from negotiations.services.notifications import notify
from negotiations.services.transcript import append_message, clean_text, post_once

MAX_CLIENT_ID = 64


def supplier_counter(
    *, negotiation: Negotiation, terms: Terms, text: str, client_id: str
) -> Message:
    """The supplier's counter-offer, with its message to the brand (optional)."""
    text = clean_text(text, "your message", field="message", required=False)
    _check_terms(negotiation, terms)
    return _reply(negotiation, client_id, Action.COUNTER, terms, text)


def supplier_accept(
    *, negotiation: Negotiation, text: str, client_id: str, offer: Terms | None = None
) -> Message:
    """The supplier accepts exactly the brand's standing offer: the negotiation is agreed.

    ``offer``: the brand's offer the supplier was shown; checked with the negotiation locked,
    so an accept is refused if the brand's standing offer is another one by then.
    """
    text = clean_text(text, "your message", field="message", required=False)
    return _reply(negotiation, client_id, Action.ACCEPT, offer, text)


def supplier_decline(*, negotiation: Negotiation, reason: str, client_id: str) -> Message:
    """The supplier declines: the negotiation ends as walked away, with its reason."""
    reason = clean_text(reason, "your reason", field="reason")
    return _reply(negotiation, client_id, Action.WALK_AWAY, None, reason)


def brand_standing_offer(negotiation: Negotiation) -> Terms | None:
    """The brand's latest offer to the supplier (what the supplier may accept), or None."""
    return _standing_offer(negotiation, Sender.BRAND)


def supplier_standing_offer(negotiation: Negotiation) -> Terms | None:
    """The supplier's own latest offer, or None."""
    return _standing_offer(negotiation, Sender.SUPPLIER)


def _standing_offer(negotiation: Negotiation, sender: Sender) -> Terms | None:
    # Read through the supplier's audience filter: this feeds the portal.
    latest = (
        visible_messages(negotiation.messages.all(), Audience.SUPPLIER)
        .filter(sender=sender, action__in=OFFER_ACTIONS)
        .exclude(terms=None)
        .order_by("-seq")
        .values_list("terms", flat=True)
        .first()
    )
    return Terms.from_dict(latest) if latest else None


def _check_terms(negotiation: Negotiation, terms: Terms) -> None:
    """What no offer to this quote can be; the portal's form says the same, field by field."""
    quote = negotiation.quote
    errors: dict[str, list[str]] = {}
    if terms.unit_price <= 0:
        errors["unit_price"] = ["Enter a unit price above zero."]
    if terms.currency != quote.currency:
        errors["currency"] = [f"Offer in the quote's currency, {quote.currency}."]
    if terms.quantity > quote.quantity:
        errors["quantity"] = [f"The brand asks for {quote.quantity:,} {quote.unit}, no more."]
    if terms.payment_terms_days not in PAYMENT_TERMS_DAYS:
        allowed = ", ".join("on delivery" if d == 0 else f"net {d}" for d in PAYMENT_TERMS_DAYS)
        errors["payment_terms_days"] = [f"Choose payment terms among: {allowed}."]
    if errors:
        raise ProcurError("Check the offer: " + " ".join(e[0] for e in errors.values()), errors)


def _ensure_supplier_turn(negotiation: Negotiation) -> None:
    if not is_invited(negotiation):
        raise ProcurError("The supplier agent answers in this negotiation, not the supplier.")
    status = negotiation.status
    if negotiation.is_ended:
        raise ProcurError(
            f"This negotiation has ended ({negotiation.get_status_display().lower()}); "
            "it takes no more replies."
        )
    if status == NegotiationStatus.PAUSED:
        raise ProcurError("The brand has paused this negotiation: reply once it resumes.")
    if status != NegotiationStatus.WAITING_FOR_SUPPLIER:
        raise ProcurError("The brand has not answered yet: wait for its reply.")
    if negotiation.reply_due_at and negotiation.reply_due_at <= timezone.now():
        raise ProcurError(
            f"The reply was due by {negotiation.reply_due_at:%Y-%m-%d %H:%M} UTC; "
            "the negotiation takes no more replies."
        )


def _notify_staff(negotiation: Negotiation, action: Action, terms: Terms | None, text: str) -> None:
    name, currency = negotiation.supplier.name, negotiation.quote.currency
    if action is Action.WALK_AWAY:
        kind, what = NotificationKind.SUPPLIER_DECLINED, f"{name} declined: {text}"
    elif action is Action.ACCEPT:
        kind = NotificationKind.SUPPLIER_REPLIED
        what = f"{name} accepted the brand's offer of {currency} {terms.unit_price} per unit."
    else:
        kind = NotificationKind.SUPPLIER_REPLIED
        what = f"{name} countered at {currency} {terms.unit_price} per unit."
    notify(quote=negotiation.quote, kind=kind, text=what, negotiation=negotiation)


def _reply(
    negotiation: Negotiation, client_id: str, action: Action, terms: Terms | None, text: str
) -> Message:
    client_id = (client_id or "").strip()
    if len(client_id) > MAX_CLIENT_ID:
        raise ProcurError(f"client_id is longer than {MAX_CLIENT_ID} characters.")

    def build(negotiation: Negotiation) -> Message:
        _ensure_supplier_turn(negotiation)
        turn = negotiation.turns_taken + 1
        prepared = prepare_turn(negotiation, turn)
        if prepared.context.side is not Side.SUPPLIER:  # e.g. a stale waiting status
            raise ProcurError("The brand has not answered yet: wait for its reply.")
        accepted = terms
        if action is Action.ACCEPT:
            accepted = standing_offer(prepared.context.state.history, Side.BRAND)
            if terms is not None and terms != accepted:
                raise ProcurError(
                    "The buyer's offer changed since you opened this page: review the offer "
                    "shown now before you accept it."
                )
            if problems := accept_problems(negotiation, prepared, Side.SUPPLIER, accepted):
                raise ProcurError(
                    "The brand's offer can no longer be accepted "
                    f"({'; '.join(problems)}): counter it, or decline."
                )
        move = Move(action, accepted)
        status_before = negotiation.status
        negotiation.status = NegotiationStatus.ACTIVE
        negotiation.round = prepared.context.state.round
        negotiation.turns_taken = turn
        message = append_message(
            negotiation,
            sender=Sender.SUPPLIER,
            action=action.value,
            text=text,
            terms=accepted.to_dict() if accepted else None,
            verdict=supplier_verdict(prepared, move),
            client_id=client_id or None,
        )
        settle(
            negotiation,
            side=Side.SUPPLIER,
            action=action,
            terms=accepted,
            prepared=prepared,
            question_asked=False,
            status_before=status_before,
            also_save=["round", "turns_taken"],
        )
        _notify_staff(negotiation, action, accepted, text)
        return message

    return post_once(negotiation.pk, client_id or None, build)
