"""What staff do to running negotiations: guide, answer, write to an invited supplier, pause,
resume, cancel, retry.

A negotiation waiting for an invited supplier pauses (its reply clock stops), resumes (with a
fresh reply window, the supplier to answer) and cancels like any other.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from negotiations import selectors
from negotiations.after_commit import enqueue_turn, push_quote, push_state
from negotiations.engine import SUPPLIER_ASKS, Side, parse_guidance
from negotiations.models import (
    RUNNING_STATUSES,
    Message,
    Negotiation,
    NegotiationStatus,
    Quote,
    QuoteStatus,
    Sender,
    SupplierMode,
)
from negotiations.services.context import next_side
from negotiations.services.errors import ProcurError
from negotiations.services.evaluation import negotiation_ended
from negotiations.services.history import record_action
from negotiations.services.moves import await_supplier, is_invited
from negotiations.services.summary import figures_changed, negotiations_summarise
from negotiations.services.transcript import (
    append_message,
    clean_text,
    lock_negotiation,
    lock_quote,
    post_once,
)

PAUSABLE = (
    *RUNNING_STATUSES,
    NegotiationStatus.WAITING_FOR_STAFF,
    NegotiationStatus.WAITING_FOR_SUPPLIER,
)
OPEN = (*PAUSABLE, NegotiationStatus.PAUSED)


def _who(author) -> str:
    return author.get_username() if author else "staff"


def _ensure_open(negotiation: Negotiation, doing: str) -> None:
    if negotiation.is_ended:
        raise ProcurError(
            f"The negotiation with {negotiation.supplier.name} has ended "
            f"({negotiation.get_status_display().lower()}); you can no longer {doing}."
        )


def _brand_moves_next(negotiation: Negotiation) -> bool:
    agent_messages = list(
        negotiation.messages.filter(sender__in=(Sender.BRAND, Sender.SUPPLIER)).order_by("seq")
    )
    return next_side(agent_messages) is Side.BRAND


def negotiation_guide(
    *, negotiation: Negotiation, author, text: str, client_id: str | None = None
) -> Message:
    """Staff guidance for the brand agent, followed on its next turn."""
    text = clean_text(text, "the guidance", field="text")

    def build(negotiation: Negotiation) -> Message:
        _ensure_open(negotiation, "guide it")
        guidance = parse_guidance(text)
        message = append_message(
            negotiation,
            sender=Sender.STAFF,
            action=Message.GUIDANCE,
            text=text,
            author=author,
            client_id=client_id,
            guidance=guidance.to_dict(),
        )
        if guidance.unapplied:
            append_message(
                negotiation,
                sender=Sender.SYSTEM,
                text="The brand agent cannot apply this: " + "; ".join(guidance.unapplied),
            )
        if guidance.pause and negotiation.status in OPEN:
            _pause(negotiation, author)
        elif negotiation.status == NegotiationStatus.ACTIVE and _brand_moves_next(negotiation):
            # The brand is next: let it act on the guidance now rather than after a delay.
            enqueue_turn(negotiation, negotiation.turns_taken + 1)
        negotiation.save(update_fields=["last_activity_at"])
        return message

    return post_once(negotiation.pk, client_id, build)


def negotiation_message_supplier(
    *, negotiation: Negotiation, author, text: str, client_id: str | None = None
) -> Message:
    """Staff writing to an invited supplier themselves: shared (the supplier reads it in the
    portal, signed as staff), unlike guidance, which only the brand agent reads. It changes no
    turn: the negotiation waits on whoever it waited on."""
    text = clean_text(text, "the message to the supplier", field="text")

    def build(negotiation: Negotiation) -> Message:
        _ensure_open(negotiation, "write to the supplier")
        if negotiation.supplier_mode != SupplierMode.INVITED:
            raise ProcurError(
                "This supplier is simulated: its agent reads only the brand agent's messages. "
                "Guide the brand agent instead."
            )
        message = append_message(
            negotiation,
            sender=Sender.STAFF,
            action=Message.TO_SUPPLIER,
            text=text,
            author=author,
            client_id=client_id,
        )
        negotiation.save(update_fields=["last_activity_at"])
        return message

    return post_once(negotiation.pk, client_id, build)


def negotiation_answer(
    *, negotiation: Negotiation, author, text: str, client_id: str | None = None
) -> Message:
    """Answer the brand agent's question; the negotiation resumes where it stopped.

    The answer is internal, but one to a question the supplier asked is meant for the supplier:
    the brand's next message relays it. An answer allowing partial shipments (or a partial
    order) relaxes the brand's quantity limit to the minimum it states (see
    :func:`negotiations.services.context.effective_brand`).
    """
    text = clean_text(text, "the answer", field="text")

    def build(negotiation: Negotiation) -> Message:
        _ensure_open(negotiation, "answer its question")
        if negotiation.status != NegotiationStatus.WAITING_FOR_STAFF:
            raise ProcurError("The brand agent has no open question in this negotiation.")
        question = selectors.open_question(negotiation)
        message = append_message(
            negotiation,
            sender=Sender.STAFF,
            action=Message.ANSWER,
            text=text,
            author=author,
            client_id=client_id,
        )
        quote = lock_quote(negotiation.quote_id)
        asked = question.question if question else ""
        quote.clarifications = [
            *quote.clarifications,
            {
                "question": asked,
                "answer": text,
                "negotiation": negotiation.pk,
                "for_supplier": asked.startswith(SUPPLIER_ASKS),
            },
        ]
        quote.save(update_fields=["clarifications"])
        negotiation.status = NegotiationStatus.ACTIVE
        negotiation.save(update_fields=["status", "last_activity_at"])
        # To the supplier the brand was preparing its reply, and still is (status_for_supplier).
        push_state(negotiation, supplier_sees=False)
        enqueue_turn(negotiation, negotiation.turns_taken + 1)
        return message

    return post_once(negotiation.pk, client_id, build)


def _pause(negotiation: Negotiation, author) -> None:
    """Pausing stops an invited supplier's clock: no reminder, no deadline while paused."""
    negotiation.status = NegotiationStatus.PAUSED
    negotiation.reply_due_at = negotiation.remind_at = None
    append_message(
        negotiation, sender=Sender.SYSTEM, text=f"Paused by {_who(author)}.", author=author
    )
    negotiation.save(update_fields=["status", "reply_due_at", "remind_at", "last_activity_at"])
    push_state(negotiation, supplier_sees=True)


