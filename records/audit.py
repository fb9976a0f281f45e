"""A quote's audit trail: every human action on it, with who, when and what.

Read from three stored records, no table of its own:
- the quote's model history (django-simple-history): created, started, cancelled, awarded,
  closed, each named by its service (``services/history.record_action``), and edits of the
  request in the admin;
- the model history of its suppliers: edits made while the quote was open;
- staff messages of its negotiations: guidance and answers, and the notes of a pause, resume,
  cancel or retry, which carry their author.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from negotiations.models import Message, Quote, Sender
from vendors.models import Supplier

# Fields only services change: a save touching nothing else is a consequence of an action that
# is recorded elsewhere (a turn, an answer, an evaluation), not an edit of the request.
LIFECYCLE_FIELDS = frozenset(
    {
        "status",
        "recommendation",
        "awarded_negotiation",
        "awarded_by",
        "awarded_at",
        "closed_by",
        "closed_at",
        "started_at",
        "ended_at",
        "questions_asked",
        "clarifications",
    }
)
# Staff messages that record what someone did (a system note carries its author only then).
STAFF_ACTIONS = {"guidance": "Guidance", "answer": "Answered the brand agent's question"}


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    who: str
    action: str
    detail: str = ""
    supplier: str = ""

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "who": self.who,
            "action": self.action,
            "detail": self.detail,
            "supplier": self.supplier,
        }


def _name(user) -> str:
    return user.get_username() if user is not None else "Procur"


def _edit_detail(record, model) -> str:
    """What an edit changed, as field names in the form's order ("" if only lifecycle fields)."""
    previous = record.prev_record
    if previous is None:
        return ""
    changed = {change.field for change in record.diff_against(previous).changes}
    changed -= LIFECYCLE_FIELDS | {"updated_at"}
    return ", ".join(
        str(field.verbose_name) for field in model._meta.concrete_fields if field.name in changed
    )


def _quote_entries(quote: Quote) -> Iterable[AuditEntry]:
    records = quote.history.select_related("history_user").order_by("history_date", "history_id")
    for record in records:
        if record.history_type == "+":
            # Created outside a request (a script, the demo): the quote's own author.
            who = record.history_user or quote.created_by
            yield AuditEntry(record.history_date, _name(who), "Created the request")
        elif record.history_change_reason:
            yield AuditEntry(
                record.history_date, _name(record.history_user), record.history_change_reason
            )
        elif record.history_user is not None and (detail := _edit_detail(record, Quote)):
            yield AuditEntry(
                record.history_date, _name(record.history_user), "Edited the request", detail
            )


def _supplier_entries(quote: Quote) -> Iterable[AuditEntry]:
    """Edits by people to the quote's suppliers between its creation and its end."""
    supplier_ids = list(quote.negotiations.values_list("supplier_id", flat=True))
    records = (
        Supplier.history.filter(
            id__in=supplier_ids,
            history_type="~",
            history_user__isnull=False,
            history_date__gte=quote.created_at,
            history_date__lte=quote.ended_at or timezone.now(),
        )
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for record in records:
        if detail := _edit_detail(record, Supplier):
            yield AuditEntry(
                record.history_date,
                _name(record.history_user),
                "Edited the supplier",
                detail,
                supplier=record.name,
            )


def _message_entries(quote: Quote) -> Iterable[AuditEntry]:
    messages = (
        Message.objects.filter(negotiation__quote=quote, author__isnull=False)
        .select_related("author", "negotiation__supplier")
        .order_by("created_at", "pk")
    )
    for message in messages:
        if message.sender == Sender.STAFF:
            action = STAFF_ACTIONS.get(message.action, "Message")
        else:  # "Paused by alice." and its kin (services/staff.py)
            action = message.text.split(" ", 1)[0] + " the negotiation"
        yield AuditEntry(
            message.created_at,
            _name(message.author),
            action,
            message.text if message.sender == Sender.STAFF else "",
            supplier=message.negotiation.supplier.name,
        )


def audit_trail(quote: Quote) -> list[AuditEntry]:
    """Every human action on the quote, oldest first."""
    entries = [*_quote_entries(quote), *_supplier_entries(quote), *_message_entries(quote)]
    return sorted(entries, key=lambda entry: entry.at)


def decision(quote: Quote) -> AuditEntry | None:
    """Who awarded the quote or closed it without award, and when (None while undecided)."""
    if quote.awarded_at is not None:
        winner = quote.awarded_negotiation
        action = f"Awarded to {winner.supplier.name}" if winner else "Awarded"
        return AuditEntry(quote.awarded_at, _name(quote.awarded_by), action)
    if quote.closed_at is not None:
        return AuditEntry(quote.closed_at, _name(quote.closed_by), "Closed without award")
    return None
