"""What an agent turn takes in and gives back.

The orchestration translates models into an :class:`AgentContext`; :func:`take_turn` answers with
an :class:`AgentTurn` whose :class:`CallRecord` s become ``AgentCall`` rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from negotiations.agents.disclosure import Confidential
from negotiations.engine.moves import Move, NegotiationState, Side
from negotiations.engine.preferences import BrandPreferences, SupplierPreferences
from negotiations.engine.terms import Terms


class AgentUnavailable(Exception):
    """The language model could not be reached after the SDK's own retries.

    The turn task catches it and retries the turn later with backoff.
    """


@dataclass(frozen=True)
class QuoteFacts:
    product: str
    description: str
    quantity: int
    unit: str
    currency: str
    requirements: str
    needed_by: date


@dataclass(frozen=True)
class TranscriptLine:
    """One message of the negotiation as an agent sees it (``sender``: brand, supplier,
    staff or system)."""

    seq: int
    round: int
    sender: str
    action: str
    text: str
    terms: Terms | None = None


@dataclass(frozen=True)
class AgentContext:
    """Everything one side needs for its move.

    ``brand`` is the brand's effective preferences (after staff guidance), None in the
    supplier's context; ``guidance_notes`` say how the brand applied staff guidance since its
    last move (for the brand's model and for staff, never for its message). ``transcript`` is
    every message the side may read: the brand's, all of them; the supplier's, the shared ones.
    ``confidential`` is what the brand's messages must not disclose (empty for the supplier);
    ``relay`` is staff's answer to the supplier's question, which the brand's next message
    passes on.
    """

    side: Side
    turn: int
    state: NegotiationState
    brand: BrandPreferences | None
    supplier: SupplierPreferences
    quote: QuoteFacts
    supplier_name: str
    transcript: tuple[TranscriptLine, ...] = ()
    guidance_notes: tuple[str, ...] = ()
    confidential: Confidential = dataclasses.field(default_factory=Confidential)
    relay: str = ""
    seed: int = 0


@dataclass(frozen=True)
class CallRecord:
    """The trace of one agent decision (one per LLM request; one for a scripted turn)."""

    voice: str
    model: str
    engine_input: dict
    prompt: dict | None
    raw_output: dict | None
    parsed_move: dict | None
    fallback_reason: str = ""
    input_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal("0")
    latency_ms: int = 0


@dataclass(frozen=True)
class AgentTurn:
    """The move to record, the message text for it, what the guardrails corrected, the calls."""

    move: Move
    text: str
    violations: tuple[str, ...]
    calls: tuple[CallRecord, ...]


def jsonable(value: Any) -> Any:
    """Dataclasses, enums, decimals and dates as JSON-safe values (for traces and prompts)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def engine_input(ctx: AgentContext) -> dict[str, Any]:
    """What the engine was asked, for the audit trace."""
    return {
        "side": ctx.side.value,
        "turn": ctx.turn,
        "seed": ctx.seed,
        "state": jsonable(ctx.state),
        "brand": jsonable(ctx.brand) if ctx.side is Side.BRAND else None,
        "supplier": jsonable(ctx.supplier) if ctx.side is Side.SUPPLIER else None,
        "guidance_notes": list(ctx.guidance_notes),
    }