def _resume(negotiation: Negotiation, author) -> None:
    """Back to where it stopped: the open question waits for staff, an invited supplier whose
    turn it is gets a fresh reply window (no agent answers for it), else the next turn runs."""
    waiting = selectors.open_question(negotiation) is not None
    if waiting:
        negotiation.status = NegotiationStatus.WAITING_FOR_STAFF
    elif is_invited(negotiation) and not _brand_moves_next(negotiation):
        await_supplier(negotiation)
    else:
        negotiation.status = NegotiationStatus.ACTIVE
    append_message(
        negotiation, sender=Sender.SYSTEM, text=f"Resumed by {_who(author)}.", author=author
    )
    negotiation.save(update_fields=["status", "reply_due_at", "remind_at", "last_activity_at"])
    push_state(negotiation, supplier_sees=True)
    if negotiation.status == NegotiationStatus.ACTIVE:
        enqueue_turn(negotiation, negotiation.turns_taken + 1)


def _cancel(negotiation: Negotiation, author) -> None:
    negotiation.status = NegotiationStatus.CANCELLED
    negotiation.ended_at = timezone.now()
    negotiation.lease_token, negotiation.lease_expires_at = "", None
    negotiation.reply_due_at = negotiation.remind_at = None
    append_message(
        negotiation, sender=Sender.SYSTEM, text=f"Cancelled by {_who(author)}.", author=author
    )
    negotiation.save(
        update_fields=[
            "status",
            "ended_at",
            "lease_token",
            "lease_expires_at",
            "reply_due_at",
            "remind_at",
            "last_activity_at",
        ]
    )
    push_state(negotiation, supplier_sees=True)


def negotiation_pause(*, negotiation: Negotiation, author=None) -> Negotiation:
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        _ensure_open(negotiation, "pause it")
        if negotiation.status not in PAUSABLE:
            raise ProcurError("This negotiation is already paused.")
        _pause(negotiation, author)
    return negotiation


def negotiation_resume(*, negotiation: Negotiation, author=None) -> Negotiation:
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        _ensure_open(negotiation, "resume it")
        if negotiation.status != NegotiationStatus.PAUSED:
            raise ProcurError("Only a paused negotiation can be resumed.")
        _resume(negotiation, author)
    return negotiation


def negotiation_cancel(*, negotiation: Negotiation, author=None) -> Negotiation:
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        _ensure_open(negotiation, "cancel it")
        _cancel(negotiation, author)
        negotiation_ended(negotiation)
    return negotiation


