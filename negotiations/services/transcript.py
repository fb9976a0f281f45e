"""Appending to a negotiation's transcript, and the locks that go with it.

Every write to a negotiation happens with its row locked (``lock_negotiation``) inside a
transaction, so the next ``seq`` is taken by one writer at a time and never twice.
"""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from negotiations.after_commit import push_message
from negotiations.models import Message, Negotiation, Quote, Sender, message_audience
from negotiations.services.errors import ProcurError

# The longest text a person may post: staff's guidance, answers and messages to the supplier, and
# the supplier's messages and reasons.
MAX_TEXT = 2000


def lock_negotiation(negotiation_id: int) -> Negotiation:
    """The negotiation, row-locked until the transaction ends. Its quote and supplier load on
    first use: the turn's commit, the most frequent caller, needs neither."""
    return Negotiation.objects.select_for_update().get(pk=negotiation_id)


def lock_quote(quote_id: int) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote_id)


def append_message(
    negotiation: Negotiation,
    *,
    sender: Sender,
    text: str,
    action: str = "message",
    seq: int | None = None,
    **fields,
) -> Message:
    """Store the next message of a locked negotiation and push it to the room after commit.

    ``seq`` is the next seq when the caller knows it; otherwise it is read. The caller saves
    ``last_activity_at`` (set here) with the negotiation: a turn's commit relies on that value
    changing whenever a message is appended, to know that none came in while its agent moved.
    """
    if seq is None:
        seq = (negotiation.messages.aggregate(last=Max("seq"))["last"] or 0) + 1
    message = Message.objects.create(
        negotiation=negotiation,
        seq=seq,
        round=negotiation.round,
        sender=sender,
        action=action,
        audience=message_audience(sender, action),
        text=text,
        **fields,
    )
    negotiation.last_activity_at = timezone.now()
    push_message(message)
    return message


def post_once(
    negotiation_id: int, client_id: str | None, build: Callable[[Negotiation], Message]
) -> Message:
    """Store a posted message once per ``client_id``, whatever the retries and races.

    ``build`` runs with the negotiation locked, unless the message is stored already: then the
    stored one is returned (a staff post or a supplier's reply submitted twice).
    """
    try:
        with transaction.atomic():
            negotiation = lock_negotiation(negotiation_id)
            existing = (
                negotiation.messages.filter(client_id=client_id).first() if client_id else None
            )
            if existing:
                return existing
            return build(negotiation)
    except IntegrityError:
        # A concurrent copy of the same post won the unique (negotiation, client_id) race.
        existing = Message.objects.filter(
            negotiation_id=negotiation_id, client_id=client_id
        ).first()
        if existing is None:
            raise
        return existing


def clean_text(text: str | None, what: str, *, field: str, required: bool = True) -> str:
    """A person's text to post, stripped; refused (a ``ProcurError`` on ``field``) when empty
    and ``required``, or longer than ``MAX_TEXT``. ``what`` names it to its writer: "the
    guidance", "your reason"."""
    text = (text or "").strip()
    if required and not text:
        raise ProcurError(f"Write {what} first.", {field: ["This field is required."]})
    if len(text) > MAX_TEXT:
        raise ProcurError(
            f"Keep {what} under {MAX_TEXT} characters.",
            {field: [f"At most {MAX_TEXT} characters."]},
        )
    return text
