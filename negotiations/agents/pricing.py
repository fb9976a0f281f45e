"""What an Anthropic call cost, from its token usage.

USD per million tokens, by model family (Anthropic's published list prices). Cache writes
(5-minute ephemeral cache) cost 1.25 times the input price, cache reads 0.1 times.
A model matching no family is priced as Sonnet, so cost reports stay an estimate rather than
zero; add a row when a new family ships.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

CACHE_WRITE_FACTOR = Decimal("1.25")
CACHE_READ_FACTOR = Decimal("0.1")
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Price:
    input: Decimal
    output: Decimal


# Longest prefix wins: "claude-opus-4-5" before "claude-opus-4".
PRICES: dict[str, Price] = {
    "claude-opus-4-5": Price(Decimal("5"), Decimal("25")),
    "claude-opus-4": Price(Decimal("15"), Decimal("75")),
    "claude-3-opus": Price(Decimal("15"), Decimal("75")),
    "claude-sonnet-4": Price(Decimal("3"), Decimal("15")),
    "claude-3-7-sonnet": Price(Decimal("3"), Decimal("15")),
    "claude-3-5-sonnet": Price(Decimal("3"), Decimal("15")),
    "claude-haiku-4": Price(Decimal("1"), Decimal("5")),
    "claude-3-5-haiku": Price(Decimal("0.80"), Decimal("4")),
    "claude-3-haiku": Price(Decimal("0.25"), Decimal("1.25")),
}
DEFAULT_PRICE = PRICES["claude-sonnet-4"]


def price_for(model: str) -> Price:
    matches = [prefix for prefix in PRICES if model.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else DEFAULT_PRICE


def call_cost(
    model: str,
    *,
    input_tokens: int,
    cache_read_tokens: int,
    cache_write_tokens: int,
    output_tokens: int,
) -> Decimal:
    """Cost in USD, to the micro-dollar (the precision ``AgentCall.cost_usd`` stores)."""
    price = price_for(model)
    total = (
        input_tokens * price.input
        + cache_write_tokens * price.input * CACHE_WRITE_FACTOR
        + cache_read_tokens * price.input * CACHE_READ_FACTOR
        + output_tokens * price.output
    ) / MILLION
    return total.quantize(Decimal("0.000001"))