def negotiation_retry(*, negotiation: Negotiation, author=None) -> Negotiation:
    """Give a failed negotiation another go from the turn that failed."""
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        if negotiation.status != NegotiationStatus.FAILED:
            raise ProcurError("Only a failed negotiation can be retried.")
        quote = lock_quote(negotiation.quote_id)
        if quote.status not in (QuoteStatus.NEGOTIATING, QuoteStatus.AWAITING_APPROVAL):
            raise ProcurError(
                f"This quote is {quote.get_status_display().lower()}; its negotiations are final."
            )
        negotiation.status = NegotiationStatus.ACTIVE
        negotiation.error = ""
        negotiation.turn_deliveries = 0
        negotiation.ended_at = None
        append_message(
            negotiation, sender=Sender.SYSTEM, text=f"Retried by {_who(author)}.", author=author
        )
        negotiation.save(
            update_fields=["status", "error", "turn_deliveries", "ended_at", "last_activity_at"]
        )
        if quote.status != QuoteStatus.NEGOTIATING:
            quote.status, quote.recommendation, quote.ended_at = QuoteStatus.NEGOTIATING, None, None
            quote.save(update_fields=["status", "recommendation", "ended_at"])
        figures_changed(quote)  # no longer an ended negotiation
        push_state(negotiation, supplier_sees=True)
        enqueue_turn(negotiation, negotiation.turns_taken + 1)
    return negotiation


def negotiation_requeue(*, negotiation: Negotiation) -> None:
    """Enqueue the next turn of a negotiation whose task was lost (stalled)."""
    with transaction.atomic():
        negotiation = lock_negotiation(negotiation.pk)
        if negotiation.status not in RUNNING_STATUSES:
            raise ProcurError(
                f"Only a running negotiation can be requeued "
                f"(this one is {negotiation.get_status_display().lower()})."
            )
        # Counts as activity, so the stall sweep waits a full period before sending another copy.
        negotiation.last_activity_at = timezone.now()
        negotiation.save(update_fields=["last_activity_at"])
        enqueue_turn(negotiation, negotiation.turns_taken + 1)


def _for_each(quote: Quote, statuses, action: Callable[[Negotiation], None]) -> int:
    """Apply ``action`` to each negotiation in ``statuses``, row-locked in pk order."""
    done = 0
    for pk in quote.negotiations.order_by("pk").values_list("pk", flat=True):
        negotiation = lock_negotiation(pk)
        if negotiation.status in statuses:
            action(negotiation)
            done += 1
    return done


def quote_guide(*, quote: Quote, author, text: str, client_id: str | None = None) -> list[Message]:
    """The same guidance to each of the quote's negotiations that is still open."""
    clean_text(text, "the guidance", field="text")
    messages = [
        negotiation_guide(
            negotiation=negotiation,
            author=author,
            text=text,
            client_id=f"{client_id}:{negotiation.slot}" if client_id else None,
        )
        for negotiation in quote.negotiations.select_related("supplier").order_by("slot")
        if not negotiation.is_ended
    ]
    if not messages:
        raise ProcurError("All of this quote's negotiations have ended; there is no one to guide.")
    return messages


def quote_pause(*, quote: Quote, author=None) -> Quote:
    with transaction.atomic():
        if not _for_each(quote, PAUSABLE, lambda n: _pause(n, author)):
            raise ProcurError("No negotiation of this quote is running.")
    return quote


def quote_resume(*, quote: Quote, author=None) -> Quote:
    with transaction.atomic():
        if not _for_each(quote, (NegotiationStatus.PAUSED,), lambda n: _resume(n, author)):
            raise ProcurError("No negotiation of this quote is paused.")
    return quote


def quote_cancel(*, quote: Quote, author=None) -> Quote:
    with transaction.atomic():
        _for_each(quote, OPEN, lambda n: _cancel(n, author))
        quote = lock_quote(quote.pk)
        if quote.status in (QuoteStatus.AWARDED, QuoteStatus.CLOSED, QuoteStatus.CANCELLED):
            raise ProcurError(f"This quote is already {quote.get_status_display().lower()}.")
        quote.status = QuoteStatus.CANCELLED
        quote.ended_at = timezone.now()
        record_action(quote, author, "Cancelled the quote")
        quote.save(update_fields=["status", "ended_at"])
        # What negotiation_ended stores for each negotiation just cancelled.
        negotiations_summarise(quote.negotiations.all())
        figures_changed(quote)
        push_quote(quote.pk)
    return quote
