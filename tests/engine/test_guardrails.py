"""Hard limits: property-based proofs that no outgoing move ever breaks them."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from negotiations.engine import (
    Action,
    BrandNegotiator,
    BrandPreferences,
    Directive,
    Move,
    NegotiationState,
    Side,
    SupplierNegotiator,
    SupplierPreferences,
    Terms,
    brand_limit_violations,
    enforce_brand_limits,
    enforce_supplier_limits,
    standing_offer,
    supplier_limit_violations,
)
from tests.engine.generators import brand_prefs, histories, moves, supplier_prefs, terms

LIMITED = (Action.PROPOSE, Action.COUNTER, Action.ACCEPT)


@given(moves(), brand_prefs(), st.none() | terms())
def test_enforced_brand_moves_never_break_its_limits(
    move: Move, prefs: BrandPreferences, standing: Terms | None
) -> None:
    out = enforce_brand_limits(move, prefs, standing).move
    if out.terms is not None:
        assert brand_limit_violations(out.terms, prefs) == []
    if out.action is Action.ACCEPT:
        assert standing is None or out.terms == standing


@given(moves(), supplier_prefs(), st.integers(1, 20_000), st.none() | terms())
def test_enforced_supplier_moves_never_break_its_limits(
    move: Move, prefs: SupplierPreferences, quantity: int, standing: Terms | None
) -> None:
    out = enforce_supplier_limits(move, prefs, quantity, standing).move
    if out.terms is not None:
        assert supplier_limit_violations(out.terms, prefs, quantity) == []


@given(brand_prefs(), terms())
def test_brand_never_accepts_an_offer_beyond_its_limits(
    prefs: BrandPreferences, offer: Terms
) -> None:
    result = enforce_brand_limits(Move(Action.ACCEPT, offer), prefs, offer)
    if brand_limit_violations(offer, prefs):
        assert result.move.action is not Action.ACCEPT
        assert result.violations
    else:
        assert result.move == Move(Action.ACCEPT, offer)


@given(supplier_prefs(), terms())
def test_supplier_never_accepts_an_offer_beyond_its_limits(
    prefs: SupplierPreferences, offer: Terms
) -> None:
    result = enforce_supplier_limits(Move(Action.ACCEPT, offer), prefs, offer.quantity, offer)
    if supplier_limit_violations(offer, prefs, offer.quantity):
        assert result.move.action is not Action.ACCEPT
        assert result.violations


def test_brand_accept_above_its_cap_becomes_a_compliant_counter() -> None:
    prefs = BrandPreferences(
        quantity=100,
        target_price=Decimal("10"),
        max_price=Decimal("12"),
        max_lead_time_days=30,
        weights=__import__("negotiations.engine").engine.Weights(1, 1, 1),
    )
    offer = Terms(Decimal("12.50"), 100, 35, 30, 12)
    result = enforce_brand_limits(Move(Action.ACCEPT, offer), prefs, offer)
    assert result.move.action is Action.COUNTER
    assert result.move.terms == Terms(Decimal("12.00"), 100, 30, 30, 12)
    assert len(result.violations) == 2
    assert result.move.violations == result.violations


@settings(max_examples=300, deadline=None)
@given(
    st.data(),
    brand_prefs(),
    st.integers(1, 12),
    st.integers(0, 2),
    st.none() | st.sampled_from(list(Directive)),
    st.lists(terms(), max_size=3),
    st.integers(0, 2**32),
)
def test_brand_negotiator_never_needs_its_guardrails(
    data: st.DataObject,
    prefs: BrandPreferences,
    max_rounds: int,
    questions: int,
    directive: Directive | None,
    competing: list[Terms],
    seed: int,
) -> None:
    rnd = data.draw(st.integers(1, max_rounds))
    history = data.draw(histories(rnd, Side.BRAND))
    state = NegotiationState(rnd, max_rounds, history, tuple(competing), questions, (), directive)
    move = BrandNegotiator(prefs, seed).respond(state)
    assert move.violations == ()
    if move.action in LIMITED:
        assert move.terms is not None
        assert brand_limit_violations(move.terms, prefs) == []
    if move.action is Action.ACCEPT:
        assert move.terms == standing_offer(history, Side.SUPPLIER)


@settings(max_examples=300, deadline=None)
@given(st.data(), supplier_prefs(), st.integers(1, 12), st.integers(0, 2**32))
def test_supplier_negotiator_never_needs_its_guardrails(
    data: st.DataObject, prefs: SupplierPreferences, max_rounds: int, seed: int
) -> None:
    rnd = data.draw(st.integers(1, max_rounds))
    history = data.draw(histories(rnd, Side.SUPPLIER))
    move = SupplierNegotiator(prefs, seed).respond(NegotiationState(rnd, max_rounds, history))
    requested = standing_offer(history, Side.BRAND)
    quantity = requested.quantity if requested else prefs.capacity
    assert move.violations == ()
    if move.action in LIMITED:
        assert move.terms is not None
        assert supplier_limit_violations(move.terms, prefs, quantity) == []
    if move.action is Action.ACCEPT:
        assert move.terms == requested
