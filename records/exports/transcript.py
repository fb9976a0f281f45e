"""The transcript as CSV, one row per message, streamed: memory stays flat however long it is.

Rows are read with a database cursor (``QuerySet.iterator``) and written as they are read.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import tzinfo

from django.utils import timezone

from negotiations.engine.terms import TERM_FIELDS
from negotiations.models import Message, Negotiation, Quote
from negotiations.room.model import Audience, numbered_messages

STAFF_COLUMNS = (
    "quote",
    "supplier",
    "seq",
    "round",
    "time",
    "sender",
    "audience",
    "action",
    *TERM_FIELDS,
    "verdict",
    "strategies",
    "text",
)
# What a supplier may read of its own negotiation: no referee verdicts, no agents' strategies.
SHARED_COLUMNS = tuple(c for c in STAFF_COLUMNS if c not in ("audience", "verdict", "strategies"))
_READ = (
    *("negotiation_id", "seq", "round", "created_at", "sender", "audience", "action"),
    *("terms", "verdict", "strategies", "text"),
)
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1000


class _Echo:
    """A file whose ``write`` returns what it was given: ``csv.writer`` then yields lines."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: object) -> object:
    """The value, quoted if a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _rows(
    quote: Quote,
    suppliers: dict[int, str],
    messages: Iterable[dict],
    columns: tuple[str, ...],
    tz: tzinfo,
) -> Iterator[list]:
    yield list(columns)
    for message in messages:
        terms = message["terms"] or {}
        values = {
            "quote": str(quote),
            "supplier": suppliers[message["negotiation_id"]],
            "seq": message["seq"],
            "round": message["round"],
            "time": timezone.localtime(message["created_at"], tz).isoformat(),
            "sender": message["sender"],
            "audience": message["audience"],
            "action": message["action"],
            **{name: terms.get(name, "") for name in TERM_FIELDS},
            "verdict": message["verdict"],
            "strategies": "; ".join(message["strategies"] or []),
            "text": message["text"],
        }
        yield [safe_cell(values[column]) for column in columns]


def _stream(rows: Iterator[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def quote_transcript_csv(quote: Quote, *, tz: tzinfo | None = None) -> Iterator[str]:
    """Staff's export: every message of the quote's negotiations, by supplier slot then seq."""
    negotiations = Negotiation.objects.filter(quote=quote).select_related("supplier")
    suppliers = {n.pk: n.supplier.name for n in negotiations}
    messages = (
        Message.objects.filter(negotiation__quote=quote)
        .order_by("negotiation__slot", "seq")
        .values(*_READ)
        .iterator(chunk_size=CHUNK)
    )
    tz = tz or timezone.get_current_timezone()
    return _stream(_rows(quote, suppliers, messages, STAFF_COLUMNS, tz))


def negotiation_transcript_csv(
    negotiation: Negotiation, *, tz: tzinfo | None = None
) -> Iterator[str]:
    """The supplier-facing export: one negotiation, what the supplier side may read of it.

    Its ``seq`` numbers the shared messages 1, 2, ... as the portal does: the negotiation's own
    seq would count, by its gaps, the internal entries between them.
    """
    numbered = (
        numbered_messages(negotiation.pk, Audience.SUPPLIER)
        .values(*_READ, "number")
        .iterator(chunk_size=CHUNK)
    )
    messages = ({**message, "seq": message["number"]} for message in numbered)
    suppliers = {negotiation.pk: negotiation.supplier.name}
    tz = tz or timezone.get_current_timezone()
    return _stream(_rows(negotiation.quote, suppliers, messages, SHARED_COLUMNS, tz))
