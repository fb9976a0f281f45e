"""The whole record of a quote as one JSON document, streamed (its messages can be many).

Top-level keys: ``quote``, ``negotiations`` (each with its outcome and LLM totals), ``messages``,
``recommendation`` (with the ranking of outcomes), ``award``, ``audit_trail`` and ``agent_calls``
(tokens, cost and latency; never the prompts or raw model output).
"""

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from negotiations import selectors
from negotiations.models import AgentCall, Message, Quote
from records import audit
from records.exports.transcript import CHUNK

COST_PLACES = Decimal("0.000001")  # AgentCall.cost_usd's decimal places
MESSAGE_FIELDS = (
    "id",
    "negotiation_id",
    "seq",
    "round",
    "created_at",
    "sender",
    "audience",
    "action",
    "text",
    "terms",
    "strategies",
    "rationale",
    "question",
    "verdict",
    "guidance",
    "guardrail_violations",
)
AGENT_CALL_FIELDS = (
    "negotiation_id",
    "turn",
    "side",
    "voice",
    "model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cost_usd",
    "latency_ms",
    "fallback_reason",
    "created_at",
)


def _dumps(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder)


def _fields(obj: Model, exclude: tuple[str, ...] = ()) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in exclude
    }


def _quote(quote: Quote) -> dict:
    created_by = quote.created_by.get_username() if quote.created_by else None
    return {
        **_fields(quote, exclude=("recommendation",)),
        "created_by": created_by,
        "status_display": quote.get_status_display(),
    }


def _negotiations(quote: Quote) -> list[dict]:
    rows = []
    for n in selectors.negotiations_for_quote(quote):
        rows.append(
            {
                **_fields(n, exclude=("lease_token", "lease_expires_at", "turn_deliveries")),
                "supplier": {"id": n.supplier_id, "name": n.supplier.name},
                "supplier_list_price": n.supplier.list_price,
                "llm_tokens": n.llm_tokens,
                # SQLite sums decimals as floats: the stored six places, whatever the database.
                "llm_cost_usd": n.llm_cost.quantize(COST_PLACES),
            }
        )
    return rows


def _messages(quote: Quote) -> Iterator[dict]:
    rows = (
        Message.objects.filter(negotiation__quote=quote)
        .order_by("negotiation__slot", "seq")
        .values(*MESSAGE_FIELDS, "author__username")
        .iterator(chunk_size=CHUNK)
    )
    for row in rows:
        yield {
            **{name: row[name] for name in MESSAGE_FIELDS},
            "author": row["author__username"],
        }


def _agent_calls(quote: Quote) -> Iterator[dict]:
    return (
        AgentCall.objects.filter(negotiation__quote=quote)
        .order_by("negotiation__slot", "turn", "created_at")
        .values(*AGENT_CALL_FIELDS)
        .iterator(chunk_size=CHUNK)
    )


def _award(quote: Quote) -> dict | None:
    decided = audit.decision(quote)
    if decided is None:
        return None
    winner = quote.awarded_negotiation
    return {
        "status": quote.status,
        "negotiation_id": winner.pk if winner else None,
        "supplier": winner.supplier.name if winner else None,
        "final_terms": winner.final_terms if winner else None,
        "decided_by": decided.who,
        "decided_at": decided.at,
        "decision": decided.action,
    }


def _array(items: Iterable) -> Iterator[str]:
    yield "["
    for index, item in enumerate(items):
        yield ("," if index else "") + _dumps(item)
    yield "]"


def quote_record_json(quote: Quote) -> Iterator[str]:
    """The document in pieces: small parts whole, messages and agent calls row by row."""
    parts: list[tuple[str, Iterator[str]]] = [
        ("quote", iter([_dumps(_quote(quote))])),
        ("negotiations", iter([_dumps(_negotiations(quote))])),
        ("messages", _array(_messages(quote))),
        ("recommendation", iter([_dumps(quote.recommendation)])),
        ("award", iter([_dumps(_award(quote))])),
        ("audit_trail", iter([_dumps([e.as_dict() for e in audit.audit_trail(quote)])])),
        ("agent_calls", _array(_agent_calls(quote))),
    ]
    yield "{"
    for index, (key, pieces) in enumerate(parts):
        yield ("," if index else "") + _dumps(key) + ":"
        yield from pieces
    yield "}\n"
