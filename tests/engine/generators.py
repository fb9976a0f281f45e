"""Hypothesis strategies for engine preferences, terms, moves and histories."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from negotiations.engine import (
    BRAND_PROFILES,
    PAYMENT_TERMS_DAYS,
    TEMPERAMENTS,
    Action,
    BrandPreferences,
    Move,
    SupplierPreferences,
    Terms,
    Turn,
    Weights,
)
from negotiations.engine.moves import Side

prices = st.decimals(min_value=Decimal("0.50"), max_value=Decimal("500"), places=2)


@st.composite
def weights(draw: st.DrawFn) -> Weights:
    values = [draw(st.floats(0, 1)) for _ in range(4)]
    if sum(values) <= 0:
        values[0] = 1.0
    return Weights(*values)


@st.composite
def brand_prefs(draw: st.DrawFn) -> BrandPreferences:
    target = draw(prices)
    max_lead = draw(st.integers(1, 120))
    quantity = draw(st.integers(1, 10_000))
    return BrandPreferences(
        quantity=quantity,
        min_quantity=draw(st.none() | st.integers(1, quantity)),
        target_price=target,
        max_price=target * draw(st.decimals(min_value=1, max_value=2, places=2)),
        max_lead_time_days=max_lead,
        weights=draw(weights()),
        ideal_lead_time_days=draw(st.none() | st.integers(0, max_lead)),
        profile=draw(st.sampled_from(sorted(BRAND_PROFILES))),
        target_warranty_months=draw(st.sampled_from((0, 6, 12, 24))),
    )


@st.composite
def supplier_prefs(draw: st.DrawFn) -> SupplierPreferences:
    floor = draw(prices)
    return SupplierPreferences(
        cost_floor=floor,
        list_price=floor * draw(st.decimals(min_value=1, max_value=2, places=2)),
        fastest_lead_time_days=draw(st.integers(0, 90)),
        preferred_payment_terms_days=draw(st.sampled_from(PAYMENT_TERMS_DAYS)),
        capacity=draw(st.integers(0, 20_000)),
        temperament=draw(st.sampled_from(sorted(TEMPERAMENTS))),
        weights=draw(st.none() | weights()),
    )


@st.composite
def terms(draw: st.DrawFn, quantity: int | None = None) -> Terms:
    return Terms(
        unit_price=draw(st.decimals(min_value=0, max_value=1000, places=2)),
        quantity=quantity if quantity is not None else draw(st.integers(1, 20_000)),
        lead_time_days=draw(st.integers(0, 200)),
        payment_terms_days=draw(st.sampled_from(PAYMENT_TERMS_DAYS)),
        warranty_months=draw(st.integers(0, 36)),
    )


@st.composite
def moves(draw: st.DrawFn) -> Move:
    action = draw(st.sampled_from(list(Action)))
    has_terms = action in (Action.PROPOSE, Action.COUNTER, Action.ACCEPT) or draw(st.booleans())
    return Move(
        action,
        terms=draw(terms()) if has_terms else None,
        question=draw(st.none() | st.just("Are partial shipments acceptable?")),
    )


@st.composite
def histories(draw: st.DrawFn, rounds: int, next_side: Side) -> tuple[Turn, ...]:
    """Random offer histories up to (not including) ``next_side``'s move in round ``rounds``;
    both sides' offers are arbitrary (often outside anyone's limits), nobody has closed yet."""
    offer_moves = st.builds(
        Move,
        st.sampled_from((Action.COUNTER, Action.MESSAGE)),
        terms(),
        question=st.none() | st.just("Are partial shipments acceptable?"),
    )
    turns: list[Turn] = []
    for round_ in range(1, rounds + 1):
        for side in (Side.BRAND, Side.SUPPLIER):
            if round_ == rounds and side is next_side:
                return tuple(turns)
            turns.append(Turn(side, draw(offer_moves), round_))
    return tuple(turns)
