"""A quote's audit trail: every human action on it, with who, when and what.

Read from three stored records, no table of its own:
- the quote's model history (django-simple-history): created, started, cancelled, awarded,
  closed, each named by its service (``services/history.record_action``), and edits of the
  request in the admin;
- the model history of its suppliers: edits made while the quote was open;
- staff messages of its negotiations: guidance and answers, and the notes of a pause, resume,
  cancel or retry, which carry their author.

One human action is one entry: a quote-wide pause, resume or guidance writes a note in each
negotiation, shown as one entry naming every supplier; the notes of a quote-wide cancel are
that cancellation's, already listed from the quote's history.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

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
# A state change's note (services/staff.py): "Paused by alice."
STATE_NOTE = re.compile(r"^(\w+) by ")
# The notes one quote-wide action writes, one per negotiation, in one transaction: well within
# a second of each other, and far quicker than a person acts twice.
ONE_ACTION = timedelta(seconds=1)
CANCELLED_QUOTE = "Cancelled the quote"


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


def _same_action(entry: AuditEntry, first: AuditEntry, suppliers: str) -> bool:
    return (
        (entry.who, entry.action, entry.detail) == (first.who, first.action, first.detail)
        and entry.at - first.at <= ONE_ACTION
        and entry.supplier not in suppliers.split(", ")
    )


def _one_per_action(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """The notes of one action in several negotiations (in time order) as one entry naming
    every supplier."""
    grouped: list[tuple[AuditEntry, str]] = []  # (first note, suppliers so far)
    for entry in entries:
        if grouped and _same_action(entry, *grouped[-1]):
            first, suppliers = grouped[-1]
            grouped[-1] = (first, f"{suppliers}, {entry.supplier}")
        else:
            grouped.append((entry, entry.supplier))
    return [replace(first, supplier=suppliers) for first, suppliers in grouped]


def _note_action(text: str, who: str) -> str:
    """The action a person's system note records: "Paused by alice." (services/staff.py) is
    "Paused the negotiation"; any other note (a supplier link issued or revoked) says it in
    full, without its author's name in front."""
    state = STATE_NOTE.match(text)
    if state:
        return f"{state[1]} the negotiation"
    text = text.removeprefix(f"{who} ").rstrip(".")
    return text[:1].upper() + text[1:]


def _message_entries(quote: Quote) -> list[AuditEntry]:
    messages = (
        Message.objects.filter(negotiation__quote=quote, author__isnull=False)
        .select_related("author", "negotiation__supplier")
        .order_by("created_at", "pk")
    )
    entries = []
    for message in messages:
        if message.sender == Sender.STAFF:
            action = STAFF_ACTIONS.get(message.action, "Message")
        else:
            action = _note_action(message.text, _name(message.author))
        entries.append(
            AuditEntry(
                message.created_at,
                _name(message.author),
                action,
                message.text if message.sender == Sender.STAFF else "",
                supplier=message.negotiation.supplier.name,
            )
        )
    return _one_per_action(entries)


def _part_of_cancelling_the_quote(entry: AuditEntry, quote_entries: list[AuditEntry]) -> bool:
    return entry.action == "Cancelled the negotiation" and any(
        other.action == CANCELLED_QUOTE
        and other.who == entry.who
        and timedelta(0) <= other.at - entry.at <= ONE_ACTION
        for other in quote_entries
    )


def audit_trail(quote: Quote) -> list[AuditEntry]:
    """Every human action on the quote, oldest first."""
    quote_entries = list(_quote_entries(quote))
    notes = [
        entry
        for entry in _message_entries(quote)
        if not _part_of_cancelling_the_quote(entry, quote_entries)
    ]
    entries = [*quote_entries, *_supplier_entries(quote), *notes]
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
