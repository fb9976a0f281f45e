"""Hard limits: property-based proofs that no outgoing move ever breaks them."""

from __future__ import annotations

import dataclasses
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
    Turn,
    agreement_violations,
    brand_limit_violations,
    enforce_brand_limits,
    enforce_supplier_limits,
    standing_offer,
    supplier_limit_violations,
)
from negotiations.engine.guardrails import NOTHING_ON_THE_TABLE
from tests.engine.generators import brand_prefs, histories, moves, supplier_prefs, terms
from tests.engine.scenarios import BRAND, SUPPLIER, offer

LIMITED = (Action.PROPOSE, Action.COUNTER, Action.ACCEPT)


@given(moves(), brand_prefs(), st.none() | terms())
def test_enforced_brand_moves_never_break_its_limits(
    move: Move, prefs: BrandPreferences, standing: Terms | None
) -> None:
    out = enforce_brand_limits(move, prefs, standing).move
    if out.terms is not None:
        assert brand_limit_violations(out.terms, prefs) == []
    if out.action is Action.ACCEPT:
        assert standing is not None and out.terms == standing


@given(moves(), supplier_prefs(), st.integers(1, 20_000), st.none() | terms())
def test_enforced_supplier_moves_never_break_its_limits(
    move: Move, prefs: SupplierPreferences, quantity: int, standing: Terms | None
) -> None:
    out = enforce_supplier_limits(move, prefs, quantity, standing).move
    if out.terms is not None:
        assert supplier_limit_violations(out.terms, prefs, quantity) == []
    if out.action is Action.ACCEPT:
        assert standing is not None and out.terms == standing


@given(moves(), brand_prefs(), supplier_prefs())
def test_an_accept_with_nothing_on_the_table_becomes_a_reject(
    move: Move, brand: BrandPreferences, supplier: SupplierPreferences
) -> None:
    accept = Move(Action.ACCEPT, move.terms)

    for result in (
        enforce_brand_limits(accept, brand, None),
        enforce_supplier_limits(accept, supplier, brand.quantity, None),
    ):
        assert result.move.action is Action.REJECT and result.move.terms is None
        assert result.violations == (NOTHING_ON_THE_TABLE,)


def test_a_supplier_accept_of_terms_the_brand_never_offered_is_not_an_accept() -> None:
    brand_offer = offer("10.50")
    invented = offer("999")

    result = enforce_supplier_limits(Move(Action.ACCEPT, invented), SUPPLIER, 500, brand_offer)

    assert result.move.action is Action.COUNTER
    assert "accepted terms differ from the offer on the table" in result.violations
    assert agreement_violations(invented, brand_offer, BRAND, SUPPLIER, 500) == [
        "accepted terms differ from the offer on the table",
        "brand limit: unit price 999.00 above the maximum 12.00",
    ]


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
    agreed = tuple(competing[: data.draw(st.integers(0, len(competing)))])
    state = NegotiationState(
        rnd, max_rounds, history, tuple(competing), questions, (), directive, agreed
    )
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


def _guard(side: Side, move: Move, on_table: Terms | None, brand, supplier) -> Move:
    if side is Side.BRAND:
        return enforce_brand_limits(move, brand, on_table).move
    return enforce_supplier_limits(move, supplier, brand.quantity, on_table).move


@settings(max_examples=300, deadline=None)
@given(st.data(), brand_prefs(), supplier_prefs(), st.integers(2, 10), st.integers(0, 2**32))
def test_every_agreement_is_the_other_sides_standing_offer_inside_both_limits(
    data: st.DataObject,
    brand: BrandPreferences,
    supplier: SupplierPreferences,
    max_rounds: int,
    seed: int,
) -> None:
    """Random negotiations in which each move is the engine's or anything a language model
    might answer, put through the guardrails as every turn is: an ACCEPT that comes out is an
    agreement the commit stores."""
    negotiators = {
        Side.BRAND: BrandNegotiator(brand, seed),
        Side.SUPPLIER: SupplierNegotiator(supplier, seed + 1),
    }
    history: list[Turn] = []
    for round_ in range(1, max_rounds + 1):
        for side in (Side.BRAND, Side.SUPPLIER):
            state = NegotiationState(round_, max_rounds, tuple(history))
            if data.draw(st.integers(0, 3), label="engine moves unless 0"):
                move = negotiators[side].respond(state)
            else:
                move = data.draw(moves(), label="model's move")
            on_table = standing_offer(tuple(history), side.other)
            move = _guard(side, move, on_table, brand, supplier)
            history.append(Turn(side, move, round_))
            if move.action is Action.ACCEPT:
                assert on_table is not None and move.terms == on_table
                assert brand_limit_violations(move.terms, brand) == []
                assert supplier_limit_violations(move.terms, supplier, brand.quantity) == []
                assert (
                    agreement_violations(move.terms, on_table, brand, supplier, brand.quantity)
                    == []
                )
                return
            if move.action is Action.WALK_AWAY:
                return


@settings(max_examples=300, deadline=None)
@given(st.data(), brand_prefs(), supplier_prefs(), st.integers(1, 12), st.sampled_from(list(Side)))
def test_the_commit_stores_only_the_other_sides_offer_inside_both_limits(
    data: st.DataObject,
    brand: BrandPreferences,
    supplier: SupplierPreferences,
    max_rounds: int,
    side: Side,
) -> None:
    """Over arbitrary histories (offers outside anyone's limits, as a defect or stored data
    could leave them) and any accepted terms, the commit's check passes an agreement only when
    it is the other side's standing offer inside both sides' limits."""
    rnd = data.draw(st.integers(1, max_rounds))
    history = data.draw(histories(rnd, side))
    on_table = standing_offer(history, side.other)
    accepted = data.draw(st.sampled_from([on_table, None]) | terms(), label="accepted")
    guarded = _guard(side, Move(Action.ACCEPT, accepted), on_table, brand, supplier)
    candidates = [accepted] + ([guarded.terms] if guarded.action is Action.ACCEPT else [])

    for candidate in candidates:
        if not agreement_violations(candidate, on_table, brand, supplier, brand.quantity):
            assert on_table is not None and candidate == on_table
            assert brand_limit_violations(candidate, brand) == []
            assert supplier_limit_violations(candidate, supplier, brand.quantity) == []
    if guarded.action is Action.ACCEPT:
        assert guarded.terms == on_table


def test_once_partial_shipments_are_allowed_the_brand_takes_down_to_the_minimum() -> None:
    partial = dataclasses.replace(BRAND, min_quantity=300)

    assert brand_limit_violations(offer("11.00", quantity=300), partial) == []
    assert brand_limit_violations(offer("11.00", quantity=299), partial) == [
        "quantity 299 is not within the 300 to 500 accepted"
    ]
    result = enforce_brand_limits(Move(Action.COUNTER, offer("11.00", quantity=120)), partial, None)
    assert result.move.terms.quantity == 300
    assert brand_limit_violations(offer("11.00", quantity=300), BRAND) == [
        "quantity 300 is not the 500 required"
    ]
